#pragma once
/// @file The contract between memories, energies, updates and the retrieval engine.
///
/// A memory is an energy policy (what is minimised, and how the memory is stored) times an
/// update policy (how the state moves). Each concept is assembled from small named requirements
/// so that a compiler error names the missing piece. Reference policies that show every required
/// and optional member live in core/reference_policies.hpp; docs/concepts.md walks through them.
#include <concepts>
#include <vector>

#include <Eigen/Core>

#include "hopfield/core/energy_gap.hpp"
#include "hopfield/core/random.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield {

// ---------------------------------------------------------------------------------------------
// Energy policies
// ---------------------------------------------------------------------------------------------

/// Names its scalar: `using scalar_type = float;` (float, double or long double).
template <class E>
concept HasScalarType = requires {
  typename E::scalar_type;
}
&&Real<typename E::scalar_type>;

template <HasScalarType E>
using scalar_of = typename E::scalar_type;

/// Knows the state dimension N: `index_t dimension() const`.
template <class E>
concept HasDimension = requires(const E& e) {
  { e.dimension() } -> std::convertible_to<index_t>;
};

/// Evaluates the energy of one state: `Scalar energy(const Eigen::Ref<const vector_t<Scalar>>&) const`.
template <class E>
concept EvaluatesEnergy = HasScalarType<E> &&
    requires(const E& e, const Eigen::Ref<const vector_t<scalar_of<E>>>& state) {
  { e.energy(state) } -> std::convertible_to<scalar_of<E>>;
};

/// Every energy: a scalar type, a dimension and an energy. Satisfied by quadratic_energy,
/// interaction_energy and lse_energy.
template <class E>
concept EnergyPolicy = HasScalarType<E> && HasDimension<E> && EvaluatesEnergy<E>;

/// Caches what makes single-neuron decisions cheap (fields, overlaps) in a `context_type`:
/// `init_context(ctx, s)` (re)computes it for state s, reusing ctx's storage;
/// `gap(ctx, s, i)` returns E(s_i = -1) - E(s_i = +1) as an energy_gap;
/// `flip(ctx, s, i)` negates s_i and brings ctx up to date.
template <class E>
concept HasFlipContext = HasScalarType<E> && requires {
  typename E::context_type;
} && std::default_initializable<typename E::context_type> &&
    requires(const E& e, typename E::context_type& ctx, const typename E::context_type& const_ctx,
             const Eigen::Ref<const vector_t<scalar_of<E>>>& state,
             Eigen::Ref<vector_t<scalar_of<E>>> mutable_state, index_t i) {
  e.init_context(ctx, state);
  { e.gap(const_ctx, state, i) } -> std::same_as<energy_gap<scalar_of<E>>>;
  e.flip(ctx, mutable_state, i);
};

/// A binary (+-1) energy: single-neuron decisions through a context. Satisfied by
/// quadratic_energy and interaction_energy.
template <class E>
concept BinaryEnergyPolicy = EnergyPolicy<E> && HasFlipContext<E>;

/// Optional fast path of a binary energy: every neuron's gap for a batch of states at once,
/// `gaps(S, out)`, each column of out scaled by any positive factor (only signs are read).
template <class E>
concept HasBatchGaps = HasScalarType<E> &&
    requires(const E& e, const Eigen::Ref<const matrix_t<scalar_of<E>>>& states,
             Eigen::Ref<matrix_t<scalar_of<E>>> out) {
  e.gaps(states, out);
};

/// The concave-convex step of a continuous energy E = 1/2 |xi|^2 + concave(xi): the minimiser of
/// the convex part after linearising the concave part, for a batch of states (columns):
/// `cccp_step(Q, out)`.
template <class E>
concept HasCccpStep = HasScalarType<E> &&
    requires(const E& e, const Eigen::Ref<const matrix_t<scalar_of<E>>>& states,
             Eigen::Ref<matrix_t<scalar_of<E>>> out) {
  e.cccp_step(states, out);
};

/// A continuous energy driven by CCCP steps. Satisfied by lse_energy.
template <class E>
concept ContinuousEnergyPolicy = EnergyPolicy<E> && HasCccpStep<E>;

// ---------------------------------------------------------------------------------------------
// Update policies
// ---------------------------------------------------------------------------------------------

/// What a sequential update carries between neurons: its random stream and visiting order.
struct sweep_workspace {
  random_engine rng;
  std::vector<index_t> order;
};

/// Moves one state through one sweep of single-neuron updates, returning how many neurons
/// changed: `index_t sweep(const E&, E::context_type&, Eigen::Ref<vector_t<Scalar>>, sweep_workspace&)
/// const`.
template <class U, class E>
concept SweepUpdate = BinaryEnergyPolicy<E> &&
    requires(const U& u, const E& e, typename E::context_type& ctx, Eigen::Ref<vector_t<scalar_of<E>>> state,
             sweep_workspace& ws) {
  { u.sweep(e, ctx, state, ws) } -> std::convertible_to<index_t>;
};

/// Moves a batch of states (columns) one step at once: `void step(const E&, S, out) const`.
template <class U, class E>
concept BatchUpdate = EnergyPolicy<E> &&
    requires(const U& u, const E& e, const Eigen::Ref<const matrix_t<scalar_of<E>>>& states,
             Eigen::Ref<matrix_t<scalar_of<E>>> out) {
  u.step(e, states, out);
};

/// An update the engine can run on energy E. Satisfied by asynchronous_update,
/// stochastic_update (sweeps; binary energies), synchronous_update (batch; binary energies) and
/// cccp_update (batch; continuous energies).
template <class U, class E>
concept UpdatePolicy = SweepUpdate<U, E> || BatchUpdate<U, E>;

}  // namespace hopfield
