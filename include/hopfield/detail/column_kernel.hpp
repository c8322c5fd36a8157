#pragma once
/// @file The one-column kernel behind logsumexp, softmax and the streaming partials: the shifted
/// exponential sum of one distribution, written blockwise so each block is summed while in cache.
#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/detail/wide.hpp"

namespace hopfield::detail {

/// What a column reduces to: its largest entry and sum_i exp(beta (z_i - max)).
template <class Scalar>
struct column_stats {
  Scalar max;
  wide_t<Scalar> sum;
};

/// Shifted-exponential weight of one entry given the column's max, with the special cases
/// spelled out: an all -inf column weighs nothing, a +inf max keeps only the +inf entries.
template <class Scalar>
Scalar shifted_weight(Scalar z, Scalar max, Scalar beta) {
  if (std::isnan(max) || std::isnan(z)) return std::numeric_limits<Scalar>::quiet_NaN();
  if (max == -std::numeric_limits<Scalar>::infinity()) return Scalar(0);
  if (max == std::numeric_limits<Scalar>::infinity()) return z == max ? Scalar(1) : Scalar(0);
  return std::exp(beta * (z - max));
}

/// Reduces one contiguous column; when `weights` is non-null, writes the unnormalised shifted
/// exponentials there (it may alias `z`). Finite maxima take the vectorised path.
template <class Scalar>
column_stats<Scalar> reduce_column(const Scalar* z, index_t n, Scalar beta, Scalar* weights) {
  using wide = wide_t<Scalar>;
  using array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
  const Eigen::Map<const array> column(z, n);
  const Scalar max =
      n > 0 ? column.template maxCoeff<Eigen::PropagateNaN>() : -std::numeric_limits<Scalar>::infinity();
  wide sum = 0;
  if (std::isfinite(max)) {
    for (index_t start = 0; start < n; start += kernel_block) {
      const index_t len = std::min<index_t>(kernel_block, n - start);
      const auto shifted = (beta * (column.segment(start, len) - max)).exp();
      if (weights != nullptr) {
        Eigen::Map<array> out(weights + start, len);
        out = shifted;
        sum += static_cast<wide>(out.sum());
      } else {
        sum += static_cast<wide>(shifted.sum());
      }
    }
    return {max, sum};
  }
  for (index_t i = 0; i < n; ++i) {
    const Scalar w = shifted_weight(z[i], max, beta);
    if (weights != nullptr) weights[i] = w;
    sum += static_cast<wide>(w);
  }
  return {max, sum};
}

/// beta^-1 log(sum) shifted back by the max; -inf for an all -inf (or empty) column.
template <class Scalar>
Scalar lse_from_stats(const column_stats<Scalar>& stats, Scalar beta) {
  if (!std::isfinite(stats.max)) return stats.max;  // -inf, +inf and NaN carry over
  return stats.max + static_cast<Scalar>(std::log(stats.sum)) / beta;
}

}  // namespace hopfield::detail
