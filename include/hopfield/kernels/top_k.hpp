#pragma once
/// @file Top-k softmax: softmax(beta z) restricted to the k largest scores, zero elsewhere, a
/// sparse separation with a fixed support size (k = 1 is hard_max.hpp's one-hot, k >= M is plain
/// softmax). Ties at the k-th place go to the lowest indices, so the support has exactly
/// min(k, M) entries and does not depend on the selection algorithm's internal order.
///
/// The k largest are found by std::nth_element on the indices, kept in the workspace: expected
/// linear time, no sort. The weights follow softmax.hpp's conventions: exponentials of
/// beta (z - max) summed in a wider type (double for float), -inf weighs zero, selected +inf
/// entries share the mass equally, an all -inf selection (a fully masked column) gives zeros.
/// NaN scores are rejected, as in the other sparse separations.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/wide.hpp"
#include "hopfield/kernels/detail/support_search.hpp"
#include "hopfield/kernels/softmax.hpp"
#include "hopfield/kernels/sparse_workspace.hpp"

namespace hopfield {

namespace detail {

template <Real Scalar>
index_t top_k_softmax_impl(std::string_view function, const Eigen::Ref<const vector_t<Scalar>>& scores,
                           index_t k, Scalar beta, Eigen::Ref<vector_t<Scalar>> out,
                           sparse_workspace<Scalar>& workspace) {
  using wide = wide_t<Scalar>;
  if (k < 1) throw_invalid(function, "k", "an integer >= 1", k);
  require_positive_finite(function, "beta", beta);
  require_size(function, "out", "size", scores.size(), out.size());
  const index_t n = scores.size();
  workspace.reserve(n);
  const Scalar* z = scores.data();
  const score_scan<Scalar> scan = scan_scores(function, z, n, workspace.block_max());  // NaN check
  if (k >= n) {  // plain softmax: the library's kernel (zeros for a fully masked column)
    softmax_into(scores, beta, Eigen::Map<matrix_t<Scalar>>(out.data(), n, 1));
    index_t count = 0;
    for (index_t i = 0; i < n; ++i) count += out(i) > Scalar(0) ? 1 : 0;
    return count;
  }
  (void)scan;
  index_t* idx = workspace.indices();
  for (index_t i = 0; i < n; ++i) idx[i] = i;
  // Largest first; equal scores by lowest index: a strict total order, so the first k after
  // nth_element are exactly the k largest with ties resolved towards low indices.
  std::nth_element(idx, idx + (k - 1), idx + n,
                   [z](index_t a, index_t b) { return z[a] > z[b] || (z[a] == z[b] && a < b); });
  Scalar top = z[idx[0]];
  for (index_t j = 1; j < k; ++j) top = std::max(top, z[idx[j]]);
  wide* w = workspace.values();
  constexpr Scalar inf = std::numeric_limits<Scalar>::infinity();
  if (top == -inf) {  // only when every score is -inf
    std::fill(out.data(), out.data() + n, Scalar(0));
    return 0;
  }
  wide sum = 0;
  for (index_t j = 0; j < k; ++j) {
    const Scalar v = z[idx[j]];
    w[j] = top == inf ? (v == inf ? wide(1) : wide(0))
                      : std::exp(static_cast<wide>(beta) * (static_cast<wide>(v) - static_cast<wide>(top)));
    sum += w[j];
  }
  // The weights are held in the workspace, so `out` may be `scores`.
  std::fill(out.data(), out.data() + n, Scalar(0));
  index_t count = 0;
  for (index_t j = 0; j < k; ++j) {
    const auto p = static_cast<Scalar>(w[j] / sum);
    out(idx[j]) = p;
    count += p > Scalar(0) ? 1 : 0;
  }
  return count;
}

}  // namespace detail

/// Softmax of beta * scores over the k largest scores (ties: lowest index wins), zero elsewhere,
/// into `out` (same size); k >= scores.size() is plain softmax. Returns the number of nonzero
/// weights (min(k, M) unless weights underflow or scores are masked). `out` may be `scores`.
/// Allocates nothing once `workspace` has room for scores.size() entries.
/// @throws std::invalid_argument naming "k" when k < 1, "beta" when beta is not finite and > 0,
///         "out" when its size differs from the scores', "scores" when a score is NaN.
template <Real Scalar>
index_t top_k_softmax_into(const std::type_identity_t<Eigen::Ref<const vector_t<Scalar>>>& scores, index_t k,
                           std::type_identity_t<Scalar> beta,
                           std::type_identity_t<Eigen::Ref<vector_t<Scalar>>> out,
                           sparse_workspace<Scalar>& workspace) {
  return detail::top_k_softmax_impl<Scalar>("top_k_softmax_into", scores, k, beta, out, workspace);
}

/// Top-k softmax of a vector, or of each column of a matrix.
/// @throws std::invalid_argument naming "k" when k < 1, "beta" when beta is not finite and > 0,
///         "scores" when a score is NaN.
template <class Derived>
auto top_k_softmax(const Eigen::DenseBase<Derived>& scores, index_t k, typename Derived::Scalar beta = 1) {
  using Scalar = typename Derived::Scalar;
  static_assert(Real<Scalar>, "hopfield::top_k_softmax: scores must hold float, double or long double");
  constexpr std::string_view f = "top_k_softmax";
  if (k < 1) detail::throw_invalid(f, "k", "an integer >= 1", k);
  detail::require_positive_finite(f, "beta", beta);
  if constexpr (Derived::IsVectorAtCompileTime) {
    const vector_t<Scalar> z = detail::as_matrix(scores);
    sparse_workspace<Scalar> workspace(z.size());
    vector_t<Scalar> out(z.size());
    detail::top_k_softmax_impl<Scalar>(f, z, k, beta, out, workspace);
    return out;
  } else {
    const matrix_t<Scalar> z = detail::as_matrix(scores);
    sparse_workspace<Scalar> workspace(z.rows());
    matrix_t<Scalar> out(z.rows(), z.cols());
    for (index_t j = 0; j < z.cols(); ++j)
      detail::top_k_softmax_impl<Scalar>(f, z.col(j), k, beta, out.col(j), workspace);
    return out;
  }
}

}  // namespace hopfield
