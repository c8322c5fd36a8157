// hopfield::integrate (network/integration.hpp): the adaptive Bogacki-Shampine 3(2) method against
// the exact solution of a linear network, explicit Euler against hand-written steps, each state of
// a batch on its own (own step, own stopping time, same result as alone), the limits, the energy
// guard, the no-allocation members the integrators run on, and bad input.
#include "no_malloc.hpp"  // first: Eigen allocations throw inside a no_malloc_scope

#include <catch.hpp>

#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include <Eigen/Eigenvalues>
#include <hopfield/hopfield.hpp>

#include "gaussian.hpp"

using namespace hopfield;
using test::gaussian;

namespace {
// The unoptimised sanitizer build runs the slow seeded loops over fewer instances.
#ifdef HOPFIELD_SANITIZE
constexpr std::uint64_t scale_down = 4;
#else
constexpr std::uint64_t scale_down = 1;
#endif
using linear_net = two_layer_network<double, quadratic_lagrangian<double>, quadratic_lagrangian<double>>;
using model_b = two_layer_network<double, quadratic_lagrangian<double>, log_sum_exp_lagrangian<double>>;

model_b make_model_b(const matrix_t<double>& patterns, double beta, double tau_h = 0.2) {
  return model_b({patterns.transpose()}, {1.0, tau_h},
                 {quadratic_lagrangian<double>{}, log_sum_exp_lagrangian<double>(beta)});
}

// Features at `start`, memory currents at rest for them (h = xi g(v)).
vector_t<double> model_b_state(const model_b& net, const vector_t<double>& start) {
  vector_t<double> state(net.dimension());
  state.head(start.size()) = start;
  state.tail(net.layer_size(1)) = net.synapses()[0] * start;
  return state;
}

double worst_rise(const std::vector<double>& trace) {
  double worst = -std::numeric_limits<double>::infinity();
  for (std::size_t k = 1; k < trace.size(); ++k) worst = std::max(worst, trace[k] - trace[k - 1]);
  return worst;
}
}  // namespace

TEST_CASE("integrate: Bogacki-Shampine follows the exact solution of a linear network", "[integration]") {
  // Quadratic Lagrangians on both layers make the flow linear, D dx/dt = (W - I) x with W the
  // symmetric block coupling and D = diag(tau): x(t) = D^-1/2 exp(t S) D^1/2 x0 for the symmetric
  // S = D^-1/2 (W - I) D^-1/2, evaluated through its eigendecomposition (independent of the
  // integrator).
  for (std::uint64_t seed = 1; seed <= 20 / scale_down; ++seed) {
    const index_t nf = 4 + static_cast<index_t>(seed % 3), nh = 3 + static_cast<index_t>(seed % 4);
    const matrix_t<double> xi = gaussian<double>(nh, nf, seed, 0.4);
    const double tau_f = 1.0, tau_h = 0.1 + 0.05 * static_cast<double>(seed % 5);
    const linear_net net({xi}, {tau_f, tau_h});
    const index_t n = nf + nh;
    matrix_t<double> w = matrix_t<double>::Zero(n, n);
    w.bottomLeftCorner(nh, nf) = xi;
    w.topRightCorner(nf, nh) = xi.transpose();
    vector_t<double> root_tau(n);
    root_tau.head(nf).setConstant(std::sqrt(tau_f));
    root_tau.tail(nh).setConstant(std::sqrt(tau_h));
    const matrix_t<double> s = root_tau.cwiseInverse().asDiagonal() * (w - matrix_t<double>::Identity(n, n)) *
                               root_tau.cwiseInverse().asDiagonal();
    const Eigen::SelfAdjointEigenSolver<matrix_t<double>> eig(s);
    const vector_t<double> x0 = gaussian<double>(n, 1, seed + 100);
    const double t_end = 2.0;
    const vector_t<double> exact =
        root_tau.cwiseInverse().asDiagonal() *
        (eig.eigenvectors() * (t_end * eig.eigenvalues()).array().exp().matrix().asDiagonal() *
         eig.eigenvectors().transpose() * (root_tau.asDiagonal() * x0));
    const auto run =
        integrate(net, bogacki_shampine_integrator{.relative_tolerance = 1e-9, .absolute_tolerance = 1e-12},
                  x0, {.max_time = t_end, .tolerance = 0.0});
    INFO("seed " << seed);
    REQUIRE(run.reports[0].reason == stop_reason::time_limit);
    CHECK(run.reports[0].time == Approx(t_end).epsilon(1e-14));
    CHECK((run.states.col(0) - exact).cwiseAbs().maxCoeff() < 1e-7);
    // Third order: about (1e-9)^(-1/3) steps per unit time, where Euler would need ~1e9 for 1e-9.
    CHECK(run.reports[0].steps < 4000);
  }
}

