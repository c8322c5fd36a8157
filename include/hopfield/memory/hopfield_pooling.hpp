#pragma once
/// @file Hopfield pooling (Ramsauer et al. 2020; DeepRC, Widrich et al. 2020): one or more query
/// vectors retrieve from a bag of instances, pooled = V softmax(beta K^T Q). With a large beta
/// the weights single out the few "witness" instances of a multiple-instance bag.
///
///   auto r = hopfield::hopfield_pooling(bag, queries, {.beta = 4.0f});  // bag: N x I instances
///   r.pooled;   // N x Q, one pooled vector per query
///   r.weights;  // I x Q, each column sums to 1 (only when asked: .weights = true)
///
/// The pooled vectors come from the one streaming path (kernels/attention_partial.hpp): the
/// I x Q scores never exist at once. The weights, when asked for, are the one I x Q result that
/// must exist; they are recomputed block by block from the finished (max, sum) of each query.
#include <cmath>
#include <optional>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/kernels/attention_partial.hpp"
#include "hopfield/kernels/streaming_softmax.hpp"
#include "hopfield/similarity/dot_product.hpp"

namespace hopfield {

template <Real Scalar>
struct pooling_options {
  /// Inverse temperature, > 0; unset means 1/sqrt(N_k).
  std::optional<Scalar> beta{};
  /// Also return the I x Q attention weights (memory O(I Q)).
  bool weights = true;
  /// How the bag is walked (block size, threads, memory budget).
  streaming_options streaming{};
};

template <Real Scalar>
struct pooling_result {
  matrix_t<Scalar> pooled;  ///< N_v x Q: the pooled vector of each query
  matrix_t<Scalar>
      weights;  ///< I x Q: softmax(beta K^T Q), the attention over the instances (empty unless asked)
};

/// Pooling with separate keys (N_k x I) and values (N_v x I) for the same I instances.
/// @throws std::invalid_argument for an empty bag, mismatched shapes, non-finite entries, a
///         beta that is not finite and > 0, or bad streaming options.
template <class DK, class DV, class DQ>
pooling_result<typename DK::Scalar> hopfield_pooling(const Eigen::MatrixBase<DK>& keys,
                                                     const Eigen::MatrixBase<DV>& values,
                                                     const Eigen::MatrixBase<DQ>& queries,
                                                     pooling_options<typename DK::Scalar> options = {}) {
  using Scalar = typename DK::Scalar;
  static_assert(Real<Scalar>, "hopfield::hopfield_pooling: the bag must hold float, double or long double");
  static_assert(std::is_same_v<Scalar, typename DV::Scalar> && std::is_same_v<Scalar, typename DQ::Scalar>,
                "hopfield::hopfield_pooling: keys, values and queries must share one scalar type");
  constexpr std::string_view f = "hopfield_pooling";
  detail::require_non_empty(f, "keys", keys.rows(), keys.cols());
  detail::require_size(f, "values", "cols (one value per instance)", keys.cols(), values.cols());
  if (values.rows() <= 0) detail::throw_invalid(f, "values", "at least one row", values.rows());
  detail::require_size(f, "queries", "rows", keys.rows(), queries.rows());
  const Scalar beta = options.beta.value_or(Scalar(1) / std::sqrt(static_cast<Scalar>(keys.rows())));
  detail::require_positive_finite(f, "options.beta", beta);
  detail::validate_streaming(f, options.streaming);
  detail::require_finite(f, "keys", keys);
  detail::require_finite(f, "values", values);
  detail::require_finite(f, "queries", queries);
  const Eigen::Ref<const matrix_t<Scalar>> k(keys);
  const Eigen::Ref<const matrix_t<Scalar>> v(values);
  const Eigen::Ref<const matrix_t<Scalar>> q(queries);
  softmax_partial<Scalar> part(v.rows(), q.cols(), beta);
  fold_attention(part, k, v, q, dot_product{}, options.streaming);
  pooling_result<Scalar> result;
  result.pooled.resize(v.rows(), q.cols());
  part.weighted_sum_into(result.pooled);
  if (options.weights) {
    result.weights.resize(k.cols(), q.cols());
    dot_product{}.scores(k, q, Eigen::Ref<matrix_t<Scalar>>(result.weights));
    part.softmax_into(result.weights, result.weights);
  }
  return result;
}

/// Pooling where the instances are both keys and values (bag: N x I).
/// @throws std::invalid_argument as above.
template <class DB, class DQ>
pooling_result<typename DB::Scalar> hopfield_pooling(const Eigen::MatrixBase<DB>& bag,
                                                     const Eigen::MatrixBase<DQ>& queries,
                                                     pooling_options<typename DB::Scalar> options = {}) {
  return hopfield_pooling(bag, bag, queries, options);
}

}  // namespace hopfield
