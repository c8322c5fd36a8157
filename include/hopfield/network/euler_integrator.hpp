#pragma once
/// @file Explicit Euler on a continuous-time network: x <- x + dt dx/dt for every state of a batch,
/// as a batch update of the shared retrieval engine. A state stops when its time derivative,
/// (x_next - x) / dt, is at most the tolerance in the max norm (the engine's stopping seam), so
/// retrieve() reports steps, the energy and its trace like every other memory.
#include <cmath>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield {

struct euler_integrator {
  double dt = 0.01;  ///< the time step, > 0 (stability needs dt below the smallest tau)

  /// @throws std::invalid_argument when dt is not finite and > 0.
  void validate() const { detail::require_positive_finite("euler_integrator", "dt", dt); }

  /// out = states + dt * dx/dt (out may not alias states).
  template <class Network>
  requires requires(const Network& n, const Eigen::Ref<const matrix_t<typename Network::scalar_type>>& s,
                    Eigen::Ref<matrix_t<typename Network::scalar_type>> o) {
    n.time_derivative(s, o);
  }
  void step(const Network& network, const Eigen::Ref<const matrix_t<typename Network::scalar_type>>& states,
            Eigen::Ref<matrix_t<typename Network::scalar_type>> out) const {
    using Scalar = typename Network::scalar_type;
    network.time_derivative(states, out);
    out = states + static_cast<Scalar>(dt) * out;
  }

  /// The stopping seam: |dx/dt|_max = |next - current|_max / dt <= tolerance.
  template <class Network, class A, class B>
  bool converged(const Network& /*network*/, const A& next, const B& current, double tolerance) const {
    return static_cast<double>((next - current).cwiseAbs().maxCoeff()) <= tolerance * dt;
  }
};

}  // namespace hopfield
