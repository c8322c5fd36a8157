#pragma once
/// @file hopfield::integrate: a continuous-time network integrated in time, for a batch of states
/// (columns) each with its own step size, time and stopping point. It reports what
/// hopfield::retrieve reports (query_report: converged, steps, energy, reason, energy trace) plus
/// the time reached, the last step, rejected steps and the energy guard's catches.
///
/// It is the retrieval engine's sibling for integrators that carry per-state memory (an adaptive
/// step size, a time): the engine's batch steps are memoryless maps x -> x', so explicit Euler runs
/// through both (hopfield::retrieve with euler_integrator stops on the change per step; integrate
/// stops on |dx/dt| and knows the time), and Bogacki-Shampine 3(2) runs through integrate only.
///
/// A state settles when max_i |dx_i/dt| <= tolerance at the state reached; it stops otherwise at
/// max_time (stop_reason::time_limit) or after max_steps attempts (stop_reason::step_limit). Every
/// buffer is sized before the first step: no allocation per step except the traces when asked.
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "hopfield/core/results.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/network/adaptive_integrator.hpp"
#include "hopfield/network/euler_integrator.hpp"

namespace hopfield {

/// The scratch space a network's no-allocation members take (network_workspace for
/// hierarchical_network).
template <class N>
using workspace_of = decltype(std::declval<const N&>().make_workspace(index_t{1}));

/// What integrate needs of a network: its dimension, outputs, time derivative and the fused
/// evaluate (dx/dt and E in one pass) through a workspace. hierarchical_network satisfies it.
template <class N>
concept ContinuousTimeNetwork = Real<typename N::scalar_type> && requires(const N& n) {
  { n.dimension() } -> std::convertible_to<index_t>;
  n.make_workspace(index_t{1});
} && requires(const N& n, const Eigen::Ref<const matrix_t<typename N::scalar_type>>& states,
              Eigen::Ref<matrix_t<typename N::scalar_type>> rate,
              Eigen::Ref<row_vector_t<typename N::scalar_type>> energies, workspace_of<N>& workspace) {
  n.outputs(states, rate);
  n.time_derivative(states, rate, workspace);
  n.evaluate(states, rate, energies, workspace);
};

/// Options of hopfield::integrate.
struct integration_options {
  index_t max_steps = 100000;  ///< step attempts per state at most (accepted and rejected), > 0
  double max_time = std::numeric_limits<double>::infinity();  ///< time limit, > 0 (may be infinite)
  /// A state has settled when max_i |dx_i/dt| <= tolerance; unset: 1e-3 for float, 1e-8 otherwise.
  std::optional<double> tolerance{};
  /// When set (>= 0), a step that raises the energy by more than guard * max(1, |E|) is rejected
  /// and retried with half the step (adaptive) or taken and counted (Euler: its step is fixed).
  std::optional<double> energy_guard{};
  bool record_trace = false;  ///< keep E and t at the start and after every accepted step
};

/// The outcome for one state: the engine's report plus time.
template <Real Scalar>
struct integration_report : query_report<Scalar> {
  Scalar time = 0;                 ///< the time reached
  Scalar last_dt = 0;              ///< the last accepted step
  index_t rejected_steps = 0;      ///< attempts the error control rejected (adaptive only)
  index_t energy_rises = 0;        ///< steps the energy guard caught (rejected if adaptive, counted if Euler)
  std::vector<Scalar> time_trace;  ///< with record_trace: the time of each energy_trace entry
};

/// Final states (every layer's currents, stacked), their outputs g, one report per state.
template <Real Scalar>
struct integration_result {
  matrix_t<Scalar> states;
  matrix_t<Scalar> outputs;
  std::vector<integration_report<Scalar>> reports;

  [[nodiscard]] bool all_converged() const {
    return std::all_of(reports.begin(), reports.end(), [](const auto& r) { return r.converged; });
  }
};

namespace detail {

inline void validate_integration_options(const integration_options& options) {
  constexpr std::string_view fn = "integrate";
  if (options.max_steps <= 0) throw_invalid(fn, "options.max_steps", "a step limit > 0", options.max_steps);
  if (!(options.max_time > 0) || std::isnan(options.max_time))
    throw_invalid(fn, "options.max_time", "a time limit > 0", options.max_time);
  if (options.tolerance) require_non_negative_finite(fn, "options.tolerance", *options.tolerance);
  if (options.energy_guard) require_non_negative_finite(fn, "options.energy_guard", *options.energy_guard);
}

template <class Scalar>
double default_rate_tolerance() {
  // Float: Euler stalls where dt |dx/dt| is below half an ulp of x, near ulp(|x|) / dt.
  return std::is_same_v<Scalar, float> ? 1e-3 : 1e-8;
}

/// The per-state buffers of one run: slot k (a column) holds an active state; a finished state's
/// slot is refilled from the last one, so the active states stay the leftmost `live` columns.
template <class Scalar, class Workspace>
struct integration_run {
  matrix_t<Scalar> x, rate;  // the state and dx/dt there
  matrix_t<Scalar> stage, k2, k3, next, next_rate;
  row_vector_t<Scalar> energy, next_energy, dt, scaled, error;
  std::vector<Scalar> time;
  std::vector<index_t> query, attempts;
  Workspace workspace;
  index_t live;

