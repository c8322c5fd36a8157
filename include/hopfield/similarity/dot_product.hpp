#pragma once
/// @file The dot product x . q, the similarity of the classical, dense and modern memories and
/// of Transformer attention; the default everywhere.
#include <Eigen/Core>

#include "hopfield/core/types.hpp"

namespace hopfield {

/// sim(x, q) = x . q. Satisfies Similarity and HasSimilarityEnergy.
struct dot_product {
  /// out = patterns^T queries. One query: one dot product per pattern, so that a streaming loop
  /// reads each pattern from memory once and finds it in L1 for the accumulation that follows.
  template <Real Scalar>
  void scores(const Eigen::Ref<const matrix_t<Scalar>>& patterns,
              const Eigen::Ref<const matrix_t<Scalar>>& queries, Eigen::Ref<matrix_t<Scalar>> out) const {
    if (queries.cols() == 1) {
      for (index_t i = 0; i < patterns.cols(); ++i) out(i, 0) = patterns.col(i).dot(queries.col(0));
    } else {
      out.noalias() = patterns.transpose() * queries;
    }
  }

  /// The convex part of the log-sum-exp energy: |q|^2 / 2 (Ramsauer et al. 2020, eq. 2).
  template <Real Scalar>
  [[nodiscard]] Scalar state_term(const Eigen::Ref<const vector_t<Scalar>>& q) const {
    return Scalar(0.5) * q.squaredNorm();
  }

  /// L^2 / 2 with L the largest pattern norm, so that the energy is >= 0.
  template <Real Scalar>
  [[nodiscard]] Scalar constant_term(const matrix_t<Scalar>& patterns) const {
    const Scalar largest = patterns.colwise().stableNorm().maxCoeff();
    return Scalar(0.5) * largest * largest;
  }
};

}  // namespace hopfield
