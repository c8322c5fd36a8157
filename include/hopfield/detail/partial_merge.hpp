#pragma once
/// @file The exact merge of two online-softmax partials of one column: softmax_partial and the
/// modern memory's streaming core both fold blocks and merge threads' partials through it.
///
/// A partial over some entries of a column is (max a, sum s = sum_i exp(beta (z_i - a))) plus
/// accumulators weighted the same way. Two partials over disjoint entries merge exactly:
///   a = max(a1, a2),  s = s1 exp(beta (a1 - a)) + s2 exp(beta (a2 - a)),
/// and each side's accumulator is multiplied by its own factor.
#include <algorithm>
#include <cmath>
#include <limits>

#include "hopfield/detail/column_kernel.hpp"
#include "hopfield/detail/wide.hpp"

namespace hopfield::detail {

/// The factors exp(beta (a_k - a)) that bring each side of a merge to the merged max.
template <class Scalar>
struct merge_scales {
  Scalar mine;
  Scalar theirs;
};

/// Merges the partial (other_max, other_sum) over other entries of the same column into
/// (max, sum) and returns the two sides' factors for their accumulators (or weights). An all -inf
/// side weighs 0; a NaN on either side poisons the column: max, sum and both factors become NaN.
template <class Scalar>
merge_scales<Scalar> merge_column(Scalar& max, wide_t<Scalar>& sum, Scalar other_max,
                                  wide_t<Scalar> other_sum, Scalar beta) {
  using wide = wide_t<Scalar>;
  if (std::isnan(max) || std::isnan(other_max)) {
    max = std::numeric_limits<Scalar>::quiet_NaN();
    sum = std::numeric_limits<wide>::quiet_NaN();
    return {max, max};
  }
  const Scalar merged = std::max(max, other_max);
  const merge_scales<Scalar> scales{shifted_weight(max, merged, beta),
                                    shifted_weight(other_max, merged, beta)};
  sum = sum * static_cast<wide>(scales.mine) + other_sum * static_cast<wide>(scales.theirs);
  max = merged;
  return scales;
}

}  // namespace hopfield::detail