  template <class Network>
  integration_run(const Network& network, const Eigen::Ref<const matrix_t<Scalar>>& initial)
      : x(initial),
        rate(initial.rows(), initial.cols()),
        stage(initial.rows(), initial.cols()),
        k2(initial.rows(), initial.cols()),
        k3(initial.rows(), initial.cols()),
        next(initial.rows(), initial.cols()),
        next_rate(initial.rows(), initial.cols()),
        energy(initial.cols()),
        next_energy(initial.cols()),
        dt(initial.cols()),
        scaled(initial.cols()),
        error(initial.cols()),
        time(static_cast<std::size_t>(initial.cols()), Scalar(0)),
        query(static_cast<std::size_t>(initial.cols())),
        attempts(static_cast<std::size_t>(initial.cols()), 0),
        workspace(network.make_workspace(initial.cols())),
        live(initial.cols()) {
    for (index_t j = 0; j < live; ++j) query[static_cast<std::size_t>(j)] = j;
  }

  // Slot `from` moves to slot `to` (the state, its rate, energy, step, time, query, attempts).
  void move_slot(index_t from, index_t to) {
    x.col(to) = x.col(from);
    rate.col(to) = rate.col(from);
    energy(to) = energy(from);
    dt(to) = dt(from);
    const auto f = static_cast<std::size_t>(from), t = static_cast<std::size_t>(to);
    time[t] = time[f];
    query[t] = query[f];
    attempts[t] = attempts[f];
  }
};

}  // namespace detail

/// Integrates `network` from each column of `initial` (every layer's currents, stacked) with
/// explicit Euler (fixed dt) or Bogacki-Shampine 3(2) (adaptive, per state), until each state
/// settles or reaches a limit.
/// @throws std::invalid_argument for a state of the wrong dimension, an empty batch, non-finite
///         entries, invalid options or integrator settings; std::overflow_error when an accepted
///         step gives a non-finite state or a final energy is NaN.
template <ContinuousTimeNetwork Network, class Integrator, class Derived>
requires(std::same_as<Integrator, euler_integrator> || std::same_as<Integrator, bogacki_shampine_integrator>)
    integration_result<typename Network::scalar_type> integrate(const Network& network,
                                                                const Integrator& integrator,
                                                                const Eigen::MatrixBase<Derived>& initial,
                                                                const integration_options& options = {}) {
  using Scalar = typename Network::scalar_type;
  constexpr bool adaptive = std::same_as<Integrator, bogacki_shampine_integrator>;
  constexpr std::string_view fn = "integrate";
  detail::validate_integration_options(options);
  integrator.validate();
  detail::require_size(fn, "initial", "rows", network.dimension(), initial.rows());
  if (initial.cols() <= 0) detail::throw_invalid(fn, "initial", "at least one column", initial.cols());
  detail::require_finite(fn, "initial", initial);

  const auto tolerance =
      static_cast<Scalar>(options.tolerance.value_or(detail::default_rate_tolerance<Scalar>()));
  const double max_time = options.max_time;
  integration_result<Scalar> result;
  result.states.resize(initial.rows(), initial.cols());
  result.reports.resize(static_cast<std::size_t>(initial.cols()));
  detail::integration_run<Scalar, workspace_of<Network>> run(network, initial.template cast<Scalar>());
  network.evaluate(run.x, run.rate, run.energy, run.workspace);
  if constexpr (adaptive) {
    run.dt.setConstant(static_cast<Scalar>(integrator.initial_dt));
  } else {
    run.dt.setConstant(static_cast<Scalar>(integrator.dt));
  }
  const auto report_of = [&](index_t k) -> integration_report<Scalar>& {
    return result.reports[static_cast<std::size_t>(run.query[static_cast<std::size_t>(k)])];
  };
  const auto record = [&](index_t k) {
    if (!options.record_trace) return;
    auto& report = report_of(k);
    report.energy_trace.push_back(run.energy(k));
    report.time_trace.push_back(run.time[static_cast<std::size_t>(k)]);
  };
  // Ends slot k's run when it settled or hit a limit; returns whether it ended.
  const auto finish_if_done = [&](index_t k) {
    auto& report = report_of(k);
    const auto slot = static_cast<std::size_t>(k);
    const double t = static_cast<double>(run.time[slot]);
    if (run.rate.col(k).cwiseAbs().maxCoeff() <= tolerance) {
      report.reason = stop_reason::converged;
    } else if (run.attempts[slot] >= options.max_steps) {
      report.reason = stop_reason::step_limit;
    } else if (t >= max_time * (1 - 1e-12) ||
               (!adaptive && t + static_cast<double>(run.dt(k)) > max_time * (1 + 1e-12))) {
      report.reason = stop_reason::time_limit;
    } else {
      return false;
    }
    report.converged = report.reason == stop_reason::converged;
    report.energy = run.energy(k);
    report.time = run.time[slot];
    if (std::isnan(report.energy))
      throw std::overflow_error("hopfield::integrate: the energy of state " +
                                std::to_string(run.query[slot]) + " is NaN (it overflowed the scalar type)");
    result.states.col(run.query[slot]) = run.x.col(k);
    run.move_slot(run.live - 1, k);
    --run.live;
    return true;
  };
  for (index_t k = run.live - 1; k >= 0; --k) {
    record(k);
    finish_if_done(k);
  }

  while (run.live > 0) {
    const index_t live = run.live;
    auto x = run.x.leftCols(live);
    auto k1 = run.rate.leftCols(live);
    auto next = run.next.leftCols(live);
    auto dt = run.dt.head(live);
    if constexpr (adaptive) {
      for (index_t k = 0; k < live; ++k)  // never past the time limit
        dt(k) = std::min(dt(k), static_cast<Scalar>(max_time) - run.time[static_cast<std::size_t>(k)]);
      auto stage = run.stage.leftCols(live);
      auto k2 = run.k2.leftCols(live);
      auto k3 = run.k3.leftCols(live);
      auto scaled = run.scaled.head(live);
      scaled = Scalar(0.5) * dt;
      stage.noalias() = x + k1 * scaled.asDiagonal();
      network.time_derivative(stage, k2, run.workspace);
      scaled = Scalar(0.75) * dt;
      stage.noalias() = x + k2 * scaled.asDiagonal();
      network.time_derivative(stage, k3, run.workspace);
      stage.noalias() = (Scalar(2) / 9) * k1 + (Scalar(1) / 3) * k2 + (Scalar(4) / 9) * k3;
      next.noalias() = x + stage * dt.asDiagonal();
    } else {
      next.noalias() = x + k1 * dt.asDiagonal();
    }
    network.evaluate(next, run.next_rate.leftCols(live), run.next_energy.head(live), run.workspace);
    if constexpr (adaptive) {
      // The embedded error: third-order minus second-order solution, h (-5/72 k1 + 1/12 k2 +
      // 1/9 k3 - 1/8 k4), in units of the tolerance atol + rtol max(|x|, |next|).
      auto stage = run.stage.leftCols(live);
      stage.noalias() = (Scalar(-5) / 72) * k1 + (Scalar(1) / 12) * run.k2.leftCols(live) +
                        (Scalar(1) / 9) * run.k3.leftCols(live) -
                        Scalar(0.125) * run.next_rate.leftCols(live);
      const auto atol = static_cast<Scalar>(integrator.absolute_tolerance);
      const auto rtol = static_cast<Scalar>(integrator.relative_tolerance);
      for (index_t k = 0; k < live; ++k) {
        run.error(k) = (dt(k) * stage.col(k).array().abs() /
                        (atol + rtol * x.col(k).array().abs().max(next.col(k).array().abs())))
                           .maxCoeff();
      }
    }
    for (index_t k = live - 1; k >= 0; --k) {
      const auto slot = static_cast<std::size_t>(k);
      auto& report = report_of(k);
      ++run.attempts[slot];
      const bool finite = next.col(k).allFinite() && std::isfinite(run.next_energy(k));
      const Scalar guard_limit = options.energy_guard
                                     ? run.energy(k) + static_cast<Scalar>(*options.energy_guard) *
                                                           std::max(Scalar(1), std::abs(run.energy(k)))
                                     : std::numeric_limits<Scalar>::infinity();
      const bool rose = finite && run.next_energy(k) > guard_limit;
      bool accept = true;
      if constexpr (adaptive) {
        const double error = static_cast<double>(run.error(k));
        if (!finite || !(error <= 1)) {
          accept = false;
          ++report.rejected_steps;
          run.dt(k) = static_cast<Scalar>(finite && std::isfinite(error)
                                              ? integrator.next_dt(static_cast<double>(run.dt(k)), error)
                                              : 0.2 * static_cast<double>(run.dt(k)));
        } else if (rose) {
          accept = false;
          ++report.energy_rises;
          run.dt(k) *= Scalar(0.5);
        }
      } else {
        if (!finite)
          throw std::overflow_error("hopfield::integrate: step " + std::to_string(run.attempts[slot]) +
                                    " of state " + std::to_string(run.query[slot]) +
                                    " produced a non-finite state (dt too large for the network?)");
        if (rose) ++report.energy_rises;
      }
      if (accept) {
        run.x.col(k) = next.col(k);
        run.rate.col(k) = run.next_rate.col(k);
        run.energy(k) = run.next_energy(k);
        run.time[slot] += run.dt(k);
        report.last_dt = run.dt(k);
        ++report.steps;
        if constexpr (adaptive)
          run.dt(k) = static_cast<Scalar>(
              integrator.next_dt(static_cast<double>(run.dt(k)), static_cast<double>(run.error(k))));
        record(k);
      }
      finish_if_done(k);
    }
  }
  result.outputs.resize(result.states.rows(), result.states.cols());
  network.outputs(result.states, result.outputs);
  return result;
}

}  // namespace hopfield
