// Dense Associative Memory: API and bad input, energies and gaps against long-double references,
// energy descent, incremental overlaps against a naive recompute, degree 2 against the
// classical network, the XOR task, synchronous batches and the shared engine's report.
#include <catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include <hopfield/hopfield.hpp>

#include "test_dense_reference.hpp"

using namespace hopfield;
using dense_ref::kind;
using dense_ref::ld;

namespace {

/// Runs `body(memory, reference)` for each shipped interaction in the list.
template <class Scalar, class Body>
void for_each_interaction(const matrix_t<Scalar>& x, const std::vector<dense_ref::interaction>& list,
                          Body body) {
  for (const auto& ref : list) {
    INFO(ref.name());
    switch (ref.type) {
      case kind::polynomial:
        body(dense_associative_memory<Scalar, polynomial>(x, {.degree = ref.degree}), ref);
        break;
      case kind::rectified:
        body(dense_associative_memory<Scalar, rectified_polynomial>(x, {.degree = ref.degree}), ref);
        break;
      case kind::exponential:
        body(dense_associative_memory<Scalar, exponential>(x), ref);
        break;
    }
  }
}

const std::vector<dense_ref::interaction> all_interactions = {
    {kind::polynomial, 2}, {kind::polynomial, 3}, {kind::polynomial, 4},
    {kind::polynomial, 5}, {kind::polynomial, 8}, {kind::rectified, 2},
    {kind::rectified, 3},  {kind::rectified, 4},  {kind::exponential, 0}};

template <class Scalar>
Scalar relative_tolerance() {
  return std::is_same_v<Scalar, float> ? Scalar(2e-5) : Scalar(1e-12);
}

}  // namespace

TEMPLATE_TEST_CASE("dense: sizes, patterns, defaults", "[dense]", float, double) {
  const auto x = random_binary_patterns<TestType>(30, 7, 1);
  const dense_associative_memory<TestType> dam(x);
  REQUIRE(dam.dimension() == 30);
  REQUIRE(dam.size() == 7);
  REQUIRE(matrix_t<TestType>(dam.patterns()) == x);
  REQUIRE(dam.interaction().degree == 3);  // polynomial n = 3 by default
  REQUIRE(dam.energy_policy().dimension() == 30);
  const dense_associative_memory<TestType, rectified_polynomial> rect(x, {.degree = 5});
  REQUIRE(rect.interaction().degree == 5);
}

