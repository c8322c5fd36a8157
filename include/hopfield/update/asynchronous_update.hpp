#pragma once
/// @file Asynchronous updates: one neuron at a time, in a fresh random order each sweep,
/// s_i <- sign(gap_i) where gap_i = E(s_i = -1) - E(s_i = +1); a tie keeps s_i, so the energy
/// never increases. Converged = a sweep without a flip. A NaN gap throws std::overflow_error.
#include <cmath>

#include "hopfield/core/concepts.hpp"
#include "hopfield/core/random.hpp"

namespace hopfield {

struct asynchronous_update {
  /// One sweep over every neuron in a random order drawn from ws.rng. Returns the flips made.
  template <BinaryEnergyPolicy E>
  index_t sweep(const E& energy, typename E::context_type& ctx, Eigen::Ref<vector_t<scalar_of<E>>> state,
                sweep_workspace& ws) const {
    using Scalar = scalar_of<E>;
    random_permutation(ws.rng, energy.dimension(), ws.order);
    index_t flips = 0;
    for (const index_t i : ws.order) {
      const Scalar gap = energy.gap(ctx, state, i).value;
      if (std::isnan(gap)) detail::throw_nan_gap("asynchronous_update", i);
      if ((gap > 0 && state(i) < 0) || (gap < 0 && state(i) > 0)) {
        energy.flip(ctx, state, i);
        ++flips;
      }
    }
    return flips;
  }
};

}  // namespace hopfield
