#pragma once
/// @file The members every memory shares, written once: retrieve, energy and energies, with the
/// same meaning and argument order for the classical, dense and modern memories. A memory derives
/// from memory_interface<Memory, DefaultUpdate> (CRTP) and supplies `energy_type`,
/// `energy_policy()` and `static constexpr std::string_view name`.
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/concepts.hpp"
#include "hopfield/core/results.hpp"
#include "hopfield/memory/retrieval_engine.hpp"

namespace hopfield {

template <class Memory, class DefaultUpdate>
class memory_interface {
 public:
  /// Retrieves from one query (a vector: retrieval_result) or a batch (columns:
  /// batch_retrieval_result) through hopfield::retrieve, by the memory's default update unless
  /// another is given, with per-call options (an unset tolerance is the energy's own). The same
  /// as hopfield::retrieve(energy_policy(), update, queries, options), report for report.
  /// @throws std::invalid_argument as hopfield::retrieve: queries of the wrong dimension, an
  ///         empty batch, entries that are not +-1 (binary memories) or not finite (continuous
  ///         ones), max_steps <= 0, a negative tolerance, or an update that rejects its settings.
  // M = Memory makes the constraint depend on this member's own parameters, so that it is checked
  // at the call (Memory is complete there), not when the memory's class derives from this one.
  template <class Derived, class Update = DefaultUpdate, class M = Memory>
  requires UpdatePolicy<Update, typename M::energy_type>
  [[nodiscard]] auto retrieve(const Eigen::MatrixBase<Derived>& queries,
                              const retrieval_options& options = {}, const Update& update = {}) const {
    return hopfield::retrieve(self().energy_policy(), update, queries, options);
  }

  /// The energy of one state (one column of N entries).
  /// @throws std::invalid_argument (naming "<memory>::energy") for a state of another shape or
  ///         with entries that are not +-1 (binary memories) or not finite (continuous ones).
  template <class Derived, class M = Memory>
  requires EnergyPolicy<typename M::energy_type>
  [[nodiscard]] auto energy(const Eigen::MatrixBase<Derived>& state) const {
    return detail::memory_energy(self().energy_policy(), std::string(Memory::name) + "::energy", state);
  }

  /// The energy of every column of `states` (N x B), in one pass where the energy has one.
  /// @throws std::invalid_argument (naming "<memory>::energies") as energy.
  template <class Derived, class M = Memory>
  requires EnergyPolicy<typename M::energy_type>
  [[nodiscard]] auto energies(const Eigen::MatrixBase<Derived>& states) const {
    return detail::memory_energies(self().energy_policy(), std::string(Memory::name) + "::energies", states);
  }

 protected:
  memory_interface() = default;

 private:
  [[nodiscard]] const Memory& self() const { return static_cast<const Memory&>(*this); }
};

}  // namespace hopfield