TEST_CASE("integrate: Euler takes exactly the steps x += dt dx/dt", "[integration]") {
  const matrix_t<double> patterns = random_sphere_patterns<double>(8, 5, 3, 2.0);
  const model_b net = make_model_b(patterns, 2.0);
  const vector_t<double> x0 = model_b_state(net, patterns.col(1) + gaussian<double>(8, 1, 9, 0.4));
  const double dt = 0.02;
  const auto run = integrate(net, euler_integrator{.dt = dt}, x0, {.max_steps = 37, .record_trace = true});
  vector_t<double> x = x0;
  matrix_t<double> rate(net.dimension(), 1);
  for (int k = 0; k < 37; ++k) {
    net.time_derivative(x, rate);
    x += dt * rate.col(0);
  }
  const auto& report = run.reports[0];
  CHECK(report.reason == stop_reason::step_limit);
  CHECK(report.steps == 37);
  CHECK(report.time == Approx(37 * dt).epsilon(1e-14));
  CHECK(report.last_dt == dt);
  CHECK((run.states.col(0) - x).cwiseAbs().maxCoeff() < 1e-13);
  REQUIRE(report.energy_trace.size() == 38);
  REQUIRE(report.time_trace.size() == 38);
  CHECK(report.energy_trace.back() == Approx(net.energy(x)).epsilon(1e-13));
  CHECK(report.time_trace[10] == Approx(10 * dt).epsilon(1e-14));
  // The outputs are every layer's g at the final state.
  matrix_t<double> g(net.dimension(), 1);
  net.outputs(run.states, g);
  CHECK(run.outputs.isApprox(g, 1e-15));
}

TEST_CASE("integrate: model B settles at the modern fixed point with both integrators",
          "[integration][model_b]") {
  const index_t n = 16, m = 10;
  for (std::uint64_t seed = 1; seed <= (scale_down == 1 ? 5 : 2); ++seed) {
    const matrix_t<double> patterns = random_sphere_patterns<double>(n, m, seed, 2.0);
    const model_b net = make_model_b(patterns, 2.0);
    const vector_t<double> start = patterns.col(0) + gaussian<double>(n, 1, seed + 50, 0.3);
    const vector_t<double> x0 = model_b_state(net, start);
    const auto adaptive =
        integrate(net, bogacki_shampine_integrator{.relative_tolerance = 1e-12, .absolute_tolerance = 1e-14},
                  x0, {.tolerance = 1e-10, .record_trace = true});
    const auto euler =
        integrate(net, euler_integrator{.dt = 0.01}, x0, {.max_steps = 200000, .tolerance = 1e-10});
    const modern_hopfield<double> modern(patterns, {.beta = 2.0});
    const auto fixed = modern.retrieve(start, {.max_steps = 10000, .tolerance = 1e-15});
    INFO("seed " << seed << ": adaptive " << adaptive.reports[0].steps << " steps, Euler "
                 << euler.reports[0].steps);
    REQUIRE(adaptive.all_converged());
    REQUIRE(euler.all_converged());
    CHECK((adaptive.states.col(0).head(n) - fixed.state).cwiseAbs().maxCoeff() < 1e-8);
    CHECK((euler.states.col(0).head(n) - fixed.state).cwiseAbs().maxCoeff() < 1e-8);
    CHECK(worst_rise(adaptive.reports[0].energy_trace) <= 1e-12);
    // No step count comparison: at relative_tolerance 1e-12 the adaptive run is bound by accuracy
    // (about 2e4 steps here), Euler at dt = 0.01 by the slowest mode (about 3e3).
    // The feature outputs are the features themselves (quadratic Lagrangian).
    CHECK(adaptive.outputs.col(0).head(n).isApprox(adaptive.states.col(0).head(n), 1e-15));
  }
}

