#pragma once
/// @file Vector-Jacobian product of the column-wise softmax kernel (kernels/softmax.hpp),
/// p = softmax(beta z) per column, with respect to the scores and beta. For upstream g:
///   dz = beta p .* (g - (p . g)),   dbeta = sum_i p_i (g_i - p . g) (z_i - max z),
/// the shift by the column's max changing nothing (the weights p_i (g_i - p . g) sum to zero) but
/// keeping the terms small. Masked entries (-inf, weight zero) get a zero gradient, and a fully
/// masked column (softmax gives zeros) contributes nothing. Cost O(M B), memory one M x B result.
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

/// Gradients of <G, softmax(beta Z)> with respect to its inputs.
template <Real Scalar>
struct softmax_gradients {
  matrix_t<Scalar> scores;  ///< M x B
  Scalar beta = 0;
};

/// VJP of the column-wise softmax of `scores` (M x B; entries finite or -inf) at `beta` for
/// upstream (M x B). A vector of scores is one column.
/// @throws std::invalid_argument when beta is not finite and > 0, a score is NaN or +inf, or the
///         upstream gradient has another shape or a non-finite entry.
template <class DZ, class DG>
softmax_gradients<typename DZ::Scalar> softmax_vjp(const Eigen::MatrixBase<DZ>& scores,
                                                   typename DZ::Scalar beta,
                                                   const Eigen::MatrixBase<DG>& upstream) {
  using Scalar = typename DZ::Scalar;
  using wide = detail::wide_t<Scalar>;
  static_assert(Real<Scalar>, "hopfield::softmax_vjp: scores must hold float, double or long double");
  constexpr std::string_view f = "softmax_vjp";
  detail::require_positive_finite(f, "beta", beta);
  detail::require_finite_or_masked(f, "scores", scores);
  detail::require_upstream(f, "upstream", upstream, scores.rows(), scores.cols());
  const matrix_t<Scalar> z = scores;
  const matrix_t<Scalar> p = softmax(z, beta);  // the library's kernel: zeros for a masked column
  softmax_gradients<Scalar> out;
  out.scores.resize(z.rows(), z.cols());
  wide d_beta = 0;
  for (index_t j = 0; j < z.cols(); ++j) {
    wide mean = 0;  // p . g
    Scalar top = -std::numeric_limits<Scalar>::infinity();
    for (index_t i = 0; i < z.rows(); ++i) {
      mean += static_cast<wide>(p(i, j)) * static_cast<wide>(upstream(i, j));
      top = std::max(top, z(i, j));
    }
    for (index_t i = 0; i < z.rows(); ++i) {
      const wide s = static_cast<wide>(p(i, j)) * (static_cast<wide>(upstream(i, j)) - mean);
      out.scores(i, j) = static_cast<Scalar>(static_cast<wide>(beta) * s);
      if (p(i, j) != Scalar(0)) d_beta += s * (static_cast<wide>(z(i, j)) - static_cast<wide>(top));
    }
  }
  out.beta = static_cast<Scalar>(d_beta);
  detail::require_finite_result(f, "the scores", out.scores);
  detail::require_finite_result(f, "beta", Eigen::Matrix<Scalar, 1, 1>::Constant(out.beta));
  return out;
}

}  // namespace hopfield
