#pragma once
/// @file The separation seam: how a query's M scores become the weights of the stored patterns,
/// the `sep` of `V sep(sim(X, q))` (Millidge et al. 2022). Softmax is the default everywhere; the
/// others (sparsemax, entmax, hard max, top-k softmax, polynomial) live in this room, in
/// namespace hopfield::sep so that their short names do not clash with the kernels' functions:
///
///   hopfield::modern_hopfield<float, hopfield::euclidean, hopfield::sep::sparsemax> m(X, {.beta = 4.0f});
///
/// A separation is a regular value type with
/// - required `weights(scores, beta, out, workspace)`: out = sep(beta * scores) for one query's
///   scores (a column of M entries); the workspace holds reusable scratch, so a memory calling it
///   for query after query allocates nothing once the workspace has grown to M;
/// - optional `static constexpr bool streams = true`: the weights are a softmax, so a memory may
///   fold scores block by block (the bounded-memory online-softmax path) instead of holding a
///   query's M scores; only sep::softmax sets it;
/// - optional `validate(function)`: throws std::invalid_argument for bad parameters (alpha <= 1,
///   k < 1), called when a memory is built;
/// - optional, for an energy: `entropy(p)` and `uniform_entropy(M)` (the Tsallis entropy H_alpha
///   whose Fenchel conjugate has the separation as its gradient; see HasFenchelYoungEnergy);
/// - optional `one_hot_gap()`: the gap beta (z_i - max_{j != i} z_j) from which the weights are
///   exactly one-hot at i (sparse separations; analysis/sparse_retrieval.hpp uses it).
#include <cmath>
#include <concepts>
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/kernels/sparse_workspace.hpp"

namespace hopfield {

/// Required of every separation: a regular value type whose weights of one query's scores are
/// written into a column of the same length.
template <class S, class Scalar>
concept Separation = Real<Scalar> && std::semiregular<S> &&
    requires(const S& s, const Eigen::Ref<const vector_t<Scalar>>& scores, Scalar beta,
             Eigen::Ref<vector_t<Scalar>> out, sparse_workspace<Scalar>& workspace) {
  s.weights(scores, beta, out, workspace);
};

/// A separation whose weights are a softmax, so that scores can be folded block by block.
template <class S>
concept StreamingSeparation = requires {
  requires S::streams;
};

/// What turns a separation into the Hopfield-Fenchel-Young energy (Santos et al. 2024):
/// sep(theta) = argmax_{p in simplex} p.theta + H(p) for a concave entropy H, so that
/// Omega*(theta) = p.theta + H(p) at p = sep(theta) is convex with gradient sep(theta), and
/// E(q) = -beta^-1 Omega*(beta sim(X, q)) + state_term(q) + beta^-1 H(u_M) + constant
/// never rises under q <- X sep(beta sim(X, q)). `entropy(p)` is H(p); `uniform_entropy(M)` is
/// H at the uniform distribution over M entries (its maximum), which keeps E >= 0.
template <class S, class Scalar>
concept HasFenchelYoungEnergy = Separation<S, Scalar> &&
    requires(const S& s, const Eigen::Ref<const vector_t<Scalar>>& p, index_t size) {
  { s.entropy(p) } -> std::convertible_to<Scalar>;
  { s.uniform_entropy(size) } -> std::convertible_to<Scalar>;
};

namespace detail {
/// H_alpha at the uniform distribution over `size` entries, the largest value the entropy takes:
/// (1 - M^(1 - alpha)) / (alpha (alpha - 1)), and ln M at alpha = 1 (Shannon).
inline double uniform_tsallis_entropy(index_t size, double alpha) {
  const double log_m = std::log(static_cast<double>(size));
  if (alpha == 1.0) return log_m;
  return -std::expm1((1.0 - alpha) * log_m) / (alpha * (alpha - 1.0));
}

/// Calls the separation's validate(function) where it has one.
template <class S>
void validate_separation(const S& separation, std::string_view function) {
  if constexpr (requires { separation.validate(function); }) separation.validate(function);
}
}  // namespace detail

}  // namespace hopfield