TEST_CASE("integrate: each state of a batch runs on its own", "[integration]") {
  const matrix_t<double> patterns = random_sphere_patterns<double>(12, 6, 4, 2.0);
  const model_b net = make_model_b(patterns, 3.0);
  matrix_t<double> batch(net.dimension(), 4);
  for (index_t j = 0; j < 4; ++j)
    batch.col(j) =
        model_b_state(net, patterns.col(j) + gaussian<double>(12, 1, 20 + static_cast<std::uint64_t>(j),
                                                              0.1 + 0.15 * static_cast<double>(j)));
  for (const bool adaptive : {false, true}) {
    // An adaptive run settles to about (fastest rate) x relative_tolerance x |x| (docs/lagrangian.md,
    // "Integrators"): 1e-5 here with the default 1e-6.
    const integration_options options{.max_steps = 5000, .tolerance = adaptive ? 1e-5 : 1e-7};
    const auto together = adaptive ? integrate(net, bogacki_shampine_integrator{}, batch, options)
                                   : integrate(net, euler_integrator{.dt = 0.02}, batch, options);
    std::set<index_t> step_counts;
    for (index_t j = 0; j < 4; ++j) {
      const vector_t<double> one_start = batch.col(j);
      const auto alone = adaptive ? integrate(net, bogacki_shampine_integrator{}, one_start, options)
                                  : integrate(net, euler_integrator{.dt = 0.02}, one_start, options);
      const auto& a = alone.reports[0];
      const auto& t = together.reports[static_cast<std::size_t>(j)];
      INFO("adaptive " << adaptive << ", state " << j);
      CHECK(t.converged);
      CHECK(a.converged);
      if (adaptive) {
        // The products of a batch round differently from one column's, and the error estimate (a
        // difference of near-equal stages) passes that on to the step sizes: same path, not the
        // same bits.
        CHECK(std::abs(t.steps - a.steps) <= 2);
        CHECK(t.time == Approx(a.time).epsilon(1e-4));
        CHECK((together.states.col(j) - alone.states.col(0)).cwiseAbs().maxCoeff() < 1e-6);
      } else {
        CHECK(t.steps == a.steps);
        CHECK(t.time == Approx(a.time).epsilon(1e-12));
        CHECK((together.states.col(j) - alone.states.col(0)).cwiseAbs().maxCoeff() < 1e-12);
      }
      step_counts.insert(t.steps);
    }
    CHECK(step_counts.size() > 1);  // the states stopped at different steps
  }
}

