#pragma once
/// @file Vector-Jacobian product of the classical energy (energy/quadratic_energy.hpp),
/// E(s) = -1/2 s^T W s + theta^T s, for a batch of states (columns) and upstream u (one number
/// per state), the states taken as real vectors (the continuous relaxation of +-1 states):
///   dE/ds     = -W s + theta,
///   dE/dW     = -1/2 s s^T,
///   dE/dtheta = s,
/// each weighted by u_j and summed over the batch. dE/dW treats every entry of W as a free
/// variable; it is symmetric, and its diagonal, -1/2 s_i^2, is what a zero-diagonal
/// parametrisation drops. A parameter w shared by W_ij and W_ji has derivative 2 (dE/dW)_ij.
/// Cost O(N^2 B); memory N x N for dE/dW.
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/energy/quadratic_energy.hpp"
#include "hopfield/gradient/detail/checks.hpp"

namespace hopfield {

/// Gradients of sum_j u_j E(s_j) for the classical energy.
template <Real Scalar>
struct quadratic_energy_gradients {
  matrix_t<Scalar> states;      ///< N x B
  matrix_t<Scalar> weights;     ///< N x N
  vector_t<Scalar> thresholds;  ///< N
};

/// VJP of the energies of `states` (N x B, any real entries) for upstream u (1 x B).
/// @throws std::invalid_argument when the states are not N x B or not finite, or u is not 1 x B
///         or not finite.
template <Real Scalar, class DS, class DU>
quadratic_energy_gradients<Scalar> quadratic_energy_vjp(const quadratic_energy<Scalar>& energy,
                                                        const Eigen::MatrixBase<DS>& states,
                                                        const Eigen::MatrixBase<DU>& upstream) {
  constexpr std::string_view f = "quadratic_energy_vjp";
  detail::require_size(f, "states", "rows", energy.dimension(), states.rows());
  detail::require_finite(f, "states", states);
  detail::require_upstream(f, "upstream", upstream, 1, states.cols());
  const matrix_t<Scalar> s = states;
  const row_vector_t<Scalar> u = upstream;
  // W s from the stored form raw / d, the scaling applied once to the product.
  const matrix_t<Scalar> fields = (energy.raw_weights() * s) / energy.weight_denominator();
  quadratic_energy_gradients<Scalar> out;
  out.states = (-fields).colwise() + energy.thresholds();
  out.states = out.states * u.asDiagonal();
  const matrix_t<Scalar> outer = (s * u.asDiagonal()) * s.transpose();
  // The product's rounding need not be symmetric; the mean of it and its transpose is, exactly.
  out.weights = Scalar(-0.25) * (outer + outer.transpose());
  out.thresholds.noalias() = s * u.transpose();
  detail::require_finite_result(f, "the states", out.states);
  detail::require_finite_result(f, "the weights", out.weights);
  detail::require_finite_result(f, "the thresholds", out.thresholds);
  return out;
}

}  // namespace hopfield
