#pragma once
/// @file Interaction functions F of a Dense Associative Memory, E(s) = -sum_mu F(x^mu . s), and
/// the protocol a user-defined F follows (concept InteractionFunction).
///
/// Shipped: polynomial (F(x) = x^n), rectified_polynomial (F(x) = max(x, 0)^n), both one
/// template (basic_polynomial), and exponential (F(x) = exp(x)). For +-1 patterns the
/// asynchronous decision for neuron i reads g(a) = F(a + 1) - F(a - 1) at a = m_mu - x_i^mu s_i
/// (Krotov & Hopfield 2016; docs/dense.md, "The update"), so an interaction is mostly about
/// computing g without overflow.
///
/// The protocol (only `operator()` is required; the memory detects the rest with
/// `if constexpr (requires ...)` and falls back otherwise):
/// - required  `S operator()(S x) const`: F(x) for the memory's scalar S.
/// - optional  `S difference(S a) const`: a numerically safe F(a + 1) - F(a - 1) (the fallback
///   evaluates F twice and subtracts).
/// - optional, as a pair: `scale(S max_overlap, S max_abs_overlap) const`, returning any type
///   with a member `S log_scale`, and `S scaled_difference(S a, const Scale&) const` returning
///   (F(a + 1) - F(a - 1)) * exp(-log_scale). The memory calls scale() once per state (again
///   after each flip) with the largest overlap and the largest |overlap|, so every a it then asks
///   about satisfies |a| <= max_abs_overlap + 1 and a <= max_overlap + 1. Use it when F overflows
///   at the overlaps you expect; the factor is positive, so it never changes a decision.
/// - optional  `void scaled_differences(std::span<const S> a, const Scale&, std::span<S> out) const`:
///   the same for a block of up to detail::difference_block values, vectorised.
/// - optional  `template <Real Acc, class D> signed_log<Acc> log_sum(const Eigen::MatrixBase<D>& m) const`:
///   sign and log|sum_mu F(m_mu)| without overflow (the fallback sums F in long double).
/// - optional  `template <Real S> void validate(std::string_view function) const` or
///   `void validate() const`: reject bad settings with std::invalid_argument.
/// A default-constructible, copyable type with only `operator()` (a captureless lambda works)
/// is enough; tests/unit/test_dense_custom.cpp and docs/dense.md show both kinds.
#include <algorithm>
#include <cmath>
#include <concepts>
#include <limits>
#include <numbers>
#include <span>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/signed_log.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield {

// ---------------------------------------------------------------------------------------------
// The protocol as concepts
// ---------------------------------------------------------------------------------------------

/// Required of every interaction: a regular value type with `F(x)` as `operator()` for Scalar.
/// Satisfied by polynomial, rectified_polynomial, exponential and user types.
template <class I, class Scalar>
concept InteractionFunction = Real<Scalar> && std::semiregular<I> && requires(const I& f, Scalar x) {
  { f(x) } -> std::convertible_to<Scalar>;
};

/// Optional: a numerically safe F(a + 1) - F(a - 1).
template <class I, class Scalar>
concept HasSafeDifference = requires(const I& f, Scalar a) {
  { f.difference(a) } -> std::convertible_to<Scalar>;
};

/// Optional: the scaled difference with its per-state scale.
template <class I, class Scalar>
concept HasScaledDifference = requires(const I& f, Scalar a) {
  { f.scale(a, a).log_scale } -> std::convertible_to<Scalar>;
  { f.scaled_difference(a, f.scale(a, a)) } -> std::convertible_to<Scalar>;
};

/// Optional, with HasScaledDifference: scaled differences for a block at once.
template <class I, class Scalar>
concept HasBlockDifferences = HasScaledDifference<I, Scalar> &&
    requires(const I& f, Scalar a, std::span<const Scalar> in, std::span<Scalar> out) {
  f.scaled_differences(in, f.scale(a, a), out);
};

/// Optional: sign and log|sum_mu F(m_mu)| computed in Acc without overflow.
template <class I, class Scalar>
concept HasLogSum = requires(const I& f, const vector_t<Scalar>& m) {
  { f.template log_sum<Scalar>(m) } -> std::same_as<signed_log<Scalar>>;
};

