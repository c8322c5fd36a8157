#pragma once
/// @file sep::top_k: softmax(beta z) over the k largest scores, zero elsewhere (ties at the k-th
/// place as kernels/top_k.hpp documents). k >= M is the plain softmax. No energy is defined here
/// (calling energy() on a memory using it does not compile).
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/kernels/sparse_workspace.hpp"
#include "hopfield/kernels/top_k.hpp"
#include "hopfield/separation/separation.hpp"

namespace hopfield::sep {

/// Top-k softmax; satisfies Separation.
///   hopfield::modern_hopfield<float, hopfield::dot_product, hopfield::sep::top_k> m(X, {}, {}, {.k = 8});
struct top_k {
  /// How many patterns share the weight, >= 1.
  index_t k = 1;

  /// @throws std::invalid_argument when k < 1.
  void validate(std::string_view function) const {
    if (k < 1) detail::throw_invalid(function, "separation.k", "at least 1", k);
  }

  /// out = softmax(beta z) restricted to the k largest scores; linear time in M (selection).
  /// @throws std::invalid_argument as validate.
  template <Real Scalar>
  void weights(const Eigen::Ref<const vector_t<Scalar>>& scores, Scalar beta,
               Eigen::Ref<vector_t<Scalar>> out, sparse_workspace<Scalar>& workspace) const {
    top_k_softmax_into(scores, k, beta, out, workspace);
  }
};

}  // namespace hopfield::sep
