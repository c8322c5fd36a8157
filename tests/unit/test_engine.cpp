// The retrieval engine on the reference policies: stopping rules, per-query stopping, traces,
// determinism and bad input.
#include <catch.hpp>

#include <hopfield/hopfield.hpp>

using namespace hopfield;

namespace {
template <class Scalar>
matrix_t<Scalar> hebbian_weights(const matrix_t<Scalar>& patterns) {
  matrix_t<Scalar> w = patterns * patterns.transpose() / static_cast<Scalar>(patterns.rows());
  w.diagonal().setZero();
  return w;
}
}  // namespace

TEMPLATE_TEST_CASE("engine: sweeps never raise the energy and stop at a fixed point", "[engine]", float,
                   double) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const auto patterns = random_binary_patterns<TestType>(40, 6, seed);
    const reference_energy<TestType> energy(hebbian_weights(patterns));
    const auto start = random_binary_patterns<TestType>(40, 3, seed + 1000);
    retrieval_options options;
    options.record_trace = true;
    options.seed = seed;
    const auto result = retrieve(energy, asynchronous_update{}, start, options);
    for (const auto& report : result.reports) {
      REQUIRE(report.converged);
      REQUIRE(report.reason == stop_reason::converged);
      REQUIRE(report.energy_trace.size() == static_cast<std::size_t>(report.steps + 1));
      for (std::size_t k = 1; k < report.energy_trace.size(); ++k) {
        REQUIRE(report.energy_trace[k] <= report.energy_trace[k - 1] + TestType(1e-4));
      }
      REQUIRE(report.energy == Approx(report.energy_trace.back()));
    }
    // A fixed point: no neuron's gap disagrees with its sign.
    for (index_t j = 0; j < result.states.cols(); ++j) {
      typename reference_energy<TestType>::context_type ctx;
      for (index_t i = 0; i < 40; ++i) {
        REQUIRE(energy.gap(ctx, result.states.col(j), i).value * result.states(i, j) >= 0);
      }
    }
  }
}

TEST_CASE("engine: a query's result does not depend on the rest of the batch", "[engine]") {
  const auto patterns = random_binary_patterns<double>(64, 8, 7);
  const reference_energy<double> energy(hebbian_weights(patterns));
  const auto start = corrupt(patterns, 0.3, 11);
  retrieval_options options;
  options.seed = 99;
  const auto batch = retrieve(energy, asynchronous_update{}, start, options);
  for (index_t j = 0; j < start.cols(); ++j) {
    // Query j alone, as column j of an otherwise different batch.
    matrix_t<double> other = random_binary_patterns<double>(64, start.cols(), 3);
    other.col(j) = start.col(j);
    const auto mixed = retrieve(energy, asynchronous_update{}, other, options);
    REQUIRE(mixed.states.col(j) == batch.states.col(j));
  }
  const auto again = retrieve(energy, asynchronous_update{}, start, options);
  REQUIRE(again.states == batch.states);  // same seed, same result
}

TEST_CASE("engine: synchronous dynamics report a 2-cycle", "[engine]") {
  // Two neurons that want to disagree: W = [[0, -1], [-1, 0]], started equal, swap forever.
  matrix_t<double> w(2, 2);
  w << 0, -1, -1, 0;
  const reference_energy<double> energy(w);
  matrix_t<double> start(2, 2);
  start << 1, 1, 1, -1;  // column 0 cycles, column 1 is already a fixed point
  const auto result = retrieve(energy, synchronous_update{}, start);
  REQUIRE(result.reports[0].reason == stop_reason::two_cycle);
  REQUIRE_FALSE(result.reports[0].converged);
  REQUIRE(result.reports[0].steps == 2);
  REQUIRE(result.reports[1].reason == stop_reason::converged);
  REQUIRE(result.reports[1].steps == 1);
  REQUIRE_FALSE(result.all_converged());
}

