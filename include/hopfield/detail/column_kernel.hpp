#pragma once
/// @file The column kernel behind logsumexp, softmax and the streaming partials: the shifted
/// exponential sum of each distribution, computed in a single read of the scores.
///
/// Columns are cut into L1-sized blocks and walked in order. The loop that exponentiates one
/// block against max(running max, the block's own max) also reads the *next* block (in this
/// column or the next one) and takes its max, so every block's max is known before its
/// exponentials run and only the very first block of a call is read twice. Each written block
/// remembers the shift it was computed with; once the column's max and sum are known, its
/// weights are brought to the max (and, for softmax, divided by the sum) inside the next column's
/// exponential loop, and the last column in one plain pass. Columns far larger than the caches
/// are written with streaming stores (stream_column_bytes). Writing in place is safe: the
/// look-ahead reads a block before it is overwritten.
///
/// This header is the driver: block layout, the exponential loop and the column walk. What a
/// column reduces to and the results read off it are in column_stats.hpp, the instruction-set
/// specific packet loads and stores in packet_io.hpp, the exponential in exp_packet.hpp; each can
/// be read and tested without the walk's bookkeeping, and including this header brings them all.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/detail/column_stats.hpp"
#include "hopfield/detail/exp_packet.hpp"
#include "hopfield/detail/packet_io.hpp"
#include "hopfield/detail/wide.hpp"