TEMPLATE_TEST_CASE("dense: bad input throws naming function, argument, expected and actual", "[dense]", float,
                   double) {
  const auto x = random_binary_patterns<TestType>(10, 4, 2);
  using dam_t = dense_associative_memory<TestType>;
  REQUIRE_THROWS_WITH(
      dam_t(x, {.degree = 1}),
      test::contains("hopfield::dense_associative_memory: argument 'degree' expected an integer in [2, ") &&
          test::contains("got 1"));
  REQUIRE_THROWS_WITH((dense_associative_memory<TestType, rectified_polynomial>(x, {.degree = -3})),
                      test::contains("'degree'") && test::contains("got -3"));
  // Beyond the scalar's range the polynomial refuses rather than deciding on underflowed values.
  if constexpr (std::is_same_v<TestType, float>) {
    REQUIRE_THROWS_WITH(dam_t(x, {.degree = 63}), test::contains("[2, 62]") && test::contains("got 63"));
  } else {
    REQUIRE_NOTHROW(dam_t(x, {.degree = 63}));
  }

  matrix_t<TestType> bad = x;
  bad(2, 3) = TestType(0.5);
  REQUIRE_THROWS_WITH(dam_t(bad), test::contains("hopfield::dense_associative_memory: argument 'patterns'") &&
                                      test::contains("entries in {-1, +1}") &&
                                      test::contains("0.5 at (2, 3)"));
  bad(2, 3) = std::numeric_limits<TestType>::quiet_NaN();
  REQUIRE_THROWS_WITH(dam_t(bad), test::contains("'patterns'") && test::contains("nan at (2, 3)"));
  REQUIRE_THROWS_WITH(dam_t(matrix_t<TestType>(10, 0)),
                      test::contains("'patterns' expected a non-empty matrix, got 10 x 0"));
  REQUIRE_THROWS_WITH(dam_t(matrix_t<TestType>(0, 3)), test::contains("got 0 x 3"));
  REQUIRE_THROWS_WITH((interaction_energy<TestType, exponential>(matrix_t<TestType>(0, 0))),
                      test::contains("hopfield::interaction_energy: argument 'patterns'"));

  const dam_t dam(x);
  const vector_t<TestType> short_state = vector_t<TestType>::Ones(9);
  REQUIRE_THROWS_WITH(
      dam.retrieve(short_state),
      test::contains("hopfield::retrieve: argument 'query' expected rows = 10, got rows = 9"));
  REQUIRE_THROWS_WITH(
      dam.energy(short_state),
      test::contains("hopfield::dense_associative_memory::energy: argument 'state' expected rows = 10"));
  REQUIRE_THROWS_WITH(dam.log_energy(short_state), test::contains("dense_associative_memory::log_energy"));
  vector_t<TestType> half = vector_t<TestType>::Ones(10);
  half(4) = 0;
  REQUIRE_THROWS_WITH(dam.retrieve(half),
                      test::contains("'query' expected entries in {-1, +1}, got 0 at (4, 0)"));
  REQUIRE_THROWS_WITH(dam.energy(half),
                      test::contains("'state' expected entries in {-1, +1}, got 0 at (4, 0)"));
  REQUIRE_THROWS_WITH(dam.energy_policy().energy(half),
                      test::contains("hopfield::interaction_energy::energy"));
  REQUIRE_THROWS_WITH(dam.retrieve(matrix_t<TestType>(10, 0)), test::contains("at least one column"));
}

TEMPLATE_TEST_CASE("dense: energy and log-energy equal -sum F(x.s) in long double", "[dense]", float,
                   double) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const auto x = random_binary_patterns<TestType>(24, 9, seed);
    // Random states and states near a pattern (large overlaps dominate).
    matrix_t<TestType> states(24, 4);
    states << random_binary_patterns<TestType>(24, 2, seed + 100), corrupt(x.leftCols(2), 0.1, seed + 200);
    for_each_interaction<TestType>(
        x, all_interactions, [&](const auto& dam, const dense_ref::interaction& ref) {
          for (index_t j = 0; j < states.cols(); ++j) {
            const ld expected = dense_ref::energy(x, states.col(j), ref);
            const TestType e = dam.energy(states.col(j));
            REQUIRE(
                static_cast<ld>(e) ==
                Approx(static_cast<double>(expected)).epsilon(relative_tolerance<TestType>()).margin(1e-30));
            const auto log_e = dam.log_energy(states.col(j));
            if (expected == 0) {
              REQUIRE(log_e.sign == 0);
            } else {
              REQUIRE(log_e.sign == (expected < 0 ? TestType(-1) : TestType(1)));
              REQUIRE(static_cast<double>(log_e.log_abs) ==
                      Approx(static_cast<double>(std::log(std::abs(expected)))).margin(1e-5));
            }
          }
        });
  }
}

