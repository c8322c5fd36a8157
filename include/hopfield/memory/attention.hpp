#pragma once
/// @file Scaled dot-product attention in the Transformer convention (rows are tokens):
///   attention(Q, K, V, scale) = softmax_rows(scale Q K^T) V,
/// a thin adapter over the column form every other entry point uses: the hetero-associative
/// modern Hopfield update V^T softmax(beta K Q^T) with beta = scale, keys K^T and values V^T,
/// transposed (Ramsauer et al. 2020, eq. 10). It runs the one streaming path
/// (kernels/attention_partial.hpp), so the n_k x n_q score matrix never exists: memory beyond the
/// inputs and the result is O((d_k + d_v + n_q) d) for the transposed copies plus one cache-sized
/// score block per thread, whatever n_k and n_q.
///
/// An optional boolean mask (n_q x n_k, true = the query may attend to that key, as in PyTorch's
/// boolean attn_mask) removes keys per query; any Eigen bool expression works (a causal mask as a
/// NullaryExpr costs no memory). A fully masked row gives zeros, never NaN.
///
/// Any similarity and separation compose (Millidge et al. 2022): attention(Q, K, V, scale, options,
/// euclidean{}, sep::sparsemax{}) is sep(scale sim(K, Q)) V row by row; the softmax streams as
/// above, other separations run over blocks of queries (energy/fenchel_young_energy.hpp: memory
/// bounded by options.memory_budget).
///
/// Threads: over more than 512 queries each thread takes whole tiles of 256 queries, and the
/// result does not depend on the thread count; with fewer queries the patterns are split over
/// threads and the last bits depend on the thread count (never on scheduling).
#include <limits>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/energy/fenchel_young_energy.hpp"
#include "hopfield/kernels/attention_partial.hpp"
#include "hopfield/kernels/streaming_softmax.hpp"
#include "hopfield/separation/separation.hpp"
#include "hopfield/separation/softmax.hpp"
#include "hopfield/similarity/dot_product.hpp"
#include "hopfield/similarity/similarity.hpp"

