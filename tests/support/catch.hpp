#pragma once
// Catch2 v2 (Debian's 2.13) and v3 behind one include.
#include <string>
#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
namespace test {
inline auto contains(const std::string& text) {
  return Catch::Matchers::ContainsSubstring(text);
}
}  // namespace test
#else
#include <catch2/catch.hpp>
namespace test {
inline auto contains(const std::string& text) {
  return Catch::Matchers::Contains(text);
}
}  // namespace test
#endif