TEMPLATE_TEST_CASE("dense: gaps are the Krotov-Hopfield energy differences", "[dense]", float, double) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const auto x = random_binary_patterns<TestType>(20, 7, seed);
    const auto s = corrupt(x.col(0), 0.2, seed + 50);
    for_each_interaction<TestType>(
        x, all_interactions, [&](const auto& dam, const dense_ref::interaction& ref) {
          const auto& energy = dam.energy_policy();
          typename std::remove_cvref_t<decltype(energy)>::context_type ctx;
          energy.init_context(ctx, s);
          for (index_t i = 0; i < 20; ++i) {
            const auto [expected, magnitude] = dense_ref::gap(x, s, i, ref);
            const auto g = energy.gap(ctx, s, i);
            // The same as E(s_i = -1) - E(s_i = +1) from the two energies.
            vector_t<TestType> up = s;
            vector_t<TestType> down = s;
            up(i) = 1;
            down(i) = -1;
            REQUIRE(
                static_cast<double>(expected) ==
                Approx(static_cast<double>(dense_ref::energy(x, down, ref) - dense_ref::energy(x, up, ref)))
                    .epsilon(1e-12)
                    .margin(static_cast<double>(magnitude) * 1e-15));
            REQUIRE(static_cast<double>(g.exact()) == Approx(static_cast<double>(expected))
                                                          .epsilon(relative_tolerance<TestType>())
                                                          .margin(static_cast<double>(magnitude) * 1e-5));
          }
        });
  }
}

TEMPLATE_TEST_CASE("dense: asynchronous updates never raise the energy", "[dense]", float, double) {
  for (std::uint64_t seed = 0; seed < 12; ++seed) {
    const auto x = random_binary_patterns<TestType>(40, 12, seed);
    matrix_t<TestType> queries(40, 3);
    queries << random_binary_patterns<TestType>(40, 1, seed + 7), corrupt(x.leftCols(2), 0.3, seed + 9);
    retrieval_options options;
    options.record_trace = true;
    options.seed = seed;
    for_each_interaction<TestType>(
        x, all_interactions, [&](const auto& dam, const dense_ref::interaction& ref) {
          for (index_t j = 0; j < queries.cols(); ++j) {
            // The state after every sweep (same seed: the first k sweeps are the same), with its
            // energy recomputed in long double.
            ld previous = dense_ref::energy(x, queries.col(j), ref);
            for (index_t steps = 1; steps <= 6; ++steps) {
              options.max_steps = steps;
              const auto r = dam.retrieve(vector_t<TestType>(queries.col(j)), options);
              const ld e = dense_ref::energy(x, r.state, ref);
              REQUIRE(e <= previous);
              previous = e;
              // The engine's own trace is non-increasing too (up to the scalar's rounding).
              REQUIRE(r.energy_trace.size() == static_cast<std::size_t>(r.steps + 1));
              for (std::size_t k = 1; k < r.energy_trace.size(); ++k) {
                REQUIRE(r.energy_trace[k] <= r.energy_trace[k - 1] + relative_tolerance<TestType>() *
                                                                         std::abs(r.energy_trace[k - 1]));
              }
            }
          }
        });
  }
}

TEMPLATE_TEST_CASE("dense: incremental overlaps give the states of a naive recompute-everything reference",
                   "[dense]", float, double) {
  // Sizes where every value is an exact integer in the scalar, so any difference would be a
  // bookkeeping error, not rounding. The exponential is compared in double (its values are not
  // integers; near-ties in float are the numerics test's subject).
  std::vector<dense_ref::interaction> list = {{kind::polynomial, 2},
                                              {kind::polynomial, 3},
                                              {kind::polynomial, 4},
                                              {kind::rectified, 2},
                                              {kind::rectified, 3}};
  if constexpr (std::is_same_v<TestType, double>) list.push_back({kind::exponential, 0});
  for (std::uint64_t seed = 0; seed < 25; ++seed) {
    const auto x = random_binary_patterns<TestType>(24, 9, seed);
    const vector_t<TestType> start = seed % 2 == 0 ? matrix_t<TestType>(corrupt(x.col(0), 0.3, seed + 3))
                                                   : random_binary_patterns<TestType>(24, 1, seed + 3);
    retrieval_options options;
    options.seed = seed * 7 + 1;
    for_each_interaction<TestType>(x, list, [&](const auto& dam, const dense_ref::interaction& ref) {
      const auto r = dam.retrieve(start, options);
      const auto [state, steps] =
          dense_ref::naive_retrieve<dense_ref::interaction, matrix_t<TestType>, TestType>(
              x, start, ref, options.seed, options.max_steps);
      REQUIRE(r.state == state);
      REQUIRE(r.steps == steps);
      REQUIRE(r.converged);
    });
  }
}