namespace hopfield::detail {

/// Blocks whose shift one column remembers; columns longer than this many kernel blocks use
/// proportionally longer blocks (still L2-resident).
inline constexpr index_t max_column_blocks = 512;

/// The shift each written block's weights were computed with.
template <class Scalar>
struct block_shifts {
  index_t length = kernel_block;
  index_t count = 0;
  std::array<Scalar, max_column_blocks> shift;
};

inline index_t block_length_for(index_t n) {
  if (n <= kernel_block * max_column_blocks) return kernel_block;
  const index_t even = (n + max_column_blocks - 1) / max_column_blocks;
  return (even + 63) / 64 * 64;
}

/// Columns of at least this many bytes are written with non-temporal (streaming) stores: their
/// weights leave the caches before the next column comes back to normalise them, so the read for
/// ownership a plain store costs is pure waste (a fifth of the memory traffic). The last column,
/// normalised by a pass right behind its own, streams only when it is far larger than the caches.
/// Both measured on the development machine (docs/benchmarks.md, "Kernels").
inline constexpr std::size_t stream_column_bytes = std::size_t{1} << 20;
inline constexpr std::size_t stream_last_column_bytes = std::size_t{6} << 20;

/// One block's work in the exponential loop.
template <class Scalar>
struct block_task {
  const Scalar* z;  // the block's scores ...
  index_t n;        // ... and their count
  Scalar beta;
  Scalar shift;         // exponents are beta (z - shift) <= 0
  Scalar* out;          // weights, when written
  const Scalar* ahead;  // the next block, whose max is taken in passing
  index_t ahead_n;
  Scalar* trail = nullptr;  // n finished weights of the previous column, scaled in passing
  Scalar trail_factor = 1;
  bool stream = false;  // write `out` with streaming stores (aligned for them)
};

/// exp(beta (z_i - shift)) over one block of a vectorised type, written to `out` when Write,
/// returning the block's sum. The same loop takes the max of the block ahead and, when Trail,
/// scales the previous column's finished block: memory traffic that would otherwise be a pass of
/// its own hides behind the exponentials.
///
/// Summation: two packet accumulators take at most eight terms per lane before they are folded,
/// with Kahan compensation, into a running packet total; the lanes are added in the wide type.
/// A plain float accumulator would add some 60 small weights to a lane holding the max's weight 1
/// and could lose 4e-6 of the sum (0.7e-6 measured with a spike over 1000 entries); this bounds
/// the loss by 8 roundings, 5e-7 (0.13e-6 measured), for five adds per 16 packets.
template <bool Write, bool UnitBeta, bool Trail, class Scalar>
wide_t<Scalar> packet_exp_block(const block_task<Scalar>& task, Scalar& ahead_max) {
  using packet = packet_t<Scalar>;
  constexpr index_t width = packet_width<Scalar>;
  const Scalar* z = task.z;
  const Scalar* ahead = task.ahead;
  Scalar* out = task.out;
  Scalar* trail = task.trail;
  const index_t n = task.n;
  const packet pbeta = simd::pset1<packet>(task.beta);
  const packet pshift = simd::pset1<packet>(task.shift);
  const packet pfactor = simd::pset1<packet>(task.trail_factor);
  const packet zero = simd::pset1<packet>(Scalar(0));
  const auto weight = [&](const packet& v) {
    const packet d = simd::psub(v, pshift);
    if constexpr (UnitBeta) {
      return exp_shifted(d);
    } else {
      return exp_shifted(simd::pmul(pbeta, d));
    }
  };
  const auto scale_trail = [&](index_t at) {
    if constexpr (Trail) simd::pstoreu(trail + at, simd::pmul(pfactor, simd::ploadu<packet>(trail + at)));
  };
  packet sum0 = zero, sum1 = zero, total = zero, lost = zero;
  const auto fold = [&] {
    const packet chunk = simd::psub(simd::padd(sum0, sum1), lost);
    const packet next = simd::padd(total, chunk);
    lost = simd::psub(simd::psub(next, total), chunk);
    total = next;
    sum0 = zero;
    sum1 = zero;
  };
  const auto pair = [&](index_t at) {
    const packet e0 = weight(simd::ploadu<packet>(z + at));
    const packet e1 = weight(simd::ploadu<packet>(z + at + width));
    if constexpr (Write) {
      if (task.stream) {
        store_streaming(out + at, e0);
        store_streaming(out + at + width, e1);
      } else {
        simd::pstoreu(out + at, e0);
        simd::pstoreu(out + at + width, e1);
      }
    }
    scale_trail(at);
    scale_trail(at + width);
    sum0 = simd::padd(sum0, e0);
    sum1 = simd::padd(sum1, e1);
  };
  packet max0 = simd::pset1<packet>(-std::numeric_limits<Scalar>::infinity()), max1 = max0;
  const index_t both = std::min(n, task.ahead_n);
  constexpr index_t chunk = 16 * width;  // eight pairs, then a fold
  index_t i = 0;
  for (; i + chunk <= both; i += chunk) {
    for (index_t at = i; at < i + chunk; at += 2 * width) {
      max0 = simd::pmax(max0, simd::ploadu<packet>(ahead + at));
      max1 = simd::pmax(max1, simd::ploadu<packet>(ahead + at + width));
      pair(at);
    }
    fold();
  }
  ahead_max = std::max(simd::predux_max(simd::pmax(max0, max1)), block_max(ahead + i, task.ahead_n - i));
  for (; i + chunk <= n; i += chunk) {
    for (index_t at = i; at < i + chunk; at += 2 * width) pair(at);
    fold();
  }
  for (; i + 2 * width <= n; i += 2 * width) pair(i);
  for (; i + width <= n; i += width) {
    const packet e = weight(simd::ploadu<packet>(z + i));
    if constexpr (Write) simd::pstoreu(out + i, e);
    scale_trail(i);
    sum0 = simd::padd(sum0, e);
  }
  if (i < n) {
    const packet e = weight(load_ragged<packet>(z + i, n - i));
    if constexpr (Write) store_ragged(out + i, e, n - i);
    if constexpr (Trail)
      store_ragged(trail + i, simd::pmul(pfactor, load_ragged<packet>(trail + i, n - i)), n - i);
    sum1 = simd::padd(sum1, e);
  }
  fold();
  return lane_sum<Scalar>(total, lost);
}

/// Multiplies n entries by `factor`.
template <class Scalar>
void scale_entries(Scalar* w, index_t n, Scalar factor) {
  if constexpr (packet_kernel<Scalar>) {
    using packet = packet_t<Scalar>;
    constexpr index_t width = packet_width<Scalar>;
    const packet pfactor = simd::pset1<packet>(factor);
    index_t i = 0;
    for (; i + width <= n; i += width) simd::pstoreu(w + i, simd::pmul(pfactor, simd::ploadu<packet>(w + i)));
    if (i < n) store_ragged(w + i, simd::pmul(pfactor, load_ragged<packet>(w + i, n - i)), n - i);
  } else {
    Eigen::Map<Eigen::Array<Scalar, Eigen::Dynamic, 1>>(w, n) *= factor;
  }
}

/// One block for any Scalar (long double has no packets).
template <bool Write, class Scalar>
wide_t<Scalar> shifted_exp_block(const block_task<Scalar>& task, Scalar& ahead_max) {
  if (differences_may_overflow(task.beta)) {  // a beta below 1e-305: exact exponents, one by one
    ahead_max = block_max(task.ahead, task.ahead_n);
    if (task.trail != nullptr) scale_entries(task.trail, task.n, task.trail_factor);
    wide_t<Scalar> sum = 0;
    for (index_t i = 0; i < task.n; ++i) {
      const Scalar w = std::exp(shifted_exponent(task.z[i], task.shift, task.beta));
      if constexpr (Write) task.out[i] = w;
      sum += static_cast<wide_t<Scalar>>(w);
    }
    return sum;
  }
  if constexpr (packet_kernel<Scalar>) {
    const bool unit = task.beta == Scalar(1);
    if (task.trail != nullptr) {
      return unit ? packet_exp_block<Write, true, true>(task, ahead_max)
                  : packet_exp_block<Write, false, true>(task, ahead_max);
    }
    return unit ? packet_exp_block<Write, true, false>(task, ahead_max)
                : packet_exp_block<Write, false, false>(task, ahead_max);
  } else {
    using array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
    ahead_max = block_max(task.ahead, task.ahead_n);
    if (task.trail != nullptr) scale_entries(task.trail, task.n, task.trail_factor);
    const auto shifted = (task.beta * (Eigen::Map<const array>(task.z, task.n) - task.shift)).exp();
    if constexpr (Write) {
      Eigen::Map<array> written(task.out, task.n);
      written = shifted;
      return written.template cast<wide_t<Scalar>>().sum();
    } else {
      return shifted.template cast<wide_t<Scalar>>().sum();
    }
  }
}

/// The rest of a column from `first` on, once an entry of +inf has been met there: the +inf
/// entries share the mass, everything else weighs nothing, and a NaN anywhere (`sum_so_far`)
/// poisons the column.
template <bool Write, class Scalar>
column_stats<Scalar> finish_infinite_column(const Scalar* z, index_t n, index_t first, Scalar* weights,
                                            block_shifts<Scalar>* shifts, wide_t<Scalar> sum_so_far) {
  using wide = wide_t<Scalar>;
  constexpr Scalar infinity = std::numeric_limits<Scalar>::infinity();
  wide count = std::isnan(sum_so_far) ? sum_so_far : wide(0);
  if constexpr (Write) std::fill(weights, weights + first, Scalar(0));
  for (index_t i = first; i < n; ++i) {
    const Scalar w = std::isnan(z[i]) ? z[i] : (z[i] == infinity ? Scalar(1) : Scalar(0));
    if constexpr (Write) weights[i] = w;
    count += static_cast<wide>(w);
  }
  if constexpr (Write) {  // the usual block layout, so the next column's loop can finish this one
    shifts->length = block_length_for(n);
    shifts->count = (n + shifts->length - 1) / shifts->length;
    std::fill(shifts->shift.begin(), shifts->shift.begin() + shifts->count, infinity);
  }
  if (std::isnan(count)) return {std::numeric_limits<Scalar>::quiet_NaN(), count};
  return {infinity, count};
}

/// Where a finished column's weights still have to go: each written block times
/// exp(beta (shift_b - max)) * scale. scale is 1 for weights against the max, 1 / sum for a
/// softmax.
template <class Scalar>
struct pending_scale {
  Scalar* weights = nullptr;  // null: nothing pending
  block_shifts<Scalar> shifts;
  Scalar max = 0;
  Scalar beta = 1;
  wide_t<Scalar> scale = 1;

