#pragma once
/// @file Vector-Jacobian products of the modern Hopfield update (Ramsauer et al. 2020, Lemma A2),
/// batched (columns are queries), in the bounded memory of the forward pass:
///
///   auto-association    f(Q) = X softmax(beta X^T Q)     -> dQ, dX, dbeta
///   hetero-association  f(Q) = V softmax(beta K^T Q)     -> dQ, dK, dV, dbeta
///
/// For upstream U (the gradient of a loss with respect to f(Q)), with P = softmax(beta K^T Q),
/// A = V^T U and S = beta (P .* A - P diag(colsum(P .* A))):
///   dQ = K S,  dK = Q S^T,  dV = U P^T,  dbeta = sum_ij S_ij Z_ij / beta,
/// and for auto-association (K = V = X) dX = U P^T + Q S^T. The score matrix Z = K^T Q and P are
/// never formed whole: the forward partial's (max, sum) per query is saved and each block's
/// weights are recomputed (gradient/detail/streaming_backward.hpp). Cost: the forward pass (two
/// products over the patterns) plus five products of the same size; the overloads taking the
/// forward partial (modern_hopfield::partial) skip the forward pass.
///
/// Only the dot-product similarity has these formulas; a memory with another similarity does not
/// compile here.
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/gradient/detail/checks.hpp"
#include "hopfield/gradient/detail/streaming_backward.hpp"
#include "hopfield/kernels/attention_partial.hpp"
#include "hopfield/kernels/streaming_softmax.hpp"
#include "hopfield/memory/modern_hopfield.hpp"
#include "hopfield/similarity/dot_product.hpp"

