#pragma once
/// @file The one retrieval loop every memory runs: it applies an update policy to states under an
/// energy policy until each state stops changing, a synchronous 2-cycle appears, or the step
/// limit is reached, and reports per query. In a batch every query stops on its own.
///
/// Sweep updates (asynchronous, stochastic) run each query with its own seeded random stream
/// (derive_seed(options.seed, column)), so a query's result does not depend on the rest of the
/// batch; batch updates (synchronous, CCCP) advance the still-active queries together.
#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "hopfield/core/concepts.hpp"
#include "hopfield/core/random.hpp"
#include "hopfield/core/results.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/parallel_errors.hpp"

namespace hopfield {

namespace detail {

inline void validate_options(std::string_view function, const retrieval_options& options) {
  if (options.max_steps <= 0) {
    throw_invalid(function, "options.max_steps", "a step limit > 0", options.max_steps);
  }
  if (options.tolerance) require_non_negative_finite(function, "options.tolerance", *options.tolerance);
}

template <class E, class U, class Derived>
void validate_retrieval(std::string_view function, const E& energy, const U& update,
                        const Eigen::MatrixBase<Derived>& initial, const retrieval_options& options) {
  validate_options(function, options);
  if constexpr (requires { update.validate(); }) update.validate();
  require_size(function, "query", "rows", energy.dimension(), initial.rows());
  if (initial.cols() <= 0) throw_invalid(function, "query", "at least one column", initial.cols());
  if constexpr (BinaryEnergyPolicy<E>) {
    require_binary(function, "query", initial);
  } else {
    require_finite(function, "query", initial);
  }
}

/// The rows and entries a state of `energy` must have: N rows, +-1 entries for a binary energy,
/// finite entries otherwise.
template <class E, class Derived>
void validate_states(std::string_view function, std::string_view argument, const E& energy,
                     const Eigen::MatrixBase<Derived>& states) {
  require_size(function, argument, "rows", energy.dimension(), states.rows());
  if constexpr (BinaryEnergyPolicy<E>) {
    require_binary(function, argument, states);
  } else {
    require_finite(function, argument, states);
  }
}

/// The tolerance a retrieval runs with: the options' when set, else the energy's own
/// `default_tolerance()` (the modern energy's 1e-5 in float), else 0 (binary states: exact).
template <class E>
double resolved_tolerance(const E& energy, const retrieval_options& options) {
  if (options.tolerance) return *options.tolerance;
  if constexpr (requires {
                  { energy.default_tolerance() } -> std::convertible_to<double>;
                }) {
    return energy.default_tolerance();
  } else {
    return 0;
  }
}

template <class Scalar, class A, class B>
bool within_tolerance(const A& next, const B& current, double tolerance) {
  const Scalar change = (next - current).cwiseAbs().maxCoeff();
  if (tolerance == 0) return change == Scalar(0);
  const Scalar scale = std::max(Scalar(1), current.cwiseAbs().maxCoeff());
  return change <= static_cast<Scalar>(tolerance) * scale;
}

/// The stopping seam: whether a batch step from `current` to `next` ends the query. An update
/// policy may decide through an optional `bool converged(const E&, next, current, double
/// tolerance) const` (an ODE integrator stops on the size of the time derivative, not on the
/// change per step); otherwise the change must be within the tolerance.
template <class U, class E>
bool step_converged(const U& update, const E& energy, const Eigen::Ref<const vector_t<scalar_of<E>>>& next,
                    const Eigen::Ref<const vector_t<scalar_of<E>>>& current, double tolerance) {
  if constexpr (requires {
                  { update.converged(energy, next, current, tolerance) } -> std::convertible_to<bool>;
                }) {
    return update.converged(energy, next, current, tolerance);
  } else {
    return within_tolerance<scalar_of<E>>(next, current, tolerance);
  }
}

/// Whether a sweep without a change ends the query. Update policies may say otherwise through an
/// optional `bool stops_when_unchanged() const` (Glauber dynamics at T > 0 samples: a quiet
/// sweep is not a fixed point there).
template <class U>
bool stops_when_unchanged(const U& update) {
  if constexpr (requires {
                  { update.stops_when_unchanged() } -> std::convertible_to<bool>;
                }) {
    return update.stops_when_unchanged();
  } else {
    return true;
  }
}

/// A batch step must give finite states: a NaN would never compare as "within tolerance" and
/// would run silently to the step limit.
template <class Block>
void require_finite_step(const Block& next, index_t step) {
  if (next.allFinite()) return;
  throw std::overflow_error("hopfield::retrieve: step " + std::to_string(step) +
                            " of the update produced a non-finite state (the energy or the update "
                            "overflowed the scalar type)");
}

/// A final energy of NaN means the energy overflowed (inf - inf): never report it.
template <class Scalar>
void require_energy_not_nan(Scalar energy, index_t query) {
  if (!std::isnan(energy)) return;
  throw std::overflow_error("hopfield::retrieve: the energy of query " + std::to_string(query) +
                            " is NaN (the energy overflowed the scalar type)");
}

/// Below this many neuron visits per sweep over the whole batch, threads cost more than they save.
inline constexpr index_t parallel_sweep_threshold = 4096;

template <class E, class U>
void run_sweeps(const E& energy, const U& update, Eigen::Ref<vector_t<scalar_of<E>>> state,
                std::uint64_t stream, const retrieval_options& options, typename E::context_type& ctx,
                sweep_workspace& ws, query_report<scalar_of<E>>& report) {
  ws.rng.seed(derive_seed(options.seed, stream));
  energy.init_context(ctx, state);
  if (options.record_trace) report.energy_trace.push_back(energy.energy(state));
  report.reason = stop_reason::step_limit;
  const bool stop_when_unchanged = stops_when_unchanged(update);
  for (index_t step = 1; step <= options.max_steps; ++step) {
    const index_t changed = update.sweep(energy, ctx, state, ws);
    report.steps = step;
    if (options.record_trace) report.energy_trace.push_back(energy.energy(state));
    if (changed == 0 && stop_when_unchanged) {
      report.reason = stop_reason::converged;
      break;
    }
  }
  report.converged = report.reason == stop_reason::converged;
  report.energy = energy.energy(state);
  require_energy_not_nan(report.energy, static_cast<index_t>(stream));
}

/// Energies of a batch of states (columns) into out: one call to the energy's optional batch
/// member `energies(states, out)` when it has one (one pass over a large memory), else per column.
template <class E>
void batch_energies(const E& energy, const Eigen::Ref<const matrix_t<scalar_of<E>>>& states,
                    Eigen::Ref<row_vector_t<scalar_of<E>>> out) {
  if constexpr (requires { energy.energies(states, out); }) {
    energy.energies(states, out);
  } else {
    for (index_t j = 0; j < states.cols(); ++j) out(j) = energy.energy(states.col(j));
  }
}

/// A memory's energy(state): one validated column.
template <class E, class Derived>
scalar_of<E> memory_energy(const E& energy, std::string_view function,
                           const Eigen::MatrixBase<Derived>& state) {
  require_size(function, "state", "cols", 1, state.cols());
  validate_states(function, "state", energy, state);
  return energy.energy(state.col(0).template cast<scalar_of<E>>());
}

/// A memory's energies(states): one energy per validated column, through the energy's batch
/// member when it has one.
template <class E, class Derived>
row_vector_t<scalar_of<E>> memory_energies(const E& energy, std::string_view function,
                                           const Eigen::MatrixBase<Derived>& states) {
  validate_states(function, "states", energy, states);
  row_vector_t<scalar_of<E>> out(states.cols());
  batch_energies(energy, states.template cast<scalar_of<E>>(), out);
  return out;
}

template <class E, class U>
void run_batch_steps(const E& energy, const U& update, Eigen::Ref<matrix_t<scalar_of<E>>> states,
                     const retrieval_options& options, std::vector<query_report<scalar_of<E>>>& reports) {
  using Scalar = scalar_of<E>;
  const double tolerance = resolved_tolerance(energy, options);
  const index_t rows = states.rows();
  const index_t count = states.cols();
  matrix_t<Scalar> previous;  // state two steps back, for 2-cycles (binary states only)
  if constexpr (BinaryEnergyPolicy<E>) previous = states;
  matrix_t<Scalar> active_states(rows, count);
  matrix_t<Scalar> next(rows, count);
  std::vector<index_t> active(static_cast<std::size_t>(count));
  for (index_t j = 0; j < count; ++j) active[static_cast<std::size_t>(j)] = j;
  row_vector_t<Scalar> energies(count);
  if (options.record_trace) {
    batch_energies(energy, states, energies);
    for (index_t j = 0; j < count; ++j)
      reports[static_cast<std::size_t>(j)].energy_trace.push_back(energies(j));
  }
  for (index_t step = 1; step <= options.max_steps && !active.empty(); ++step) {
    const auto live = static_cast<index_t>(active.size());
    for (index_t k = 0; k < live; ++k) active_states.col(k) = states.col(active[static_cast<std::size_t>(k)]);
    update.step(energy, active_states.leftCols(live), next.leftCols(live));
    require_finite_step(next.leftCols(live), step);
    if (options.record_trace) batch_energies(energy, next.leftCols(live), energies.head(live));
    std::size_t kept = 0;
    for (index_t k = 0; k < live; ++k) {
      const index_t j = active[static_cast<std::size_t>(k)];
      auto& report = reports[static_cast<std::size_t>(j)];
      report.steps = step;
      const bool unchanged = step_converged(update, energy, next.col(k), states.col(j), tolerance);
      // A 2-cycle can only occur where states are binary (synchronous sign updates); continuous
      // dynamics that revisit a state two steps back are still moving.
      bool cycled = false;
      if constexpr (BinaryEnergyPolicy<E>) {
        cycled = !unchanged && step >= 2 && within_tolerance<Scalar>(next.col(k), previous.col(j), tolerance);
      }
      if constexpr (BinaryEnergyPolicy<E>) previous.col(j) = states.col(j);
      states.col(j) = next.col(k);
      if (options.record_trace) report.energy_trace.push_back(energies(k));
      if (unchanged) {
        report.reason = stop_reason::converged;
      } else if (cycled) {
        report.reason = stop_reason::two_cycle;
      } else {
        active[kept++] = j;
      }
    }
    active.resize(kept);
  }
  batch_energies(energy, states, energies);
  for (index_t j = 0; j < count; ++j) {
    auto& report = reports[static_cast<std::size_t>(j)];
    report.converged = report.reason == stop_reason::converged;
    report.energy = energies(j);
    require_energy_not_nan(report.energy, j);
  }
}

}  // namespace detail

/// Runs `update` on `energy` from each column of `initial` until each query stops.
/// @throws std::invalid_argument for a query of the wrong dimension, an empty batch, a non +-1
///         entry (binary energies) or a non-finite entry (continuous energies), max_steps <= 0,
///         a negative tolerance, or an update policy that rejects its own settings;
///         std::overflow_error when a gap is NaN, an update produces a non-finite state or a
///         final energy is NaN (never a "converged" report on it); std::bad_alloc, or what a
///         policy throws, on the calling thread whatever the build (threads included).
template <EnergyPolicy E, class U, class Derived>
requires UpdatePolicy<U, E> batch_retrieval_result<scalar_of<E>> retrieve_batch(
    const E& energy, const U& update, const Eigen::MatrixBase<Derived>& initial,
    const retrieval_options& options = {}) {
  using Scalar = scalar_of<E>;
  detail::validate_retrieval("retrieve", energy, update, initial, options);
  batch_retrieval_result<Scalar> result;
  result.states = initial.template cast<Scalar>();
  result.reports.resize(static_cast<std::size_t>(initial.cols()));
  if constexpr (SweepUpdate<U, E>) {
    const index_t count = result.states.cols();
    [[maybe_unused]] const bool parallel =
        count > 1 && count * energy.dimension() >= detail::parallel_sweep_threshold;
    detail::parallel_errors errors;  // what a worker throws is rethrown here, never std::terminate
#if defined(_OPENMP)
#pragma omp parallel if (parallel)
#endif
    {
      std::optional<typename E::context_type> ctx;  // per thread; allocating may throw
      std::optional<sweep_workspace> ws;
      errors.run([&] {
        ctx.emplace();
        ws.emplace();
      });
#if defined(_OPENMP)
#pragma omp for schedule(dynamic)
#endif
      for (index_t j = 0; j < count; ++j) {
        errors.run([&] {
          if (!ctx || !ws) return;  // this thread's workspace failed: the error is kept already
          detail::run_sweeps(energy, update, result.states.col(j), static_cast<std::uint64_t>(j), options,
                             *ctx, *ws, result.reports[static_cast<std::size_t>(j)]);
        });
      }
    }
    errors.rethrow_if_any();
  } else {
    detail::run_batch_steps(energy, update, result.states, options, result.reports);
  }
  return result;
}

/// One query: the same as column 0 of retrieve_batch, reported as a vector and a number.
template <EnergyPolicy E, class U, class Derived>
requires UpdatePolicy<U, E> retrieval_result<scalar_of<E>> retrieve_one(
    const E& energy, const U& update, const Eigen::MatrixBase<Derived>& initial,
    const retrieval_options& options = {}) {
  auto batch = retrieve_batch(energy, update, initial, options);
  retrieval_result<scalar_of<E>> result;
  static_cast<query_report<scalar_of<E>>&>(result) = std::move(batch.reports.front());
  result.state = batch.states.col(0);
  return result;
}

/// retrieve_one for a vector, retrieve_batch for a matrix.
template <EnergyPolicy E, class U, class Derived>
requires UpdatePolicy<U, E>
auto retrieve(const E& energy, const U& update, const Eigen::MatrixBase<Derived>& initial,
              const retrieval_options& options = {}) {
  if constexpr (Derived::ColsAtCompileTime == 1) {
    return retrieve_one(energy, update, initial, options);
  } else {
    return retrieve_batch(energy, update, initial, options);
  }
}

}  // namespace hopfield
