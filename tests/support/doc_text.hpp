#pragma once
// Reading a doc page's code back in a test, so that the code a page shows is the code compiled.
#include <fstream>
#include <sstream>
#include <string>

namespace test {

/// The whole file at `path` (empty when it cannot be read).
inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The text strictly between the first `begin` and the next `end` after it (empty when either is
/// missing).
inline std::string between(const std::string& text, const std::string& begin, const std::string& end) {
  const auto a = text.find(begin);
  const auto b = text.find(end, a == std::string::npos ? 0 : a);
  if (a == std::string::npos || b == std::string::npos) return {};
  return text.substr(a + begin.size(), b - a - begin.size());
}

}  // namespace test
