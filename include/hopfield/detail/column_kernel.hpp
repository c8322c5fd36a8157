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
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <Eigen/Core>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "hopfield/core/types.hpp"
#include "hopfield/detail/exp_packet.hpp"
#include "hopfield/detail/wide.hpp"

namespace hopfield::detail {

/// What a column reduces to: its largest entry and sum_i exp(beta (z_i - max)).
template <class Scalar>
struct column_stats {
  Scalar max;
  wide_t<Scalar> sum;
};

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

template <class Scalar>
inline constexpr bool packet_kernel =
    Eigen::internal::packet_traits<Scalar>::Vectorizable&& Eigen::internal::packet_traits<Scalar>::size > 1;

/// Packet loads and stores of the ragged end of a block: the missing lanes read as -inf, which
/// neither raises a max nor, once exponentiated, adds to a sum.
template <class Packet, class Scalar>
Packet load_ragged(const Scalar* from, index_t count) {
  namespace in = Eigen::internal;
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<Packet, in::Packet16f>) {
    return _mm512_mask_loadu_ps(in::pset1<Packet>(-std::numeric_limits<float>::infinity()),
                                static_cast<__mmask16>((1u << count) - 1u), from);
  } else if constexpr (std::is_same_v<Packet, in::Packet8d>) {
    return _mm512_mask_loadu_pd(in::pset1<Packet>(-std::numeric_limits<double>::infinity()),
                                static_cast<__mmask8>((1u << count) - 1u), from);
  }
#endif
  alignas(64) std::array<Scalar, static_cast<std::size_t>(in::unpacket_traits<Packet>::size)> lanes;
  lanes.fill(-std::numeric_limits<Scalar>::infinity());
  std::copy(from, from + count, lanes.begin());
  return in::pload<Packet>(lanes.data());
}

template <class Packet, class Scalar>
void store_ragged(Scalar* to, const Packet& values, index_t count) {
  namespace in = Eigen::internal;
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<Packet, in::Packet16f>) {
    _mm512_mask_storeu_ps(to, static_cast<__mmask16>((1u << count) - 1u), values);
    return;
  } else if constexpr (std::is_same_v<Packet, in::Packet8d>) {
    _mm512_mask_storeu_pd(to, static_cast<__mmask8>((1u << count) - 1u), values);
    return;
  }
#endif
  alignas(64) std::array<Scalar, static_cast<std::size_t>(in::unpacket_traits<Packet>::size)> lanes;
  in::pstore(lanes.data(), values);
  std::copy(lanes.begin(), lanes.begin() + count, to);
}

/// Whether `to` is aligned for the streaming store of a Packet.
template <class Packet, class Scalar>
bool stream_aligned(const Scalar* to) {
  constexpr auto bytes =
      sizeof(Scalar) * static_cast<std::size_t>(Eigen::internal::unpacket_traits<Packet>::size);
  return reinterpret_cast<std::uintptr_t>(to) % bytes == 0;
}

/// A non-temporal store of a whole packet to an address stream_aligned() accepts, where the
/// instruction set has one; a plain store elsewhere.
template <class Packet, class Scalar>
void store_streaming(Scalar* to, const Packet& values) {
  namespace in = Eigen::internal;
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<Packet, in::Packet16f>) return _mm512_stream_ps(to, values);
  if constexpr (std::is_same_v<Packet, in::Packet8d>) return _mm512_stream_pd(to, values);
#endif
#if defined(__AVX__)
  if constexpr (std::is_same_v<Packet, in::Packet8f>) return _mm256_stream_ps(to, values);
  if constexpr (std::is_same_v<Packet, in::Packet4d>) return _mm256_stream_pd(to, values);
#endif
#if defined(__SSE2__)
  if constexpr (std::is_same_v<Packet, in::Packet4f>) return _mm_stream_ps(to, values);
  if constexpr (std::is_same_v<Packet, in::Packet2d>) return _mm_stream_pd(to, values);
#endif
  in::pstoreu(to, values);
}

