#pragma once
/// @file A grid of grey-level tiles written as one PNG through stb_image_write (libstb-dev).
///
/// Exactly one translation unit of a program defines STB_IMAGE_WRITE_IMPLEMENTATION before
/// including this header (each example is one file, so each example that writes PNGs does).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

// stb is C-style code: keep our strict warnings for our own code only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#if defined(__clang__)
#pragma GCC diagnostic ignored "-Wimplicit-int-conversion"
#pragma GCC diagnostic ignored "-Wshorten-64-to-32"
#pragma GCC diagnostic ignored "-Wcomma"
#endif
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace example {

/// rows x cols tiles of tile_h x tile_w grey pixels, each drawn `scale` times larger, with a gap
/// of background between tiles.
class image_grid {
 public:
  image_grid(int rows, int cols, int tile_h, int tile_w, int scale = 3, int gap = 4,
             std::uint8_t background = 96)
      : rows_(rows), cols_(cols), tile_h_(tile_h), tile_w_(tile_w), scale_(scale), gap_(gap) {
    if (rows <= 0 || cols <= 0 || tile_h <= 0 || tile_w <= 0 || scale <= 0 || gap < 0) {
      throw std::invalid_argument("image_grid: sizes must be positive");
    }
    width_ = cols * tile_w * scale + (cols + 1) * gap;
    height_ = rows * tile_h * scale + (rows + 1) * gap;
    pixels_.assign(static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_), background);
  }

  /// Draws a tile from row-major grey values in [0, 1] (values outside are clamped).
  /// @throws std::invalid_argument for a tile outside the grid or a wrong number of values.
  void put(int row, int col, std::span<const float> values) {
    if (row < 0 || row >= rows_ || col < 0 || col >= cols_)
      throw std::invalid_argument("image_grid::put: no such tile");
    if (values.size() != static_cast<std::size_t>(tile_h_) * static_cast<std::size_t>(tile_w_)) {
      throw std::invalid_argument("image_grid::put: expected " + std::to_string(tile_h_ * tile_w_) +
                                  " values, got " + std::to_string(values.size()));
    }
    const int x0 = gap_ + col * (tile_w_ * scale_ + gap_);
    const int y0 = gap_ + row * (tile_h_ * scale_ + gap_);
    for (int y = 0; y < tile_h_ * scale_; ++y) {
      for (int x = 0; x < tile_w_ * scale_; ++x) {
        const float v = values[static_cast<std::size_t>((y / scale_) * tile_w_ + x / scale_)];
        const float clamped = std::isfinite(v) ? std::clamp(v, 0.0f, 1.0f) : 0.0f;
        pixels_[static_cast<std::size_t>(y0 + y) * static_cast<std::size_t>(width_) +
                static_cast<std::size_t>(x0 + x)] = static_cast<std::uint8_t>(std::lround(255.0f * clamped));
      }
    }
  }

  /// @throws std::runtime_error when the file cannot be written.
  void write_png(const std::filesystem::path& path) const {
    if (stbi_write_png(path.string().c_str(), width_, height_, 1, pixels_.data(), width_) == 0) {
      throw std::runtime_error(path.string() + ": cannot write the PNG");
    }
  }

  [[nodiscard]] int width() const { return width_; }
  [[nodiscard]] int height() const { return height_; }

 private:
  int rows_, cols_, tile_h_, tile_w_, scale_, gap_;
  int width_ = 0, height_ = 0;
  std::vector<std::uint8_t> pixels_;
};

}  // namespace example
