#pragma once
/// @file Exact one-step retrieval of the sparse separations (Martins & Astudillo 2016; Peters et
/// al. 2019; Santos et al. 2024): alpha-entmax(theta) is exactly one-hot at i iff
///   theta_i - max_{j != i} theta_j >= 1 / (alpha - 1)
/// (one-hot needs tau = (alpha - 1) theta_i - 1 and (alpha - 1) theta_j <= tau for every other j).
/// So one step q <- X sep(beta sim(X, q)) returns the stored pattern x_i exactly iff
///   beta (sim(x_i, q) - max_{j != i} sim(x_j, q)) >= one_hot_gap() = 1 / (alpha - 1),
/// and x_i is an exact fixed point iff that holds at q = x_i (for the dot product: beta Delta_i >=
/// 1 / (alpha - 1), Delta_i of analysis/separation.hpp). The softmax is never exactly one-hot: it
/// has no one_hot_gap() and these functions do not compile with it.
#include <concepts>
#include <optional>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/similarity/dot_product.hpp"
#include "hopfield/similarity/similarity.hpp"

namespace hopfield {

/// A separation with an exact one-hot threshold: sep::sparsemax (1), sep::entmax15 (2),
/// sep::entmax (1 / (alpha - 1)), sep::hard_max (0).
template <class S>
concept HasOneHotGap = requires(const S& s) {
  { s.one_hot_gap() } -> std::convertible_to<double>;
};

/// The pattern one step of X sep(beta sim(X, q)) returns exactly, if any: the index i of the
/// largest score (the first, on ties) when beta (s_i - max_{j != i} s_j) >= sep.one_hot_gap(),
/// else empty. Decided in the scalar's arithmetic, as the separation decides it; a gap within a
/// few ulps of the threshold may go either way. With one pattern the weights are always one-hot.
/// @throws std::invalid_argument for an empty or non-finite pattern matrix, a query of another
///         length or with non-finite entries, or beta not finite and > 0.
template <class Sep, class PatternsDerived, class QueryDerived, class Sim = dot_product>
requires HasOneHotGap<Sep> std::optional<index_t> exact_one_step_retrieval(
    const Eigen::MatrixBase<PatternsDerived>& patterns, const Eigen::MatrixBase<QueryDerived>& query,
    typename PatternsDerived::Scalar beta, const Sep& separation, const Sim& similarity = {}) {
  using Scalar = typename PatternsDerived::Scalar;
  static_assert(Similarity<Sim, Scalar>, "hopfield::exact_one_step_retrieval: Sim must satisfy Similarity");
  constexpr auto function = "exact_one_step_retrieval";
  detail::require_non_empty(function, "patterns", patterns.rows(), patterns.cols());
  detail::require_finite(function, "patterns", patterns);
  detail::require_size(function, "query", "rows", patterns.rows(), query.rows());
  detail::require_size(function, "query", "cols", 1, query.cols());
  detail::require_finite(function, "query", query);
  detail::require_positive_finite(function, "beta", beta);
  const matrix_t<Scalar> x = patterns;
  const matrix_t<Scalar> q = query;
  matrix_t<Scalar> scores(x.cols(), 1);
  similarity.scores(Eigen::Ref<const matrix_t<Scalar>>(x), Eigen::Ref<const matrix_t<Scalar>>(q),
                    Eigen::Ref<matrix_t<Scalar>>(scores));
  if (x.cols() == 1) return index_t{0};
  index_t best = 0;
  for (index_t i = 1; i < x.cols(); ++i) {
    if (scores(i, 0) > scores(best, 0)) best = i;
  }
  Scalar runner_up = scores(best == 0 ? 1 : 0, 0);
  for (index_t j = 0; j < x.cols(); ++j) {
    if (j != best && scores(j, 0) > runner_up) runner_up = scores(j, 0);
  }
  const Scalar gap = beta * scores(best, 0) - beta * runner_up;
  if (static_cast<double>(gap) >= separation.one_hot_gap()) return best;
  return std::nullopt;
}

/// Whether stored pattern `i` is an exact fixed point of X sep(beta sim(X, q)): the one-step
/// predicate above at q = x_i returns i.
/// @throws std::invalid_argument as exact_one_step_retrieval, and for i outside [0, M).
template <class Sep, class PatternsDerived, class Sim = dot_product>
requires HasOneHotGap<Sep>
bool is_exact_fixed_point(const Eigen::MatrixBase<PatternsDerived>& patterns, index_t i,
                          typename PatternsDerived::Scalar beta, const Sep& separation,
                          const Sim& similarity = {}) {
  if (i < 0 || i >= patterns.cols())
    detail::throw_invalid("is_exact_fixed_point", "i", "an index in [0, patterns.cols())", i);
  const auto found = exact_one_step_retrieval(patterns, patterns.col(i), beta, separation, similarity);
  return found && *found == i;
}

}  // namespace hopfield
