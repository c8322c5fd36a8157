#pragma once
/// @file The packet exponential of the column kernel. Its arguments are shifted exponents
/// beta (z - shift) <= 0, so float needs neither the overflow clamp nor the general ldexp of
/// Eigen's pexp: a Cody-Waite reduction x = m ln 2 + r, a degree-6 polynomial for exp(r) and one
/// exact power-of-two scaling. On AVX-512 that is about half the instructions of Eigen's float
/// pexp, and it is more accurate (<= 1.02 ulp over [-87.3, 0] against long double, where pexp
/// reaches 1.25). -inf gives exactly 0 and NaN stays NaN. double uses Eigen's pexp.
///
/// No result is ever subnormal: below the smallest normal number (x < log(min), -87.34 in float,
/// -708.40 in double) the result is exactly 0, and no intermediate is subnormal either. On Intel
/// cores a subnormal result costs a microcode assist of a hundred cycles or more; the masked lanes
/// that pad every ragged block end with -inf hit it once per column (15% of a 1000-row softmax).
///
/// The packet arithmetic goes through packet_io.hpp, the one header that names Eigen's internal
/// packet API.
#include <type_traits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "hopfield/detail/packet_io.hpp"

namespace hopfield::detail {

/// exp(r) for |r| <= ln(2)/2 and the power of two m with x = m ln 2 + r.
/// exp(r) = 1 + (r + r^2 p(r)): p is the degree-4 minimax fit of scripts/fit_exp_polynomial.py
/// (relative error 3.8e-9 with float coefficients), evaluated in Estrin form (five FMAs); adding
/// the 1 last keeps the low bits of r.
template <class Packet>
Packet exp_reduced_float(const Packet& x, Packet& m) {
  m = simd::pfloor(simd::pmadd(x, simd::pset1<Packet>(1.44269504088896341f), simd::pset1<Packet>(0.5f)));
  // ln 2 in two parts; the first has 9 significant bits, so m * part is exact.
  Packet r = simd::pmadd(m, simd::pset1<Packet>(-0.693359375f), x);
  r = simd::pmadd(m, simd::pset1<Packet>(2.12194440e-4f), r);
  const Packet r2 = simd::pmul(r, r);
  const Packet low =
      simd::pmadd(simd::pset1<Packet>(1.6666521132e-01f), r, simd::pset1<Packet>(4.9999994040e-01f));
  Packet high =
      simd::pmadd(simd::pset1<Packet>(8.3687100559e-03f), r, simd::pset1<Packet>(4.1668388993e-02f));
  high = simd::pmadd(simd::pset1<Packet>(1.3814612757e-03f), r2, high);
  const Packet p = simd::pmadd(high, r2, low);
  return simd::padd(simd::pmadd(p, r2, r), simd::pset1<Packet>(1.0f));
}

/// log of the smallest normal float, rounded up: every x >= this has a normal exp(x).
inline constexpr float log_smallest_normal_float = -87.3365402f;
/// The same for double.
inline constexpr double log_smallest_normal_double = -708.3964185322641;

/// Portable float version: 2^m built from its exponent bits. The clamp keeps m >= -126 (a normal
/// scale, and y >= 1 when m = -126), and entries below it are zeroed afterwards.
template <class Packet>
Packet exp_shifted_float_portable(const Packet& x) {
  using integer_packet = integer_packet_t<Packet>;
  const Packet lowest = simd::pset1<Packet>(log_smallest_normal_float);
  Packet m;
  const Packet y = exp_reduced_float(simd::pmax(x, lowest), m);
  const integer_packet biased =
      simd::padd(simd::pcast<Packet, integer_packet>(m), simd::pset1<integer_packet>(127));
  const Packet scaled = simd::pmul(y, simd::preinterpret<Packet>(simd::plogical_shift_left<23>(biased)));
  return simd::pandnot(scaled, simd::pcmp_lt(x, lowest));
}

#if defined(__AVX512F__)
/// AVX-512 version: vscalefps multiplies by 2^m in one instruction; its zero-masking drops the
/// lanes below the smallest normal without computing them (NaN compares unordered and is kept).
/// Those lanes need no clamp: whatever their reduction gives (infinities, NaN) is discarded, and
/// only subnormals, which it cannot produce there, would cost an assist.
inline simd::Packet16f exp_shifted_float_avx512(const simd::Packet16f& x) {
  simd::Packet16f m;
  const simd::Packet16f y = exp_reduced_float(x, m);
  const __mmask16 normal =
      _mm512_cmp_ps_mask(x, simd::pset1<simd::Packet16f>(log_smallest_normal_float), _CMP_NLT_UQ);
  return _mm512_maskz_scalef_ps(normal, y, m);
}
#endif

/// exp of a packet of shifted exponents x <= 0 (any value is safe; accuracy is promised for
/// x <= 0).
template <class Packet>
Packet exp_shifted(const Packet& x) {
  if constexpr (std::is_same_v<packet_scalar_t<Packet>, float>) {
#if defined(__AVX512F__)
    if constexpr (is_avx512_float_packet<Packet>)
      return exp_shifted_float_avx512(x);
    else
      return exp_shifted_float_portable(x);
#else
    return exp_shifted_float_portable(x);
#endif
  } else {
    // Eigen's pexp gives 1e-308 rather than 0 for -inf, and its subnormal results cost assists:
    // clamp, then zero what lies below the smallest normal.
    using scalar = packet_scalar_t<Packet>;
    const Packet lowest = simd::pset1<Packet>(scalar(log_smallest_normal_double));
    return simd::pandnot(simd::pexp(simd::pmax(x, lowest)), simd::pcmp_lt(x, lowest));
  }
}

}  // namespace hopfield::detail
