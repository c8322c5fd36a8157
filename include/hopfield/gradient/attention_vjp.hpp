#pragma once
/// @file Vector-Jacobian product of scaled dot-product attention as memory/attention.hpp defines
/// it (rows are tokens): out = softmax_rows(scale Q K^T) V, Q n_q x d_k, K n_k x d_k, V n_k x d_v,
/// with the optional boolean mask (n_q x n_k, true = may attend). For upstream G (n_q x d_v),
/// with P = softmax_rows(scale Q K^T) and S = scale P .* (G V^T - rowsum(P .* G V^T) 1^T):
///   dQ = S K,  dK = S^T Q,  dV = P^T G,  dscale = sum_ij S_ij (Q K^T)_ij / scale.
/// It is the column form's VJP (gradient/modern_update_vjp.hpp) transposed, and runs the same
/// bounded-memory backward pass over key blocks: the n_q x n_k weights never exist. Masked pairs
/// get no gradient; a query with no allowed key (a zero output row) gives zero gradients.
/// Cost: one forward pass plus five products of the forward's size; memory O((n_q + n_k)(d_k + d_v))
/// for the transposed copies and results plus one score block per thread.
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/gradient/detail/checks.hpp"
#include "hopfield/gradient/modern_update_vjp.hpp"
#include "hopfield/kernels/attention_partial.hpp"
#include "hopfield/memory/attention.hpp"

namespace hopfield {

/// Gradients of <G, attention(Q, K, V, scale)> with respect to its inputs (rows are tokens).
template <Real Scalar>
struct attention_gradients {
  matrix_t<Scalar> queries;  ///< n_q x d_k
  matrix_t<Scalar> keys;     ///< n_k x d_k
  matrix_t<Scalar> values;   ///< n_k x d_v
  Scalar scale = 0;
};

namespace detail {
template <class DQ, class DK, class DV, class DG>
void validate_attention_vjp(const Eigen::MatrixBase<DQ>& queries, const Eigen::MatrixBase<DK>& keys,
                            const Eigen::MatrixBase<DV>& values, typename DQ::Scalar scale,
                            const Eigen::MatrixBase<DG>& upstream, const streaming_options& options) {
  using Scalar = typename DQ::Scalar;
  static_assert(Real<Scalar>, "hopfield::attention_vjp: queries must hold float, double or long double");
  static_assert(std::is_same_v<Scalar, typename DK::Scalar> && std::is_same_v<Scalar, typename DV::Scalar> &&
                    std::is_same_v<Scalar, typename DG::Scalar>,
                "hopfield::attention_vjp: queries, keys, values and upstream must share one scalar type");
  constexpr std::string_view f = "attention_vjp";
  require_positive_finite(f, "scale", scale);
  require_non_empty(f, "keys", keys.rows(), keys.cols());
  require_size(f, "queries", "cols (d_k)", keys.cols(), queries.cols());
  require_size(f, "values", "rows (one value per key)", keys.rows(), values.rows());
  if (values.cols() <= 0) throw_invalid(f, "values", "at least one column", values.cols());
  require_finite(f, "queries", queries);
  require_finite(f, "keys", keys);
  require_finite(f, "values", values);
  validate_streaming(f, options);
  require_upstream(f, "upstream", upstream, queries.rows(), values.cols());
}

template <class Scalar, class Mask>
attention_gradients<Scalar> attention_backward_rows(const Eigen::Ref<const matrix_t<Scalar>>& queries,
                                                    const Eigen::Ref<const matrix_t<Scalar>>& keys,
                                                    const Eigen::Ref<const matrix_t<Scalar>>& values,
                                                    Scalar scale,
                                                    const Eigen::Ref<const matrix_t<Scalar>>& upstream,
                                                    const streaming_options& options, const Mask& mask) {
  const matrix_t<Scalar> key_columns = keys.transpose();
  const matrix_t<Scalar> value_columns = values.transpose();
  const matrix_t<Scalar> query_columns = queries.transpose();
  const matrix_t<Scalar> upstream_columns = upstream.transpose();
  auto g = hetero_backward<Scalar>(key_columns, value_columns, query_columns, scale, upstream_columns,
                                   options, "attention_vjp", nullptr, mask);
  attention_gradients<Scalar> out;
  out.queries = g.queries.transpose();
  out.keys = g.keys.transpose();
  out.values = g.values.transpose();
  out.scale = g.beta;
  return out;
}
}  // namespace detail

/// VJP of attention(Q, K, V, scale) for upstream G (n_q x d_v).
/// @throws std::invalid_argument (naming attention_vjp) as attention() does, and when G is not n_q x d_v or
/// has a
///         non-finite entry; std::overflow_error when a score leaves the scalar's range.
template <class DQ, class DK, class DV, class DG>
attention_gradients<typename DQ::Scalar> attention_vjp(const Eigen::MatrixBase<DQ>& queries,
                                                       const Eigen::MatrixBase<DK>& keys,
                                                       const Eigen::MatrixBase<DV>& values,
                                                       typename DQ::Scalar scale,
                                                       const Eigen::MatrixBase<DG>& upstream,
                                                       const streaming_options& options = {}) {
  using Scalar = typename DQ::Scalar;
  detail::validate_attention_vjp(queries, keys, values, scale, upstream, options);
  return detail::attention_backward_rows<Scalar>(queries, keys, values, scale, upstream, options,
                                                 detail::no_score_mask{});
}

/// VJP of masked attention: `mask` (n_q x n_k, bool) is true where query i may attend to key j.
/// @throws std::invalid_argument as above, and when the mask is not n_q x n_k.
template <class DQ, class DK, class DV, class DM, class DG>
attention_gradients<typename DQ::Scalar> attention_vjp(
    const Eigen::MatrixBase<DQ>& queries, const Eigen::MatrixBase<DK>& keys,
    const Eigen::MatrixBase<DV>& values, typename DQ::Scalar scale, const Eigen::DenseBase<DM>& mask,
    const Eigen::MatrixBase<DG>& upstream, const streaming_options& options = {}) {
  using Scalar = typename DQ::Scalar;
  static_assert(std::is_same_v<typename DM::Scalar, bool>,
                "hopfield::attention_vjp: the mask must hold bool");
  detail::validate_attention_vjp(queries, keys, values, scale, upstream, options);
  detail::require_size("attention_vjp", "mask", "rows (n_q)", queries.rows(), mask.rows());
  detail::require_size("attention_vjp", "mask", "cols (n_k)", keys.rows(), mask.cols());
  return detail::attention_backward_rows<Scalar>(queries, keys, values, scale, upstream, options,
                                                 detail::attention_mask<DM>{mask});
}

}  // namespace hopfield
