#pragma once
/// @file Numerically stable softmax with inverse temperature:
/// softmax(beta, z)_i = exp(beta (z_i - max)) / sum_j exp(beta (z_j - max)).
///
/// Vectors give a vector; matrices are normalised column by column. -inf entries weigh zero; an
/// all -inf (fully masked) column gives zeros, never NaN; +inf entries share the mass equally; a
/// NaN gives NaN in its own column only. Sums are accumulated in a wider type (double for float),
/// so every column sums to 1 within float rounding even at 10^6 entries.
///
/// @throws std::invalid_argument when beta is not finite and > 0 (checked at the call), or when
///         the output of softmax_into has another shape than the scores.
#include <cmath>
#include <limits>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/column_kernel.hpp"

namespace hopfield {

/// Column-wise softmax of `scores` written into `out` (same shape); `out` may be `scores` itself.
template <class Derived>
void softmax_into(const Eigen::DenseBase<Derived>& scores, typename Derived::Scalar beta,
                  Eigen::Ref<matrix_t<typename Derived::Scalar>> out) {
  using Scalar = typename Derived::Scalar;
  static_assert(Real<Scalar>, "hopfield::softmax_into: scores must hold float, double or long double");
  detail::require_positive_finite("softmax_into", "beta", beta);
  detail::require_size("softmax_into", "out", "rows", scores.rows(), out.rows());
  detail::require_size("softmax_into", "out", "cols", scores.cols(), out.cols());
  const Eigen::Ref<const matrix_t<Scalar>> z(detail::as_matrix(scores));
  detail::reduce_columns<true>(z.data(), z.rows(), z.cols(), z.outerStride(), beta, out.data(),
                               out.outerStride(),
                               [](index_t, const auto& stats) { return detail::softmax_scale(stats); });
}

/// Softmax of a vector, or of each column of a matrix.
/// @throws std::invalid_argument when beta is not finite and > 0.
template <class Derived>
auto softmax(const Eigen::DenseBase<Derived>& scores, typename Derived::Scalar beta = 1) {
  using Scalar = typename Derived::Scalar;
  static_assert(Real<Scalar>, "hopfield::softmax: scores must hold float, double or long double");
  detail::require_positive_finite("softmax", "beta", beta);
  if constexpr (Derived::IsVectorAtCompileTime) {
    const Eigen::Ref<const vector_t<Scalar>> z(detail::as_matrix(scores));
    vector_t<Scalar> out(z.size());
    detail::reduce_columns<true>(z.data(), z.size(), 1, z.size(), beta, out.data(), z.size(),
                                 [](index_t, const auto& stats) { return detail::softmax_scale(stats); });
    return out;
  } else {
    matrix_t<Scalar> out(scores.rows(), scores.cols());
    softmax_into(scores, beta, out);
    return out;
  }
}

}  // namespace hopfield
