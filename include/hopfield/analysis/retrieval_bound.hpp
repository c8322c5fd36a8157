#pragma once
/// @file The one-step retrieval bound of Ramsauer et al. (2020), Theorem 5: for a state xi near
/// pattern x_i, with x_i^* the fixed point near x_i, L = max_j ||x_j|| and Delta_i the separation,
///   ||f(xi) - x_i|| <= 2 (M - 1) exp(-beta (Delta_i - 2 max{||xi - x_i||, ||x_i^* - x_i||} L)) L,
/// f the update xi <- X softmax(beta X^T xi). (It follows from 1 - p_i <= sum_{j != i} p_j / p_i
/// and ||x_j - x_i|| <= 2 L, so it holds for every xi; it is tight when Delta_i is large.)
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "hopfield/analysis/detail/scaling.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield {

namespace detail {
/// 2 (M - 1) exp(-beta core 2^(2k)) L_s 2^k in long double, with core = Delta - 2 r L and L = L_s 2^k
/// given at the scale 2^-k (k = 0: unscaled). exp(-beta core) may be +inf or 0; the product is
/// formed in log space when L 2^k itself is beyond long double's range, so it is never NaN.
template <Real Scalar>
Scalar theorem5_bound(index_t patterns, Scalar beta, long double core_scaled, long double largest_scaled,
                      int k) {
  using wide = long double;
  const wide exponent = -static_cast<wide>(beta) * std::ldexp(core_scaled, 2 * k);
  const wide largest = std::ldexp(largest_scaled, k);
  const wide pairs = 2 * static_cast<wide>(patterns - 1);
  if (std::isfinite(largest)) return static_cast<Scalar>(pairs * std::exp(exponent) * largest);
  const wide log_bound = std::log(pairs) + exponent + std::log(largest_scaled) +
                         static_cast<wide>(k) * std::numbers::ln2_v<wide>;
  return static_cast<Scalar>(std::exp(log_bound));
}
}  // namespace detail

/// The bound from its ingredients: M patterns, beta, Delta_i, the radius
/// max{||xi - x_i||, ||x_i^* - x_i||} and L. Evaluated in long double; +inf when it exceeds the
/// scalar's range, never NaN.
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
  // Delta - 2 r L: -inf at worst (where long double is no wider than Scalar), never NaN.
  const wide core =
      static_cast<wide>(separation_i) - 2 * static_cast<wide>(radius) * static_cast<wide>(largest_norm);
  return detail::theorem5_bound(patterns, beta, core, static_cast<wide>(largest_norm), 0);
}

/// The bound for pattern i of `patterns` (N x M), a state `state` and the fixed point
/// `fixed_point` that retrieval reaches from x_i (both N x 1 columns). Delta_i, the radius and L
/// are computed on the inputs scaled by a power of two (exactly), so entries near the largest or
/// the subnormal doubles neither overflow nor vanish; the bound is +inf when it exceeds the
/// scalar's range, never NaN. O(N M): only Delta_i is computed, not the whole separation.
/// @throws std::invalid_argument for empty or non-finite patterns, an index out of range, a state
///         or fixed point that is not an N x 1 column (a row vector or a matrix of N entries
///         included) or has non-finite entries, or beta not finite and > 0.
template <class DX, class DS, class DF>
typename DX::Scalar retrieval_error_bound(const Eigen::MatrixBase<DX>& patterns, typename DX::Scalar beta,
                                          index_t i, const Eigen::MatrixBase<DS>& state,
                                          const Eigen::MatrixBase<DF>& fixed_point) {
  using Scalar = typename DX::Scalar;
  static_assert(Real<Scalar>,
                "hopfield::retrieval_error_bound: patterns must hold float, double or long double");
  constexpr std::string_view f = "retrieval_error_bound";
  detail::require_non_empty(f, "patterns", patterns.rows(), patterns.cols());
  if (i < 0 || i >= patterns.cols()) {
    detail::throw_invalid(f, "i", "an index in [0, " + std::to_string(patterns.cols()) + ")", i);
  }
  detail::require_positive_finite(f, "beta", beta);
  detail::require_column_state(f, "state", patterns.rows(), state.rows(), state.cols());
  detail::require_column_state(f, "fixed_point", patterns.rows(), fixed_point.rows(), fixed_point.cols());
  detail::require_finite(f, "patterns", patterns);
  detail::require_finite(f, "state", state);
  detail::require_finite(f, "fixed_point", fixed_point);
  const index_t m = patterns.cols();
  if (m == 1) return Scalar(0);  // f(xi) = x_1 exactly
  const vector_t<Scalar> xi = state.col(0).template cast<Scalar>();
  const vector_t<Scalar> star = fixed_point.col(0).template cast<Scalar>();
  // Scale everything by s = 2^-k so that the largest entry is in [1/2, 1): exact, and no dot
  // product or norm below can overflow.
  const Scalar max_abs =
      std::max({patterns.cwiseAbs().maxCoeff(), xi.cwiseAbs().maxCoeff(), star.cwiseAbs().maxCoeff()});
  const int k = detail::scale_exponent(max_abs);
  const Scalar s = std::ldexp(Scalar(1), -k);
  const vector_t<Scalar> target = patterns.col(i) * s;
  Scalar other = -std::numeric_limits<Scalar>::infinity();
  Scalar largest = 0;
  for (index_t j = 0; j < m; ++j) {
    const auto column = patterns.col(j) * s;
    if (j != i) other = std::max(other, column.dot(target));
    largest = std::max(largest, column.norm());
  }
  if (largest == 0) return Scalar(0);  // every pattern is 0, and so is f(xi)
  const Scalar delta = target.squaredNorm() - other;
  const Scalar radius = std::max((xi * s - target).norm(), (star * s - target).norm());
  using wide = long double;
  const wide core = static_cast<wide>(delta) - 2 * static_cast<wide>(radius) * static_cast<wide>(largest);
  return detail::theorem5_bound(m, beta, core, static_cast<wide>(largest), k);
}

}  // namespace hopfield
