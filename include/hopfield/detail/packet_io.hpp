#pragma once
/// @file The packet layer under the column kernel and its exponential: packet types and widths,
/// the packet arithmetic they use, and the loads and stores the instruction sets differ on
/// (masked ragged ends, streaming stores, widening lane sums).
///
/// Eigen's packet math lives in Eigen::internal, which Eigen does not promise to keep stable.
/// This is the only header of the library that names it: everything else reaches packets through
/// namespace simd and the aliases below, so an Eigen upgrade that moves them is fixed here alone.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <Eigen/Core>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "hopfield/core/types.hpp"
#include "hopfield/detail/wide.hpp"

namespace hopfield::detail {

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // SIMD packet types as template arguments
#endif

/// The packet operations the kernel uses, as Eigen names them; the packet types tested for by
/// the instruction-set-specific paths, where this build has them.
namespace simd {
using Eigen::internal::padd;
using Eigen::internal::pandnot;
using Eigen::internal::pcast;
using Eigen::internal::pcmp_lt;
using Eigen::internal::pexp;
using Eigen::internal::pfloor;
using Eigen::internal::pload;
using Eigen::internal::ploadu;
using Eigen::internal::plogical_shift_left;
using Eigen::internal::pmadd;
using Eigen::internal::pmax;
using Eigen::internal::pmul;
using Eigen::internal::predux_max;
using Eigen::internal::preinterpret;
using Eigen::internal::pset1;
using Eigen::internal::pstore;
using Eigen::internal::pstoreu;
using Eigen::internal::psub;
#if defined(__AVX512F__)
using Eigen::internal::Packet16f;
using Eigen::internal::Packet8d;
#endif
#if defined(__AVX__)
using Eigen::internal::Packet4d;
using Eigen::internal::Packet8f;
#endif
#if defined(__SSE2__)
using Eigen::internal::Packet2d;
using Eigen::internal::Packet4f;
#endif
}  // namespace simd

/// The widest packet of Scalar this build vectorises with, and its number of lanes.
template <class Scalar>
using packet_t = typename Eigen::internal::packet_traits<Scalar>::type;
template <class Scalar>
inline constexpr index_t packet_width = Eigen::internal::packet_traits<Scalar>::size;

/// Lane type, lane count and same-width integer packet of any packet type.
template <class Packet>
using packet_scalar_t = typename Eigen::internal::unpacket_traits<Packet>::type;
template <class Packet>
inline constexpr auto packet_lanes = static_cast<std::size_t>(Eigen::internal::unpacket_traits<Packet>::size);
template <class Packet>
using integer_packet_t = typename Eigen::internal::unpacket_traits<Packet>::integer_packet;

/// Whether Scalar takes the packet paths (long double, for one, has no packets).
template <class Scalar>
inline constexpr bool packet_kernel =
    Eigen::internal::packet_traits<Scalar>::Vectorizable&& Eigen::internal::packet_traits<Scalar>::size > 1;

/// Whether Packet is float's AVX-512 packet, for which the exponential has a path of its own.
template <class Packet>
inline constexpr bool is_avx512_float_packet =
#if defined(__AVX512F__)
    std::is_same_v<Packet, simd::Packet16f>;
#else
    false;
#endif

/// Packet loads and stores of the ragged end of a block: the missing lanes read as -inf, which
/// neither raises a max nor, once exponentiated, adds to a sum.
template <class Packet, class Scalar>
Packet load_ragged(const Scalar* from, index_t count) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<Packet, simd::Packet16f>) {
    return _mm512_mask_loadu_ps(simd::pset1<Packet>(-std::numeric_limits<float>::infinity()),
                                static_cast<__mmask16>((1u << count) - 1u), from);
  } else if constexpr (std::is_same_v<Packet, simd::Packet8d>) {
    return _mm512_mask_loadu_pd(simd::pset1<Packet>(-std::numeric_limits<double>::infinity()),
                                static_cast<__mmask8>((1u << count) - 1u), from);
  }
#endif
  alignas(64) std::array<Scalar, packet_lanes<Packet>> lanes;
  lanes.fill(-std::numeric_limits<Scalar>::infinity());
  std::copy(from, from + count, lanes.begin());
  return simd::pload<Packet>(lanes.data());
}

template <class Packet, class Scalar>
void store_ragged(Scalar* to, const Packet& values, index_t count) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<Packet, simd::Packet16f>) {
    _mm512_mask_storeu_ps(to, static_cast<__mmask16>((1u << count) - 1u), values);
    return;
  } else if constexpr (std::is_same_v<Packet, simd::Packet8d>) {
    _mm512_mask_storeu_pd(to, static_cast<__mmask8>((1u << count) - 1u), values);
    return;
  }
#endif
  alignas(64) std::array<Scalar, packet_lanes<Packet>> lanes;
  simd::pstore(lanes.data(), values);
  std::copy(lanes.begin(), lanes.begin() + count, to);
}

/// Whether `to` is aligned for the streaming store of a Packet.
template <class Packet, class Scalar>
bool stream_aligned(const Scalar* to) {
  constexpr auto bytes = sizeof(Scalar) * packet_lanes<Packet>;
  return reinterpret_cast<std::uintptr_t>(to) % bytes == 0;
}

/// A non-temporal store of a whole packet to an address stream_aligned() accepts, where the
/// instruction set has one; a plain store elsewhere.
template <class Packet, class Scalar>
void store_streaming(Scalar* to, const Packet& values) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<Packet, simd::Packet16f>) return _mm512_stream_ps(to, values);
  if constexpr (std::is_same_v<Packet, simd::Packet8d>) return _mm512_stream_pd(to, values);
#endif
#if defined(__AVX__)
  if constexpr (std::is_same_v<Packet, simd::Packet8f>) return _mm256_stream_ps(to, values);
  if constexpr (std::is_same_v<Packet, simd::Packet4d>) return _mm256_stream_pd(to, values);
#endif
#if defined(__SSE2__)
  if constexpr (std::is_same_v<Packet, simd::Packet4f>) return _mm_stream_ps(to, values);
  if constexpr (std::is_same_v<Packet, simd::Packet2d>) return _mm_stream_pd(to, values);
#endif
  simd::pstoreu(to, values);
}

/// Orders the streaming stores before whatever the caller does next (they are weakly ordered);
/// nothing where store_streaming() stores plainly.
inline void fence_streaming_stores() {
#if defined(__SSE2__)
  _mm_sfence();
#endif
}

/// sum over lanes of (total - lost), in the wide type.
template <class Scalar, class Packet>
wide_t<Scalar> lane_sum(const Packet& total, const Packet& lost) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<Packet, simd::Packet16f>) {  // widen both halves, reduce in double
    const auto upper_half = [](const Packet& p) {
      return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(p), 1)));
    };
    const __m512d low = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(total)),
                                      _mm512_cvtps_pd(_mm512_castps512_ps256(lost)));
    const __m512d high = _mm512_sub_pd(upper_half(total), upper_half(lost));
    return _mm512_reduce_add_pd(_mm512_add_pd(low, high));
  }
#endif
  constexpr auto width = packet_lanes<Packet>;
  alignas(64) std::array<Scalar, width> totals, losses;
  simd::pstore(totals.data(), total);
  simd::pstore(losses.data(), lost);
  wide_t<Scalar> sum = 0;
  for (std::size_t k = 0; k < width; ++k) {
    sum += static_cast<wide_t<Scalar>>(totals[k]) - static_cast<wide_t<Scalar>>(losses[k]);
  }
  return sum;
}

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

}  // namespace hopfield::detail
