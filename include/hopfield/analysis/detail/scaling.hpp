#pragma once
/// @file Helpers the analysis functions share to stay finite at the extremes of the scalar range:
/// exact power-of-two rescaling (so dot products and norms of entries near the largest or the
/// subnormal doubles neither overflow nor underflow), an overflow- and underflow-safe norm, and
/// the check that a state is one column.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield::detail {

/// The exponent k with max_abs 2^-k in [1/2, 1) (std::frexp's), clamped to the scalar's exponent
/// range so that 2^-k is representable (exactly; it may be subnormal); 0 for max_abs = 0. Scaling
/// by 2^-k is exact for every entry that stays normal, so a product of scaled entries times
/// 2^(2k) is the product of the originals, without the overflow.
template <Real Scalar>
int scale_exponent(Scalar max_abs) {
  if (!(max_abs > Scalar(0))) return 0;
  int k = 0;
  static_cast<void>(std::frexp(max_abs, &k));
  return std::clamp(k, std::numeric_limits<Scalar>::min_exponent, std::numeric_limits<Scalar>::max_exponent);
}

/// Below sqrt(min / epsilon) a sum of squares may have lost contributions that matter.
template <Real Scalar>
Scalar accurate_norm_threshold() {
  return std::sqrt(std::numeric_limits<Scalar>::min() / std::numeric_limits<Scalar>::epsilon());
}

/// ||v|| without spurious overflow or underflow: Eigen's plain norm (the square root of the sum
/// of squares) where that is accurate, its scaled stableNorm where the sum of squares overflowed
/// or lost precision to underflow. +inf only when the norm itself exceeds the scalar's range (or
/// an entry is infinite).
template <class Derived>
typename Derived::Scalar robust_norm(const Eigen::MatrixBase<Derived>& v) {
  using Scalar = typename Derived::Scalar;
  const Scalar plain = v.norm();
  if (std::isfinite(plain) && plain >= accurate_norm_threshold<Scalar>()) return plain;
  const vector_t<Scalar> copy = v.reshaped();
  return copy.stableNorm();
}

/// max_j ||x_j|| over the columns of `x` (not empty, finite), through robust_norm where the plain
/// column norms overflowed or underflowed.
template <class Derived>
typename Derived::Scalar largest_column_norm(const Eigen::MatrixBase<Derived>& x) {
  using Scalar = typename Derived::Scalar;
  const Scalar plain = x.colwise().norm().maxCoeff();
  if (std::isfinite(plain) && plain >= accurate_norm_threshold<Scalar>()) return plain;
  Scalar largest = 0;
  for (index_t j = 0; j < x.cols(); ++j) largest = std::max(largest, robust_norm(x.col(j)));
  return largest;
}

/// Requires `state` to be one column of `rows` entries (a row vector or a matrix of the same size
/// is rejected: it is not what the function expects, and Eigen would assert on the arithmetic).
inline void require_column_state(std::string_view function, std::string_view argument, index_t rows,
                                 index_t state_rows, index_t state_cols) {
  if (state_cols != 1 || state_rows != rows) {
    throw_invalid(function, argument, "a column vector of size " + std::to_string(rows),
                  std::to_string(state_rows) + " x " + std::to_string(state_cols));
  }
}

}  // namespace hopfield::detail