TEST_CASE("integrate: time and step limits are results", "[integration]") {
  const matrix_t<double> patterns = random_sphere_patterns<double>(10, 4, 5, 2.0);
  const model_b net = make_model_b(patterns, 2.0);
  const vector_t<double> x0 = model_b_state(net, gaussian<double>(10, 1, 6));
  const auto timed = integrate(net, bogacki_shampine_integrator{}, x0, {.max_time = 0.75});
  CHECK(timed.reports[0].reason == stop_reason::time_limit);
  CHECK_FALSE(timed.reports[0].converged);
  CHECK(timed.reports[0].time == Approx(0.75).epsilon(1e-14));
  const auto euler_timed = integrate(net, euler_integrator{.dt = 0.1}, x0, {.max_time = 0.75});
  CHECK(euler_timed.reports[0].reason == stop_reason::time_limit);
  CHECK(euler_timed.reports[0].steps == 7);  // one more would pass 0.75
  const auto capped = integrate(net, euler_integrator{.dt = 0.001}, x0, {.max_steps = 12});
  CHECK(capped.reports[0].reason == stop_reason::step_limit);
  CHECK(capped.reports[0].steps == 12);
  CHECK(capped.reports[0].energy == Approx(net.energy(capped.states.col(0))).epsilon(1e-14));
  // A state that is already settled takes no step.
  const auto settled = integrate(net, euler_integrator{}, capped.states.col(0).eval(), {.tolerance = 1e3});
  CHECK(settled.reports[0].converged);
  CHECK(settled.reports[0].steps == 0);
  CHECK(to_string(stop_reason::time_limit) == "time_limit");
}

TEST_CASE("integrate: the energy guard rejects rising steps (adaptive) and counts them (Euler)",
          "[integration]") {
  // Model B with one memory and tau_h = 1: Euler with dt = 2.5 overshoots (eta = dt / tau_f > 2),
  // so its energy rises; a loose adaptive tolerance also takes rising steps unless guarded.
  int unguarded_rises = 0;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    const matrix_t<double> patterns = random_sphere_patterns<double>(6, 3, seed, 3.0);
    const model_b net = make_model_b(patterns, 4.0, 1.0);
    const vector_t<double> x0 = model_b_state(net, gaussian<double>(6, 1, seed + 7, 2.0));
    const bogacki_shampine_integrator loose{
        .initial_dt = 1.0, .relative_tolerance = 0.3, .absolute_tolerance = 0.3};
    const auto free_run =
        integrate(net, loose, x0, {.max_steps = 400, .tolerance = 1e-6, .record_trace = true});
    if (worst_rise(free_run.reports[0].energy_trace) > 0) ++unguarded_rises;
    // The guard sits just above the energy's rounding (a guard of 0 would reject rounding noise
    // near the fixed point and stall there).
    const double guard = 1e-12;
    const auto guarded = integrate(
        net, loose, x0, {.max_steps = 4000, .tolerance = 1e-6, .energy_guard = guard, .record_trace = true});
    INFO("seed " << seed);
    const auto& trace = guarded.reports[0].energy_trace;
    for (std::size_t k = 1; k < trace.size(); ++k)
      REQUIRE(trace[k] - trace[k - 1] <=
              (guard + 1e-15) * std::max(1.0, std::abs(trace[k - 1])));  // + rounding of E + guard |E|
    CHECK(guarded.reports[0].energy <= trace.front());
    if (worst_rise(free_run.reports[0].energy_trace) > 0) CHECK(guarded.reports[0].energy_rises > 0);
  }
  CHECK(unguarded_rises > 0);  // the guard had something to catch
  const matrix_t<double> one = random_sphere_patterns<double>(6, 1, 2, 3.0);
  const model_b net = make_model_b(one, 1.0, 1.0);
  const vector_t<double> x0 = model_b_state(net, gaussian<double>(6, 1, 3, 1.0));
  const auto euler = integrate(net, euler_integrator{.dt = 2.5}, x0, {.max_steps = 5, .energy_guard = 0.0});
  CHECK(euler.reports[0].energy_rises > 0);
  CHECK(euler.reports[0].steps == 5);  // Euler's step is fixed: the rise is reported, not retried
}

