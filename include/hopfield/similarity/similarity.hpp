#pragma once
/// @file The similarity seam: the score of a stored pattern x against a query q, the `sim` of
/// `V sep(sim(X, q))` (Millidge et al. 2022, "Universal Hopfield Networks"). The continuous
/// energy (lse_energy), the modern memory, attention and pooling all take their scores from a
/// similarity policy; the dot product is the default and costs nothing over the old fixed path.
///
/// A similarity is a regular value type with
/// - required `scores(patterns, queries, out)`: out(i, j) = sim(pattern i, query j) for a block of
///   patterns (N x m, columns) and queries (N x B, columns), out m x B;
/// - optional, for an energy: `state_term(q)` and `constant_term(patterns)` (see
///   HasSimilarityEnergy). Without them the memory still updates, but has no energy: calling
///   energy() does not compile.
#include <concepts>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"

namespace hopfield {

/// Required of every similarity: a regular value type with a block of scores. Satisfied by
/// dot_product and user types (tests/unit/test_similarity_seam.cpp writes one).
template <class S, class Scalar>
concept Similarity = Real<Scalar> && std::semiregular<S> &&
    requires(const S& s, const Eigen::Ref<const matrix_t<Scalar>>& patterns,
             const Eigen::Ref<const matrix_t<Scalar>>& queries, Eigen::Ref<matrix_t<Scalar>> out) {
  s.scores(patterns, queries, out);
};

/// Optional: what makes E(q) = -beta^-1 lse(beta, sim(X, q)) + state_term(q) + beta^-1 ln M +
/// constant_term(X) an energy that the update q <- X softmax(beta sim(X, q)) never raises
/// (the CCCP argument needs -lse(sim(X, q)) + state_term(q) to split into concave + convex with
/// the update as the convex part's minimiser). Dot product: |q|^2 / 2 and L^2 / 2.
template <class S, class Scalar>
concept HasSimilarityEnergy = Similarity<S, Scalar> &&
    requires(const S& s, const Eigen::Ref<const vector_t<Scalar>>& q, const matrix_t<Scalar>& patterns) {
  { s.state_term(q) } -> std::convertible_to<Scalar>;
  { s.constant_term(patterns) } -> std::convertible_to<Scalar>;
};

}  // namespace hopfield
