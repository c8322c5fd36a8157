#pragma once
/// @file Hopfield pooling (Ramsauer et al. 2020; DeepRC, Widrich et al. 2020): one or more query
/// vectors retrieve from a bag of instances, pooled = V softmax(beta K^T Q). With a large beta
/// the weights single out the few "witness" instances of a multiple-instance bag.
///
///   auto r = hopfield::hopfield_pooling(bag, queries, {.beta = 4.0f});  // bag: N x I instances
///   r.pooled;   // N x Q, one pooled vector per query
///   r.weights;  // I x Q, each column sums to 1 (only when asked: .weights = true)
///
/// Any similarity and separation compose (Millidge et al. 2022): hopfield_pooling(bag, queries,
/// options, euclidean{}, sep::sparsemax{}) pools with V sep(beta sim(K, Q)); a sparse separation
/// selects its witnesses exactly (zero weight elsewhere).
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
#include "hopfield/energy/fenchel_young_energy.hpp"
#include "hopfield/kernels/attention_partial.hpp"
#include "hopfield/kernels/streaming_softmax.hpp"
#include "hopfield/separation/separation.hpp"
#include "hopfield/separation/softmax.hpp"
#include "hopfield/similarity/dot_product.hpp"
#include "hopfield/similarity/similarity.hpp"

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
/// With a separation other than the softmax the scores run over blocks of queries
/// (energy/fenchel_young_energy.hpp) instead of streaming over the instances.
/// @throws std::invalid_argument for an empty bag, mismatched shapes, non-finite entries, a
///         beta that is not finite and > 0, bad streaming options or separation parameters.
template <class DK, class DV, class DQ, class Sim = dot_product, class Sep = sep::softmax>
requires Similarity<Sim, typename DK::Scalar> && Separation<Sep, typename DK::Scalar>
    pooling_result<typename DK::Scalar> hopfield_pooling(const Eigen::MatrixBase<DK>& keys,
                                                         const Eigen::MatrixBase<DV>& values,
                                                         const Eigen::MatrixBase<DQ>& queries,
                                                         pooling_options<typename DK::Scalar> options = {},
                                                         const Sim& similarity = {},
                                                         const Sep& separation = {}) {
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
  detail::validate_separation(separation, f);
  detail::require_finite(f, "keys", keys);
  detail::require_finite(f, "values", values);
  detail::require_finite(f, "queries", queries);
  const Eigen::Ref<const matrix_t<Scalar>> k(keys);
  const Eigen::Ref<const matrix_t<Scalar>> v(values);
  const Eigen::Ref<const matrix_t<Scalar>> q(queries);
  pooling_result<Scalar> result;
  result.pooled.resize(v.rows(), q.cols());
  if constexpr (StreamingSeparation<Sep>) {
    softmax_partial<Scalar> part(v.rows(), q.cols(), beta);
    fold_attention(part, k, v, q, similarity, options.streaming);
    part.weighted_sum_into(result.pooled);
    if (options.weights) {
      result.weights.resize(k.cols(), q.cols());
      similarity.scores(k, q, Eigen::Ref<matrix_t<Scalar>>(result.weights));
      part.softmax_into(result.weights, result.weights);
    }
  } else {
    const fenchel_young_energy<Scalar, Sim, Sep> bag(k, beta, options.streaming, similarity, separation);
    if (options.weights) {
      result.weights = bag.weights(q);
      result.pooled.noalias() = v * result.weights;
    } else {
      bag.attend(v, q, result.pooled, f, "queries");
    }
  }
  return result;
}

/// Pooling where the instances are both keys and values (bag: N x I).
/// @throws std::invalid_argument as above.
template <class DB, class DQ, class Sim = dot_product, class Sep = sep::softmax>
requires Similarity<Sim, typename DB::Scalar> && Separation<Sep, typename DB::Scalar>
    pooling_result<typename DB::Scalar> hopfield_pooling(const Eigen::MatrixBase<DB>& bag,
                                                         const Eigen::MatrixBase<DQ>& queries,
                                                         pooling_options<typename DB::Scalar> options = {},
                                                         const Sim& similarity = {},
                                                         const Sep& separation = {}) {
  return hopfield_pooling(bag, bag, queries, options, similarity, separation);
}

}  // namespace hopfield
