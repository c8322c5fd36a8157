#pragma once
/// @file How a learning rule plugs into classical_hopfield (the concept lives with the rules).
#include <concepts>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"

namespace hopfield {

/// A value type with a nested `learner<Scalar>` (constructible from the rule) that builds the
/// stored matrix raw from the patterns (W = raw / denominator(N), symmetric, zero diagonal), adds
/// one pattern in place after `reserve(N)` without allocating (it may throw std::overflow_error
/// when the weights leave the scalar range; callers add to copies), and says whether
/// raw = X X^T - M I (`has_pattern_form`, which lets the energy take fields from X). What it
/// learned becomes an energy through quadratic_energy::from_stored. Satisfied by hebbian,
/// storkey and pseudo_inverse.
template <class R, class Scalar>
concept LearningRule = std::default_initializable<R> && std::copy_constructible<R> && requires {
  typename R::template learner<Scalar>;
} && std::constructible_from < typename R::template learner<Scalar>,
const R& > &&std::convertible_to<decltype(R::has_pattern_form), bool>&& requires(
               typename R::template learner<Scalar>& learner, index_t n,
               const Eigen::Ref<const matrix_t<Scalar>>& patterns,
               const Eigen::Ref<const vector_t<Scalar>>& pattern, matrix_t<Scalar>& raw) {
  { R::template learner<Scalar>::denominator(n) } -> std::convertible_to<Scalar>;
  learner.build(patterns, raw);
  learner.reserve(n);
  learner.add(pattern, raw);
};

}  // namespace hopfield
