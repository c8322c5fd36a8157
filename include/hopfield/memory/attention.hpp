#pragma once
/// @file Scaled dot-product attention in the Transformer convention (rows are tokens):
///   attention(Q, K, V, scale) = softmax_rows(scale Q K^T) V,
/// which is the hetero-associative modern Hopfield update V^T softmax(beta K Q^T) with
/// beta = scale, keys K^T and values V^T, transposed (Ramsauer et al. 2020, eq. 10).
///
/// An optional boolean mask (n_q x n_k, true = the query may attend to that key, as in PyTorch's
/// boolean attn_mask) removes keys per query; a fully masked row gives zeros, never NaN.
/// Memory: one n_k x n_q score matrix.
#include <limits>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/kernels/softmax.hpp"

namespace hopfield {

namespace detail {
template <class DQ, class DK, class DV>
void validate_attention(const Eigen::MatrixBase<DQ>& queries, const Eigen::MatrixBase<DK>& keys,
                        const Eigen::MatrixBase<DV>& values, typename DQ::Scalar scale) {
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

/// Scores (n_k x n_q, column j = query j) already masked, normalised in place, then P^T V.
template <class Scalar, class DV>
matrix_t<Scalar> finish_attention(matrix_t<Scalar>& scores, const Eigen::MatrixBase<DV>& values,
                                  Scalar scale) {
  softmax_into(scores, scale, scores);
  matrix_t<Scalar> out(scores.cols(), values.cols());
  out.noalias() = scores.transpose() * values;
  return out;
}
}  // namespace detail

/// softmax(scale Q K^T) V row by row: Q is n_q x d_k, K is n_k x d_k, V is n_k x d_v; the result
/// is n_q x d_v. Use scale = 1/sqrt(d_k) for Transformer attention.
/// @throws std::invalid_argument for mismatched shapes, an empty key set, non-finite entries or
///         a scale that is not finite and > 0.
template <class DQ, class DK, class DV>
matrix_t<typename DQ::Scalar> attention(const Eigen::MatrixBase<DQ>& queries,
                                        const Eigen::MatrixBase<DK>& keys,
                                        const Eigen::MatrixBase<DV>& values, typename DQ::Scalar scale) {
  using Scalar = typename DQ::Scalar;
  static_assert(Real<Scalar>, "hopfield::attention: queries must hold float, double or long double");
  static_assert(std::is_same_v<Scalar, typename DK::Scalar> && std::is_same_v<Scalar, typename DV::Scalar>,
                "hopfield::attention: queries, keys and values must share one scalar type");
  detail::validate_attention(queries, keys, values, scale);
  matrix_t<Scalar> scores(keys.rows(), queries.rows());
  scores.noalias() = keys * queries.transpose();
  return detail::finish_attention(scores, values, scale);
}

/// Masked attention: `mask` (n_q x n_k, bool) is true where query i may attend to key j.
/// A query with no allowed key gets a zero row.
/// @throws std::invalid_argument as the unmasked form, and when the mask is not n_q x n_k.
template <class DQ, class DK, class DV, class DM>
matrix_t<typename DQ::Scalar> attention(const Eigen::MatrixBase<DQ>& queries,
                                        const Eigen::MatrixBase<DK>& keys,
                                        const Eigen::MatrixBase<DV>& values, typename DQ::Scalar scale,
                                        const Eigen::DenseBase<DM>& mask) {
  using Scalar = typename DQ::Scalar;
  static_assert(Real<Scalar>, "hopfield::attention: queries must hold float, double or long double");
  static_assert(std::is_same_v<Scalar, typename DK::Scalar> && std::is_same_v<Scalar, typename DV::Scalar>,
                "hopfield::attention: queries, keys and values must share one scalar type");
  static_assert(std::is_same_v<typename DM::Scalar, bool>, "hopfield::attention: the mask must hold bool");
  detail::validate_attention(queries, keys, values, scale);
  detail::require_size("attention", "mask", "rows (n_q)", queries.rows(), mask.rows());
  detail::require_size("attention", "mask", "cols (n_k)", keys.rows(), mask.cols());
  matrix_t<Scalar> scores(keys.rows(), queries.rows());
  scores.noalias() = keys * queries.transpose();
  for (index_t j = 0; j < scores.cols(); ++j) {
    for (index_t i = 0; i < scores.rows(); ++i) {
      if (!mask(j, i)) scores(i, j) = -std::numeric_limits<Scalar>::infinity();
    }
  }
  return detail::finish_attention(scores, values, scale);
}

}  // namespace hopfield
