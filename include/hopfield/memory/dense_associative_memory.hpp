#pragma once
/// @file The Dense Associative Memory (Krotov & Hopfield 2016; Demircigil et al. 2017):
/// E(s) = -sum_mu F(x^mu . s) over +-1 patterns, run by the shared retrieval engine.
///
///   hopfield::dense_associative_memory<float, hopfield::rectified_polynomial> dam(X, {.degree = 3});
///   hopfield::dense_associative_memory<float, hopfield::exponential> edam(X);
///   auto r = dam.retrieve(q);                                        // asynchronous by default
///   auto rb = dam.retrieve(Q, options, hopfield::synchronous_update{}); // a batch, one product per step
///
/// docs/dense.md describes the interactions, the update, the numerics and capacity.
#include <utility>

#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/concepts.hpp"
#include "hopfield/core/results.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/energy/interaction_energy.hpp"
#include "hopfield/energy/interactions.hpp"
#include "hopfield/memory/memory_interface.hpp"
#include "hopfield/memory/retrieval_engine.hpp"
#include "hopfield/update/asynchronous_update.hpp"

namespace hopfield {

/// Stores +-1 patterns (columns of an N x M matrix) under an interaction F: polynomial (the
/// default, F(x) = x^n), rectified_polynomial (max(x, 0)^n), exponential (exp(x)) or any type
/// satisfying InteractionFunction. The interaction value is the memory's option: `{.degree = 3}`.
/// retrieve (asynchronous updates by default; deterministic for a given options.seed), energy
/// (-sum_mu F(x^mu . s), saturating to +-inf where Scalar cannot hold it: use log_energy there)
/// and energies come from memory_interface.
template <Real Scalar, class Interaction = polynomial>
requires InteractionFunction<Interaction, Scalar>
class dense_associative_memory
    : public memory_interface<dense_associative_memory<Scalar, Interaction>, asynchronous_update> {
 public:
  using scalar_type = Scalar;
  using interaction_type = Interaction;
  using energy_type = interaction_energy<Scalar, Interaction>;
  /// The memory's options are its interaction's settings: `{.degree = 3}`.
  using options_type = Interaction;
  static constexpr std::string_view name = "dense_associative_memory";

  /// @throws std::invalid_argument when the patterns are empty or hold an entry other than +-1,
  ///         or when the interaction rejects its settings (polynomials: degree outside
  ///         [2, detail::max_degree<Scalar>]).
  template <class Derived>
  explicit dense_associative_memory(const Eigen::MatrixBase<Derived>& patterns, Interaction interaction = {})
      : energy_(checked(patterns, interaction), interaction), patterns_(patterns.template cast<Scalar>()) {}

  /// The energy as sign * exp(log_abs) (signed_log), representable at every N: for the
  /// exponential, sign = -1 and log_abs = logsumexp_mu(x^mu . s).
  /// @throws std::invalid_argument when s has the wrong length or an entry other than +-1.
  template <class Derived>
  [[nodiscard]] signed_log<Scalar> log_energy(const Eigen::MatrixBase<Derived>& s) const {
    check_state("dense_associative_memory::log_energy", s);
    return energy_.log_energy(s.template cast<Scalar>());
  }

  /// The stored patterns, N x M (one per column), column-major like every memory's (the energy
  /// keeps its own row-major copy for neuron-major sweeps).
  [[nodiscard]] const matrix_t<Scalar>& patterns() const { return patterns_; }
  /// N, the number of neurons.
  [[nodiscard]] index_t dimension() const { return energy_.dimension(); }
  /// M, the number of stored patterns.
  [[nodiscard]] index_t size() const { return energy_.size(); }
  [[nodiscard]] const Interaction& interaction() const { return energy_.interaction(); }
  /// The options (the interaction) the memory was built with.
  [[nodiscard]] const options_type& options() const { return energy_.interaction(); }
  /// The energy policy, to combine with other updates or call hopfield::retrieve directly.
  [[nodiscard]] const energy_type& energy_policy() const { return energy_; }

 private:
  template <class Derived>
  static const Eigen::MatrixBase<Derived>& checked(const Eigen::MatrixBase<Derived>& patterns,
                                                   const Interaction& interaction) {
    detail::validate_interaction<Scalar>("dense_associative_memory", interaction);
    detail::validate_dense_patterns("dense_associative_memory", patterns);
    return patterns;
  }

  template <class Derived>
  void check_state(std::string_view function, const Eigen::MatrixBase<Derived>& s) const {
    if (s.cols() != 1) detail::throw_invalid(function, "state", "one column", s.cols());
    detail::require_size(function, "state", "rows", dimension(), s.rows());
    detail::require_binary(function, "state", s);
  }

  energy_type energy_;
  matrix_t<Scalar> patterns_;
};

}  // namespace hopfield
