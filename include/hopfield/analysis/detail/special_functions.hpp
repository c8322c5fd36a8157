#pragma once
/// @file Special functions the capacity formulas need: the upper (principal) branch W0 of the
/// Lambert W function, the standard normal quantile and the double factorial. Double precision,
/// no dependencies beyond <cmath>.
#include <cmath>
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

/// Phi^-1(q): the standard normal quantile for q in (0, 1) (the caller validates q). Newton's
/// iteration on Phi(z) = erfc(-z / sqrt 2) / 2 from a logistic start; uses erfc for the upper
/// tail so small tail probabilities keep their relative accuracy.
inline double normal_quantile(double q) {
  const double upper = 1.0 - q;  // the tail probability on the right
  const bool right = q > 0.5;
  const double tail = right ? upper : q;  // in (0, 0.5]
  // Start: the tail approximation z ~ sqrt(-2 ln tail) corrected (Abramowitz & Stegun 26.2.23).
  const double t = std::sqrt(-2.0 * std::log(tail));
  double z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
                     (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  // Refine z so that the upper tail Q(z) = erfc(z / sqrt 2) / 2 equals `tail`.
  for (int iteration = 0; iteration < 50; ++iteration) {
    const double q_z = 0.5 * std::erfc(z / std::numbers::sqrt2);
    const double density = std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
    if (density == 0.0) break;
    const double step = (q_z - tail) / density;  // Q'(z) = -density
    z += step;
    if (std::abs(step) <= 1e-15 * (1.0 + std::abs(z))) break;
  }
  return right ? z : -z;
}

/// k!! = k (k - 2) (k - 4) ... down to 1 or 2; (-1)!! = 0!! = 1.
inline double double_factorial(int k) {
  double result = 1.0;
  for (int i = k; i > 1; i -= 2) result *= static_cast<double>(i);
  return result;
}

}  // namespace hopfield::detail
