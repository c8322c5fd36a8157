#pragma once
/// @file sep::softmax, the default separation: p = softmax(beta z) (Ramsauer et al. 2020). The
/// only streaming separation: memories fold its scores block by block with the online softmax,
/// in memory bounded independently of M, and the log-sum-exp energy is its Fenchel-Young energy
/// (Shannon entropy, alpha = 1).
#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/kernels/entmax.hpp"
#include "hopfield/kernels/softmax.hpp"
#include "hopfield/kernels/sparse_workspace.hpp"
#include "hopfield/separation/separation.hpp"

namespace hopfield::sep {

/// softmax(beta z); satisfies Separation, StreamingSeparation and HasFenchelYoungEnergy.
struct softmax {
  static constexpr bool streams = true;

  /// out = softmax(beta * scores). Allocates nothing.
  template <Real Scalar>
  void weights(const Eigen::Ref<const vector_t<Scalar>>& scores, Scalar beta,
               Eigen::Ref<vector_t<Scalar>> out, sparse_workspace<Scalar>& /*unused*/) const {
    softmax_into(scores, beta, Eigen::Map<matrix_t<Scalar>>(out.data(), out.size(), 1));
  }

  /// Shannon entropy -sum p ln p (0 ln 0 = 0).
  template <Real Scalar>
  [[nodiscard]] Scalar entropy(const Eigen::Ref<const vector_t<Scalar>>& p) const {
    return tsallis_entropy(p, Scalar(1));
  }

  /// ln M.
  [[nodiscard]] double uniform_entropy(index_t size) const {
    return detail::uniform_tsallis_entropy(size, 1.0);
  }
};

}  // namespace hopfield::sep
