#pragma once
/// @file Reference policies: the smallest complete energy and update, each member documented.
/// They are compiled and run by the tests; copy their shape (not their naive speed) when writing
/// your own. docs/concepts.md walks through them.
#include <Eigen/Core>

#include "hopfield/core/concepts.hpp"
#include "hopfield/core/energy_gap.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield {

/// A binary energy E(s) = -1/2 s^T W s for a given symmetric W with zero diagonal, written
/// naively: the context caches nothing and every gap costs O(N).
template <Real Scalar>
class reference_energy {
 public:
  /// Required: the scalar of states and energies.
  using scalar_type = Scalar;
  /// Required by BinaryEnergyPolicy: what init_context caches between single-neuron updates.
  /// Default-constructible; real energies keep fields or overlaps here.
  struct context_type {};

  /// @throws std::invalid_argument when W is not square.
  explicit reference_energy(matrix_t<Scalar> weights) : weights_(std::move(weights)) {
    detail::require_size("reference_energy", "weights", "cols", weights_.rows(), weights_.cols());
  }

  /// Required: the state dimension N.
  [[nodiscard]] index_t dimension() const { return weights_.rows(); }

  /// Required: the energy of one state.
  [[nodiscard]] Scalar energy(const Eigen::Ref<const vector_t<Scalar>>& s) const {
    return Scalar(-0.5) * s.dot(weights_ * s);
  }

  /// Required by BinaryEnergyPolicy: (re)compute the cache for state s.
  void init_context(context_type& /*ctx*/, const Eigen::Ref<const vector_t<Scalar>>& /*s*/) const {}

  /// Required by BinaryEnergyPolicy: E(s_i = -1) - E(s_i = +1) = 2 sum_j w_ij s_j.
  [[nodiscard]] energy_gap<Scalar> gap(const context_type& /*ctx*/,
                                       const Eigen::Ref<const vector_t<Scalar>>& s, index_t i) const {
    return {Scalar(2) * weights_.row(i).dot(s), Scalar(0)};
  }

  /// Required by BinaryEnergyPolicy: negate s_i and update the cache.
  void flip(context_type& /*ctx*/, Eigen::Ref<vector_t<Scalar>> s, index_t i) const { s(i) = -s(i); }

  /// Optional: the energies of a batch of states (columns) in one pass; the engine uses it for
  /// traces and final energies of batch updates, else it calls energy() per column.
  void energies(const Eigen::Ref<const matrix_t<Scalar>>& states,
                Eigen::Ref<row_vector_t<Scalar>> out) const {
    out = Scalar(-0.5) * states.cwiseProduct(weights_ * states).colwise().sum();
  }

  /// Optional (HasBatchGaps): every gap of a batch at once; only signs are read.
  void gaps(const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<matrix_t<Scalar>> out) const {
    out.noalias() = weights_ * states;
  }

 private:
  matrix_t<Scalar> weights_;
};

/// A sweep update that visits neurons in index order 0..N-1 (no randomness) and applies the
/// sign rule. Required: sweep(energy, ctx, state, workspace) returning the flips made.
/// Optional: validate(), called by the engine before it runs, to reject bad settings, and
/// stops_when_unchanged(), false when a sweep without a change does not mean a fixed point
/// (a sampler); the engine then runs every allowed sweep.
struct reference_update {
  template <BinaryEnergyPolicy E>
  index_t sweep(const E& energy, typename E::context_type& ctx, Eigen::Ref<vector_t<scalar_of<E>>> state,
                sweep_workspace& /*ws*/) const {
    index_t flips = 0;
    for (index_t i = 0; i < energy.dimension(); ++i) {
      const auto gap = energy.gap(ctx, state, i).value;
      if ((gap > 0 && state(i) < 0) || (gap < 0 && state(i) > 0)) {
        energy.flip(ctx, state, i);
        ++flips;
      }
    }
    return flips;
  }
  void validate() const {}
  [[nodiscard]] bool stops_when_unchanged() const { return true; }
};

}  // namespace hopfield