TEMPLATE_TEST_CASE("dense: degree 2 follows the classical Hebbian network's trajectory", "[dense]", float,
                   double) {
  // N even, M odd: x_i . m - M s_i is odd, so no ties; N = 64, M = 10 has ties, which both keep.
  const std::vector<std::pair<index_t, index_t>> shapes = {{50, 7}, {64, 10}, {100, 15}};
  for (const auto& [n, m] : shapes) {
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      const auto x = random_binary_patterns<TestType>(n, m, seed);
      const classical_hopfield<TestType> classical(x);
      const dense_associative_memory<TestType> dense(x, {.degree = 2});
      matrix_t<TestType> queries(n, 3);
      queries << corrupt(x.leftCols(2), 0.25, seed + 1), random_binary_patterns<TestType>(n, 1, seed + 2);
      retrieval_options options;
      options.seed = seed + 40;
      for (index_t steps = 1; steps <= 8; ++steps) {
        options.max_steps = steps;
        const auto a = classical.retrieve(queries, options);
        const auto b = dense.retrieve(queries, options);
        REQUIRE(a.states == b.states);
        for (std::size_t j = 0; j < a.reports.size(); ++j) {
          REQUIRE(a.reports[j].steps == b.reports[j].steps);
          REQUIRE(a.reports[j].converged == b.reports[j].converged);
        }
      }
      // The energies are affine: -sum_mu m_mu^2 = 2 N E_classical - M N.
      for (index_t j = 0; j < queries.cols(); ++j) {
        const double expected =
            2.0 * static_cast<double>(n) * static_cast<double>(classical.energy(queries.col(j))) -
            static_cast<double>(m * n);
        REQUIRE(static_cast<double>(dense.energy(queries.col(j))) == Approx(expected).epsilon(1e-6));
      }
    }
  }
}

TEMPLATE_TEST_CASE("dense: the XOR task of Krotov and Hopfield", "[dense]", float, double) {
  // Neurons (x, y, z), memories z = -x y. Clamp x, y; update z alone, from both values of z.
  matrix_t<TestType> memories(3, 4);
  memories << 1, 1, -1, -1,  //
      1, -1, 1, -1,          //
      -1, 1, 1, -1;
  const auto solves = [&](const auto& dam) {
    const auto& energy = dam.energy_policy();
    typename std::remove_cvref_t<decltype(energy)>::context_type ctx;
    int right = 0;
    int kept = 0;
    for (const TestType x : {TestType(-1), TestType(1)}) {
      for (const TestType y : {TestType(-1), TestType(1)}) {
        for (const TestType z : {TestType(-1), TestType(1)}) {
          vector_t<TestType> s(3);
          s << x, y, z;
          energy.init_context(ctx, s);
          const TestType gap = energy.gap(ctx, s, 2).value;
          const TestType next = gap > 0 ? TestType(1) : (gap < 0 ? TestType(-1) : z);
          if (next == -x * y) ++right;
          if (gap == 0) ++kept;
        }
      }
    }
    return std::pair{right, kept};
  };
  for (const int n : {3, 5, 7, 9}) {
    INFO("odd degree " << n);
    REQUIRE(solves(dense_associative_memory<TestType>(memories, {.degree = n})) == std::pair{8, 0});
  }
  for (const int n : {2, 3, 4, 6}) {
    INFO("rectified degree " << n);
    REQUIRE(solves(dense_associative_memory<TestType, rectified_polynomial>(memories, {.degree = n})) ==
            std::pair{8, 0});
  }
  // n = 2: the energy does not depend on z (every gap is exactly 0), so z keeps its value and is
  // right only when it already was.
  REQUIRE(solves(dense_associative_memory<TestType>(memories, {.degree = 2})) == std::pair{4, 8});
  const dense_associative_memory<TestType> quadratic(memories, {.degree = 2});
  for (const TestType x : {TestType(-1), TestType(1)}) {
    vector_t<TestType> plus(3);
    plus << x, 1, 1;
    vector_t<TestType> minus = plus;
    minus(2) = -1;
    REQUIRE(quadratic.energy(plus) == quadratic.energy(minus));
  }
}