namespace hopfield {

/// Gradients of <U, X softmax(beta X^T Q)> with respect to its inputs.
template <Real Scalar>
struct modern_update_gradients {
  matrix_t<Scalar> queries;   ///< N x B
  matrix_t<Scalar> patterns;  ///< N x M
  Scalar beta = 0;
};

/// Gradients of <U, V softmax(beta K^T Q)> with respect to its inputs.
template <Real Scalar>
struct hetero_update_gradients {
  matrix_t<Scalar> queries;  ///< N_k x B
  matrix_t<Scalar> keys;     ///< N_k x M
  matrix_t<Scalar> values;   ///< N_v x M
  Scalar beta = 0;
};

namespace detail {

template <class DK, class DV, class DQ>
void validate_update_inputs(std::string_view function, const Eigen::MatrixBase<DK>& keys,
                            const Eigen::MatrixBase<DV>& values, const Eigen::MatrixBase<DQ>& queries,
                            typename DK::Scalar beta) {
  using Scalar = typename DK::Scalar;
  static_assert(Real<Scalar>, "hopfield: gradients need float, double or long double");
  static_assert(std::is_same_v<Scalar, typename DV::Scalar> && std::is_same_v<Scalar, typename DQ::Scalar>,
                "hopfield: keys, values and queries must share one scalar type");
  require_non_empty(function, "keys", keys.rows(), keys.cols());
  require_size(function, "values", "cols (one value per key)", keys.cols(), values.cols());
  if (values.rows() <= 0) throw_invalid(function, "values", "at least one row", values.rows());
  require_size(function, "queries", "rows", keys.rows(), queries.rows());
  require_positive_finite(function, "beta", beta);
  require_finite(function, "keys", keys);
  require_finite(function, "values", values);
  require_finite(function, "queries", queries);
}

/// A saved forward partial must belong to these queries and values and this beta.
template <Real Scalar>
void validate_forward(std::string_view function, const softmax_partial<Scalar>& forward, index_t value_rows,
                      index_t queries, Scalar beta) {
  require_size(function, "forward", "columns (queries)", queries, forward.columns());
  require_size(function, "forward", "value_rows", value_rows, forward.value_rows());
  if (forward.beta() != beta)
    throw_invalid(function, "forward.beta", "the memory's beta " + describe(beta), forward.beta());
}

/// The hetero VJP of trusted inputs, with or without a saved forward partial.
template <Real Scalar, class ScoreMask = no_score_mask>
hetero_update_gradients<Scalar> hetero_backward(const Eigen::Ref<const matrix_t<Scalar>>& keys,
                                                const Eigen::Ref<const matrix_t<Scalar>>& values,
                                                const Eigen::Ref<const matrix_t<Scalar>>& queries,
                                                Scalar beta,
                                                const Eigen::Ref<const matrix_t<Scalar>>& upstream,
                                                const streaming_options& options, std::string_view function,
                                                const softmax_partial<Scalar>* saved = nullptr,
                                                const ScoreMask& mask = {}, bool combine = false) {
  hetero_update_gradients<Scalar> g;
  if (saved != nullptr) {
    g.beta = stream_backward<Scalar>(keys, values, queries, upstream, *saved, options, mask, g.queries,
                                     g.keys, g.values, combine);
  } else {
    softmax_partial<Scalar> forward(values.rows(), queries.cols(), beta);
    fold_attention(forward, keys, values, queries, dot_product{}, options, mask);
    g.beta = stream_backward<Scalar>(keys, values, queries, upstream, forward, options, mask, g.queries,
                                     g.keys, g.values, combine);
  }
  require_finite_result(function, "the queries", g.queries);
  require_finite_result(function, "the keys", g.keys);
  require_finite_result(function, "the values", g.values);
  require_finite_result(function, "beta", Eigen::Matrix<Scalar, 1, 1>::Constant(g.beta));
  return g;
}

template <Real Scalar>
modern_update_gradients<Scalar> to_auto(hetero_update_gradients<Scalar>&& g) {
  modern_update_gradients<Scalar> out;
  out.queries = std::move(g.queries);
  out.patterns = std::move(g.keys);
  if (g.values.size() != 0) out.patterns += g.values;  // X is both the keys and the values
  out.beta = g.beta;
  return out;
}

/// The auto-associative VJP of trusted inputs: dX whole, from the fused backward pass.
template <Real Scalar>
modern_update_gradients<Scalar> auto_backward(const Eigen::Ref<const matrix_t<Scalar>>& patterns,
                                              const Eigen::Ref<const matrix_t<Scalar>>& queries, Scalar beta,
                                              const Eigen::Ref<const matrix_t<Scalar>>& upstream,
                                              const streaming_options& options, std::string_view function,
                                              const softmax_partial<Scalar>* saved = nullptr) {
  return to_auto(hetero_backward<Scalar>(patterns, patterns, queries, beta, upstream, options, function,
                                         saved, no_score_mask{}, true));
}

template <Real Scalar>
streaming_options memory_streaming(const modern_options<Scalar>& options) {
  return {options.memory_budget, options.block_size, options.threads};
}

}  // namespace detail

/// VJP of f(Q) = V softmax(beta K^T Q): keys K (N_k x M), values V (N_v x M), queries Q
/// (N_k x B), upstream U (N_v x B).
/// @throws std::invalid_argument (naming the argument) for mismatched shapes, an empty memory,
///         non-finite entries, beta not finite and > 0, or bad streaming options;
///         std::overflow_error when a score leaves the scalar's range.
template <class DK, class DV, class DQ, class DU>
hetero_update_gradients<typename DK::Scalar> hetero_update_vjp(const Eigen::MatrixBase<DK>& keys,
                                                               const Eigen::MatrixBase<DV>& values,
                                                               const Eigen::MatrixBase<DQ>& queries,
                                                               typename DK::Scalar beta,
                                                               const Eigen::MatrixBase<DU>& upstream,
                                                               const streaming_options& options = {}) {
  using Scalar = typename DK::Scalar;
  constexpr std::string_view f = "hetero_update_vjp";
  detail::validate_update_inputs(f, keys, values, queries, beta);
  detail::validate_streaming(f, options);
  detail::require_upstream(f, "upstream", upstream, values.rows(), queries.cols());
  return detail::hetero_backward<Scalar>(keys, values, queries, beta, upstream, options, f);
}

/// VJP of f(Q) = X softmax(beta X^T Q): patterns X (N x M), queries Q and upstream U (N x B).
/// @throws as hetero_update_vjp.
template <class DX, class DQ, class DU>
modern_update_gradients<typename DX::Scalar> modern_update_vjp(const Eigen::MatrixBase<DX>& patterns,
                                                               const Eigen::MatrixBase<DQ>& queries,
                                                               typename DX::Scalar beta,
                                                               const Eigen::MatrixBase<DU>& upstream,
                                                               const streaming_options& options = {}) {
  using Scalar = typename DX::Scalar;
  constexpr std::string_view f = "modern_update_vjp";
  detail::validate_update_inputs(f, patterns, patterns, queries, beta);
  detail::validate_streaming(f, options);
  detail::require_upstream(f, "upstream", upstream, patterns.rows(), queries.cols());
  const Eigen::Ref<const matrix_t<Scalar>> x(patterns);
  return detail::auto_backward<Scalar>(x, queries, beta, upstream, options, f);
}

namespace detail {

/// The memory overloads' shared body: their checks, then the backward pass from the saved forward
/// partial when there is one (nullptr: the backward pass runs the forward itself).
template <Real Scalar, class DQ, class DU>
modern_update_gradients<Scalar> memory_auto_vjp(const modern_hopfield<Scalar, dot_product>& memory,
                                                const Eigen::MatrixBase<DQ>& queries,
                                                const Eigen::MatrixBase<DU>& upstream,
                                                const softmax_partial<Scalar>* forward) {
  constexpr std::string_view f = "modern_update_vjp";
  if (memory.is_heteroassociative())
    throw_invalid(f, "memory", "an auto-associative memory", "a hetero-associative one");
  require_size(f, "queries", "rows", memory.dimension(), queries.rows());
  require_finite(f, "queries", queries);
  require_upstream(f, "upstream", upstream, memory.dimension(), queries.cols());
  if (forward) validate_forward(f, *forward, memory.dimension(), queries.cols(), memory.beta());
  const Eigen::Ref<const matrix_t<Scalar>> x(memory.patterns());
  return auto_backward<Scalar>(x, queries, memory.beta(), upstream, memory_streaming(memory.options()), f,
                               forward);
}

template <Real Scalar, class DQ, class DU>
hetero_update_gradients<Scalar> memory_hetero_vjp(const modern_hopfield<Scalar, dot_product>& memory,
                                                  const Eigen::MatrixBase<DQ>& queries,
                                                  const Eigen::MatrixBase<DU>& upstream,
                                                  const softmax_partial<Scalar>* forward) {
  constexpr std::string_view f = "hetero_update_vjp";
  require_size(f, "queries", "rows", memory.dimension(), queries.rows());
  require_finite(f, "queries", queries);
  require_upstream(f, "upstream", upstream, memory.value_dimension(), queries.cols());
  if (forward) validate_forward(f, *forward, memory.value_dimension(), queries.cols(), memory.beta());
  return hetero_backward<Scalar>(memory.keys(), memory.values(), queries, memory.beta(), upstream,
                                 memory_streaming(memory.options()), f, forward);
}

}  // namespace detail

/// VJP of an auto-associative memory's update(Q) with respect to the queries, its patterns and
/// its beta, walking the patterns as the memory's options say.
/// @throws std::invalid_argument for a hetero-associative memory (use hetero_update_vjp), and as
///         modern_update_vjp.
template <Real Scalar, class DQ, class DU>
modern_update_gradients<Scalar> modern_update_vjp(const modern_hopfield<Scalar, dot_product>& memory,
                                                  const Eigen::MatrixBase<DQ>& queries,
                                                  const Eigen::MatrixBase<DU>& upstream) {
  return detail::memory_auto_vjp<Scalar>(memory, queries, upstream, nullptr);
}

/// As above with the forward pass's partial saved from memory.partial(queries): only the
/// backward pass runs.
/// @throws std::invalid_argument as above, and when `forward` has another column count, value
///         rows or beta than these queries and this memory.
template <Real Scalar, class DQ, class DU>
modern_update_gradients<Scalar> modern_update_vjp(const modern_hopfield<Scalar, dot_product>& memory,
                                                  const Eigen::MatrixBase<DQ>& queries,
                                                  const Eigen::MatrixBase<DU>& upstream,
                                                  const softmax_partial<Scalar>& forward) {
  return detail::memory_auto_vjp(memory, queries, upstream, &forward);
}

/// VJP of a memory's update(Q) = V softmax(beta K^T Q) with the keys and the values apart (an
/// auto-associative memory gives dK and dV of its patterns separately; their sum is dX).
/// @throws std::invalid_argument for queries or upstream of the wrong shape or non-finite.
template <Real Scalar, class DQ, class DU>
hetero_update_gradients<Scalar> hetero_update_vjp(const modern_hopfield<Scalar, dot_product>& memory,
                                                  const Eigen::MatrixBase<DQ>& queries,
                                                  const Eigen::MatrixBase<DU>& upstream) {
  return detail::memory_hetero_vjp<Scalar>(memory, queries, upstream, nullptr);
}

/// As above with the forward partial saved from memory.partial(queries).
/// @throws std::invalid_argument as above, and for a partial that does not belong to them.
template <Real Scalar, class DQ, class DU>
hetero_update_gradients<Scalar> hetero_update_vjp(const modern_hopfield<Scalar, dot_product>& memory,
                                                  const Eigen::MatrixBase<DQ>& queries,
                                                  const Eigen::MatrixBase<DU>& upstream,
                                                  const softmax_partial<Scalar>& forward) {
  return detail::memory_hetero_vjp(memory, queries, upstream, &forward);
}

}  // namespace hopfield
