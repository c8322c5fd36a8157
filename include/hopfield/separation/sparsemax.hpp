#pragma once
/// @file sep::sparsemax: p = sparsemax(beta z), the Euclidean projection of beta z onto the simplex
/// (Martins & Astudillo 2016), the separation of the sparse modern Hopfield model (Hu et al. 2023).
/// alpha-entmax at alpha = 2. Exactly one-hot, so that a stored pattern is retrieved exactly in
/// one step, once beta times the score gap to the runner-up is >= 1.
#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/kernels/entmax.hpp"
#include "hopfield/kernels/sparse_workspace.hpp"
#include "hopfield/kernels/sparsemax.hpp"
#include "hopfield/separation/separation.hpp"

namespace hopfield::sep {

/// sparsemax(beta z); satisfies Separation and HasFenchelYoungEnergy (Gini entropy, alpha = 2).
struct sparsemax {
  /// out = sparsemax(beta * scores); allocates nothing once the workspace holds M scores.
  template <Real Scalar>
  void weights(const Eigen::Ref<const vector_t<Scalar>>& scores, Scalar beta,
               Eigen::Ref<vector_t<Scalar>> out, sparse_workspace<Scalar>& workspace) const {
    sparsemax_into(scores, beta, out, workspace);
  }

  /// The score gap (times beta) from which the weights are exactly one-hot: 1 / (alpha - 1) = 1.
  [[nodiscard]] static constexpr double one_hot_gap() { return 1.0; }

  /// The Tsallis entropy at alpha = 2: (1 - |p|^2) / 2.
  template <Real Scalar>
  [[nodiscard]] Scalar entropy(const Eigen::Ref<const vector_t<Scalar>>& p) const {
    return tsallis_entropy(p, Scalar(2));
  }

  /// (1 - 1/M) / 2.
  [[nodiscard]] double uniform_entropy(index_t size) const {
    return detail::uniform_tsallis_entropy(size, 2.0);
  }
};

}  // namespace hopfield::sep