TEMPLATE_TEST_CASE("dense: synchronous batches take gaps from two products", "[dense]", float, double) {
#ifdef HOPFIELD_SANITIZE
  constexpr std::uint64_t seeds = 4;  // unoptimised under the sanitizers: memory safety, not coverage
#else
  constexpr std::uint64_t seeds = 15;
#endif
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    const auto x = random_binary_patterns<TestType>(32, 11, seed);
    matrix_t<TestType> states(32, 5);
    states << corrupt(x.leftCols(3), 0.2, seed + 1), random_binary_patterns<TestType>(32, 2, seed + 2);
    for_each_interaction<TestType>(
        x, all_interactions, [&](const auto& dam, const dense_ref::interaction& ref) {
          const auto& energy = dam.energy_policy();
          matrix_t<TestType> out(32, 5);
          energy.gaps(states, out);
          typename std::remove_cvref_t<decltype(energy)>::context_type ctx;
          for (index_t b = 0; b < states.cols(); ++b) {
            energy.init_context(ctx, states.col(b));
            for (index_t i = 0; i < 32; ++i) {
              // Same per-column scale as the context's, so the values agree, not only the signs.
              const auto g = energy.gap(ctx, states.col(b), i);
              const auto [expected, magnitude] = dense_ref::gap(x, states.col(b), i, ref);
              const double scale = std::exp(static_cast<double>(g.log_scale));
              REQUIRE(static_cast<double>(out(i, b)) * scale ==
                      Approx(static_cast<double>(expected))
                          .epsilon(1e-4)
                          .margin(static_cast<double>(magnitude) * 1e-5));
              REQUIRE(static_cast<double>(out(i, b)) ==
                      Approx(static_cast<double>(g.value))
                          .epsilon(1e-4)
                          .margin(static_cast<double>(magnitude) / scale * 1e-5));
            }
          }
          // Synchronous retrieval against a naive synchronous reference (exact cases only).
          if (ref.type == kind::exponential && std::is_same_v<TestType, float>) return;
          retrieval_options options;
          options.max_steps = 20;
          const auto r = dam.retrieve(states, options, synchronous_update{});
          for (index_t b = 0; b < states.cols(); ++b) {
            vector_t<TestType> s = states.col(b);
            vector_t<TestType> before = s;
            index_t steps = 0;
            stop_reason reason = stop_reason::step_limit;
            for (index_t step = 1; step <= options.max_steps; ++step) {
              vector_t<TestType> next = s;
              for (index_t i = 0; i < 32; ++i) {
                const ld gap = dense_ref::gap(x, s, i, ref).first;
                if (gap != 0) next(i) = gap > 0 ? TestType(1) : TestType(-1);
              }
              steps = step;
              if (next == s) {
                reason = stop_reason::converged;
                break;
              }
              if (step >= 2 && next == before) {
                reason = stop_reason::two_cycle;
                s = next;
                break;
              }
              before = s;
              s = next;
            }
            REQUIRE(r.states.col(b) == s);
            REQUIRE(r.reports[static_cast<std::size_t>(b)].steps == steps);
            REQUIRE(r.reports[static_cast<std::size_t>(b)].reason == reason);
          }
        });
  }
}

