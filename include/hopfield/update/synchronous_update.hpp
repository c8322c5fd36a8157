#pragma once
/// @file Synchronous updates: every neuron of every state at once, s <- sign(gap(s)), a tie
/// keeping the current value (a NaN gap throws std::overflow_error: it is not a tie). The energy may rise and
/// the dynamics may end in a 2-cycle, which the engine detects and reports.
#include <cmath>

#include "hopfield/core/concepts.hpp"

namespace hopfield {

struct synchronous_update {
  /// One step for a batch (columns). Uses the energy's batch gaps (one matrix product for the
  /// shipped energies); otherwise falls back to per-neuron gaps through a context.
  template <BinaryEnergyPolicy E>
  void step(const E& energy, const Eigen::Ref<const matrix_t<scalar_of<E>>>& states,
            Eigen::Ref<matrix_t<scalar_of<E>>> out) const {
    using Scalar = scalar_of<E>;
    if constexpr (HasBatchGaps<E>) {
      energy.gaps(states, out);
    } else {
      typename E::context_type ctx;
      for (index_t j = 0; j < states.cols(); ++j) {
        energy.init_context(ctx, states.col(j));
        for (index_t i = 0; i < states.rows(); ++i) out(i, j) = energy.gap(ctx, states.col(j), i).value;
      }
    }
    if (out.hasNaN()) {
      for (index_t j = 0; j < out.cols(); ++j) {
        for (index_t i = 0; i < out.rows(); ++i) {
          if (std::isnan(out(i, j))) detail::throw_nan_gap("synchronous_update", i);
        }
      }
    }
    out = (out.array() > Scalar(0))
              .select(Scalar(1), (out.array() < Scalar(0)).select(Scalar(-1), states.array()));
  }
};

}  // namespace hopfield