TEST_CASE("engine: batch traces from an energy's energies() equal per-state energies", "[engine]") {
  const auto patterns = random_binary_patterns<double>(40, 5, 12);
  const reference_energy<double> energy(hebbian_weights(patterns));
  const auto start = corrupt(patterns, 0.25, 13);
  matrix_t<double> states = start;
  row_vector_t<double> batch(states.cols());
  energy.energies(states, batch);
  for (index_t j = 0; j < states.cols(); ++j) REQUIRE(batch(j) == Approx(energy.energy(states.col(j))));
  retrieval_options options;
  options.record_trace = true;
  const auto result = retrieve(energy, synchronous_update{}, start, options);
  for (index_t j = 0; j < start.cols(); ++j) {
    const auto& report = result.reports[static_cast<std::size_t>(j)];
    REQUIRE(report.energy_trace.front() == Approx(energy.energy(start.col(j))));
    REQUIRE(report.energy_trace.back() == Approx(energy.energy(result.states.col(j))));
    REQUIRE(report.energy == Approx(report.energy_trace.back()));
  }
}

TEST_CASE("engine: step limit and stochastic dynamics are seeded", "[engine]") {
  const auto patterns = random_binary_patterns<double>(50, 5, 1);
  const reference_energy<double> energy(hebbian_weights(patterns));
  const auto start = random_binary_patterns<double>(50, 1, 2);
  retrieval_options options;
  options.max_steps = 3;
  options.seed = 5;
  const stochastic_update hot{.temperature = 100.0};
  const auto a = retrieve(energy, hot, start, options);
  const auto b = retrieve(energy, hot, start, options);
  REQUIRE(a.states == b.states);
  REQUIRE(a.reports[0].steps == 3);
  REQUIRE(a.reports[0].reason == stop_reason::step_limit);
  options.seed = 6;
  const auto c = retrieve(energy, hot, start, options);
  REQUIRE(c.states != a.states);
  // T = 0 is the deterministic asynchronous rule.
  options.max_steps = 100;
  const auto cold = retrieve(energy, stochastic_update{.temperature = 0.0}, start, options);
  const auto async = retrieve(energy, asynchronous_update{}, start, options);
  REQUIRE(cold.states == async.states);
}

TEST_CASE("engine: a Glauber sampler at T > 0 is not stopped by a quiet sweep", "[engine]") {
  // Started on a stored pattern at a tiny temperature, no neuron flips, yet every sweep runs.
  const auto patterns = random_binary_patterns<double>(60, 3, 8);
  const reference_energy<double> energy(hebbian_weights(patterns));
  const vector_t<double> start = patterns.col(0);
  retrieval_options options;
  options.max_steps = 7;
  const auto sampled = retrieve(energy, stochastic_update{.temperature = 1e-6}, start, options);
  REQUIRE(sampled.state == start);
  REQUIRE(sampled.steps == 7);
  REQUIRE(sampled.reason == stop_reason::step_limit);
  const auto deterministic = retrieve(energy, stochastic_update{.temperature = 0.0}, start, options);
  REQUIRE(deterministic.steps == 1);
  REQUIRE(deterministic.converged);
}

TEST_CASE("engine: a single query is reported as a vector", "[engine]") {
  const auto patterns = random_binary_patterns<float>(30, 3, 4);
  const reference_energy<float> energy(hebbian_weights(patterns));
  const vector_t<float> q = patterns.col(1);
  const auto r = retrieve(energy, reference_update{}, q);
  REQUIRE(r.state.size() == 30);
  REQUIRE(r.converged);
  REQUIRE(r.steps == 1);
  REQUIRE(r.energy == Approx(energy.energy(r.state)));
}

TEST_CASE("engine: bad input throws with the argument named", "[engine][errors]") {
  const reference_energy<double> energy(matrix_t<double>::Zero(4, 4));
  vector_t<double> q = vector_t<double>::Ones(4);
  retrieval_options options;
  options.max_steps = 0;
  REQUIRE_THROWS_WITH(retrieve(energy, asynchronous_update{}, q, options),
                      test::contains("options.max_steps") && test::contains("got 0"));
  REQUIRE_THROWS_WITH(retrieve(energy, asynchronous_update{}, vector_t<double>::Ones(5)),
                      test::contains("'query'") && test::contains("rows = 4") && test::contains("rows = 5"));
  q(2) = 0.5;
  REQUIRE_THROWS_WITH(retrieve(energy, asynchronous_update{}, q),
                      test::contains("{-1, +1}") && test::contains("0.5 at (2, 0)"));
  q(2) = 1;
  REQUIRE_THROWS_WITH(retrieve(energy, stochastic_update{.temperature = -1.0}, q),
                      test::contains("temperature") && test::contains("got -1"));
  REQUIRE_THROWS_AS(retrieve(energy, asynchronous_update{}, matrix_t<double>(4, 0)), std::invalid_argument);
}
