// modern_hopfield and lse_energy against independent long double references: the update, the
// energy of Ramsauer et al. eq. (2), its bounds, monotone retrieval with per-query stopping,
// hetero-association, extreme beta and bad input.
#include <catch.hpp>

#include <cmath>
#include <limits>

#include <hopfield/analysis/patterns.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

#include "gaussian.hpp"

#include "test_modern_reference.hpp"

using namespace hopfield;
using test::gaussian;

namespace {
template <class Scalar>
constexpr long double update_tolerance() {
  return std::is_same_v<Scalar, float> ? 2e-5L : 1e-12L;
}

/// A random point of the patterns' convex hull (weights: normalised exponential draws).
template <class Scalar>
vector_t<Scalar> hull_point(const matrix_t<Scalar>& x, random_engine& rng) {
  vector_t<Scalar> w(x.cols());
  for (index_t i = 0; i < w.size(); ++i) w(i) = static_cast<Scalar>(-std::log(1.0 - uniform_unit(rng)));
  w /= w.sum();
  return x * w;
}
}  // namespace

TEMPLATE_TEST_CASE("modern: one update equals an independent long double reference", "[modern]", float,
                   double) {
  random_engine rng(7);
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    const auto n = static_cast<index_t>(1 + uniform_below(rng, 40));
    const auto m = static_cast<index_t>(1 + uniform_below(rng, 300));
    const auto b = static_cast<index_t>(1 + uniform_below(rng, 6));
    const TestType beta =
        std::array<TestType, 4>{TestType(0.1), TestType(1), TestType(4), TestType(20)}[seed % 4];
    modern_options<TestType> options{.beta = beta};
    options.block_size =
        static_cast<index_t>(uniform_below(rng, 3)) * static_cast<index_t>(1 + uniform_below(rng, 64));
    options.threads = static_cast<int>(uniform_below(rng, 3));
    const auto x = gaussian<TestType>(n, m, seed, TestType(1) / std::sqrt(static_cast<TestType>(n)));
    const auto q = gaussian<TestType>(n, b, seed + 1000, TestType(1) / std::sqrt(static_cast<TestType>(n)));
    const modern_hopfield<TestType> mhn(x, options);
    const matrix_t<TestType> next = mhn.update(q);
    REQUIRE(test::relative_difference(next, test::naive_update(x, x, q, beta)) <=
            update_tolerance<TestType>());
    // One query as a vector takes the fused single-query path.
    const vector_t<TestType> q0 = q.col(0);
    const vector_t<TestType> next0 = mhn.update(q0);
    REQUIRE(test::relative_difference(next0, test::naive_update(x, x, q0, beta)) <=
            update_tolerance<TestType>());
    // Hetero-association with values of another dimension.
    const auto nv = static_cast<index_t>(1 + uniform_below(rng, 20));
    const auto v = gaussian<TestType>(nv, m, seed + 2000);
    const modern_hopfield<TestType> assoc(x, v, options);
    REQUIRE(assoc.value_dimension() == nv);
    REQUIRE(test::relative_difference(assoc.update(q), test::naive_update(x, v, q, beta)) <=
            update_tolerance<TestType>());
    REQUIRE(test::relative_difference(assoc.update(q0), test::naive_update(x, v, q0, beta)) <=
            update_tolerance<TestType>());
  }
}

TEMPLATE_TEST_CASE("modern: the energy is Ramsauer eq. (2) with its constants", "[modern][energy]", float,
                   double) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const index_t n = 2 + static_cast<index_t>(seed % 17);
    const index_t m = 1 + static_cast<index_t>((seed * 37) % 120);
    const TestType beta =
        TestType(0.05) * static_cast<TestType>(1 + seed % 9) * static_cast<TestType>(1 + seed % 4);
    const auto x = gaussian<TestType>(n, m, seed, TestType(2));
    const auto states = gaussian<TestType>(n, 4, seed + 500, TestType(3));
    const modern_hopfield<TestType> mhn(x, {.beta = beta});
    const row_vector_t<TestType> batch = mhn.energies(states);
    for (index_t j = 0; j < states.cols(); ++j) {
      const long double expected = test::naive_energy(x, states.col(j), beta);
      const long double scale = 1 + std::abs(expected) + states.col(j).squaredNorm();
      const vector_t<TestType> s = states.col(j);
      REQUIRE(std::abs(static_cast<long double>(mhn.energy(s)) - expected) <=
              update_tolerance<TestType>() * scale);
      REQUIRE(std::abs(static_cast<long double>(batch(j)) - expected) <=
              update_tolerance<TestType>() * scale);
    }
  }
}