namespace hopfield {

namespace detail {
template <class DQ, class DK, class DV>
void validate_attention(const Eigen::MatrixBase<DQ>& queries, const Eigen::MatrixBase<DK>& keys,
                        const Eigen::MatrixBase<DV>& values, typename DQ::Scalar scale) {
  using Scalar = typename DQ::Scalar;
  static_assert(Real<Scalar>, "hopfield::attention: queries must hold float, double or long double");
  static_assert(std::is_same_v<Scalar, typename DK::Scalar> && std::is_same_v<Scalar, typename DV::Scalar>,
                "hopfield::attention: queries, keys and values must share one scalar type");
  constexpr std::string_view f = "attention";
  require_positive_finite(f, "scale", scale);
  require_non_empty(f, "keys", keys.rows(), keys.cols());
  require_size(f, "queries", "cols (d_k)", keys.cols(), queries.cols());
  require_size(f, "values", "rows (one value per key)", keys.rows(), values.rows());
  if (values.cols() <= 0) throw_invalid(f, "values", "at least one column", values.cols());
  require_finite(f, "queries", queries);
  require_finite(f, "keys", keys);
  require_finite(f, "values", values);
}

/// The boolean mask as the streaming loop's score hook: -inf where query j may not see key i.
template <class DM>
struct attention_mask {
  const Eigen::DenseBase<DM>& mask;
  template <class Block>
  void operator()(index_t first_key, index_t first_query, Block& scores) const {
    using Scalar = typename Block::Scalar;
    for (index_t j = 0; j < scores.cols(); ++j) {
      for (index_t i = 0; i < scores.rows(); ++i) {
        if (!mask.derived().coeff(first_query + j, first_key + i))
          scores(i, j) = -std::numeric_limits<Scalar>::infinity();
      }
    }
  }
};

/// The column form, transposed back: rows of the result are the queries.
template <class DQ, class DK, class DV, class Mask, class Sim = dot_product, class Sep = sep::softmax>
matrix_t<typename DQ::Scalar> attend_rows(const Eigen::MatrixBase<DQ>& queries,
                                          const Eigen::MatrixBase<DK>& keys,
                                          const Eigen::MatrixBase<DV>& values, typename DQ::Scalar scale,
                                          const streaming_options& options, const Mask& mask,
                                          const Sim& similarity = {}, const Sep& separation = {}) {
  using Scalar = typename DQ::Scalar;
  const matrix_t<Scalar> key_columns = keys.transpose();
  const matrix_t<Scalar> value_columns = values.transpose();
  const matrix_t<Scalar> query_columns = queries.transpose();
  matrix_t<Scalar> out_columns(value_columns.rows(), query_columns.cols());
  if constexpr (StreamingSeparation<Sep>) {
    softmax_partial<Scalar> part(value_columns.rows(), query_columns.cols(), scale);
    fold_attention(part, key_columns, value_columns, query_columns, similarity, options, mask);
    part.weighted_sum_into(out_columns);
  } else {
    const fenchel_young_energy<Scalar, Sim, Sep> memory(key_columns, scale, options, similarity, separation);
    memory.attend(value_columns, query_columns, out_columns, "attention", "queries");
  }
  return out_columns.transpose();
}
}  // namespace detail

/// softmax(scale Q K^T) V row by row: Q is n_q x d_k, K is n_k x d_k, V is n_k x d_v; the result
/// is n_q x d_v. Use scale = 1/sqrt(d_k) for Transformer attention.
/// @throws std::invalid_argument for mismatched shapes, an empty key set, non-finite entries,
///         a scale that is not finite and > 0, or bad streaming options.
template <class DQ, class DK, class DV>
matrix_t<typename DQ::Scalar> attention(const Eigen::MatrixBase<DQ>& queries,
                                        const Eigen::MatrixBase<DK>& keys,
                                        const Eigen::MatrixBase<DV>& values, typename DQ::Scalar scale,
                                        const streaming_options& options = {}) {
  detail::validate_attention(queries, keys, values, scale);
  detail::validate_streaming("attention", options);
  return detail::attend_rows(queries, keys, values, scale, options, detail::no_score_mask{});
}

/// Masked attention: `mask` (n_q x n_k, bool) is true where query i may attend to key j.
/// A query with no allowed key gets a zero row.
/// @throws std::invalid_argument as the unmasked form, and when the mask is not n_q x n_k.
template <class DQ, class DK, class DV, class DM>
matrix_t<typename DQ::Scalar> attention(const Eigen::MatrixBase<DQ>& queries,
                                        const Eigen::MatrixBase<DK>& keys,
                                        const Eigen::MatrixBase<DV>& values, typename DQ::Scalar scale,
                                        const Eigen::DenseBase<DM>& mask,
                                        const streaming_options& options = {}) {
  static_assert(std::is_same_v<typename DM::Scalar, bool>, "hopfield::attention: the mask must hold bool");
  detail::validate_attention(queries, keys, values, scale);
  detail::validate_streaming("attention", options);
  detail::require_size("attention", "mask", "rows (n_q)", queries.rows(), mask.rows());
  detail::require_size("attention", "mask", "cols (n_k)", keys.rows(), mask.cols());
  return detail::attend_rows(queries, keys, values, scale, options, detail::attention_mask<DM>{mask});
}

/// sep(scale sim(K, Q)) V row by row, for any similarity and separation (the same shapes as the
/// unmasked form), e.g. attention(Q, K, V, 0.5f, {}, hopfield::euclidean{}, hopfield::sep::entmax15{}).
/// @throws std::invalid_argument as the unmasked form, and for separation parameters out of range;
///         std::overflow_error when a score is not finite.
template <class DQ, class DK, class DV, class Sim, class Sep = sep::softmax>
requires Similarity<Sim, typename DQ::Scalar> && Separation<Sep, typename DQ::Scalar>
    matrix_t<typename DQ::Scalar> attention(const Eigen::MatrixBase<DQ>& queries,
                                            const Eigen::MatrixBase<DK>& keys,
                                            const Eigen::MatrixBase<DV>& values, typename DQ::Scalar scale,
                                            const streaming_options& options, const Sim& similarity,
                                            const Sep& separation = {}) {
  detail::validate_attention(queries, keys, values, scale);
  detail::validate_streaming("attention", options);
  detail::validate_separation(separation, "attention");
  return detail::attend_rows(queries, keys, values, scale, options, detail::no_score_mask{}, similarity,
                             separation);
}

}  // namespace hopfield
