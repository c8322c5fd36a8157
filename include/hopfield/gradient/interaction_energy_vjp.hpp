#pragma once
/// @file Vector-Jacobian product of the dense associative memory's energy
/// (energy/interaction_energy.hpp), E(s) = -sum_mu F(x_mu . s), for a batch of states (columns)
/// and upstream u (one number per state), states and patterns taken as real (the continuous
/// relaxation of +-1 entries). With m = X^T s:
///   dE/ds = -X F'(m),   dE/dX = -s F'(m)^T,
/// each weighted by u_j and summed over the batch. F' comes from interaction_derivative: the
/// shipped interactions have theirs (n x^(n-1); n max(x, 0)^(n-1); exp(x)), and a user's
/// interaction joins with a member `S derivative(S x) const`; without one the VJP does not
/// compile (DifferentiableInteraction), rather than guess a derivative.
/// Blocks of 256 patterns: memory O(256 B) beyond the results; cost O(N M B).
#include <algorithm>
#include <cmath>
#include <concepts>
#include <stdexcept>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/energy/interaction_energy.hpp"
#include "hopfield/energy/interactions.hpp"
#include "hopfield/gradient/detail/checks.hpp"

namespace hopfield {

/// Optional member of an interaction: its derivative F'(x).
template <class I, class Scalar>
concept HasInteractionDerivative = requires(const I& f, Scalar x) {
  { f.derivative(x) } -> std::convertible_to<Scalar>;
};

/// F'(x) of the (rectified) polynomial: n x^(n-1), or n max(x, 0)^(n-1).
template <Real Scalar, bool Rectified>
Scalar interaction_derivative(const basic_polynomial<Rectified>& f, Scalar x) {
  return static_cast<Scalar>(f.degree) *
         detail::integer_power(detail::power_base<Rectified>(x), f.degree - 1);
}

/// F'(x) of the exponential: exp(x).
template <Real Scalar>
Scalar interaction_derivative(const exponential& /*f*/, Scalar x) {
  return std::exp(x);
}

/// F'(x) of a user's interaction, from its `derivative` member.
template <Real Scalar, class I>
requires HasInteractionDerivative<I, Scalar> Scalar interaction_derivative(const I& f, Scalar x) {
  return static_cast<Scalar>(f.derivative(x));
}

/// An interaction whose derivative the gradient room can evaluate. Satisfied by polynomial,
/// rectified_polynomial, exponential and user types with a `derivative` member.
template <class I, class Scalar>
concept DifferentiableInteraction = requires(const I& f, Scalar x) {
  { interaction_derivative<Scalar>(f, x) } -> std::convertible_to<Scalar>;
};

/// Gradients of sum_j u_j E(s_j) for the dense energy.
template <Real Scalar>
struct interaction_energy_gradients {
  matrix_t<Scalar> states;    ///< N x B
  matrix_t<Scalar> patterns;  ///< N x M
};

/// VJP of the energies of `states` (N x B, any real entries) for upstream u (1 x B).
/// @throws std::invalid_argument when the states are not N x B or not finite, or u is not 1 x B
///         or not finite; std::overflow_error when F'(m) is not finite (the exponential at
///         overlaps above about 88 in float, 709 in double).
template <Real Scalar, class Interaction, class DS, class DU>
requires DifferentiableInteraction<Interaction, Scalar> interaction_energy_gradients<Scalar>
interaction_energy_vjp(const interaction_energy<Scalar, Interaction>& energy,
                       const Eigen::MatrixBase<DS>& states, const Eigen::MatrixBase<DU>& upstream) {
  constexpr std::string_view f = "interaction_energy_vjp";
  detail::require_size(f, "states", "rows", energy.dimension(), states.rows());
  detail::require_finite(f, "states", states);
  detail::require_upstream(f, "upstream", upstream, 1, states.cols());
  const matrix_t<Scalar> s = states;
  const row_vector_t<Scalar> u = upstream;
  const matrix_t<Scalar> x = energy.patterns();  // column-major copy: blocks of patterns are columns
  const index_t count = s.cols(), size = x.cols();
  interaction_energy_gradients<Scalar> out;
  out.states.setZero(s.rows(), count);
  out.patterns.resize(x.rows(), size);
  const matrix_t<Scalar> weighted = -(s * u.asDiagonal());
  const index_t block = std::min<index_t>(size, 256);
  matrix_t<Scalar> slopes(block, count);
  for (index_t start = 0; start < size; start += block) {
    const index_t m = std::min(block, size - start);
    auto g = slopes.topRows(m);
    g.noalias() = x.middleCols(start, m).transpose() * s;
    for (index_t j = 0; j < count; ++j) {
      for (index_t i = 0; i < m; ++i) {
        const Scalar d = interaction_derivative<Scalar>(energy.interaction(), g(i, j));
        if (!std::isfinite(d)) {
          throw std::overflow_error("hopfield::interaction_energy_vjp: F'(m) of pattern " +
                                    std::to_string(start + i) + " and state " + std::to_string(j) +
                                    " is not finite: the overlap is too large for the scalar type");
        }
        g(i, j) = d;
      }
    }
    out.patterns.middleCols(start, m).noalias() = weighted * g.transpose();
    out.states.noalias() -= x.middleCols(start, m) * (g * u.asDiagonal());
  }
  detail::require_finite_result(f, "the states", out.states);
  detail::require_finite_result(f, "the patterns", out.patterns);
  return out;
}

}  // namespace hopfield