namespace detail {

/// Values per block of the vectorised difference kernels (a few KiB of stack, stays in L1).
inline constexpr index_t difference_block = 256;

/// Largest degree whose scaled powers stay normal in Scalar: the dominant scaled term is at least
/// 4^-n (see power_scale), so 4^-n must not underflow.
template <Real Scalar>
inline constexpr int max_degree = -std::numeric_limits<Scalar>::min_exponent / 2;

/// k with 2^(k-1) < value <= 2^k, for value >= 1.
template <Real Scalar>
int ceil_log2(Scalar value) {
  int exponent = 0;
  const Scalar mantissa = std::frexp(value, &exponent);  // value = mantissa 2^exponent, mantissa in [0.5, 1)
  return mantissa == Scalar(0.5) ? exponent - 1 : exponent;
}

/// x^n by squaring (n >= 1): the same rounding for x and for x * 2^k.
template <class Acc>
Acc integer_power(Acc x, int n) {
  Acc result = 1;
  for (;;) {
    if ((n & 1) != 0) result *= x;
    n >>= 1;
    if (n == 0) return result;
    x *= x;
  }
}

/// out = base^n elementwise by squaring (n >= 1); base is overwritten.
template <class Scalar>
void power_block(Scalar* base, Scalar* out, index_t len, int n) {
  using array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
  Eigen::Map<array> b(base, len);
  Eigen::Map<array> r(out, len);
  bool first = true;
  for (;;) {
    if ((n & 1) != 0) {
      if (first) {
        r = b;
        first = false;
      } else {
        r *= b;
      }
    }
    n >>= 1;
    if (n == 0) return;
    b = b.square();
  }
}

template <Real Scalar>
void validate_degree(std::string_view function, int degree) {
  if (degree < 2 || degree > max_degree<Scalar>) {
    throw_invalid(function, "degree",
                  "an integer in [2, " + std::to_string(max_degree<Scalar>) + "] (the upper bound is " +
                      "for this scalar; use a wider one beyond it)",
                  degree);
  }
}

}  // namespace detail

/// Scale of the (rectified) polynomial: an exact power of two A = 2^k with A >= bound + 2, so every
/// (a +- 1) / A lies in [-1, 1]. Dividing by a power of two rounds exactly as the unscaled
/// arithmetic does wherever that is finite, so the scaling cannot change any decision.
template <Real Scalar>
struct power_scale {
  Scalar inverse = 1;    ///< 1 / A
  Scalar log_scale = 0;  ///< n log A
};

namespace detail {

template <Real Scalar>
power_scale<Scalar> make_power_scale(Scalar bound, int degree) {
  const int k = ceil_log2(std::max(bound, Scalar(0)) + Scalar(2));
  return {std::ldexp(Scalar(1), -k),
          static_cast<Scalar>(degree) * static_cast<Scalar>(k) * std::numbers::ln2_v<Scalar>};
}

/// What the power is taken of: x, or its positive part max(x, 0) when Rectified.
template <bool Rectified, class Scalar>
Scalar power_base(Scalar x) {
  if constexpr (Rectified) {
    return std::max(x, Scalar(0));
  } else {
    return x;
  }
}

/// Block of ((a + 1) / A)^n - ((a - 1) / A)^n, the positive parts only when Rectified.
template <bool Rectified, Real Scalar>
void power_differences(std::span<const Scalar> a, const power_scale<Scalar>& scale, int degree,
                       std::span<Scalar> out) {
  using array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
  alignas(64) Scalar up[difference_block];
  alignas(64) Scalar down[difference_block];
  alignas(64) Scalar down_power[difference_block];
  const auto total = static_cast<index_t>(a.size());
  for (index_t start = 0; start < total; start += difference_block) {
    const index_t len = std::min(difference_block, total - start);
    const Eigen::Map<const array> in(a.data() + start, len);
    Eigen::Map<array> result(out.data() + start, len);
    // The scaled bases (a +- 1) / A as expressions (positive parts when Rectified). The common
    // degrees run as one fused pass; the others by squaring, a pass per step.
    const auto base = [&](const auto& shifted) {
      if constexpr (Rectified) {
        return (shifted * scale.inverse).max(Scalar(0));
      } else {
        return shifted * scale.inverse;
      }
    };
    const auto u_expr = [&] { return base(in + Scalar(1)); };
    const auto v_expr = [&] { return base(in - Scalar(1)); };
    if (degree == 2) {
      result = u_expr().square() - v_expr().square();
      continue;
    }
    if (degree == 3) {
      result = u_expr().cube() - v_expr().cube();
      continue;
    }
    if (degree == 4) {
      result = u_expr().square().square() - v_expr().square().square();
      continue;
    }
    Eigen::Map<array> u(up, len);
    Eigen::Map<array> v(down, len);
    u = u_expr();
    v = v_expr();
    power_block(up, out.data() + start, len, degree);
    power_block(down, down_power, len, degree);
    Eigen::Map<array>(out.data() + start, len) -= Eigen::Map<const array>(down_power, len);
  }
}

/// sign and log|sum_mu F(m_mu)| for (rectified) powers, summed in Acc after dividing by 2^k.
template <bool Rectified, Real Acc, class Derived>
signed_log<Acc> power_log_sum(const Eigen::MatrixBase<Derived>& m, int degree) {
  const auto count = m.size();
  if (count == 0) return {};
  Acc bound = 0;
  for (index_t mu = 0; mu < count; ++mu) {
    const auto v = static_cast<Acc>(m(mu));
    bound = std::max(bound, Rectified ? v : std::abs(v));
  }
  const int k = ceil_log2(std::max(bound, Acc(1)));
  const Acc inverse = std::ldexp(Acc(1), -k);
  Acc sum = 0;
  for (index_t mu = 0; mu < count; ++mu) {
    const Acc v = static_cast<Acc>(m(mu)) * inverse;
    sum += integer_power(power_base<Rectified>(v), degree);
  }
  if (sum == 0) return {};
  return {
      sum > 0 ? Acc(1) : Acc(-1),
      std::log(std::abs(sum)) + static_cast<Acc>(degree) * static_cast<Acc>(k) * std::numbers::ln2_v<Acc>};
}

}  // namespace detail