TEST_CASE("network: evaluate and the workspace overloads allocate nothing", "[integration][allocation]") {
  using three = hierarchical_network<double, quadratic_lagrangian<double>, softplus_lagrangian<double>,
                                     log_sum_exp_lagrangian<double>>;
  const three net(
      {gaussian<double>(5, 6, 1, 0.5), gaussian<double>(4, 5, 2, 0.5)}, {1.0, 0.5, 0.2},
      {quadratic_lagrangian<double>{}, softplus_lagrangian<double>(2.0), log_sum_exp_lagrangian<double>(2.0)},
      gaussian<double>(6, 1, 3, 0.3));
  auto workspace = net.make_workspace(8);
  const matrix_t<double> states = gaussian<double>(net.dimension(), 8, 4);
  matrix_t<double> rate(net.dimension(), 8), rate_alone(net.dimension(), 8);
  row_vector_t<double> energies(8), energies_alone(8);
  {
    test::no_malloc_scope forbid;
    net.evaluate(states, rate, energies, workspace);
    net.time_derivative(states.leftCols(3), rate_alone.leftCols(3), workspace);  // fewer columns than sized
    net.energies(states, energies_alone, workspace);
  }
  net.time_derivative(states.rightCols(5), rate_alone.rightCols(5));
  CHECK(rate.isApprox(rate_alone, 1e-15));
  CHECK(energies.isApprox(energies_alone, 1e-15));
  auto small = net.make_workspace(2);
  CHECK_THROWS_WITH(net.evaluate(states, rate, energies, small), Catch::Contains("workspace"));
  CHECK_THROWS_WITH(net.make_workspace(0), Catch::Contains("columns"));
}

TEST_CASE("integrate: bad input is rejected with the argument named", "[integration]") {
  const model_b net = make_model_b(random_sphere_patterns<double>(4, 3, 1), 1.0);
  const vector_t<double> x0 = vector_t<double>::Zero(net.dimension());
  const auto inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(integrate(net, euler_integrator{}, vector_t<double>::Zero(5)),
                    Catch::Contains("initial"));
  vector_t<double> bad = x0;
  bad(2) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(integrate(net, euler_integrator{}, bad), Catch::Contains("initial"));
  CHECK_THROWS_WITH(integrate(net, euler_integrator{}, matrix_t<double>(net.dimension(), 0)),
                    Catch::Contains("initial"));
  CHECK_THROWS_WITH(integrate(net, euler_integrator{}, x0, {.max_steps = 0}), Catch::Contains("max_steps"));
  CHECK_THROWS_WITH(integrate(net, euler_integrator{}, x0, {.max_time = 0}), Catch::Contains("max_time"));
  CHECK_THROWS_WITH(integrate(net, euler_integrator{}, x0, {.tolerance = -1.0}),
                    Catch::Contains("tolerance"));
  CHECK_THROWS_WITH(integrate(net, euler_integrator{}, x0, {.energy_guard = inf}),
                    Catch::Contains("energy_guard"));
  CHECK_THROWS_WITH(integrate(net, euler_integrator{.dt = -1}, x0), Catch::Contains("dt"));
  CHECK_THROWS_WITH(integrate(net, bogacki_shampine_integrator{.initial_dt = 0}, x0),
                    Catch::Contains("initial_dt"));
  CHECK_THROWS_WITH(integrate(net, bogacki_shampine_integrator{.relative_tolerance = 0}, x0),
                    Catch::Contains("relative_tolerance"));
  CHECK_THROWS_WITH(integrate(net, bogacki_shampine_integrator{.absolute_tolerance = inf}, x0),
                    Catch::Contains("absolute_tolerance"));
  CHECK_THROWS_WITH(integrate(net, bogacki_shampine_integrator{.initial_dt = 1, .max_dt = 0.5}, x0),
                    Catch::Contains("initial_dt"));
  // A fixed step far beyond stability overflows: an exception, never a "converged" report.
  const model_b steep = make_model_b(random_sphere_patterns<double>(4, 3, 1, 10.0), 1.0, 1e-3);
  CHECK_THROWS_AS(integrate(steep, euler_integrator{.dt = 10.0},
                            model_b_state(steep, vector_t<double>::Ones(4)), {.max_steps = 100000}),
                  std::overflow_error);
}
