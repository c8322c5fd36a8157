#pragma once
/// @file Special functions the capacity formulas need: the upper (principal) branch W0 of the
/// Lambert W function and its log-argument form (the Wright omega function), the standard normal
/// quantile of an upper tail probability, and the double factorial and its logarithm. Double
/// precision, no dependencies beyond <cmath>. The callers validate the arguments.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

namespace hopfield::detail {

/// W0(x): the solution w >= -1 of w e^w = x, for x >= -1/e (the caller validates x).
/// Starts from a series near the branch point, log asymptotics for large x, then Halley's
/// iteration, which converges cubically; 1 ulp-level accuracy in a handful of steps.
inline double lambert_w0(double x) {
  constexpr double inv_e = 1.0 / std::numbers::e;
  if (x == 0.0) return 0.0;
  if (x <= -inv_e) return -1.0;  // the branch point (and tiny rounding below it)
  if (std::isinf(x)) return x;
  double w = 0.0;
  if (x < 1.0) {
    // Series in p = sqrt(2 (e x + 1)) around the branch point: w = -1 + p - p^2/3 + 11 p^3/72.
    const double p = std::sqrt(2.0 * (std::numbers::e * x + 1.0));
    w = x < -0.25 ? -1.0 + p - p * p / 3.0 + 11.0 / 72.0 * p * p * p : x / (1.0 + x);
  } else {
    const double l = std::log(x);
    w = x < 3.0 ? 0.5 * l + 0.3 : l - std::log(l);
  }
  for (int iteration = 0; iteration < 64; ++iteration) {
    const double e = std::exp(w);
    const double f = w * e - x;
    const double wp1 = w + 1.0;
    if (wp1 == 0.0) break;
    // Halley: w -= f / (e (w + 1) - (w + 2) f / (2 (w + 1))).
    const double step = f / (e * wp1 - (w + 2.0) * f / (2.0 * wp1));
    w -= step;
    if (std::abs(step) <= 4.0 * std::numeric_limits<double>::epsilon() * (1.0 + std::abs(w))) break;
  }
  return w;
}

/// omega(y) = W0(exp(y)) for every y (the Wright omega function on the real line): the solution
/// w > 0 of w + ln w = y. Never forms exp(y), so it is finite for every finite y (about y - ln y
/// for large y, about exp(y) for very negative y); +inf at +inf, 0 at -inf, NaN for NaN.
inline double wright_omega(double y) {
  if (std::isnan(y)) return y;
  if (y == std::numeric_limits<double>::infinity()) return y;
  // w = e^y (1 - e^y + ...): below y = -40 the correction is under 1e-17, beneath rounding.
  if (y < -40.0) return std::exp(y);
  if (y <= 1.0) return lambert_w0(std::exp(y));  // exp(y) <= e: no overflow
  // Newton on f(w) = w + ln w - y (f' = 1 + 1/w, f concave), from w = y - ln y >= 1.
  double w = y - std::log(y);
  for (int iteration = 0; iteration < 64; ++iteration) {
    const double step = (w + std::log(w) - y) / (1.0 + 1.0 / w);
    w -= step;
    if (std::abs(step) <= 2.0 * std::numeric_limits<double>::epsilon() * w) break;
  }
  return w;
}

/// ln Q(z) and the Mills ratio R(z) = Q(z) / phi(z) for z >= 0, Q the upper tail of the standard
/// normal distribution and phi its density. Q from std::erfc while it is a normal double; beyond
/// (z > 37.5, where Q is subnormal and erfc loses its relative accuracy) ln Q from
/// ln Q = -z^2 / 2 - ln sqrt(2 pi) + ln R with R from its continued fraction
/// R = 1 / (z + 1 / (z + 2 / (z + 3 / (z + ...)))), which converges fast for large z.
struct log_upper_tail_value {
  double log_tail = 0;
  double mills_ratio = 0;
};
inline log_upper_tail_value log_upper_tail(double z) {
  constexpr double log_sqrt_two_pi = 0.91893853320467274178032973640561764;  // ln sqrt(2 pi)
  const double zz = z * z;
  const double zz_error = std::fma(z, z, -zz);  // z^2 = zz + zz_error exactly
  const double log_density = -0.5 * zz - 0.5 * zz_error - log_sqrt_two_pi;
  const double tail = 0.5 * std::erfc(z / std::numbers::sqrt2);
  if (tail >= std::numeric_limits<double>::min()) {
    return {std::log(tail), tail / std::exp(log_density)};
  }
  double t = z;
  for (int k = 60; k >= 1; --k) t = z + static_cast<double>(k) / t;
  const double mills = 1.0 / t;
  return {log_density + std::log(mills), mills};
}

/// Q^-1(tail): the z with P(Z > z) = tail for a standard normal Z, for tail in (0, 1) (the caller
/// validates it). Accurate to a few ulp over the whole range, down to the smallest subnormal tail
/// (4.9e-324 gives 38.4674...): it works with the tail itself and never with 1 - tail, so small
/// tails keep their relative accuracy. Starts from P. J. Acklam's rational approximation of the
/// normal quantile (relative error below 1.2e-9) and refines it with Newton's iteration on
/// ln Q(z) = ln tail (on erf(z / sqrt 2) / 2 = 1/2 - tail near the centre, where 1/2 - tail is
/// exact), which converges quadratically: one or two steps.
inline double normal_upper_quantile(double tail) {
  if (tail > 0.5) return -normal_upper_quantile(1.0 - tail);  // 1 - tail is exact on [0.5, 1]
  if (tail == 0.5) return 0.0;
  constexpr double eps = std::numeric_limits<double>::epsilon();
  // Acklam's approximation of the lower quantile Phi^-1(tail) (negative here), negated.
  double z = 0.0;
  if (tail < 0.02425) {
    const double q = std::sqrt(-2.0 * std::log(tail));
    const double num =
        ((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q -
          2.549732539343734e+00) *
             q +
         4.374664141464968e+00) *
            q +
        2.938163982698783e+00;
    const double den =
        (((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q +
         3.754408661907416e+00) *
            q +
        1.0;
    z = -num / den;
  } else {
    const double q = tail - 0.5;
    const double r = q * q;
    const double num =
        (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r +
           1.383577518672690e+02) *
              r -
          3.066479806614716e+01) *
             r +
         2.506628277459239e+00) *
        q;
    const double den =
        ((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r - 1.556989798598866e+02) * r +
          6.680131188771972e+01) *
             r -
         1.328068155288572e+01) *
            r +
        1.0;
    z = -num / den;
  }
  if (tail >= 0.25) {
    // Near the centre: solve erf(z / sqrt 2) / 2 = 1/2 - tail (exact by Sterbenz), phi as slope.
    const double half_minus_tail = 0.5 - tail;
    for (int iteration = 0; iteration < 16; ++iteration) {
      const double density = std::exp(-0.5 * z * z) / (std::numbers::sqrt2 * std::sqrt(std::numbers::pi));
      const double step = (0.5 * std::erf(z / std::numbers::sqrt2) - half_minus_tail) / density;
      z -= step;
      if (!(std::abs(step) > eps * std::abs(z))) break;
    }
    return z;
  }
  // In the tail: Newton on g(z) = ln Q(z) - ln tail, g'(z) = -1 / R(z).
  const double log_tail = std::log(tail);
  for (int iteration = 0; iteration < 16; ++iteration) {
    const auto [log_q, mills] = log_upper_tail(z);
    const double step = (log_q - log_tail) * mills;
    z += step;
    if (!(std::abs(step) > eps * z)) break;
  }
  return z;
}

