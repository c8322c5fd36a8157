#pragma once
/// @file What kind of fixed point a retrieved state of the modern Hopfield network is (Ramsauer
/// et al. 2020, section 2 and appendix A.1.5), read from its softmax weights
/// p = softmax(beta X^T xi) and their effective number n_eff = exp(entropy(p)):
///   - single_pattern: one pattern holds most of the weight (xi is close to that pattern);
///   - metastable: a group of patterns shares the weight (xi averages them);
///   - global: the weight is spread over most patterns (xi is near their weighted mean).
/// And the condition beta m_max^2 < 1, m_max = max_i ||x_i||, under which the update is a
/// contraction (its Jacobian beta X (diag p - p p^T) X^T has norm <= beta m_max^2), so exactly
/// one, global, fixed point exists (Lemma A3).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "hopfield/analysis/detail/scaling.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/kernels/softmax.hpp"

namespace hopfield {

enum class fixed_point_kind { single_pattern, metastable, global };

constexpr std::string_view to_string(fixed_point_kind kind) {
  switch (kind) {
    case fixed_point_kind::single_pattern:
      return "single pattern";
    case fixed_point_kind::metastable:
      return "metastable";
    case fixed_point_kind::global:
      return "global";
  }
  return "unknown";
}

/// Thresholds of the classification.
struct fixed_point_options {
  double single_weight = 0.9;    ///< single_pattern when the largest weight is >= this
  double global_fraction = 0.5;  ///< global when n_eff >= this fraction of M (and not single)
  double member_mass = 0.99;     ///< members: the heaviest patterns that together hold this mass
};

template <Real Scalar>
struct fixed_point_info {
  fixed_point_kind kind = fixed_point_kind::global;
  index_t nearest = 0;             ///< the pattern with the largest weight
  std::vector<index_t> members;    ///< heaviest first, until member_mass is reached
  std::vector<Scalar> weights;     ///< the members' softmax weights
  Scalar effective_count = 0;      ///< exp(entropy of the weights), in [1, M]
  Scalar distance_to_nearest = 0;  ///< ||xi - x_nearest||
  Scalar distance_to_mean = 0;     ///< ||xi - (1/M) sum_i x_i||
};

namespace detail {
/// p = softmax(beta X^T xi) for finite X and xi whatever their magnitude: the plain product where
/// it is finite, else the scores of X 2^-k and xi 2^-k (exact, and bounded by N) with
/// beta (s_j - max s) 2^(2k) formed without overflow (-inf where it is below the range, which
/// the softmax weighs 0), so the weights are never NaN.
template <class DX, Real Scalar>
vector_t<Scalar> fixed_point_weights(const Eigen::MatrixBase<DX>& patterns, Scalar beta,
                                     const vector_t<Scalar>& xi) {
  const vector_t<Scalar> scores = patterns.transpose() * xi;
  if (scores.allFinite()) return softmax(scores, beta);
  const int k = scale_exponent(std::max(patterns.cwiseAbs().maxCoeff(), xi.cwiseAbs().maxCoeff()));
  const Scalar s = std::ldexp(Scalar(1), -k);
  const vector_t<Scalar> xs = xi * s;
  vector_t<Scalar> z(patterns.cols());
  for (index_t j = 0; j < patterns.cols(); ++j) z(j) = (patterns.col(j) * s).dot(xs);
  const Scalar top = z.maxCoeff();
  int beta_exponent = 0;
  const Scalar beta_mantissa = std::frexp(beta, &beta_exponent);
  for (index_t j = 0; j < z.size(); ++j)
    z(j) = std::ldexp(beta_mantissa * (z(j) - top), beta_exponent + 2 * k);
  return softmax(z, Scalar(1));
}

/// (1/M) sum_j x_j without overflow: the plain mean where it is finite, else the mean of the
/// columns scaled by 2^-k, scaled back (the mean of finite entries is within their range).
template <class DX>
vector_t<typename DX::Scalar> column_mean(const Eigen::MatrixBase<DX>& patterns) {
  using Scalar = typename DX::Scalar;
  vector_t<Scalar> mean = patterns.rowwise().mean();
  if (mean.allFinite()) return mean;
  const int k = scale_exponent(patterns.cwiseAbs().maxCoeff());
  mean = (patterns * std::ldexp(Scalar(1), -k)).rowwise().mean();
  for (index_t r = 0; r < mean.size(); ++r) mean(r) = std::ldexp(mean(r), k);
  return mean;
}
}  // namespace detail

/// Classifies `state` (usually a retrieved fixed point) against `patterns` (N x M) at `beta`.
/// Finite for every finite input: scores, means and distances that would overflow (entries near
/// the largest double) are computed on exactly rescaled inputs; a distance is +inf only when it
/// exceeds the scalar's range.
/// @throws std::invalid_argument for an empty or non-finite pattern matrix, a state that is not an
///         N x 1 column (a row vector or a matrix of N entries included) or is non-finite, beta not
///         finite and > 0, or thresholds outside (0, 1].
template <class DX, class DS>
fixed_point_info<typename DX::Scalar> classify_fixed_point(const Eigen::MatrixBase<DX>& patterns,
                                                           typename DX::Scalar beta,
                                                           const Eigen::MatrixBase<DS>& state,
                                                           const fixed_point_options& options = {}) {
  using Scalar = typename DX::Scalar;
  static_assert(Real<Scalar>,
                "hopfield::classify_fixed_point: patterns must hold float, double or long double");
  constexpr std::string_view f = "classify_fixed_point";
  detail::require_non_empty(f, "patterns", patterns.rows(), patterns.cols());
  detail::require_finite(f, "patterns", patterns);
  detail::require_positive_finite(f, "beta", beta);
  detail::require_column_state(f, "state", patterns.rows(), state.rows(), state.cols());
  detail::require_finite(f, "state", state);
  for (const auto& [name, value] :
       {std::pair<std::string_view, double>{"options.single_weight", options.single_weight},
        {"options.global_fraction", options.global_fraction},
        {"options.member_mass", options.member_mass}}) {
    if (!(value > 0 && value <= 1)) detail::throw_invalid(f, name, "a value in (0, 1]", value);
  }
  const index_t m = patterns.cols();
  const vector_t<Scalar> xi = state.col(0).template cast<Scalar>();
  const vector_t<Scalar> p = detail::fixed_point_weights(patterns, beta, xi);

  fixed_point_info<Scalar> info;
  double entropy = 0;
  for (index_t i = 0; i < m; ++i) {
    const double w = static_cast<double>(p(i));
    if (w > 0) entropy -= w * std::log(w);
  }
  info.effective_count = static_cast<Scalar>(std::exp(entropy));
  std::vector<index_t> order(static_cast<std::size_t>(m));
  std::iota(order.begin(), order.end(), index_t{0});
  std::stable_sort(order.begin(), order.end(), [&](index_t a, index_t b) { return p(a) > p(b); });
  info.nearest = order.front();
  double mass = 0;
  for (const index_t i : order) {
    info.members.push_back(i);
    info.weights.push_back(p(i));
    mass += static_cast<double>(p(i));
    if (mass >= options.member_mass) break;
  }
  info.distance_to_nearest = detail::robust_norm(xi - patterns.col(info.nearest));
  info.distance_to_mean = detail::robust_norm(xi - detail::column_mean(patterns));
  if (static_cast<double>(p(info.nearest)) >= options.single_weight) {
    info.kind = fixed_point_kind::single_pattern;
  } else if (static_cast<double>(info.effective_count) >= options.global_fraction * static_cast<double>(m)) {
    info.kind = fixed_point_kind::global;
  } else {
    info.kind = fixed_point_kind::metastable;
  }
  return info;
}

/// beta m_max^2 and whether it is < 1.
template <Real Scalar>
struct unique_fixed_point_check {
  Scalar largest_norm = 0;  ///< m_max = max_i ||x_i||
  Scalar value = 0;         ///< beta m_max^2, a bound on the update's Lipschitz constant
  bool holds = false;       ///< value < 1: one global fixed point, reached from every start
};

/// Lemma A3's condition for `patterns` (N x M) at `beta`. m_max is computed without spurious
/// overflow or underflow (+inf only where it exceeds the scalar's range) and beta m_max^2 in long
/// double, so `value` is +inf only when it exceeds the scalar's range (then `holds` is false) and
/// 0 only when it is below it.
/// @throws std::invalid_argument for an empty or non-finite pattern matrix, or beta not finite and > 0.
template <class DX>
unique_fixed_point_check<typename DX::Scalar> unique_fixed_point_condition(
    const Eigen::MatrixBase<DX>& patterns, typename DX::Scalar beta) {
  using Scalar = typename DX::Scalar;
  static_assert(Real<Scalar>,
                "hopfield::unique_fixed_point_condition: patterns must hold float, double or long double");
  constexpr std::string_view f = "unique_fixed_point_condition";
  detail::require_non_empty(f, "patterns", patterns.rows(), patterns.cols());
  detail::require_finite(f, "patterns", patterns);
  detail::require_positive_finite(f, "beta", beta);
  unique_fixed_point_check<Scalar> check;
  check.largest_norm = detail::largest_column_norm(patterns);
  const auto norm = static_cast<long double>(check.largest_norm);
  check.value = static_cast<Scalar>(static_cast<long double>(beta) * norm * norm);
  check.holds = check.value < Scalar(1);
  return check;
}

}  // namespace hopfield
