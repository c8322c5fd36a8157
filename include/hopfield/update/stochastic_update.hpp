#pragma once
/// @file Glauber dynamics at temperature T: neurons in a fresh random order each sweep, and
/// P(s_i = +1) = 1 / (1 + exp(-gap_i / T)) with gap_i = E(s_i = -1) - E(s_i = +1).
/// T = 0 is the deterministic asynchronous rule. The coins come from the engine's seeded stream.
#include <cmath>

#include "hopfield/core/concepts.hpp"
#include "hopfield/core/random.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield {

struct stochastic_update {
  double temperature = 1.0;  ///< T >= 0, in energy units

  /// @throws std::invalid_argument when the temperature is negative or not finite.
  void validate() const {
    detail::require_non_negative_finite("stochastic_update", "temperature", temperature);
  }

  /// At T > 0 a sweep without a flip is one more sample, not a fixed point: the engine then runs
  /// all options.max_steps sweeps (reported as step_limit). At T = 0 it stops like asynchronous_update.
  [[nodiscard]] bool stops_when_unchanged() const { return temperature == 0; }

  /// Probability that neuron i ends at +1 given its gap (exact magnitude, saturating).
  template <Real Scalar>
  [[nodiscard]] double probability_up(const energy_gap<Scalar>& gap) const {
    if (gap.value == 0) return 0.5;
    if (temperature == 0) return gap.value > 0 ? 1.0 : 0.0;
    const double log_x = std::log(std::abs(static_cast<double>(gap.value))) +
                         static_cast<double>(gap.log_scale) - std::log(temperature);
    if (log_x > 6.0) return gap.value > 0 ? 1.0 : 0.0;  // |gap| / T > 400: exp(-400) is 0 in double
    const double x = gap.value > 0 ? std::exp(log_x) : -std::exp(log_x);
    return 1.0 / (1.0 + std::exp(-x));
  }

  /// One sweep; returns the neurons that changed.
  template <BinaryEnergyPolicy E>
  index_t sweep(const E& energy, typename E::context_type& ctx, Eigen::Ref<vector_t<scalar_of<E>>> state,
                sweep_workspace& ws) const {
    random_permutation(ws.rng, energy.dimension(), ws.order);
    index_t flips = 0;
    for (const index_t i : ws.order) {
      const auto gap = energy.gap(ctx, state, i);
      if (std::isnan(gap.value) || std::isnan(gap.log_scale)) detail::throw_nan_gap("stochastic_update", i);
      const double p_up = probability_up(gap);
      const bool up = uniform_unit(ws.rng) < p_up;
      if (up != (state(i) > 0)) {
        energy.flip(ctx, state, i);
        ++flips;
      }
    }
    return flips;
  }
};

}  // namespace hopfield
