#pragma once
/// @file The damped CCCP step xi <- (1 - eta) xi + eta X softmax(beta X^T xi): explicit Euler on
/// the continuous modern network with eta = dt / tau (Krotov & Hopfield 2021, model B).
/// For 0 < eta <= 2 the energy never increases: the CCCP step minimises a quadratic upper bound
/// U of E that touches E at xi, and U along the segment is U(X p) + (1 - eta)^2 |xi - X p|^2 / 2,
/// which is <= U(xi) = E(xi) exactly when |1 - eta| <= 1. eta = 1 is cccp_update.
#include <cmath>

#include "hopfield/core/concepts.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield {

struct damped_cccp_update {
  double eta = 0.5;  ///< step size in (0, 2] for a guaranteed descent; any finite eta > 0 runs

  /// @throws std::invalid_argument when eta is not finite and > 0.
  void validate() const { detail::require_positive_finite("damped_cccp_update", "eta", eta); }

  template <ContinuousEnergyPolicy E>
  void step(const E& energy, const Eigen::Ref<const matrix_t<scalar_of<E>>>& states,
            Eigen::Ref<matrix_t<scalar_of<E>>> out) const {
    using Scalar = scalar_of<E>;
    energy.cccp_step(states, out);
    const auto e = static_cast<Scalar>(eta);
    out = (Scalar(1) - e) * states + e * out;
  }
};

}  // namespace hopfield
