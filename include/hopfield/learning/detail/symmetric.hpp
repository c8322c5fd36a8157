#pragma once
/// @file Rank updates of a symmetric weight matrix that keep it exactly symmetric: the rules
/// write the lower triangle and copy it up, because (a + b) + c and (a + c) + b round differently
/// and an asymmetric W would break the energy's descent guarantee.
#include <algorithm>

#include "hopfield/core/types.hpp"

namespace hopfield::detail {

/// Copies the strict lower triangle onto the upper one, in square tiles so both sides stay in
/// cache, and zeroes the diagonal.
template <class Scalar>
void mirror_lower_zero_diagonal(matrix_t<Scalar>& w) {
  constexpr index_t tile = 64;
  const index_t n = w.rows();
  for (index_t j0 = 0; j0 < n; j0 += tile) {
    const index_t jb = std::min(tile, n - j0);
    for (index_t i0 = 0; i0 <= j0; i0 += tile) {
      const index_t ib = std::min(tile, n - i0);
      // Tile (i0, j0) of the upper part from tile (j0, i0) of the lower part.
      for (index_t j = j0; j < j0 + jb; ++j) {
        const index_t stop = std::min(i0 + ib, j);
        for (index_t i = i0; i < stop; ++i) w(i, j) = w(j, i);
      }
    }
  }
  w.diagonal().setZero();
}

}  // namespace hopfield::detail
