#pragma once
/// @file signed_log: a number as sign * exp(log_abs), for energies that overflow every scalar
/// (a dense memory's sum of x^n or exp(x) at large N). It is vocabulary, not part of any one
/// energy: the interactions return it, the interaction energy and the dense memory pass it on.
#include <cmath>
#include <limits>

#include "hopfield/core/types.hpp"

namespace hopfield {

/// A number too large or too small to represent, as sign * exp(log_abs). sign is -1, 0 or +1
/// (log_abs = -inf when sign is 0).
template <Real Scalar>
struct signed_log {
  Scalar sign = 0;
  Scalar log_abs = -std::numeric_limits<Scalar>::infinity();

  /// sign * exp(log_abs), saturating to +-inf where it overflows.
  [[nodiscard]] Scalar value() const {
    if (sign == 0) return Scalar(0);
    if (log_abs > std::log(std::numeric_limits<Scalar>::max())) {
      return sign * std::numeric_limits<Scalar>::infinity();
    }
    return sign * std::exp(log_abs);
  }
};

}  // namespace hopfield
