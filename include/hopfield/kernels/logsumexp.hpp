#pragma once
/// @file Numerically stable log-sum-exp with inverse temperature:
/// lse(beta, z) = beta^-1 log sum_i exp(beta z_i), computed as max + beta^-1 log sum exp(beta (z - max)).
///
/// Vectors give a scalar; matrices give a row vector, one value per column (each column is one
/// distribution, as Eigen's colwise() reductions do). Exact for every finite input at any
/// magnitude; -inf entries weigh zero; an all -inf column gives -inf; +inf entries dominate (+inf);
/// a NaN gives NaN in its own column only.
///
/// @throws std::invalid_argument when beta is not finite and > 0 (checked at the call).
#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/column_kernel.hpp"

namespace hopfield {

/// One value per column of `scores` written into `out` (length = scores.cols()).
/// @throws std::invalid_argument for a bad beta or when out has the wrong length.
template <class Derived>
void logsumexp_into(const Eigen::DenseBase<Derived>& scores, typename Derived::Scalar beta,
                    Eigen::Ref<row_vector_t<typename Derived::Scalar>> out) {
  using Scalar = typename Derived::Scalar;
  static_assert(Real<Scalar>, "hopfield::logsumexp_into: scores must hold float, double or long double");
  detail::require_positive_finite("logsumexp_into", "beta", beta);
  detail::require_size("logsumexp_into", "out", "size", scores.cols(), out.size());
  // No copy for plain, mapped or column-block inputs; other expressions are evaluated once.
  const Eigen::Ref<const matrix_t<Scalar>> z(detail::as_matrix(scores));
  detail::reduce_columns<false>(
      z.data(), z.rows(), z.cols(), z.outerStride(), beta, static_cast<Scalar*>(nullptr), 0,
      [&](index_t j, const auto& stats) { out(j) = detail::lse_from_stats(stats, beta); });
}

/// lse of a vector (scalar) or of each column of a matrix (row vector).
/// @throws std::invalid_argument when beta is not finite and > 0.
template <class Derived>
auto logsumexp(const Eigen::DenseBase<Derived>& scores, typename Derived::Scalar beta = 1) {
  using Scalar = typename Derived::Scalar;
  static_assert(Real<Scalar>, "hopfield::logsumexp: scores must hold float, double or long double");
  if constexpr (Derived::IsVectorAtCompileTime) {
    detail::require_positive_finite("logsumexp", "beta", beta);
    const Eigen::Ref<const vector_t<Scalar>> z(detail::as_matrix(scores));
    const auto stats = detail::reduce_column(z.data(), z.size(), beta, static_cast<Scalar*>(nullptr));
    return detail::lse_from_stats(stats, beta);
  } else {
    detail::require_positive_finite("logsumexp", "beta", beta);
    row_vector_t<Scalar> out(scores.cols());
    logsumexp_into(scores, beta, out);
    return out;
  }
}

}  // namespace hopfield
