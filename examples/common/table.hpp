#pragma once
/// @file Plain-text tables for the examples' results (Markdown-compatible, so they paste into docs).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <string>
#include <vector>

namespace example {

/// Rows of cells printed as a Markdown table with aligned columns.
class table {
 public:
  explicit table(std::vector<std::string> header) : header_(std::move(header)) {}

  void add(std::vector<std::string> row) {
    row.resize(header_.size());
    rows_.push_back(std::move(row));
  }

  void print(std::ostream& out) const {
    std::vector<std::size_t> width(header_.size());
    for (std::size_t c = 0; c < header_.size(); ++c) {
      width[c] = std::max<std::size_t>(3, header_[c].size());
      for (const auto& r : rows_) width[c] = std::max(width[c], r[c].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
      out << '|';
      for (std::size_t c = 0; c < cells.size(); ++c) {
        const std::size_t pad = width[c] - cells[c].size();
        // Text left, numbers right: a cell is numeric when it starts like a number.
        const bool numeric = is_number(cells[c]);
        out << ' ' << (numeric ? std::string(pad, ' ') + cells[c] : cells[c] + std::string(pad, ' ')) << " |";
      }
      out << '\n';
    };
    line(header_);
    out << '|';
    for (const std::size_t w : width) out << ' ' << std::string(w, '-') << " |";
    out << '\n';
    for (const auto& r : rows_) line(r);
  }

 private:
  /// Whether a cell reads as a number, possibly with a unit after it ("12.5%", "3.1 ms").
  static bool is_number(const std::string& cell) {
    if (cell.empty()) return false;
    char* end = nullptr;
    std::strtod(cell.c_str(), &end);
    return end != cell.c_str() && (*end == '\0' || *end == '%' || *end == ' ' || *end == 'x');
  }

  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

/// A number with a fixed count of decimals.
inline std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

/// A fraction as a percentage, e.g. 0.1234 -> "12.3%".
inline std::string percent(double fraction, int decimals = 1) {
  return fixed(100.0 * fraction, decimals) + "%";
}

/// Wall-clock seconds since construction.
class stopwatch {
 public:
  [[nodiscard]] double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace example