/// F(x) = x^n (polynomial) or F(x) = max(x, 0)^n (rectified_polynomial), n >= 2 (Krotov &
/// Hopfield 2016). One template because the two differ only in taking the positive part before
/// the power (and in what bounds the overlaps that matter, see scale()); an aggregate, so
/// `polynomial{.degree = 3}` and `{.degree = 3}` as a memory's option work.
///
/// polynomial: n = 2 is the classical network up to constants. Even n give E(s) = E(-s): a memory
/// and its negation are equally good minima, so count recalls with |overlap| (docs/dense.md).
/// rectified_polynomial: only memories on the state's side of the hyperplane count, so even
/// degrees do not also attract the negated patterns. n = 2 corresponds to a ReLU network.
template <bool Rectified>
struct basic_polynomial {
  int degree = 3;  ///< n, in [2, detail::max_degree<Scalar>] (62 for float, 510 for double)

  /// @throws std::invalid_argument when the degree is below 2 or above max_degree for Scalar.
  template <Real Scalar>
  void validate(std::string_view function) const {
    detail::validate_degree<Scalar>(function, degree);
  }
  template <Real Scalar>
  Scalar operator()(Scalar x) const {
    return detail::integer_power(detail::power_base<Rectified>(x), degree);
  }
  /// Scaled by the largest |overlap|; rectified, by the largest positive overlap, since negative
  /// overlaps contribute nothing.
  template <Real Scalar>
  power_scale<Scalar> scale(Scalar max_overlap, Scalar max_abs_overlap) const {
    return detail::make_power_scale(Rectified ? max_overlap : max_abs_overlap, degree);
  }
  template <Real Scalar>
  Scalar scaled_difference(Scalar a, const power_scale<Scalar>& s) const {
    return detail::integer_power(detail::power_base<Rectified>((a + 1) * s.inverse), degree) -
           detail::integer_power(detail::power_base<Rectified>((a - 1) * s.inverse), degree);
  }
  template <Real Scalar>
  void scaled_differences(std::span<const Scalar> a, const power_scale<Scalar>& s,
                          std::span<Scalar> out) const {
    detail::power_differences<Rectified>(a, s, degree, out);
  }
  template <Real Acc, class Derived>
  signed_log<Acc> log_sum(const Eigen::MatrixBase<Derived>& m) const {
    return detail::power_log_sum<Rectified, Acc>(m, degree);
  }
};

/// F(x) = x^n (see basic_polynomial).
using polynomial = basic_polynomial<false>;
/// F(x) = max(x, 0)^n (see basic_polynomial).
using rectified_polynomial = basic_polynomial<true>;

/// Scale of the exponential: the shift c = max_mu m_mu, with exp(a - c) <= e for every a asked.
template <Real Scalar>
struct shift_scale {
  Scalar shift = 0;      ///< c
  Scalar log_scale = 0;  ///< c + log(2 sinh 1)
};

/// F(x) = exp(x) (Demircigil et al. 2017): capacity exponential in N. The difference is
/// F(a + 1) - F(a - 1) = 2 sinh(1) exp(a), evaluated as exp(a - c) with the positive factor
/// 2 sinh(1) exp(c) carried in log_scale, so nothing overflows at any N.
struct exponential {
  template <Real Scalar>
  Scalar operator()(Scalar x) const {
    return std::exp(x);
  }
  template <Real Scalar>
  Scalar difference(Scalar a) const {
    return Scalar(2) * std::sinh(Scalar(1)) * std::exp(a);
  }
  template <Real Scalar>
  shift_scale<Scalar> scale(Scalar max_overlap, Scalar /*max_abs_overlap*/) const {
    return {max_overlap, max_overlap + std::log(Scalar(2) * std::sinh(Scalar(1)))};
  }
  template <Real Scalar>
  Scalar scaled_difference(Scalar a, const shift_scale<Scalar>& s) const {
    return std::exp(a - s.shift);
  }
  template <Real Scalar>
  void scaled_differences(std::span<const Scalar> a, const shift_scale<Scalar>& s,
                          std::span<Scalar> out) const {
    using array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
    const auto len = static_cast<index_t>(a.size());
    Eigen::Map<array>(out.data(), len) = (Eigen::Map<const array>(a.data(), len) - s.shift).exp();
  }
  /// log sum_mu exp(m_mu), shifted by the largest overlap.
  template <Real Acc, class Derived>
  signed_log<Acc> log_sum(const Eigen::MatrixBase<Derived>& m) const {
    if (m.size() == 0) return {};
    Acc top = -std::numeric_limits<Acc>::infinity();
    for (index_t mu = 0; mu < m.size(); ++mu) top = std::max(top, static_cast<Acc>(m(mu)));
    Acc sum = 0;
    for (index_t mu = 0; mu < m.size(); ++mu) sum += std::exp(static_cast<Acc>(m(mu)) - top);
    return {Acc(1), top + std::log(sum)};
  }
};

}  // namespace hopfield