/// Largest entry of z[0, n), -inf when empty. Four packet accumulators keep the loads flowing;
/// a NaN may be skipped here (the exponential sums catch it).
template <class Scalar>
Scalar block_max(const Scalar* z, index_t n) {
  namespace in = Eigen::internal;
  constexpr Scalar lowest = -std::numeric_limits<Scalar>::infinity();
  if constexpr (packet_kernel<Scalar>) {
    using packet = typename in::packet_traits<Scalar>::type;
    constexpr index_t width = in::packet_traits<Scalar>::size;
    packet m0 = in::pset1<packet>(lowest), m1 = m0, m2 = m0, m3 = m0;
    index_t i = 0;
    for (; i + 4 * width <= n; i += 4 * width) {
      m0 = in::pmax(m0, in::ploadu<packet>(z + i));
      m1 = in::pmax(m1, in::ploadu<packet>(z + i + width));
      m2 = in::pmax(m2, in::ploadu<packet>(z + i + 2 * width));
      m3 = in::pmax(m3, in::ploadu<packet>(z + i + 3 * width));
    }
    for (; i + width <= n; i += width) m0 = in::pmax(m0, in::ploadu<packet>(z + i));
    if (i < n) m1 = in::pmax(m1, load_ragged<packet>(z + i, n - i));
    return in::predux_max(in::pmax(in::pmax(m0, m1), in::pmax(m2, m3)));
  } else {
    Scalar max = lowest;
    for (index_t i = 0; i < n; ++i) max = std::max(max, z[i]);
    return max;
  }
}

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

/// sum over lanes of (total - lost), in the wide type.
template <class Scalar, class Packet>
wide_t<Scalar> lane_sum(const Packet& total, const Packet& lost) {
  namespace in = Eigen::internal;
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<Packet, in::Packet16f>) {  // widen both halves, reduce in double
    const auto upper_half = [](const Packet& p) {
      return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(p), 1)));
    };
    const __m512d low = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(total)),
                                      _mm512_cvtps_pd(_mm512_castps512_ps256(lost)));
    const __m512d high = _mm512_sub_pd(upper_half(total), upper_half(lost));
    return _mm512_reduce_add_pd(_mm512_add_pd(low, high));
  }
#endif
  constexpr auto width = static_cast<std::size_t>(in::unpacket_traits<Packet>::size);
  alignas(64) std::array<Scalar, width> totals, losses;
  in::pstore(totals.data(), total);
  in::pstore(losses.data(), lost);
  wide_t<Scalar> sum = 0;
  for (std::size_t k = 0; k < width; ++k) {
    sum += static_cast<wide_t<Scalar>>(totals[k]) - static_cast<wide_t<Scalar>>(losses[k]);
  }
  return sum;
}

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
  namespace in = Eigen::internal;
  using packet = typename in::packet_traits<Scalar>::type;
  constexpr index_t width = in::packet_traits<Scalar>::size;
  const Scalar* z = task.z;
  const Scalar* ahead = task.ahead;
  Scalar* out = task.out;
  Scalar* trail = task.trail;
  const index_t n = task.n;
  const packet pbeta = in::pset1<packet>(task.beta);
  const packet pshift = in::pset1<packet>(task.shift);
  const packet pfactor = in::pset1<packet>(task.trail_factor);
  const packet zero = in::pset1<packet>(Scalar(0));
  const auto weight = [&](const packet& v) {
    const packet d = in::psub(v, pshift);
    if constexpr (UnitBeta) {
      return exp_shifted(d);
    } else {
      return exp_shifted(in::pmul(pbeta, d));
    }
  };
  const auto scale_trail = [&](index_t at) {
    if constexpr (Trail) in::pstoreu(trail + at, in::pmul(pfactor, in::ploadu<packet>(trail + at)));
  };
  packet sum0 = zero, sum1 = zero, total = zero, lost = zero;
  const auto fold = [&] {
    const packet chunk = in::psub(in::padd(sum0, sum1), lost);
    const packet next = in::padd(total, chunk);
    lost = in::psub(in::psub(next, total), chunk);
    total = next;
    sum0 = zero;
    sum1 = zero;
  };
  const auto pair = [&](index_t at) {
    const packet e0 = weight(in::ploadu<packet>(z + at));
    const packet e1 = weight(in::ploadu<packet>(z + at + width));
    if constexpr (Write) {
      if (task.stream) {
        store_streaming(out + at, e0);
        store_streaming(out + at + width, e1);
      } else {
        in::pstoreu(out + at, e0);
        in::pstoreu(out + at + width, e1);
      }
    }
    scale_trail(at);
    scale_trail(at + width);
    sum0 = in::padd(sum0, e0);
    sum1 = in::padd(sum1, e1);
  };
  packet max0 = in::pset1<packet>(-std::numeric_limits<Scalar>::infinity()), max1 = max0;
  const index_t both = std::min(n, task.ahead_n);
  constexpr index_t chunk = 16 * width;  // eight pairs, then a fold
  index_t i = 0;
  for (; i + chunk <= both; i += chunk) {
    for (index_t at = i; at < i + chunk; at += 2 * width) {
      max0 = in::pmax(max0, in::ploadu<packet>(ahead + at));
      max1 = in::pmax(max1, in::ploadu<packet>(ahead + at + width));
      pair(at);
    }
    fold();
  }
  ahead_max = std::max(in::predux_max(in::pmax(max0, max1)), block_max(ahead + i, task.ahead_n - i));
  for (; i + chunk <= n; i += chunk) {
    for (index_t at = i; at < i + chunk; at += 2 * width) pair(at);
    fold();
  }
  for (; i + 2 * width <= n; i += 2 * width) pair(i);
  for (; i + width <= n; i += width) {
    const packet e = weight(in::ploadu<packet>(z + i));
    if constexpr (Write) in::pstoreu(out + i, e);
    scale_trail(i);
    sum0 = in::padd(sum0, e);
  }
  if (i < n) {
    const packet e = weight(load_ragged<packet>(z + i, n - i));
    if constexpr (Write) store_ragged(out + i, e, n - i);
    if constexpr (Trail)
      store_ragged(trail + i, in::pmul(pfactor, load_ragged<packet>(trail + i, n - i)), n - i);
    sum1 = in::padd(sum1, e);
  }
  fold();
  return lane_sum<Scalar>(total, lost);
}

