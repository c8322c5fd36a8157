#pragma once
/// @file The one-step retrieval bound of Ramsauer et al. (2020), Theorem 5: for a state xi near
/// pattern x_i, with x_i^* the fixed point near x_i, L = max_j ||x_j|| and Delta_i the separation,
///   ||f(xi) - x_i|| <= 2 (M - 1) exp(-beta (Delta_i - 2 max{||xi - x_i||, ||x_i^* - x_i||} L)) L,
/// f the update xi <- X softmax(beta X^T xi). (It follows from 1 - p_i <= sum_{j != i} p_j / p_i
/// and ||x_j - x_i|| <= 2 L, so it holds for every xi; it is tight when Delta_i is large.)
#include <algorithm>
#include <cmath>

#include <Eigen/Core>

#include "hopfield/analysis/separation.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield {

/// The bound from its ingredients: M patterns, beta, Delta_i, the radius
/// max{||xi - x_i||, ||x_i^* - x_i||} and L. Evaluated in long double; may be +inf, never NaN.
/// @throws std::invalid_argument for M < 1, beta not finite and > 0, or a negative or
///         non-finite radius or norm, or a non-finite separation.
template <Real Scalar>
Scalar retrieval_error_bound(index_t patterns, Scalar beta, Scalar separation_i, Scalar radius,
                             Scalar largest_norm) {
  constexpr std::string_view f = "retrieval_error_bound";
  if (patterns < 1) detail::throw_invalid(f, "patterns", "a count >= 1", patterns);
  detail::require_positive_finite(f, "beta", beta);
  if (!std::isfinite(separation_i)) detail::throw_invalid(f, "separation", "a finite value", separation_i);
  detail::require_non_negative_finite(f, "radius", radius);
  detail::require_non_negative_finite(f, "largest_norm", largest_norm);
  if (patterns == 1 || largest_norm == 0) return Scalar(0);  // f(xi) = x_1, or every pattern is 0
  using wide = long double;
  const wide exponent =
      -static_cast<wide>(beta) *
      (static_cast<wide>(separation_i) - 2 * static_cast<wide>(radius) * static_cast<wide>(largest_norm));
  const wide bound =
      2 * static_cast<wide>(patterns - 1) * std::exp(exponent) * static_cast<wide>(largest_norm);
  return static_cast<Scalar>(bound);
}

/// The bound for pattern i of `patterns` (N x M), a state `state` and the fixed point
/// `fixed_point` that retrieval reaches from x_i.
/// @throws std::invalid_argument for an index out of range, states of the wrong length,
///         non-finite entries, or beta not finite and > 0.
template <class DX, class DS, class DF>
typename DX::Scalar retrieval_error_bound(const Eigen::MatrixBase<DX>& patterns, typename DX::Scalar beta,
                                          index_t i, const Eigen::MatrixBase<DS>& state,
                                          const Eigen::MatrixBase<DF>& fixed_point) {
  using Scalar = typename DX::Scalar;
  constexpr std::string_view f = "retrieval_error_bound";
  detail::require_non_empty(f, "patterns", patterns.rows(), patterns.cols());
  if (i < 0 || i >= patterns.cols()) {
    detail::throw_invalid(f, "i", "an index in [0, " + std::to_string(patterns.cols()) + ")", i);
  }
  detail::require_size(f, "state", "size", patterns.rows(), state.size());
  detail::require_size(f, "fixed_point", "size", patterns.rows(), fixed_point.size());
  detail::require_finite(f, "state", state);
  detail::require_finite(f, "fixed_point", fixed_point);
  if (patterns.cols() == 1) {
    detail::require_finite(f, "patterns", patterns);
    return retrieval_error_bound<Scalar>(1, beta, Scalar(0), Scalar(0), patterns.col(0).norm());
  }
  const Scalar delta = separation(patterns)(i);
  const Scalar largest = patterns.colwise().norm().maxCoeff();
  const Scalar radius = std::max((state - patterns.col(i)).norm(), (fixed_point - patterns.col(i)).norm());
  return retrieval_error_bound<Scalar>(patterns.cols(), beta, delta, radius, largest);
}

}  // namespace hopfield
