#pragma once
/// @file The negative Manhattan distance sim(x, q) = -|x - q|_1, one of the similarities of
/// universal Hopfield networks (Millidge et al. 2022; THEORY.md section 7).
///
/// There is no product to borrow: a block of m patterns and B queries costs m B N subtractions,
/// absolute values and additions. Each score is one Eigen reduction along N, which Eigen
/// vectorises (packets of 8 floats or 4 doubles with AVX2, several accumulators); a plain scalar
/// loop is not vectorised by the compiler for float or double without -ffast-math, since that
/// would reorder the sum. The patterns are taken in panels of about 16 KiB: each panel stays in L1
/// while every query of the block passes over it, and the query column is re-read from L1 too.
///
/// No energy: -|x - q|_1 is not x . q plus terms of x alone and of q alone, so the CCCP argument
/// of lse_energy does not apply; there is no state_term / constant_term, and energy() on a memory
/// using this similarity does not compile (the memory still updates).
#include <algorithm>
#include <cstddef>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"

namespace hopfield {

/// sim(x, q) = -|x - q|_1 (<= 0). Satisfies Similarity only.
struct manhattan {
  /// Bytes of pattern columns per panel: L1-resident while the block's queries pass over it.
  static constexpr std::size_t panel_bytes = std::size_t{16} * 1024;

  /// out(i, j) = -|pattern i - query j|_1 for a block (patterns N x m, queries N x B, out m x B).
  /// Allocates nothing.
  template <Real Scalar>
  void scores(const Eigen::Ref<const matrix_t<Scalar>>& patterns,
              const Eigen::Ref<const matrix_t<Scalar>>& queries, Eigen::Ref<matrix_t<Scalar>> out) const {
    const index_t n = std::max<index_t>(patterns.rows(), 1);
    const index_t m = patterns.cols();
    const index_t panel = std::max<index_t>(1, static_cast<index_t>(panel_bytes / sizeof(Scalar)) / n);
    for (index_t i0 = 0; i0 < m; i0 += panel) {
      const index_t last = std::min(m, i0 + panel);
      for (index_t j = 0; j < queries.cols(); ++j) {
        const auto q = queries.col(j);
        for (index_t i = i0; i < last; ++i) out(i, j) = -(patterns.col(i) - q).cwiseAbs().sum();
      }
    }
  }
};

}  // namespace hopfield