/// Multiplies n entries by `factor`.
template <class Scalar>
void scale_entries(Scalar* w, index_t n, Scalar factor) {
  namespace in = Eigen::internal;
  if constexpr (packet_kernel<Scalar>) {
    using packet = typename in::packet_traits<Scalar>::type;
    constexpr index_t width = in::packet_traits<Scalar>::size;
    const packet pfactor = in::pset1<packet>(factor);
    index_t i = 0;
    for (; i + width <= n; i += width) in::pstoreu(w + i, in::pmul(pfactor, in::ploadu<packet>(w + i)));
    if (i < n) store_ragged(w + i, in::pmul(pfactor, load_ragged<packet>(w + i, n - i)), n - i);
  } else {
    Eigen::Map<Eigen::Array<Scalar, Eigen::Dynamic, 1>>(w, n) *= factor;
  }
}

/// One block for any Scalar (long double has no packets).
template <bool Write, class Scalar>
wide_t<Scalar> shifted_exp_block(const block_task<Scalar>& task, Scalar& ahead_max) {
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
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

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
    return static_cast<Scalar>(
        scale * std::exp(static_cast<wide>(beta) * (static_cast<wide>(shift) - static_cast<wide>(max))));
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
      sum *=
          reference == lowest
              ? wide(0)
              : std::exp(static_cast<wide>(beta) * (static_cast<wide>(reference) - static_cast<wide>(shift)));
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

/// The factor that turns a column's weights against its max into its softmax: 1 / sum; 0 for an
/// all -inf column (it weighs nothing); NaN for a NaN column (it poisons that column only).
template <class Scalar>
wide_t<Scalar> softmax_scale(const column_stats<Scalar>& stats) {
  using wide = wide_t<Scalar>;
  if (std::isnan(stats.max)) return std::numeric_limits<wide>::quiet_NaN();
  return stats.sum > 0 ? wide(1) / stats.sum : wide(0);
}

/// Whether a column's weights go out with streaming stores (see stream_column_bytes).
template <class Scalar>
bool streams_column(const Scalar* weights, index_t rows, bool last) {
  if constexpr (packet_kernel<Scalar>) {
    using packet = typename Eigen::internal::packet_traits<Scalar>::type;
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
#if defined(__SSE2__)
  if (streamed) _mm_sfence();  // order the streaming stores before whatever the caller does next
#else
  static_cast<void>(streamed);
#endif
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

/// beta^-1 log(sum) shifted back by the max; -inf for an all -inf (or empty) column.
template <class Scalar>
Scalar lse_from_stats(const column_stats<Scalar>& stats, Scalar beta) {
  if (!std::isfinite(stats.max)) return stats.max;  // -inf, +inf and NaN carry over
  return stats.max + static_cast<Scalar>(std::log(stats.sum)) / beta;
}

}  // namespace hopfield::detail
