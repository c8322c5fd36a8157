#pragma once
/// @file One way to report bad input: std::invalid_argument naming the function, the argument,
/// what was expected and what was given.
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hopfield::detail {

template <class Value>
std::string describe(const Value& value) {
  std::ostringstream out;
  out.precision(9);
  out << value;
  return out.str();
}

/// Throws std::invalid_argument("hopfield::F: argument 'A' expected E, got V").
template <class Actual>
[[noreturn]] void throw_invalid(std::string_view function, std::string_view argument,
                                std::string_view expected, const Actual& actual) {
  std::string message = "hopfield::";
  message.append(function).append(": argument '").append(argument).append("' expected ");
  message.append(expected).append(", got ").append(describe(actual));
  throw std::invalid_argument(message);
}

}  // namespace hopfield::detail