/// Phi^-1(q): the standard normal quantile for q in (0, 1) (the caller validates q). Through
/// normal_upper_quantile, so both tails keep their relative accuracy: Phi^-1(q) = -Q^-1(q) for
/// q < 1/2 and Q^-1(1 - q) (1 - q exact) above.
inline double normal_quantile(double q) {
  return q < 0.5 ? -normal_upper_quantile(q) : normal_upper_quantile(1.0 - q);
}

/// k!! = k (k - 2) (k - 4) ... down to 1 or 2; (-1)!! = 0!! = 1. +inf once it exceeds double's
/// range (k > 300), after at most 150 multiplications.
inline double double_factorial(int k) {
  double result = 1.0;
  for (int i = k; i > 1 && std::isfinite(result); i -= 2) result *= static_cast<double>(i);
  return result;
}

/// ln Gamma(x) for x >= 64 by Stirling's series,
/// (x - 1/2) ln x - x + ln sqrt(2 pi) + 1/(12 x) - 1/(360 x^3) + 1/(1260 x^5) - 1/(1680 x^7),
/// whose next term is below 1e-17 there. (std::lgamma writes the global signgam in glibc, a data
/// race when two threads call it.)
inline double log_gamma_large(double x) {
  constexpr double log_sqrt_two_pi = 0.91893853320467274178032973640561764;
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  const double series = inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)));
  return (x - 0.5) * std::log(x) - x + log_sqrt_two_pi + series;
}

/// ln(k!!) for k >= -1, finite for every such k (64-bit, so 2 n - 3 never overflows for an int n).
/// The product itself while it is finite (k < 256), then the Gamma function:
/// k!! = 2^(k/2) Gamma(k/2 + 1) for even k, 2^((k+1)/2) Gamma(k/2 + 1) / sqrt(pi) for odd k.
inline double log_double_factorial(std::int64_t k) {
  if (k < 256) return std::log(double_factorial(static_cast<int>(std::max<std::int64_t>(k, -1))));
  const double half = static_cast<double>(k) / 2.0;
  const double gamma_part = log_gamma_large(half + 1.0);
  if (k % 2 == 0) return half * std::numbers::ln2 + gamma_part;
  return (half + 0.5) * std::numbers::ln2 + gamma_part - 0.5 * std::log(std::numbers::pi);
}

}  // namespace hopfield::detail
