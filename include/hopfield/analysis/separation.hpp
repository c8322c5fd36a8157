#pragma once
/// @file Pattern separation (Ramsauer et al. 2020, Def. 1): for each stored pattern
///   Delta_i = x_i^T x_i - max_{j != i} x_i^T x_j.
/// Delta_i > 0 large compared with 2 L / (beta ...) means x_i is retrieved in one update with an
/// exponentially small error (Theorem 5, analysis/retrieval_bound.hpp).
#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Core>

#include "hopfield/analysis/detail/scaling.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield {

namespace detail {
/// Delta of every column of `x` into `delta`, through the Gram matrix 256 columns at a time.
template <Real Scalar>
void separation_into(const Eigen::Ref<const matrix_t<Scalar>>& x, vector_t<Scalar>& delta) {
  const index_t m = x.cols();
  constexpr index_t block = 256;
  delta.resize(m);
  matrix_t<Scalar> gram(m, std::min(block, m));
  for (index_t start = 0; start < m; start += block) {
    const index_t len = std::min(block, m - start);
    gram.leftCols(len).noalias() = x.transpose() * x.middleCols(start, len);
    for (index_t k = 0; k < len; ++k) {
      const index_t i = start + k;
      Scalar other = -std::numeric_limits<Scalar>::infinity();
      for (index_t j = 0; j < m; ++j) {
        if (j != i) other = std::max(other, gram(j, k));
      }
      delta(i) = gram(i, k) - other;
    }
  }
}
}  // namespace detail

/// Delta_i of every column of `patterns` (N x M, M >= 2). Works through the Gram matrix a block
/// of 256 columns at a time, so memory is O(256 M), not O(M^2). Entries so large that the dot
/// products would overflow (or so small that they would underflow) are handled on a copy scaled
/// by a power of two, exactly; Delta_i is then +-inf only where it exceeds the scalar's range
/// (entries near the largest double), and never NaN.
/// @throws std::invalid_argument for fewer than two patterns, no rows, or non-finite entries.
template <class Derived>
vector_t<typename Derived::Scalar> separation(const Eigen::MatrixBase<Derived>& patterns) {
  using Scalar = typename Derived::Scalar;
  static_assert(Real<Scalar>, "hopfield::separation: patterns must hold float, double or long double");
  detail::require_non_empty("separation", "patterns", patterns.rows(), patterns.cols());
  if (patterns.cols() < 2)
    detail::throw_invalid("separation", "patterns", "at least 2 columns", patterns.cols());
  detail::require_finite("separation", "patterns", patterns);
  const Eigen::Ref<const matrix_t<Scalar>> x(patterns);
  vector_t<Scalar> delta;
  // |x_i . x_j| <= N max^2: safe from overflow while that stays below max / 4, and exact enough
  // while max^2 is well inside the normal range.
  const Scalar max_abs = x.cwiseAbs().maxCoeff();
  const Scalar high =
      std::sqrt(std::numeric_limits<Scalar>::max() / (Scalar(4) * static_cast<Scalar>(x.rows())));
  if (max_abs <= high && (max_abs >= detail::accurate_norm_threshold<Scalar>() || max_abs == Scalar(0))) {
    detail::separation_into<Scalar>(x, delta);
    return delta;
  }
  const int k = detail::scale_exponent(max_abs);
  const matrix_t<Scalar> scaled = x * std::ldexp(Scalar(1), -k);
  detail::separation_into<Scalar>(scaled, delta);
  for (index_t i = 0; i < delta.size(); ++i) delta(i) = std::ldexp(delta(i), 2 * k);
  return delta;
}

}  // namespace hopfield
