#pragma once
/// @file What one column of scores reduces to (its max and shifted exponential sum) and what is
/// read off it: the max of a block, a single entry's weight, the softmax factor, the lse.
///
/// Apart from the column kernel's driver because everything that turns a column's statistics
/// into a result (logsumexp, softmax, the streaming partials and their merge) needs these and
/// none of the driver's block bookkeeping; keeping the special cases (-inf, +inf, NaN columns)
/// in one place keeps every consumer agreeing on them.
#include <algorithm>
#include <cmath>
#include <limits>

#include "hopfield/core/types.hpp"
#include "hopfield/detail/packet_io.hpp"
#include "hopfield/detail/wide.hpp"

namespace hopfield::detail {

/// What a column reduces to: its largest entry and sum_i exp(beta (z_i - max)).
template <class Scalar>
struct column_stats {
  Scalar max;
  wide_t<Scalar> sum;
};

/// Whether z - shift may overflow to -inf for finite z and shift while exp(beta (z - shift)) is
/// still not 0: only when beta * max() < -log(denorm_min), i.e. beta below about 4e-306 in double
/// and 3e-37 in float. Above that an overflowed difference has weight exp(-huge) = 0 anyway, so
/// the fast paths may subtract first; below it every exponent is taken as beta z - beta shift
/// (tiny beta: both products are finite), so that no entry's weight depends on which entry
/// happened to be the shift (the block order).
template <class Scalar>
bool differences_may_overflow(Scalar beta) {
  const Scalar underflow = -std::log(std::numeric_limits<Scalar>::denorm_min()) + Scalar(1);
  return beta < underflow / std::numeric_limits<Scalar>::max();
}

/// beta (z - shift) for finite z and shift, without the overflow of z - shift (see above).
template <class Scalar>
Scalar shifted_exponent(Scalar z, Scalar shift, Scalar beta) {
  const Scalar difference = z - shift;
  if (std::isfinite(difference) || !std::isfinite(z) || !std::isfinite(shift)) return beta * difference;
  return beta * z - beta * shift;
}

/// Shifted-exponential weight of one entry given the column's max, with the special cases
/// spelled out: an all -inf column weighs nothing, a +inf max keeps only the +inf entries.
template <class Scalar>
Scalar shifted_weight(Scalar z, Scalar max, Scalar beta) {
  if (std::isnan(max) || std::isnan(z)) return std::numeric_limits<Scalar>::quiet_NaN();
  if (max == -std::numeric_limits<Scalar>::infinity()) return Scalar(0);
  if (max == std::numeric_limits<Scalar>::infinity()) return z == max ? Scalar(1) : Scalar(0);
  return std::exp(shifted_exponent(z, max, beta));
}

/// Largest entry of z[0, n), -inf when empty. Four packet accumulators keep the loads flowing;
/// a NaN may be skipped here (the exponential sums catch it).
template <class Scalar>
Scalar block_max(const Scalar* z, index_t n) {
  constexpr Scalar lowest = -std::numeric_limits<Scalar>::infinity();
  if constexpr (packet_kernel<Scalar>) {
    using packet = packet_t<Scalar>;
    constexpr index_t width = packet_width<Scalar>;
    packet m0 = simd::pset1<packet>(lowest), m1 = m0, m2 = m0, m3 = m0;
    index_t i = 0;
    for (; i + 4 * width <= n; i += 4 * width) {
      m0 = simd::pmax(m0, simd::ploadu<packet>(z + i));
      m1 = simd::pmax(m1, simd::ploadu<packet>(z + i + width));
      m2 = simd::pmax(m2, simd::ploadu<packet>(z + i + 2 * width));
      m3 = simd::pmax(m3, simd::ploadu<packet>(z + i + 3 * width));
    }
    for (; i + width <= n; i += width) m0 = simd::pmax(m0, simd::ploadu<packet>(z + i));
    if (i < n) m1 = simd::pmax(m1, load_ragged<packet>(z + i, n - i));
    return simd::predux_max(simd::pmax(simd::pmax(m0, m1), simd::pmax(m2, m3)));
  } else {
    Scalar max = lowest;
    for (index_t i = 0; i < n; ++i) max = std::max(max, z[i]);
    return max;
  }
}

/// The factor that turns a column's weights against its max into its softmax: 1 / sum; 0 for an
/// all -inf column (it weighs nothing); NaN for a NaN column (it poisons that column only).
template <class Scalar>
wide_t<Scalar> softmax_scale(const column_stats<Scalar>& stats) {
  using wide = wide_t<Scalar>;
  if (std::isnan(stats.max)) return std::numeric_limits<wide>::quiet_NaN();
  return stats.sum > 0 ? wide(1) / stats.sum : wide(0);
}

/// beta^-1 log(sum) shifted back by the max; -inf for an all -inf (or empty) column.
template <class Scalar>
Scalar lse_from_stats(const column_stats<Scalar>& stats, Scalar beta) {
  if (!std::isfinite(stats.max)) return stats.max;  // -inf, +inf and NaN carry over
  return stats.max + static_cast<Scalar>(std::log(stats.sum)) / beta;
}

}  // namespace hopfield::detail
