#pragma once
/// @file The quantity a binary update decides on.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hopfield/core/types.hpp"

namespace hopfield {

/// gap = E(s with s_i = -1) - E(s with s_i = +1) = value * exp(log_scale).
/// Positive: +1 has the lower energy; negative: -1 has; zero: a tie (the state is kept).
/// The scale lets dense memories report gaps whose raw value overflows (degree 30, exp(N)):
/// the sign decision reads only `value`; Glauber dynamics reads the exact magnitude.
template <Real Scalar>
struct energy_gap {
  Scalar value = 0;
  Scalar log_scale = 0;

  /// value * exp(log_scale), saturating to +-inf where it overflows.
  [[nodiscard]] Scalar exact() const {
    if (value == 0 || log_scale == 0) return value;
    const Scalar log_magnitude = std::log(std::abs(value)) + log_scale;
    const Scalar magnitude = log_magnitude > std::log(std::numeric_limits<Scalar>::max())
                                 ? std::numeric_limits<Scalar>::infinity()
                                 : std::exp(log_magnitude);
    return value > 0 ? magnitude : -magnitude;
  }
};

namespace detail {
/// What an update policy throws for a NaN gap: a NaN must never read as a tie (which keeps the
/// state and lets the engine report "converged" on a state it never examined).
[[noreturn]] inline void throw_nan_gap(std::string_view update, index_t neuron) {
  std::string message = "hopfield::";
  message.append(update).append(": the energy gap of neuron ").append(std::to_string(neuron));
  message.append(
      " is NaN: the energy overflowed (an interaction without a scale() whose F(a + 1) - F(a - 1) is "
      "inf - inf, or weights that left the scalar's range)");
  throw std::overflow_error(message);
}
}  // namespace detail

}  // namespace hopfield