TEMPLATE_TEST_CASE("modern: 0 <= E everywhere, E <= 2 L^2 on the patterns' convex hull", "[modern][energy]",
                   float, double) {
  random_engine rng(11);
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    const index_t n = 2 + static_cast<index_t>(seed % 23);
    const index_t m = 1 + static_cast<index_t>((seed * 13) % 90);
    const TestType beta = std::array<TestType, 5>{TestType(0.01), TestType(0.3), TestType(1), TestType(5),
                                                  TestType(50)}[seed % 5];
    const auto x = gaussian<TestType>(n, m, seed, TestType(1.5));
    const modern_hopfield<TestType> mhn(x, {.beta = beta});
    const TestType l = mhn.energy_policy().largest_norm();
    // Rounding of float energies of size L^2 is all the slack allowed.
    const TestType slack = TestType(8) * std::numeric_limits<TestType>::epsilon() * (1 + l * l);
    for (int k = 0; k < 10; ++k) {
      const vector_t<TestType> inside = hull_point(x, rng);
      const TestType e = mhn.energy(inside);
      REQUIRE(e >= -slack);
      REQUIRE(e <= 2 * l * l + slack);
      const vector_t<TestType> anywhere =
          gaussian<TestType>(n, 1, seed * 100 + static_cast<std::uint64_t>(k), TestType(4));
      REQUIRE(mhn.energy(anywhere) >= -slack);
    }
    for (index_t i = 0; i < m; ++i) {  // every stored pattern lies in the hull
      const vector_t<TestType> xi = x.col(i);
      REQUIRE(mhn.energy(xi) <= 2 * l * l + slack);
    }
  }
}

TEMPLATE_TEST_CASE("modern: retrieval never raises the energy and stops each query on its own",
                   "[modern][retrieve]", float, double) {
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const index_t n = 8 + static_cast<index_t>(seed % 24);
    const index_t m = 5 + static_cast<index_t>((seed * 7) % 60);
    const TestType beta =
        std::array<TestType, 4>{TestType(0.5), TestType(2), TestType(8), TestType(32)}[seed % 4];
    const auto x = random_sphere_patterns<TestType>(n, m, seed);
    const modern_hopfield<TestType> mhn(x, {.beta = beta});
    retrieval_options options;
    options.record_trace = true;
    options.max_steps = 400;
    const double tolerance = lse_energy<TestType>::default_tolerance();
    // Starts: near pattern 0, at a random point, and the mean of all patterns.
    matrix_t<TestType> start(n, 3);
    start.col(0) = x.col(0) + gaussian<TestType>(n, 1, seed + 1, TestType(0.05));
    start.col(1) = gaussian<TestType>(n, 1, seed + 2, TestType(1) / std::sqrt(static_cast<TestType>(n)));
    start.col(2) = x.rowwise().mean();
    const auto result = mhn.retrieve(start, options);
    const TestType slack = TestType(16) * std::numeric_limits<TestType>::epsilon();
    for (index_t j = 0; j < start.cols(); ++j) {
      const auto& report = result.reports[static_cast<std::size_t>(j)];
      REQUIRE(report.energy_trace.size() == static_cast<std::size_t>(report.steps + 1));
      REQUIRE(report.energy_trace.front() ==
              Approx(mhn.energy(vector_t<TestType>(start.col(j)))).margin(1e-5));
      for (std::size_t k = 1; k < report.energy_trace.size(); ++k) {
        REQUIRE(report.energy_trace[k] <= report.energy_trace[k - 1] + slack);
      }
      const vector_t<TestType> final_state = result.states.col(j);
      REQUIRE(report.energy == Approx(mhn.energy(final_state)).margin(1e-6));
      REQUIRE(report.energy == Approx(report.energy_trace.back()).margin(1e-6));
      if (report.converged) {
        // A fixed point within the engine's rule: one more step barely moves it.
        const vector_t<TestType> again = mhn.update(final_state);
        REQUIRE((again - final_state).cwiseAbs().maxCoeff() <=
                2 * tolerance * std::max<TestType>(1, final_state.cwiseAbs().maxCoeff()) + slack);
      }
      // Per-query stopping: each query alone gives the same state and step count.
      const auto alone = mhn.retrieve(vector_t<TestType>(start.col(j)), options);
      REQUIRE(test::relative_difference(alone.state, final_state) <= 100 * tolerance);
    }
  }
  // Queries in one batch stop after different numbers of steps.
  const auto x = random_sphere_patterns<double>(16, 12, 3);
  const modern_hopfield<double> mhn(x, {.beta = 16.0});
  matrix_t<double> start(16, 2);
  start.col(0) = x.col(3);                     // a stored, well separated pattern: a few steps
  start.col(1) = 0.5 * (x.col(0) + x.col(1));  // between two patterns: many more
  const auto r = mhn.retrieve(start);
  REQUIRE(r.all_converged());
  REQUIRE(r.reports[0].steps <= 3);
  REQUIRE(r.reports[1].steps > r.reports[0].steps);
}

