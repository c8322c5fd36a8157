#pragma once
/// @file Sparsemax with inverse temperature: p = sparsemax(beta z), the Euclidean projection of
/// beta z onto the probability simplex (Martins & Astudillo 2016; THEORY.md section 7):
///   p_i = [theta_i - tau]_+,  theta = beta z,  tau the threshold with sum p = 1.
/// Exactly sparse: p is one-hot at i iff z_i - max_(j != i) z_j >= 1/beta.
///
/// Computed exactly in linear time, without sorting (kernels/detail/support_search.hpp): only scores
/// with theta_i > max theta - 1 can be in the support; they are collected while a lower bound on
/// tau rises, and Michelot's iteration finds tau on them. Sums run in a wider type (double for
/// float). Vectors give a vector; matrices are done column by column.
///
/// Special values: -inf entries weigh zero; an all -inf (fully masked) or empty column gives
/// zeros and support 0; when +inf entries are present they share the mass equally (the limit),
/// as in softmax. A NaN score is rejected (std::invalid_argument), never propagated.
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/kernels/detail/support_search.hpp"
#include "hopfield/kernels/sparse_workspace.hpp"

namespace hopfield {

/// p = sparsemax(beta * scores) written into `out` (same size); returns the support size (the
/// number of nonzero p_i). `out` may be `scores` itself. Allocates nothing once `workspace` has
/// room for scores.size() entries (it grows otherwise). Scalar is deduced from the workspace;
/// pass contiguous scores (a vector, a column, a Map) so that no copy is made.
/// @throws std::invalid_argument naming "beta" when beta is not finite and > 0, "out" when its
///         size differs from the scores', "scores" when a score is NaN; `out` is then untouched.
template <Real Scalar>
index_t sparsemax_into(const std::type_identity_t<Eigen::Ref<const vector_t<Scalar>>>& scores,
                       std::type_identity_t<Scalar> beta,
                       std::type_identity_t<Eigen::Ref<vector_t<Scalar>>> out,
                       sparse_workspace<Scalar>& workspace) {
  detail::sparsemax_policy<Scalar> policy;
  return detail::sparse_separation("sparsemax_into", scores, beta, policy, out, workspace);
}

/// Sparsemax of a vector, or of each column of a matrix (an array is treated as a matrix).
/// @throws std::invalid_argument naming "beta" when beta is not finite and > 0, "scores" when a
///         score is NaN.
template <class Derived>
auto sparsemax(const Eigen::DenseBase<Derived>& scores, typename Derived::Scalar beta = 1) {
  using Scalar = typename Derived::Scalar;
  static_assert(Real<Scalar>, "hopfield::sparsemax: scores must hold float, double or long double");
  detail::sparsemax_policy<Scalar> policy;
  sparse_workspace<Scalar> workspace(Derived::IsVectorAtCompileTime ? scores.size() : scores.rows());
  if constexpr (Derived::IsVectorAtCompileTime) {
    const vector_t<Scalar> z = detail::as_matrix(scores);
    vector_t<Scalar> out(z.size());
    detail::sparse_separation("sparsemax", z, beta, policy, out, workspace);
    return out;
  } else {
    const matrix_t<Scalar> z = detail::as_matrix(scores);
    matrix_t<Scalar> out(z.rows(), z.cols());
    detail::require_positive_finite("sparsemax", "beta", beta);
    for (index_t j = 0; j < z.cols(); ++j) {
      detail::sparse_separation("sparsemax", z.col(j), beta, policy, out.col(j), workspace);
    }
    return out;
  }
}

}  // namespace hopfield
