#pragma once
/// @file Theoretical storage capacities of the library's memories, each with its source (the
/// table in docs/capacity.md, "Theory functions", lists them). All take and return double: they
/// are formulas, not kernels. Every function validates its arguments and throws
/// std::invalid_argument (naming the function and the argument) for sizes or parameters outside
/// the formula's domain. Every accepted argument gives a number, never NaN: a count beyond double's
/// range is +inf and one below its smallest positive value is 0 (the exponential and
/// Krotov-Hopfield formulas are evaluated in log space so that this is the only rounding).
///
/// Capacities are numbers of patterns M (not loads M / N) and are asymptotic statements: at the
/// sizes a laptop reaches they are estimates, which docs/capacity.md compares with measurements.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <string_view>

#include "hopfield/analysis/detail/special_functions.hpp"
#include "hopfield/core/errors.hpp"

namespace hopfield {

namespace detail {
inline void require_neurons(std::string_view function, double n) {
  // ln N must be positive (and N finite) for every formula with a logarithm.
  if (!(std::isfinite(n) && n >= 2.0)) throw_invalid(function, "n", "a finite number of neurons >= 2", n);
}
inline void require_capacity_degree(std::string_view function, int degree) {
  if (degree < 2) throw_invalid(function, "degree", "an interaction degree >= 2", degree);
}
inline void require_flip_fraction(std::string_view function, double rho) {
  if (!(rho >= 0.0 && rho < 0.5))
    throw_invalid(function, "rho", "a fraction of flipped bits in [0, 0.5)", rho);
}
inline void require_error_rate(std::string_view function, double rate) {
  if (!(rate > 0.0 && rate < 0.5))
    throw_invalid(function, "error_rate", "a bit error rate in (0, 0.5)", rate);
}
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Classical Hopfield network
// ---------------------------------------------------------------------------------------------

/// The critical load alpha_c = M / N of the Hebbian network (Amit, Gutfreund & Sompolinsky 1985,
/// Phys. Rev. Lett. 55, 1530): above it the retrieval states vanish; at it a retrieved pattern
/// still has about 1.5% wrong bits (overlap m ~= 0.967).
inline constexpr double ags_critical_load = 0.138;

/// alpha_c N: the Hebbian capacity under the AGS criterion (retrieval state with overlap near 0.97).
/// @throws std::invalid_argument when n is not finite and >= 2.
inline double ags_capacity(double n) {
  detail::require_neurons("ags_capacity", n);
  return ags_critical_load * n;
}

/// Which McEliece capacity: every pattern recovered at once, or each given pattern with high
/// probability (a vanishing fraction may fail).
enum class mceliece_requirement { all_patterns, each_pattern };

/// McEliece, Posner, Rodemich & Venkatesh 1987 (IEEE Trans. Inf. Theory 33, 461): the Hebbian
/// network recovers its patterns without error from up to rho N flipped bits when
/// M <= (1 - 2 rho)^2 N / (4 ln N) (all patterns) or (1 - 2 rho)^2 N / (2 ln N) (each pattern).
/// rho = 0 is the fixed-point (no-error) capacity.
/// @throws std::invalid_argument when n is not finite and >= 2, requirement is not one of the two
///         enumerators, or rho is outside [0, 0.5).
inline double mceliece_capacity(double n,
                                mceliece_requirement requirement = mceliece_requirement::all_patterns,
                                double rho = 0.0) {
  detail::require_neurons("mceliece_capacity", n);
  if (requirement != mceliece_requirement::all_patterns &&
      requirement != mceliece_requirement::each_pattern) {
    detail::throw_invalid("mceliece_capacity", "requirement", "all_patterns (0) or each_pattern (1)",
                          static_cast<int>(requirement));
  }
  detail::require_flip_fraction("mceliece_capacity", rho);
  const double factor = requirement == mceliece_requirement::all_patterns ? 4.0 : 2.0;
  const double shrink = (1.0 - 2.0 * rho) * (1.0 - 2.0 * rho);
  return shrink * n / (factor * std::log(n));
}

/// Storkey 1997 (ICANN, "Increasing the capacity of a Hopfield network without sacrificing
/// functionality"): the Storkey rule stores about N / sqrt(2 ln N) patterns as fixed points, against
/// N / (2 ln N) for the Hebbian rule.
/// @throws std::invalid_argument when n is not finite and >= 2.
inline double storkey_capacity(double n) {
  detail::require_neurons("storkey_capacity", n);
  return n / std::sqrt(2.0 * std::log(n));
}

/// The pseudo-inverse (projection) rule W = X (X^T X)^-1 X^T (Personnaz, Guyon & Dreyfus 1985;
/// Kanter & Sompolinsky 1987) makes every one of up to N linearly independent patterns a fixed
/// point; with the diagonal removed, as here, that holds for M < N (W_ii = M / N < 1 on average).
/// @throws std::invalid_argument when n is not finite and >= 2.
inline double pseudo_inverse_capacity(double n) {
  detail::require_neurons("pseudo_inverse_capacity", n);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Dense Associative Memory
// ---------------------------------------------------------------------------------------------

namespace detail {
/// ln((2n - 3)!!) for an interaction degree n >= 2, in 64-bit arithmetic.
inline double log_krotov_double_factorial(int degree) {
  return log_double_factorial(2 * static_cast<std::int64_t>(degree) - 3);
}
/// ln alpha_n = -ln((2n - 3)!!) - 2 ln z, z = Q^-1(error_rate) (finite for every accepted argument).
inline double log_krotov_hopfield_alpha(int degree, double error_rate) {
  return -log_krotov_double_factorial(degree) - 2.0 * std::log(normal_upper_quantile(error_rate));
}
}  // namespace detail

/// Krotov & Hopfield 2016 (NeurIPS, "Dense Associative Memory for Pattern Recognition", section 2
/// and appendix B): with F(x) = x^n and no errors allowed,
/// K_max ~= N^(n-1) / (2 (2n-3)!! ln N). At N = 100 this gives about 11, 360 and 7240 patterns for
/// n = 2, 3, 4, the numbers printed in the paper. n = 2 is the classical N / (2 ln N).
/// Evaluated in log space (64-bit degree arithmetic, ln (2n-3)!! from the Gamma function), so every
/// accepted (N, n) gives a number: +inf when the count exceeds double's range (about 1.8e308: at
/// N = 1e4 from n = 162 on, at N = 1e10 from n = 38) and 0 when it is below the smallest positive
/// double (at N = 100 from n = 540 on, where (2n-3)!! outgrows N^(n-1)). Never NaN.
/// @throws std::invalid_argument when n is not finite and >= 2 or degree < 2.
inline double krotov_hopfield_capacity(double n, int degree) {
  detail::require_neurons("krotov_hopfield_capacity", n);
  detail::require_capacity_degree("krotov_hopfield_capacity", degree);
  const double log_n = std::log(n);
  return std::exp(static_cast<double>(degree - 1) * log_n - std::numbers::ln2 -
                  detail::log_krotov_double_factorial(degree) - std::log(log_n));
}

/// The constant alpha_n of K = alpha_n N^(n-1) when a fraction `error_rate` of bits may be wrong
/// after one update (Krotov & Hopfield 2016): the one-step signal-to-noise ratio of a neuron is
/// Delta^2 = N^(n-1) / ((2n-3)!! K), the error rate is Phi(-Delta), so
/// alpha_n = 1 / ((2n-3)!! z^2) with z = Phi^-1(1 - error_rate) = Q^-1(error_rate), the upper-tail
/// normal quantile, computed from the error rate itself (accurate down to the smallest positive
/// double). (Setting z^2 = 2 ln N gives krotov_hopfield_capacity.) Evaluated in log space: 0 when
/// alpha_n is below the smallest positive double (large degrees), never NaN or inf (z^2 >= 1.9e-32).
/// @throws std::invalid_argument when degree < 2 or error_rate is outside (0, 0.5).
inline double krotov_hopfield_alpha(int degree, double error_rate) {
  detail::require_capacity_degree("krotov_hopfield_alpha", degree);
  detail::require_error_rate("krotov_hopfield_alpha", error_rate);
  return std::exp(detail::log_krotov_hopfield_alpha(degree, error_rate));
}

/// alpha_n N^(n-1): the Krotov-Hopfield capacity with a fraction error_rate of wrong bits allowed.
/// Evaluated in log space like krotov_hopfield_capacity: +inf above double's range, 0 below it,
/// never NaN (the product of an underflowed alpha_n and an overflowed N^(n-1) is not formed).
/// @throws std::invalid_argument when n is not finite and >= 2, degree < 2 or error_rate is
///         outside (0, 0.5).
inline double krotov_hopfield_capacity_with_errors(double n, int degree, double error_rate) {
  constexpr std::string_view fn = "krotov_hopfield_capacity_with_errors";
  detail::require_neurons(fn, n);
  detail::require_capacity_degree(fn, degree);
  detail::require_error_rate(fn, error_rate);
  return std::exp(detail::log_krotov_hopfield_alpha(degree, error_rate) +
                  static_cast<double>(degree - 1) * std::log(n));
}

/// The Cramer rate function of a fair +-1 coin, I(a) = 1/2 [(1+a) ln(1+a) + (1-a) ln(1-a)] for
/// a in [-1, 1] (I(+-1) = ln 2). Accurate to a few ulp and >= 0 everywhere: near 0, where the two
/// terms cancel to a^2 / 2, it is evaluated as |a| atanh|a| + ln(1 - a^2) / 2; elsewhere with
/// log1p, so 1 +- a is never rounded.
/// @throws std::invalid_argument when a is outside [-1, 1].
inline double cramer_rate(double a) {
  if (!(a >= -1.0 && a <= 1.0)) detail::throw_invalid("cramer_rate", "a", "a value in [-1, 1]", a);
  const double m = std::abs(a);  // I is even
  if (m < 0.5) return m * std::atanh(m) + 0.5 * std::log1p(-m * m);
  // (1 - m) ln(1 - m) -> 0 as m -> 1 (and 1 - m is exact here).
  const double low = m < 1.0 ? (1.0 - m) * std::log1p(-m) : 0.0;
  return 0.5 * ((1.0 + m) * std::log1p(m) + low);
}

/// The largest rate alpha of M = exp(alpha N) for the exponential interaction (Demircigil,
/// Heusel, Loewe, Upgang & Vermet 2017, J. Stat. Phys. 168, 288; restated by Ramsauer et al. 2020,
/// Theorem A10): every pattern is recovered in one asynchronous sweep from rho N flipped bits when
/// alpha < I(1 - 2 rho) / 2. At rho = 0 this is ln 2 / 2, about 2^(N/2) patterns. Positive for
/// every rho in [0, 0.5) (1 - 2 rho is exact there), about (1 - 2 rho)^2 / 4 near 0.5.
/// @throws std::invalid_argument when rho is outside [0, 0.5).
inline double demircigil_rate(double rho = 0.0) {
  detail::require_flip_fraction("demircigil_rate", rho);
  return cramer_rate(1.0 - 2.0 * rho) / 2.0;
}

/// exp(demircigil_rate(rho) N), the bound itself (+inf beyond double's range, N of about 2000).
/// @throws std::invalid_argument when n is not finite and >= 2 or rho is outside [0, 0.5).
inline double demircigil_capacity(double n, double rho = 0.0) {
  detail::require_neurons("demircigil_capacity", n);
  detail::require_flip_fraction("demircigil_capacity", rho);  // named as this function, not the rate
  return std::exp(demircigil_rate(rho) * n);
}

// ---------------------------------------------------------------------------------------------
// Continuous modern Hopfield network
// ---------------------------------------------------------------------------------------------

/// The terms of Ramsauer et al. 2020 ("Hopfield Networks is All You Need", ICLR 2021), Theorem 3.
/// a, log_c and log_capacity are always finite; b, c and capacity are +inf where they exceed
/// double's range and 0 where they are below its smallest positive value (their logarithms say
/// how far).
struct ramsauer_capacity_bound {
  double a = 0;             ///< 2 / (d - 1) (1 + ln(2 beta K^2 p (d - 1)))
  double b = 0;             ///< 2 K^2 beta / 5
  double c = 0;             ///< b / W0(exp(a + ln b))
  double capacity = 0;      ///< sqrt(p) c^((d - 1) / 4) patterns
  double log_c = 0;         ///< ln c
  double log_capacity = 0;  ///< ln capacity = ln(p) / 2 + (d - 1) / 4 ln c
  /// The theorem's condition c >= (2 / sqrt(p))^(4 / (d - 1)) (compared as logarithms, so it is
  /// decided correctly when c or capacity is out of double's range); the bound is proven only when
  /// true.
  bool valid = false;
};

/// The largest dimension ramsauer_capacity accepts, 2^53 (every integer up to it is a double).
inline constexpr double ramsauer_max_dimension = 9007199254740992.0;

/// Ramsauer et al. 2020, Theorem 3: for M random patterns on the sphere of radius K sqrt(d - 1) in
/// R^d and inverse temperature beta, with probability 1 - p every pattern is stored and retrieved
/// (with an exponentially small error after one update) when M <= sqrt(p) c^((d-1)/4), where
/// c = b / W0(exp(a + ln b)) with the terms above and W0 the upper branch of Lambert W. The paper
/// prints c = 3.1546 for beta = 1, K = 3, d = 20, p = 0.001 and c = 1.3718 for beta = 1, K = 1,
/// d = 75, p = 0.001. A lower bound: measured capacities are far larger.
/// Evaluated in log space: ln c = omega(a + ln b) - a with omega(y) = W0(e^y) (the Wright omega
/// function, computed without forming e^y), and the logarithm of 2 beta K^2 p (d - 1) as a sum of
/// logarithms. So every accepted argument gives finite a, log_c and log_capacity and an honest
/// `valid`; b, c and capacity are +inf (or 0) only where the true value is beyond double's range
/// (K = 1e160, beta = 1e300, ...). Never NaN.
/// @throws std::invalid_argument when dimension is not finite and in [2, 2^53], beta or
///         radius_factor is not finite and > 0, or failure_probability is outside (0, 1].
inline ramsauer_capacity_bound ramsauer_capacity(double dimension, double beta, double radius_factor,
                                                 double failure_probability) {
  constexpr std::string_view fn = "ramsauer_capacity";
  if (!(dimension >= 2.0 && dimension <= ramsauer_max_dimension)) {
    detail::throw_invalid(fn, "dimension", "a finite dimension d in [2, 2^53]", dimension);
  }
  if (!(std::isfinite(beta) && beta > 0.0)) detail::throw_invalid(fn, "beta", "a finite value > 0", beta);
  if (!(std::isfinite(radius_factor) && radius_factor > 0.0)) {
    detail::throw_invalid(fn, "radius_factor", "a finite value > 0", radius_factor);
  }
  if (!(failure_probability > 0.0 && failure_probability <= 1.0)) {
    detail::throw_invalid(fn, "failure_probability", "a probability in (0, 1]", failure_probability);
  }
  const double d1 = dimension - 1.0;
  const double log_beta = std::log(beta);
  const double log_k2 = 2.0 * std::log(radius_factor);
  const double log_p = std::log(failure_probability);
  // Each logarithm is within [-745, 710] and 2 / d1 <= 2, so every term below is finite.
  const double log_b = std::log(0.4) + log_k2 + log_beta;
  ramsauer_capacity_bound r;
  r.a = 2.0 / d1 * (1.0 + std::numbers::ln2 + log_beta + log_k2 + log_p + std::log(d1));
  const double direct_b = 2.0 * (radius_factor * radius_factor) * beta / 5.0;
  r.b = std::isnormal(direct_b) ? direct_b : std::exp(log_b);  // the product where it did not overflow
  // c = b / W0(exp(L)), L = a + ln b; W0(e^L) = omega(L) and ln omega(L) = L - omega(L).
  r.log_c = detail::wright_omega(r.a + log_b) - r.a;
  r.c = std::exp(r.log_c);
  r.log_capacity = 0.5 * log_p + d1 / 4.0 * r.log_c;
  r.capacity = std::exp(r.log_capacity);
  // c >= (2 / sqrt(p))^(4 / (d - 1))  <=>  ln c >= 4 / (d - 1) (ln 2 - ln(p) / 2).
  r.valid = r.log_c >= 4.0 / d1 * (std::numbers::ln2 - 0.5 * log_p);
  return r;
}

}  // namespace hopfield
