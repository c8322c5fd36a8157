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

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // SIMD packet types as template arguments
#endif
/// exp(beta (z_i - max)) over one block, written to `out` when non-null, returning the block's
/// sum. Two packet accumulators hide the adds behind the exponentials; the block is short enough
/// that its sum in Scalar loses nothing the caller's wide accumulation would notice.
template <bool Write, class Scalar>
Scalar shifted_exp_block(const Scalar* z, index_t n, Scalar beta, Scalar max, Scalar* out) {
  namespace in = Eigen::internal;
  using packet = typename in::packet_traits<Scalar>::type;
  constexpr index_t width = in::packet_traits<Scalar>::size;
  if constexpr (in::packet_traits<Scalar>::Vectorizable && width > 1) {
    const packet pbeta = in::pset1<packet>(beta);
    const packet pmax = in::pset1<packet>(max);
    packet acc0 = in::pset1<packet>(Scalar(0));
    packet acc1 = acc0;
    index_t i = 0;
    for (; i + 2 * width <= n; i += 2 * width) {
      const packet e0 = in::pexp(in::pmul(pbeta, in::psub(in::ploadu<packet>(z + i), pmax)));
      const packet e1 = in::pexp(in::pmul(pbeta, in::psub(in::ploadu<packet>(z + i + width), pmax)));
      if constexpr (Write) {
        in::pstoreu(out + i, e0);
        in::pstoreu(out + i + width, e1);
      }
      acc0 = in::padd(acc0, e0);
      acc1 = in::padd(acc1, e1);
    }
    Scalar sum = in::predux(in::padd(acc0, acc1));
    const index_t done = i;
    for (index_t k = 0; k < n - done; ++k) {
      const Scalar e = std::exp(beta * (z[done + k] - max));
      if constexpr (Write) out[done + k] = e;
      sum += e;
    }
    return sum;
  } else {
    using array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
    const auto shifted = (beta * (Eigen::Map<const array>(z, n) - max)).exp();
    if constexpr (Write) {
      Eigen::Map<array> written(out, n);
      written = shifted;
      return written.sum();
    } else {
      return shifted.sum();
    }
  }
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/// Reduces one contiguous column; when `weights` is non-null, writes the unnormalised shifted
/// exponentials there (it may alias `z`). Finite maxima take the vectorised path.
template <class Scalar>
column_stats<Scalar> reduce_column(const Scalar* z, index_t n, Scalar beta, Scalar* weights) {
  using wide = wide_t<Scalar>;
  using array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
  // Plain maxCoeff vectorises (the NaN-propagating one does not); a NaN is caught by the sum.
  const Scalar max =
      n > 0 ? Eigen::Map<const array>(z, n).maxCoeff() : -std::numeric_limits<Scalar>::infinity();
  wide sum = 0;
  if (std::isfinite(max)) {
    for (index_t start = 0; start < n; start += kernel_block) {
      const index_t len = std::min<index_t>(kernel_block, n - start);
      sum += weights != nullptr
                 ? static_cast<wide>(shifted_exp_block<true>(z + start, len, beta, max, weights + start))
                 : static_cast<wide>(shifted_exp_block<false>(z + start, len, beta, max, weights));
    }
    if (std::isnan(sum)) return {std::numeric_limits<Scalar>::quiet_NaN(), sum};
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
