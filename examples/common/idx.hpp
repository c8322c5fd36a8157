#pragma once
/// @file Reading IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or not.
///
/// IDX: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions d, then d
/// big-endian 32-bit sizes and the values in row-major order. Only unsigned bytes are read here
/// (what (Fashion-)MNIST uses). Every malformed input gives an idx_error naming the file and what
/// is wrong; nothing is read past the data.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#if defined(HOPFIELD_HAVE_ZLIB)
#include <zlib.h>
#endif

namespace example {

/// A missing, unreadable or malformed data file.
struct idx_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// An IDX array of unsigned bytes: its sizes (outermost first) and values (row-major).
struct idx_array {
  std::vector<std::size_t> sizes;
  std::vector<std::uint8_t> values;
};

/// Decodes the bytes of an (uncompressed) IDX file; `source` names it in errors.
/// @throws idx_error for a bad magic number, an element type other than unsigned byte, zero
///         dimensions or a zero size, a header or data shorter than announced, or trailing bytes.
inline idx_array parse_idx(std::span<const std::uint8_t> bytes, std::string_view source) {
  const std::string where(source);
  auto fail = [&](const std::string& what) -> idx_error {
    return idx_error(where + ": not a valid IDX file: " + what);
  };
  if (bytes.size() < 4)
    throw fail("only " + std::to_string(bytes.size()) + " bytes, shorter than the 4-byte magic number");
  if (bytes[0] != 0 || bytes[1] != 0) throw fail("the magic number does not start with two zero bytes");
  if (bytes[2] != 0x08) {
    char code[8];
    std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned>(bytes[2]));
    throw fail(std::string("element type ") + code + " is not supported (only unsigned bytes, 0x08)");
  }
  const std::size_t dims = bytes[3];
  if (dims == 0) throw fail("zero dimensions");
  const std::size_t header = 4 + 4 * dims;
  if (bytes.size() < header) {
    throw fail("the header announces " + std::to_string(dims) + " dimensions but the file ends after " +
               std::to_string(bytes.size()) + " bytes");
  }
  idx_array out;
  std::size_t count = 1;
  for (std::size_t d = 0; d < dims; ++d) {
    const std::size_t at = 4 + 4 * d;
    const std::size_t size = (std::size_t{bytes[at]} << 24) | (std::size_t{bytes[at + 1]} << 16) |
                             (std::size_t{bytes[at + 2]} << 8) | std::size_t{bytes[at + 3]};
    if (size == 0) throw fail("dimension " + std::to_string(d) + " has size 0");
    if (count > std::numeric_limits<std::size_t>::max() / size) throw fail("the sizes overflow");
    count *= size;
    out.sizes.push_back(size);
  }
  const std::size_t data = bytes.size() - header;
  if (data < count) {
    throw fail("truncated: the header announces " + std::to_string(count) + " values but only " +
               std::to_string(data) + " bytes follow");
  }
  if (data > count) {
    throw fail(std::to_string(data - count) + " trailing bytes after the " + std::to_string(count) +
               " announced values");
  }
  out.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return out;
}

/// The whole content of a file, decompressed when it is gzip (through zlib; a plain file is read
/// as it is).
/// @throws idx_error when the file is missing or unreadable, or the gzip stream is corrupt or
///         truncated (or gzip without zlib in this build).
inline std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw idx_error(name + ": no such file");
  if (!std::filesystem::is_regular_file(path, ec)) throw idx_error(name + ": not a regular file");
  std::vector<std::uint8_t> out;
#if defined(HOPFIELD_HAVE_ZLIB)
  gzFile file = gzopen(name.c_str(), "rb");
  if (file == nullptr) throw idx_error(name + ": cannot open for reading");
  std::uint8_t buffer[1 << 16];
  for (;;) {
    const int got = gzread(file, buffer, sizeof buffer);
    if (got < 0) break;
    out.insert(out.end(), buffer, buffer + got);
    if (got == 0) break;
  }
  int code = Z_OK;
  std::string message = gzerror(file, &code);
  if (message.starts_with(name + ": ")) message.erase(0, name.size() + 2);  // zlib prefixes the path
  // gzclose reports Z_BUF_ERROR when the last read stopped inside an unfinished gzip stream.
  const int closed = gzclose(file);
  if (code != Z_OK && code != Z_STREAM_END)
    throw idx_error(name + ": corrupt or truncated gzip data (" + message + ")");
  if (closed == Z_BUF_ERROR) throw idx_error(name + ": truncated gzip data (the stream ends early)");
  if (closed != Z_OK)
    throw idx_error(name + ": error while reading (zlib code " + std::to_string(closed) + ")");
#else
  std::FILE* file = std::fopen(name.c_str(), "rb");
  if (file == nullptr) throw idx_error(name + ": cannot open for reading");
  std::uint8_t buffer[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) out.insert(out.end(), buffer, buffer + got);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) throw idx_error(name + ": read error");
  if (out.size() >= 2 && out[0] == 0x1F && out[1] == 0x8B) {
    throw idx_error(name +
                    ": gzip-compressed, but this program was built without zlib (install zlib1g-dev "
                    "and rebuild, or gunzip the file)");
  }
#endif
  return out;
}

/// read_file_bytes then parse_idx.
inline idx_array read_idx(const std::filesystem::path& path) {
  return parse_idx(read_file_bytes(path), path.string());
}

/// Images: a 3-dimensional IDX array (count x rows x cols).
/// @throws idx_error as read_idx, and when the array is not 3-dimensional.
inline idx_array read_idx_images(const std::filesystem::path& path) {
  idx_array a = read_idx(path);
  if (a.sizes.size() != 3) {
    throw idx_error(path.string() + ": expected images (3 dimensions: count, rows, columns), found " +
                    std::to_string(a.sizes.size()) + " dimensions");
  }
  return a;
}

/// Labels: a 1-dimensional IDX array.
/// @throws idx_error as read_idx, and when the array is not 1-dimensional.
inline idx_array read_idx_labels(const std::filesystem::path& path) {
  idx_array a = read_idx(path);
  if (a.sizes.size() != 1) {
    throw idx_error(path.string() + ": expected labels (1 dimension), found " +
                    std::to_string(a.sizes.size()) + " dimensions");
  }
  return a;
}

}  // namespace example
