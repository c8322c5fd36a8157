#pragma once
/// @file The unrolled alternative to the implicit gradient: backpropagation through a fixed
/// number K of modern updates xi_{k+1} = X softmax(beta X^T xi_k) of an auto-associative memory,
/// for a loss of the last state with upstream u = dL/dxi_K:
///   g_K = u;  for k = K-1 .. 0: (g_k, dX_k, dbeta_k) = VJP of f at xi_k with upstream g_{k+1};
///   dL/dX = sum_k dX_k,  dL/dbeta = sum_k dbeta_k,  dL/dxi_0 = g_0.
/// The forward pass keeps every state and its streaming partial: memory O(K N B) (the implicit
/// gradient needs none of it); each backward step is the bounded-memory VJP of
/// gradient/modern_update_vjp.hpp without its forward pass. Unlike the implicit gradient it is
/// exact for the K steps actually taken, converged or not, and it has a gradient with respect
/// to the starting query.
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/gradient/detail/checks.hpp"
#include "hopfield/gradient/modern_update_vjp.hpp"
#include "hopfield/kernels/streaming_softmax.hpp"
#include "hopfield/memory/modern_hopfield.hpp"
#include "hopfield/similarity/dot_product.hpp"

namespace hopfield {

/// Gradients of L(xi_K) through K unrolled updates, and the state xi_K itself.
template <Real Scalar>
struct unrolled_gradients {
  matrix_t<Scalar> queries;   ///< N x B, with respect to xi_0
  matrix_t<Scalar> patterns;  ///< N x M
  Scalar beta = 0;
  matrix_t<Scalar> state;  ///< xi_K, N x B
};

/// VJP of K = `steps` updates from `queries` (N x B) for upstream (N x B, dL/dxi_K).
/// @throws std::invalid_argument for a hetero-associative memory, a negative step count, or
///         queries or upstream of the wrong shape or with non-finite entries.
template <Real Scalar, class DQ, class DU>
unrolled_gradients<Scalar> unrolled_retrieval_vjp(const modern_hopfield<Scalar, dot_product>& memory,
                                                  const Eigen::MatrixBase<DQ>& queries, index_t steps,
                                                  const Eigen::MatrixBase<DU>& upstream) {
  constexpr std::string_view f = "unrolled_retrieval_vjp";
  if (memory.is_heteroassociative())
    detail::throw_invalid(f, "memory", "an auto-associative memory", "a hetero-associative one");
  if (steps < 0) detail::throw_invalid(f, "steps", "a count >= 0", steps);
  detail::require_size(f, "queries", "rows", memory.dimension(), queries.rows());
  detail::require_finite(f, "queries", queries);
  detail::require_upstream(f, "upstream", upstream, memory.dimension(), queries.cols());
  std::vector<matrix_t<Scalar>> states;
  std::vector<softmax_partial<Scalar>> partials;
  states.reserve(static_cast<std::size_t>(steps) + 1);
  partials.reserve(static_cast<std::size_t>(steps));
  states.emplace_back(queries);
  for (index_t k = 0; k < steps; ++k) {
    partials.push_back(memory.partial(states.back()));
    states.push_back(partials.back().weighted_sum());
  }
  unrolled_gradients<Scalar> out;
  out.patterns.setZero(memory.dimension(), memory.size());
  out.queries = upstream;
  for (index_t k = steps - 1; k >= 0; --k) {
    const auto i = static_cast<std::size_t>(k);
    auto g = modern_update_vjp(memory, states[i], out.queries, partials[i]);
    out.patterns += g.patterns;
    out.beta += g.beta;
    out.queries = std::move(g.queries);
  }
  out.state = std::move(states.back());
  return out;
}

}  // namespace hopfield
