#pragma once
/// @file The Bogacki-Shampine 3(2) embedded Runge-Kutta method with error control, for
/// hopfield::integrate (network/integration.hpp): every state of a batch keeps its own step size,
/// grown or shrunk after each attempt from the difference between the third- and second-order
/// solutions. It evaluates the right-hand side three times per step and reuses the last evaluation
/// (first same as last), which also gives the energy of the new state for free (the network's
/// fused evaluate()), so the energy guard costs nothing extra.
#include <algorithm>
#include <cmath>
#include <limits>

#include "hopfield/core/validation.hpp"

namespace hopfield {

struct bogacki_shampine_integrator {
  double initial_dt = 0.01;                                 ///< the first step tried, > 0
  double relative_tolerance = 1e-6;                         ///< local error per step, relative to |x|, > 0
  double absolute_tolerance = 1e-9;                         ///< local error per step near x = 0, > 0
  double max_dt = std::numeric_limits<double>::infinity();  ///< the largest step allowed, > 0

  /// @throws std::invalid_argument when a step or tolerance is not > 0 (max_dt may be infinite),
  ///         or initial_dt exceeds max_dt.
  void validate() const {
    constexpr std::string_view fn = "bogacki_shampine_integrator";
    detail::require_positive_finite(fn, "initial_dt", initial_dt);
    detail::require_positive_finite(fn, "relative_tolerance", relative_tolerance);
    detail::require_positive_finite(fn, "absolute_tolerance", absolute_tolerance);
    if (!(max_dt > 0) || std::isnan(max_dt)) detail::throw_invalid(fn, "max_dt", "a value > 0", max_dt);
    if (initial_dt > max_dt) detail::throw_invalid(fn, "initial_dt", "at most max_dt", initial_dt);
  }

  /// The next step from the current one and the error norm (1 = exactly the tolerance): the
  /// usual 0.9 err^(-1/3) with growth at most 5x and shrinkage at most 5x per attempt.
  [[nodiscard]] double next_dt(double dt, double error) const {
    const double factor = error == 0 ? 5.0 : std::clamp(0.9 * std::cbrt(1.0 / error), 0.2, 5.0);
    return std::min(dt * factor, max_dt);
  }
};

}  // namespace hopfield
