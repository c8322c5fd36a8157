#pragma once
/// @file sep::hard_max: one-hot at the largest score (the "max" separation of Millidge et al.
/// 2022), the limit alpha -> infinity of entmax and beta -> infinity of softmax. Ties go to the
/// lowest index, so that a retrieval is deterministic. No energy is defined here (calling
/// energy() on a memory using it does not compile).
#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/kernels/hard_max.hpp"
#include "hopfield/kernels/sparse_workspace.hpp"
#include "hopfield/separation/separation.hpp"

namespace hopfield::sep {

/// One-hot at argmax(z) (beta > 0 does not change it); satisfies Separation.
struct hard_max {
  /// out = e_i, i the first index of the largest score. Allocates nothing.
  template <Real Scalar>
  void weights(const Eigen::Ref<const vector_t<Scalar>>& scores, Scalar /*beta*/,
               Eigen::Ref<vector_t<Scalar>> out, sparse_workspace<Scalar>& /*unused*/) const {
    hard_max_into(scores, out);
  }

  /// Any positive gap makes the weights one-hot at the top score.
  [[nodiscard]] static constexpr double one_hot_gap() { return 0.0; }
};

}  // namespace hopfield::sep