TEMPLATE_TEST_CASE("dense: the shared engine's report and the classical helpers", "[dense]", float, double) {
  const auto x = random_binary_patterns<TestType>(64, 20, 5);
  const dense_associative_memory<TestType, rectified_polynomial> dam(x, {.degree = 3});
  const auto queries = corrupt(x, 0.15, 6);
  retrieval_options options;
  options.record_trace = true;
  options.seed = 77;
  // One query: the state, the report, the trace.
  const vector_t<TestType> q = queries.col(3);
  const auto one = dam.retrieve(q, options);
  REQUIRE(one.converged);
  REQUIRE(one.reason == stop_reason::converged);
  REQUIRE(one.steps >= 2);
  REQUIRE(overlap(one.state, x.col(3)) == TestType(1));
  REQUIRE(one.energy == Approx(dam.energy(one.state)));
  REQUIRE(one.energy_trace.size() == static_cast<std::size_t>(one.steps + 1));
  REQUIRE(one.energy_trace.front() == Approx(dam.energy(q)));
  // A batch: every column recalled; column 3 equals the single query's run.
  const auto batch = dam.retrieve(queries, options);
  REQUIRE(batch.all_converged());
  for (index_t j = 0; j < x.cols(); ++j) REQUIRE(overlap(batch.states.col(j), x.col(j)) == TestType(1));
  REQUIRE(batch.states.col(3) == one.state);
  REQUIRE(batch.reports[3].energy_trace == one.energy_trace);
  // Same seed, same result; the synchronous and stochastic updates run on the same energy.
  REQUIRE(dam.retrieve(queries, options).states == batch.states);
  const auto sync = dam.retrieve(queries, options, synchronous_update{});
  for (index_t j = 0; j < x.cols(); ++j) REQUIRE(overlap(sync.states.col(j), x.col(j)) == TestType(1));
  const auto cold = dam.retrieve(queries, options, stochastic_update{.temperature = 1e-3});
  REQUIRE(cold.states == dam.retrieve(queries, options, stochastic_update{.temperature = 1e-3}).states);
  for (index_t j = 0; j < x.cols(); ++j) REQUIRE(overlap(cold.states.col(j), x.col(j)) == TestType(1));
  // The energy policy runs through hopfield::retrieve directly, too.
  REQUIRE(retrieve(dam.energy_policy(), asynchronous_update{}, queries, options).states == batch.states);
}

TEMPLATE_TEST_CASE("dense: batch energies from one product equal the per-state energies", "[dense]", float,
                   double) {
  const auto x = random_binary_patterns<TestType>(48, 25, 9);
  const auto states = corrupt(x.leftCols(6), 0.3, 10);
  for_each_interaction<TestType>(
      x, all_interactions, [&](const auto& dam, const dense_ref::interaction& ref) {
        const auto& energy = dam.energy_policy();
        row_vector_t<TestType> out(6);
        energy.energies(states, out);
        for (index_t j = 0; j < 6; ++j) {
          REQUIRE(out(j) == energy.energy(states.col(j)));
          REQUIRE(static_cast<double>(out(j)) ==
                  Approx(static_cast<double>(dense_ref::energy(x, states.col(j), ref)))
                      .epsilon(relative_tolerance<TestType>()));
        }
        // The synchronous engine's trace and final energies come from it.
        retrieval_options options;
        options.record_trace = true;
        const auto r = dam.retrieve(states, options, synchronous_update{});
        for (index_t j = 0; j < 6; ++j) {
          const auto& report = r.reports[static_cast<std::size_t>(j)];
          REQUIRE(report.energy == energy.energy(r.states.col(j)));
          REQUIRE(report.energy_trace.front() == energy.energy(states.col(j)));
        }
      });
  const interaction_energy<TestType> energy(x);
  row_vector_t<TestType> wrong(5);
  REQUIRE_THROWS_WITH(
      energy.energies(states, wrong),
      test::contains("hopfield::interaction_energy::energies: argument 'out' expected size = 6"));
  matrix_t<TestType> bad = states;
  bad(0, 0) = 2;
  row_vector_t<TestType> out(6);
  REQUIRE_THROWS_WITH(energy.energies(bad, out),
                      test::contains("'states' expected entries in {-1, +1}, got 2"));
}
