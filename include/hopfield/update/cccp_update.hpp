#pragma once
/// @file The concave-convex procedure step for continuous energies (Ramsauer et al. 2020): for
/// the modern Hopfield energy it is xi <- X softmax(beta X^T xi). The energy never increases.
#include "hopfield/core/concepts.hpp"

namespace hopfield {

struct cccp_update {
  template <ContinuousEnergyPolicy E>
  void step(const E& energy, const Eigen::Ref<const matrix_t<scalar_of<E>>>& states,
            Eigen::Ref<matrix_t<scalar_of<E>>> out) const {
    energy.cccp_step(states, out);
  }
};

}  // namespace hopfield