TEST_CASE("modern: beta defaults to 1/sqrt(N_k)", "[modern]") {
  const auto x = random_sphere_patterns<float>(64, 10, 1);
  REQUIRE(modern_hopfield<float>(x).beta() == Approx(0.125f));
  const auto v = random_sphere_patterns<float>(9, 10, 2);
  const modern_hopfield<float> assoc(random_sphere_patterns<float>(16, 10, 3), v);
  REQUIRE(assoc.beta() == Approx(0.25f));
  REQUIRE(modern_hopfield<double>(random_sphere_patterns<double>(4, 3, 1), {.beta = 8.0}).beta() == 8.0);
}

TEMPLATE_TEST_CASE("modern: beta = 1e4 with pattern norms of 100 stays finite", "[modern][extreme]", float,
                   double) {
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    const auto x = random_sphere_patterns<TestType>(32, 50, seed, TestType(100));
    const modern_hopfield<TestType> mhn(x, {.beta = TestType(1e4)});
    const matrix_t<TestType> q = add_gaussian_noise(x.leftCols(5), TestType(5), seed + 9);
    const matrix_t<TestType> next = mhn.update(q);
    REQUIRE(next.allFinite());
    const auto r = mhn.retrieve(q);
    REQUIRE(r.states.allFinite());
    for (index_t j = 0; j < 5; ++j) {
      // One-hot softmax: each query lands exactly on its pattern, at energy ~ 0.
      REQUIRE(test::relative_difference(r.states.col(j), x.col(j)) <= 1e-5L);
      REQUIRE(std::isfinite(r.reports[static_cast<std::size_t>(j)].energy));
      REQUIRE(r.reports[static_cast<std::size_t>(j)].energy >= TestType(-0.1));
      REQUIRE(r.reports[static_cast<std::size_t>(j)].energy <= TestType(0.1));
      const vector_t<TestType> far = -q.col(j) * TestType(3);
      REQUIRE(std::isfinite(mhn.energy(far)));
    }
  }
}

TEMPLATE_TEST_CASE("modern: hetero-association retrieves in key space and reads out values",
                   "[modern][hetero]", float, double) {
  const auto keys = random_sphere_patterns<TestType>(48, 30, 5, TestType(4));
  const auto values = gaussian<TestType>(7, 30, 6);
  const modern_hopfield<TestType> assoc(keys, values, {.beta = TestType(2)});
  REQUIRE(assoc.is_heteroassociative());
  REQUIRE(assoc.dimension() == 48);
  REQUIRE(assoc.value_dimension() == 7);
  const matrix_t<TestType> q = add_gaussian_noise(keys, TestType(0.1), 8);
  const auto r = assoc.retrieve(q);
  REQUIRE(r.states.rows() == 48);
  REQUIRE(test::relative_difference(r.states, keys) <= 1e-4L);
  REQUIRE(test::relative_difference(assoc.update(r.states), values) <= 1e-4L);
  // The energy lives on the keys.
  const modern_hopfield<TestType> auto_keys(keys, {.beta = TestType(2)});
  const vector_t<TestType> q0 = q.col(0);
  REQUIRE(assoc.energy(q0) == Approx(auto_keys.energy(q0)));
}