  Scalar factor(index_t block) const {
    using wide = wide_t<Scalar>;
    const Scalar shift = shifts.shift[static_cast<std::size_t>(block)];
    if (shift == max) return static_cast<Scalar>(scale);
    return static_cast<Scalar>(scale *
                               std::exp(shifted_exponent(static_cast<wide>(shift), static_cast<wide>(max),
                                                         static_cast<wide>(beta))));
  }

  /// Applies every block's factor to entries [from, n) in one plain pass (blocks already at the
  /// max with scale 1 are left alone).
  void apply(index_t n, index_t from = 0) const {
    for (index_t b = 0; b < shifts.count; ++b) {
      const Scalar f = factor(b);
      const index_t start = std::max(b * shifts.length, from);
      const index_t end = std::min((b + 1) * shifts.length, n);
      if (f != Scalar(1) && start < end) scale_entries(weights + start, end - start, f);
    }
  }
};

/// One column (see the file comment). `top` is the max of its first block; `next`/`next_n` is
/// the block read ahead while this column's last block runs, and `next_top` receives its max.
/// When Write, `weights` (which may alias `z`) receives each block's weights against
/// `shifts->shift[b]`; a pending scale of the previous column (same length) is applied in passing
/// and cleared. Entries of -inf weigh 0; a block whose running max is still -inf writes zeros
/// (NaN entries stay NaN and reach the sum).
template <bool Write, class Scalar>
column_stats<Scalar> reduce_column_ahead(const Scalar* z, index_t n, Scalar beta, Scalar* weights,
                                         block_shifts<Scalar>* shifts, Scalar top, const Scalar* next,
                                         index_t next_n, Scalar& next_top, pending_scale<Scalar>* trailing,
                                         bool stream) {
  using wide = wide_t<Scalar>;
  constexpr Scalar lowest = -std::numeric_limits<Scalar>::infinity();
  const index_t length = block_length_for(n);
  const bool trails = trailing != nullptr && trailing->weights != nullptr;
  Scalar reference = lowest;
  wide sum = 0;
  index_t block = 0;
  for (index_t start = 0; start < n; start += length, ++block) {
    const index_t len = std::min(length, n - start);
    const bool last = start + length >= n;
    const Scalar* ahead = last ? next : z + start + length;
    const index_t ahead_n = last ? next_n : std::min(length, n - start - length);
    if (top == std::numeric_limits<Scalar>::infinity()) {
      if (trails) {  // the blocks before this one were finished in passing already
        trailing->apply(n, start);
        trailing->weights = nullptr;
      }
      next_top = block_max(next, next_n);
      return finish_infinite_column<Write>(z, n, start, weights, shifts, sum);
    }
    const Scalar shift = std::max(reference, top);
    block_task<Scalar> task{z + start, len, beta, shift, Write ? weights + start : weights, ahead, ahead_n};
    task.stream = stream;
    if (trails) {
      task.trail = trailing->weights + start;
      task.trail_factor = trailing->factor(block);
    }
    wide block_sum = 0;
    if (shift == lowest) {  // nothing finite yet: -inf entries weigh 0, NaN stays NaN
      for (index_t i = 0; i < len; ++i) {
        const Scalar w = std::isnan(z[start + i]) ? z[start + i] : Scalar(0);
        if constexpr (Write) weights[start + i] = w;
        block_sum += static_cast<wide>(w);
      }
      if (task.trail != nullptr) scale_entries(task.trail, len, task.trail_factor);
      top = block_max(ahead, ahead_n);
    } else {
      block_sum = shifted_exp_block<Write>(task, top);
    }
    if (shift > reference) {
      // Rebase the sum on the new shift; exp(-inf) = 0 drops an all -inf prefix and keeps a NaN.
      sum *= reference == lowest
                 ? wide(0)
                 : std::exp(shifted_exponent(static_cast<wide>(reference), static_cast<wide>(shift),
                                             static_cast<wide>(beta)));
      reference = shift;
    }
    sum += block_sum;
    if constexpr (Write) shifts->shift[static_cast<std::size_t>(block)] = shift;
  }
  if (trails) trailing->weights = nullptr;
  if (n == 0) top = block_max(next, next_n);
  next_top = top;
  if constexpr (Write) {
    shifts->length = length;
    shifts->count = block;
  }
  if (std::isnan(sum)) return {std::numeric_limits<Scalar>::quiet_NaN(), sum};
  return {reference, sum};
}

/// Whether a column's weights go out with streaming stores (see stream_column_bytes).
template <class Scalar>
bool streams_column(const Scalar* weights, index_t rows, bool last) {
  if constexpr (packet_kernel<Scalar>) {
    using packet = packet_t<Scalar>;
    const auto bytes = static_cast<std::size_t>(rows) * sizeof(Scalar);
    return bytes >= (last ? stream_last_column_bytes : stream_column_bytes) &&
           stream_aligned<packet>(weights);
  } else {
    return false;
  }
}

/// Reduces every column of z (rows x cols, column j at z + j * z_stride), calling
/// `finish(j, stats)` as soon as column j is reduced. When Write, the weights of column j go to
/// weights + j * weights_stride (which may be z itself, with the same stride) and end up as
/// exp(beta (z_i - max)) times the factor `finish` returns (1 keeps them against the max,
/// softmax_scale() normalises them); that last scaling runs inside the next column's exponential
/// loop, so a column's weights are final only when reduce_columns returns.
template <bool Write, class Scalar, class Finish>
void reduce_columns(const Scalar* z, index_t rows, index_t cols, index_t z_stride, Scalar beta,
                    Scalar* weights, index_t weights_stride, Finish&& finish) {
  if (cols <= 0) return;
  const index_t first_length = std::min(block_length_for(rows), rows);
  pending_scale<Scalar> pending[2];  // the column being written, and the previous one
  Scalar top = block_max(z, first_length);
  bool streamed = false;
  for (index_t j = 0; j < cols; ++j) {
    const bool last = j + 1 == cols;
    const Scalar* next = last ? z : z + (j + 1) * z_stride;  // read 0 entries of it when last
    pending_scale<Scalar>& current = pending[j % 2];
    pending_scale<Scalar>& previous = pending[(j + 1) % 2];
    Scalar* column_weights = Write ? weights + j * weights_stride : weights;
    Scalar next_top = 0;
    const bool stream = Write && streams_column(column_weights, rows, last);
    streamed = streamed || stream;
    const auto stats =
        reduce_column_ahead<Write>(z + j * z_stride, rows, beta, column_weights, &current.shifts, top, next,
                                   last ? 0 : first_length, next_top, &previous, stream);
    top = next_top;
    if constexpr (Write) {
      current.weights = column_weights;
      current.max = stats.max;
      current.beta = beta;
      current.scale = static_cast<wide_t<Scalar>>(finish(j, stats));
    } else {
      finish(j, stats);
    }
  }
  if constexpr (Write) {
    if (pending[(cols - 1) % 2].weights != nullptr) pending[(cols - 1) % 2].apply(rows);
  }
  if (streamed) fence_streaming_stores();
}

/// Reduces one contiguous column; when `weights` is non-null, writes the unnormalised shifted
/// exponentials exp(beta (z_i - max)) there (it may alias `z`).
template <class Scalar>
column_stats<Scalar> reduce_column(const Scalar* z, index_t n, Scalar beta, Scalar* weights) {
  column_stats<Scalar> result{};
  const auto keep = [&](index_t, const column_stats<Scalar>& stats) {
    result = stats;
    return wide_t<Scalar>(1);
  };
  if (weights == nullptr) {
    reduce_columns<false>(z, n, 1, n, beta, weights, n, keep);
  } else {
    reduce_columns<true>(z, n, 1, n, beta, weights, n, keep);
  }
  return result;
}

}  // namespace hopfield::detail
