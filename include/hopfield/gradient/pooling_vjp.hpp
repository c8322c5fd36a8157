#pragma once
/// @file Vector-Jacobian product of Hopfield pooling as memory/hopfield_pooling.hpp defines it:
/// pooled = V softmax(beta K^T Q) over a bag of I instances (keys K N_k x I, values V N_v x I, or
/// one bag as both), with beta = options.beta or 1/sqrt(N_k). It is the hetero-associative
/// update's VJP (gradient/modern_update_vjp.hpp) under the pooling's names and defaults, in the
/// same bounded memory: the I x Q weights never exist (options.weights is ignored). dbeta is
/// reported whether or not beta was given: it is what a learned temperature needs.
#include <cmath>
#include <string_view>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/gradient/detail/checks.hpp"
#include "hopfield/gradient/modern_update_vjp.hpp"
#include "hopfield/memory/hopfield_pooling.hpp"

namespace hopfield {

/// Gradients of <U, hopfield_pooling(bag, Q).pooled> when one bag is both keys and values.
template <Real Scalar>
struct bag_pooling_gradients {
  matrix_t<Scalar> queries;  ///< N x Q
  matrix_t<Scalar> bag;      ///< N x I
  Scalar beta = 0;
};

/// VJP of hopfield_pooling(keys, values, queries, options).pooled for upstream U (N_v x Q).
/// @throws std::invalid_argument as hopfield_pooling does, and when U is not N_v x Q or has a
///         non-finite entry; std::overflow_error when a score leaves the scalar's range.
template <class DK, class DV, class DQ, class DU>
hetero_update_gradients<typename DK::Scalar> hopfield_pooling_vjp(
    const Eigen::MatrixBase<DK>& keys, const Eigen::MatrixBase<DV>& values,
    const Eigen::MatrixBase<DQ>& queries, const Eigen::MatrixBase<DU>& upstream,
    pooling_options<typename DK::Scalar> options = {}) {
  using Scalar = typename DK::Scalar;
  constexpr std::string_view f = "hopfield_pooling_vjp";
  detail::require_non_empty(f, "keys", keys.rows(), keys.cols());
  const Scalar beta = options.beta.value_or(Scalar(1) / std::sqrt(static_cast<Scalar>(keys.rows())));
  detail::validate_update_inputs(f, keys, values, queries, beta);
  detail::validate_streaming(f, options.streaming);
  detail::require_upstream(f, "upstream", upstream, values.rows(), queries.cols());
  return detail::hetero_backward<Scalar>(keys, values, queries, beta, upstream, options.streaming, f);
}

/// VJP of hopfield_pooling(bag, queries, options).pooled: the bag's gradient is its gradient as
/// keys plus its gradient as values.
/// @throws as above.
template <class DB, class DQ, class DU>
bag_pooling_gradients<typename DB::Scalar> hopfield_pooling_vjp(
    const Eigen::MatrixBase<DB>& bag, const Eigen::MatrixBase<DQ>& queries,
    const Eigen::MatrixBase<DU>& upstream, pooling_options<typename DB::Scalar> options = {}) {
  using Scalar = typename DB::Scalar;
  constexpr std::string_view f = "hopfield_pooling_vjp";
  detail::require_non_empty(f, "bag", bag.rows(), bag.cols());
  const Scalar beta = options.beta.value_or(Scalar(1) / std::sqrt(static_cast<Scalar>(bag.rows())));
  detail::validate_update_inputs(f, bag, bag, queries, beta);
  detail::validate_streaming(f, options.streaming);
  detail::require_upstream(f, "upstream", upstream, bag.rows(), queries.cols());
  const Eigen::Ref<const matrix_t<Scalar>> b(bag);
  auto g = detail::auto_backward<Scalar>(b, queries, beta, upstream, options.streaming, f);
  bag_pooling_gradients<Scalar> out;
  out.queries = std::move(g.queries);
  out.bag = std::move(g.patterns);  // its gradient as keys plus as values
  out.beta = g.beta;
  return out;
}

}  // namespace hopfield
