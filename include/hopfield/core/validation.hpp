#pragma once
/// @file Input checks shared by every public entry point. Each throws std::invalid_argument
/// through detail::throw_invalid; none allocates unless it throws.
#include <cmath>
#include <string>

#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield::detail {

template <Real Scalar>
void require_positive_finite(std::string_view function, std::string_view argument, Scalar value) {
  if (!(std::isfinite(value) && value > Scalar(0))) {
    throw_invalid(function, argument, "a finite value > 0", value);
  }
}

template <Real Scalar>
void require_non_negative_finite(std::string_view function, std::string_view argument, Scalar value) {
  if (!(std::isfinite(value) && value >= Scalar(0))) {
    throw_invalid(function, argument, "a finite value >= 0", value);
  }
}

inline void require_size(std::string_view function, std::string_view argument, std::string_view what,
                         index_t expected, index_t actual) {
  if (expected != actual) {
    throw_invalid(function, argument, std::string(what) + " = " + std::to_string(expected),
                  std::string(what) + " = " + std::to_string(actual));
  }
}

inline void require_non_empty(std::string_view function, std::string_view argument, index_t rows,
                              index_t cols) {
  if (rows <= 0 || cols <= 0) {
    throw_invalid(function, argument, "a non-empty matrix",
                  std::to_string(rows) + " x " + std::to_string(cols));
  }
}

/// Every entry finite; reports the first offender's position.
template <class Derived>
void require_finite(std::string_view function, std::string_view argument,
                    const Eigen::MatrixBase<Derived>& values) {
  if (values.allFinite()) return;
  for (index_t j = 0; j < values.cols(); ++j) {
    for (index_t i = 0; i < values.rows(); ++i) {
      if (!std::isfinite(values(i, j))) {
        throw_invalid(function, argument, "finite entries",
                      describe(values(i, j)) + " at (" + std::to_string(i) + ", " + std::to_string(j) + ")");
      }
    }
  }
}

/// Every entry exactly +1 or -1; reports the first offender's position.
template <class Derived>
void require_binary(std::string_view function, std::string_view argument,
                    const Eigen::MatrixBase<Derived>& values) {
  using Scalar = typename Derived::Scalar;
  for (index_t j = 0; j < values.cols(); ++j) {
    for (index_t i = 0; i < values.rows(); ++i) {
      const Scalar v = values(i, j);
      if (v != Scalar(1) && v != Scalar(-1)) {
        throw_invalid(function, argument, "entries in {-1, +1}",
                      describe(v) + " at (" + std::to_string(i) + ", " + std::to_string(j) + ")");
      }
    }
  }
}

}  // namespace hopfield::detail
