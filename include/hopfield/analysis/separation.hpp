#pragma once
/// @file Pattern separation (Ramsauer et al. 2020, Def. 1): for each stored pattern
///   Delta_i = x_i^T x_i - max_{j != i} x_i^T x_j.
/// Delta_i > 0 large compared with 2 L / (beta ...) means x_i is retrieved in one update with an
/// exponentially small error (Theorem 5, analysis/retrieval_bound.hpp).
#include <algorithm>
#include <limits>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield {

/// Delta_i of every column of `patterns` (N x M, M >= 2). Works through the Gram matrix a block
/// of 256 columns at a time, so memory is O(256 M), not O(M^2).
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
  const index_t m = x.cols();
  constexpr index_t block = 256;
  vector_t<Scalar> delta(m);
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
  return delta;
}

}  // namespace hopfield
