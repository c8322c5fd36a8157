#pragma once
/// @file What a retrieval returns. Non-convergence and 2-cycles are results, never exceptions.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "hopfield/core/types.hpp"

namespace hopfield {

/// Why a query stopped.
enum class stop_reason {
  converged,  ///< an update left the state unchanged (within the tolerance), or the update's own test said so
  two_cycle,  ///< a binary synchronous update returned to the state of two steps before
  step_limit,  ///< max_steps updates ran without either of the above
  time_limit,  ///< a continuous-time integration reached options.max_time before settling
};

constexpr std::string_view to_string(stop_reason reason) {
  switch (reason) {
    case stop_reason::converged:
      return "converged";
    case stop_reason::two_cycle:
      return "two_cycle";
    case stop_reason::step_limit:
      return "step_limit";
    case stop_reason::time_limit:
      return "time_limit";
  }
  return "unknown";
}

/// Options of the retrieval engine, shared by every memory.
struct retrieval_options {
  index_t max_steps = 100;  ///< update steps (sweeps or batch steps) at most, > 0
  /// A query has converged when max_i |change_i| <= tolerance * max(1, max_i |state_i|); unset
  /// means the energy's own default (`default_tolerance()`: 1e-5 in float and 1e-10 in double for
  /// the modern energy, 0 for binary energies), so a memory's retrieve(q) and
  /// hopfield::retrieve(memory.energy_policy(), update, q) behave the same.
  std::optional<double> tolerance{};
  bool record_trace = false;    ///< keep the energy before the first and after every step
  std::uint64_t seed = 0x5EED;  ///< seeds every random choice (visiting orders, Glauber coins)
};

/// The outcome for one query.
template <Real Scalar>
struct query_report {
  bool converged = false;
  index_t steps = 0;  ///< updates applied, including the one that found the state unchanged
  Scalar energy = 0;  ///< energy of the final state
  stop_reason reason = stop_reason::step_limit;
  std::vector<Scalar> energy_trace;  ///< when asked: initial energy, then one entry per step
};

/// retrieve(vector): the final state and its report.
template <Real Scalar>
struct retrieval_result : query_report<Scalar> {
  vector_t<Scalar> state;
};

/// retrieve(matrix): the final states (columns) and one report per query.
template <Real Scalar>
struct batch_retrieval_result {
  matrix_t<Scalar> states;
  std::vector<query_report<Scalar>> reports;

  [[nodiscard]] bool all_converged() const {
    for (const auto& r : reports) {
      if (!r.converged) return false;
    }
    return true;
  }
};

}  // namespace hopfield
