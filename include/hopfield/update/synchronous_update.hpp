#pragma once
/// @file Synchronous updates: every neuron of every state at once, s <- sign(gap(s)), a tie
/// keeping the current value. The energy may rise and the dynamics may end in a 2-cycle, which
/// the engine detects and reports.
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
    out = (out.array() > Scalar(0))
              .select(Scalar(1), (out.array() < Scalar(0)).select(Scalar(-1), states.array()));
  }
};

}  // namespace hopfield