TEST_CASE("modern: bad input throws naming the argument, expected and actual", "[modern][errors]") {
  const auto x = random_sphere_patterns<float>(8, 5, 1);
  REQUIRE_THROWS_WITH(modern_hopfield<float>(x, random_sphere_patterns<float>(3, 4, 2)),
                      test::contains("modern_hopfield") && test::contains("'values'") &&
                          test::contains("= 5") && test::contains("= 4"));
  REQUIRE_THROWS_WITH(modern_hopfield<float>(x, {.beta = 0.0f}),
                      test::contains("'options.beta'") && test::contains("> 0") && test::contains("got 0"));
  REQUIRE_THROWS_WITH(modern_hopfield<float>(x, {.beta = -2.0f}), test::contains("got -2"));
  REQUIRE_THROWS_WITH(modern_hopfield<float>(x, {.beta = std::numeric_limits<float>::infinity()}),
                      test::contains("options.beta"));
  REQUIRE_THROWS_WITH(modern_hopfield<float>(matrix_t<float>(8, 0)),
                      test::contains("'patterns'") && test::contains("non-empty") && test::contains("8 x 0"));
  REQUIRE_THROWS_WITH(modern_hopfield<float>(matrix_t<float>(0, 3)), test::contains("0 x 3"));
  matrix_t<float> bad = x;
  bad(2, 3) = std::numeric_limits<float>::quiet_NaN();
  REQUIRE_THROWS_WITH(modern_hopfield<float>(bad), test::contains("'patterns'") && test::contains("(2, 3)"));
  REQUIRE_THROWS_WITH(modern_hopfield<float>(x, bad), test::contains("'values'") && test::contains("(2, 3)"));
  retrieval_options steps;
  steps.max_steps = 0;
  REQUIRE_THROWS_WITH(modern_hopfield<float>(x).retrieve(x.col(0), steps),
                      test::contains("options.max_steps"));
  retrieval_options tol;
  tol.tolerance = -1;
  REQUIRE_THROWS_WITH(modern_hopfield<float>(x).retrieve(x.col(0), tol), test::contains("options.tolerance"));
  modern_options<float> budget;
  budget.memory_budget = 0;
  REQUIRE_THROWS_WITH(modern_hopfield<float>(x, budget), test::contains("options.memory_budget"));

  const modern_hopfield<float> mhn(x);
  REQUIRE_THROWS_WITH(mhn.update(matrix_t<float>::Ones(7, 2)),
                      test::contains("modern_hopfield::update") && test::contains("'queries'") &&
                          test::contains("rows = 8") && test::contains("rows = 7"));
  REQUIRE_THROWS_WITH(mhn.retrieve(vector_t<float>::Ones(9)),
                      test::contains("'query'") && test::contains("rows = 9"));
  REQUIRE_THROWS_WITH(mhn.energy(vector_t<float>::Ones(3)),
                      test::contains("'state'") && test::contains("rows = 3"));
  vector_t<float> q = vector_t<float>::Ones(8);
  q(4) = std::numeric_limits<float>::infinity();
  REQUIRE_THROWS_WITH(mhn.update(q), test::contains("'queries'") && test::contains("inf at (4, 0)"));
  REQUIRE_THROWS_WITH(mhn.retrieve(q), test::contains("'query'") && test::contains("(4, 0)"));
  REQUIRE_THROWS_WITH(mhn.energy(q), test::contains("'state'"));
  REQUIRE_THROWS_WITH(lse_energy<double>(matrix_t<double>::Ones(3, 2), -1.0), test::contains("'beta'"));
}
