// The general continuous-time network (network/): its energy's time derivative against finite
// differences of the energy along the flow, dE/dt <= 0 over many seeded networks, model B
// (quadratic features, log-sum-exp memories) ending at the modern Hopfield network's fixed point,
// and its bad input.
#include <catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>

#include <hopfield/hopfield.hpp>

#include "gaussian.hpp"

using namespace hopfield;
using test::gaussian;

namespace {
using three_layer = hierarchical_network<double, quadratic_lagrangian<double>, softplus_lagrangian<double>,
                                         log_sum_exp_lagrangian<double>>;

three_layer random_three_layer(std::uint64_t seed) {
  const index_t n0 = 5 + static_cast<index_t>(seed % 4);
  const index_t n1 = 4 + static_cast<index_t>(seed % 3);
  const index_t n2 = 3 + static_cast<index_t>(seed % 5);
  return three_layer(
      {gaussian<double>(n1, n0, seed, 0.7), gaussian<double>(n2, n1, seed + 1, 0.7)},
      {1.0, 0.3 + 0.1 * static_cast<double>(seed % 3), 0.2},
      {quadratic_lagrangian<double>{}, softplus_lagrangian<double>(1.5), log_sum_exp_lagrangian<double>(2.0)},
      gaussian<double>(n0, 1, seed + 2, 0.3));
}
}  // namespace

TEST_CASE("network: dE/dt (eq. 4) is the derivative of the energy along the flow", "[network]") {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const three_layer net = random_three_layer(seed);
    const matrix_t<double> x = gaussian<double>(net.dimension(), 3, 100 + seed);
    matrix_t<double> rate(net.dimension(), 3);
    net.time_derivative(x, rate);
    row_vector_t<double> de(3);
    net.energy_rates(x, de);
    const double h = 1e-6;
    row_vector_t<double> ahead(3), behind(3);
    net.energies(x + h * rate, ahead);
    net.energies(x - h * rate, behind);
    const row_vector_t<double> numeric = (ahead - behind) / (2 * h);
    INFO("seed " << seed);
    for (index_t j = 0; j < 3; ++j) {
      CHECK(de(j) == Approx(numeric(j)).epsilon(1e-6).margin(1e-8));
      CHECK(de(j) <= 1e-12);  // PSD Hessians: the energy never rises
    }
  }
}

TEST_CASE("network: the energy of one state equals the batch's column", "[network]") {
  const three_layer net = random_three_layer(7);
  const matrix_t<double> x = gaussian<double>(net.dimension(), 4, 8);
  row_vector_t<double> batch(4);
  net.energies(x, batch);
  for (index_t j = 0; j < 4; ++j) CHECK(net.energy(x.col(j)) == Approx(batch(j)).epsilon(1e-14));
}

TEST_CASE("network: model B integrates to the modern Hopfield network's fixed point", "[network][model_b]") {
  // Quadratic features, log-sum-exp(beta) memories, xi = X^T: the fixed points are those of
  // v = X softmax(beta X^T v). N_f = 16, N_h = 10, beta = 2, tau_f = 1, tau_h = 0.2, dt = 0.01.
  const index_t n = 16, m = 10;
  const double beta = 2;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const matrix_t<double> patterns = random_sphere_patterns<double>(n, m, seed, 2.0);
    using model_b = two_layer_network<double, quadratic_lagrangian<double>, log_sum_exp_lagrangian<double>>;
    const model_b net({patterns.transpose()}, {1.0, 0.2},
                      {quadratic_lagrangian<double>{}, log_sum_exp_lagrangian<double>(beta)});
    const vector_t<double> start = patterns.col(0) + gaussian<double>(n, 1, seed + 50, 0.3);
    vector_t<double> state(net.dimension());
    state.head(n) = start;
    state.tail(m) = patterns.transpose() * start;  // memory currents at rest for the start
    const auto run = retrieve(net, euler_integrator{.dt = 0.01}, state,
                              {.max_steps = 200000, .tolerance = 1e-11, .record_trace = true});
    REQUIRE(run.converged);
    const modern_hopfield<double> modern(patterns, {.beta = beta});
    const auto fixed = modern.retrieve(start, {.max_steps = 10000, .tolerance = 1e-15});
    INFO("seed " << seed << ", steps " << run.steps);
    CHECK((run.state.head(n) - fixed.state).cwiseAbs().maxCoeff() < 1e-8);
    double worst_rise = 0;
    for (std::size_t k = 1; k < run.energy_trace.size(); ++k)
      worst_rise = std::max(worst_rise, run.energy_trace[k] - run.energy_trace[k - 1]);
    CHECK(worst_rise <= 1e-12);
  }
}

TEST_CASE("network: bad input is rejected with the argument named", "[network]") {
  using net2 = two_layer_network<double, quadratic_lagrangian<double>, log_sum_exp_lagrangian<double>>;
  const matrix_t<double> xi = gaussian<double>(4, 6, 1);
  CHECK_THROWS_WITH(net2({xi}, {0.0, 1.0}), Catch::Contains("time_constants[0]"));
  CHECK_THROWS_WITH(net2({xi}, {1.0, -1.0}), Catch::Contains("time_constants[1]"));
  CHECK_THROWS_WITH(net2({xi}, {1.0, std::numeric_limits<double>::infinity()}),
                    Catch::Contains("time_constants[1]"));
  CHECK_THROWS_WITH(net2({xi, xi}, {1.0, 1.0}), Catch::Contains("synapses"));
  CHECK_THROWS_WITH(net2({matrix_t<double>(0, 6)}, {1.0, 1.0}), Catch::Contains("synapses[0]"));
  matrix_t<double> nan = xi;
  nan(1, 2) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(net2({nan}, {1.0, 1.0}), Catch::Contains("synapses[0]"));
  CHECK_THROWS_WITH(net2({xi}, {1.0, 1.0}, net2::lagrangian_tuple(), vector_t<double>::Zero(5)),
                    Catch::Contains("input"));
  CHECK_THROWS_WITH(three_layer({gaussian<double>(4, 5, 2), gaussian<double>(3, 5, 3)}, {1.0, 1.0, 1.0}),
                    Catch::Contains("synapses[1]"));
  const net2 net({xi}, {1.0, 0.5});
  CHECK_THROWS_WITH(retrieve(net, euler_integrator{.dt = 0.0}, vector_t<double>::Zero(10)),
                    Catch::Contains("dt"));
  CHECK_THROWS_WITH(retrieve(net, euler_integrator{.dt = 0.1}, vector_t<double>::Zero(9)),
                    Catch::Contains("query"));
  vector_t<double> bad = vector_t<double>::Zero(10);
  bad(3) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(retrieve(net, euler_integrator{.dt = 0.1}, bad), Catch::Contains("query"));
  CHECK_THROWS_WITH(net.energy(bad), Catch::Contains("states"));
}
