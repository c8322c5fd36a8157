#pragma once
/// @file Vector-Jacobian product of the column-wise log-sum-exp kernel (kernels/logsumexp.hpp),
/// lse(beta, z) = beta^-1 ln sum_i exp(beta z_i) per column, with respect to the scores and beta.
/// For upstream u (one number per column), with p = softmax(beta z):
///   dz = u p,   dbeta = u (p . z - lse) / beta = -u H(p) / beta^2,
/// H the entropy of p. dbeta is taken as u (sum_i p_i (z_i - max) - beta^-1 ln sum_i
/// exp(beta (z_i - max))) / beta: both terms are <= 0 and neither cancels against a large lse.
/// Masked entries (-inf) get a zero gradient; a fully masked column (lse = -inf) contributes
/// nothing. Cost O(M B), memory one M x B result.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/wide.hpp"
#include "hopfield/gradient/detail/checks.hpp"
#include "hopfield/kernels/softmax.hpp"

namespace hopfield {

/// Gradients of <u, lse(beta, Z)> with respect to its inputs.
template <Real Scalar>
struct logsumexp_gradients {
  matrix_t<Scalar> scores;  ///< M x B
  Scalar beta = 0;
};

/// VJP of the column-wise log-sum-exp of `scores` (M x B; entries finite or -inf) at `beta` for
/// upstream u (1 x B, one number per column; 1 x 1 for a vector of scores).
/// @throws std::invalid_argument when beta is not finite and > 0, a score is NaN or +inf, or the
///         upstream gradient is not 1 x B or has a non-finite entry.
template <class DZ, class DU>
logsumexp_gradients<typename DZ::Scalar> logsumexp_vjp(const Eigen::MatrixBase<DZ>& scores,
                                                       typename DZ::Scalar beta,
                                                       const Eigen::MatrixBase<DU>& upstream) {
  using Scalar = typename DZ::Scalar;
  using wide = detail::wide_t<Scalar>;
  static_assert(Real<Scalar>, "hopfield::logsumexp_vjp: scores must hold float, double or long double");
  constexpr std::string_view f = "logsumexp_vjp";
  detail::require_positive_finite(f, "beta", beta);
  detail::require_finite_or_masked(f, "scores", scores);
  detail::require_upstream(f, "upstream", upstream, 1, scores.cols());
  const matrix_t<Scalar> z = scores;
  const matrix_t<Scalar> p = softmax(z, beta);
  logsumexp_gradients<Scalar> out;
  out.scores.resize(z.rows(), z.cols());
  wide d_beta = 0;
  for (index_t j = 0; j < z.cols(); ++j) {
    const auto u = static_cast<wide>(upstream(0, j));
    out.scores.col(j) = p.col(j) * static_cast<Scalar>(upstream(0, j));
    Scalar top = -std::numeric_limits<Scalar>::infinity();
    for (index_t i = 0; i < z.rows(); ++i) top = std::max(top, z(i, j));
    if (!std::isfinite(top)) continue;  // fully masked: lse = -inf, no gradient
    wide shifted_mean = 0, sum = 0;     // sum p_i (z_i - max), sum exp(beta (z_i - max))
    for (index_t i = 0; i < z.rows(); ++i) {
      if (p(i, j) == Scalar(0) && !std::isfinite(z(i, j))) continue;
      const wide shift = static_cast<wide>(z(i, j)) - static_cast<wide>(top);
      shifted_mean += static_cast<wide>(p(i, j)) * shift;
      sum += std::exp(static_cast<wide>(beta) * shift);
    }
    d_beta += u * (shifted_mean - std::log(sum) / static_cast<wide>(beta)) / static_cast<wide>(beta);
  }
  out.beta = static_cast<Scalar>(d_beta);
  detail::require_finite_result(f, "the scores", out.scores);
  detail::require_finite_result(f, "beta", Eigen::Matrix<Scalar, 1, 1>::Constant(out.beta));
  return out;
}

}  // namespace hopfield
