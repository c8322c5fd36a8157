// classical_hopfield with the quadratic energy: weights and energy against naive long double
// references, the dynamics (energy descent, synchronous fixed points and 2-cycles, Glauber),
// the two field modes agreeing exactly, incremental storage, thresholds and bad input.
// Eigen asserts on any heap allocation while it is switched off (in builds with assertions, e.g.
// the sanitizer build): sweeps must not allocate.
#define EIGEN_RUNTIME_NO_MALLOC
#include <catch.hpp>

#include <cmath>
#include <map>
#include <vector>

#include <hopfield/hopfield.hpp>

using namespace hopfield;

namespace {
using long_matrix = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
using long_vector = Eigen::Matrix<long double, Eigen::Dynamic, 1>;

#ifdef HOPFIELD_SANITIZE
constexpr int kInstances = 300;
#else
constexpr int kInstances = 1500;
#endif

// N W = sum_mu x x^T with zero diagonal, written as the textbook double loop: integers, exact
// in long double, so the reference decides ties exactly (W itself is this over N).
template <class Scalar>
long_matrix naive_hebbian_times_n(const matrix_t<Scalar>& x) {
  const index_t n = x.rows();
  long_matrix w = long_matrix::Zero(n, n);
  for (index_t i = 0; i < n; ++i) {
    for (index_t j = 0; j < n; ++j) {
      if (i == j) continue;
      for (index_t mu = 0; mu < x.cols(); ++mu) w(i, j) += static_cast<long double>(x(i, mu) * x(j, mu));
    }
  }
  return w;
}

// E = -1/2 s^T W s + theta^T s with W = nw / N.
template <class Scalar>
long double naive_energy(const long_matrix& nw, const vector_t<Scalar>& theta, const vector_t<Scalar>& s) {
  long double e = 0;
  for (index_t i = 0; i < s.size(); ++i) {
    for (index_t j = 0; j < s.size(); ++j) e -= 0.5L * nw(i, j) * s(i) * s(j);
  }
  e /= static_cast<long double>(s.size());
  for (index_t i = 0; i < s.size(); ++i) e += static_cast<long double>(theta(i)) * s(i);
  return e;
}

// N (W s - theta)_i, exact for dyadic thresholds.
template <class Scalar>
long double naive_field_times_n(const long_matrix& nw, const vector_t<Scalar>& theta,
                                const vector_t<Scalar>& s, index_t i) {
  long double h = -static_cast<long double>(theta(i)) * static_cast<long double>(s.size());
  for (index_t j = 0; j < s.size(); ++j) h += nw(i, j) * s(j);
  return h;
}

// s <- sign(W s - theta) for every neuron at once, a zero field keeping s_i.
template <class Scalar>
vector_t<Scalar> naive_synchronous(const long_matrix& nw, const vector_t<Scalar>& theta,
                                   const vector_t<Scalar>& s) {
  vector_t<Scalar> next = s;
  for (index_t i = 0; i < s.size(); ++i) {
    const long double h = naive_field_times_n(nw, theta, s, i);
    if (h > 0) next(i) = 1;
    if (h < 0) next(i) = -1;
  }
  return next;
}

// Dyadic thresholds k/8: N theta is exact, so long double and Scalar agree on every sign.
template <class Scalar>
vector_t<Scalar> dyadic_thresholds(index_t n, std::uint64_t seed) {
  random_engine rng(seed);
  vector_t<Scalar> theta(n);
  for (index_t i = 0; i < n; ++i)
    theta(i) = static_cast<Scalar>(static_cast<int>(uniform_below(rng, 9)) - 4) / 8;
  return theta;
}
}  // namespace

TEMPLATE_TEST_CASE("classical: Hebbian weights and energy match the textbook formulas", "[classical]", float,
                   double) {
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    random_engine rng(seed);
    const auto n = static_cast<index_t>(5 + uniform_below(rng, 60));
    const auto m = static_cast<index_t>(1 + uniform_below(rng, 12));
    const auto x = random_binary_patterns<TestType>(n, m, seed);
    const vector_t<TestType> theta = dyadic_thresholds<TestType>(n, seed + 7);
    const classical_hopfield<TestType> net(x, {.thresholds = theta});
    const long_matrix nw = naive_hebbian_times_n(x);
    const long_matrix w = nw / static_cast<long double>(n);
    REQUIRE(net.dimension() == n);
    REQUIRE(net.size() == m);
    REQUIRE(net.patterns() == x);
    REQUIRE(net.thresholds() == theta);
    const matrix_t<TestType> got = net.weights();
    REQUIRE((got.template cast<long double>() - w).cwiseAbs().maxCoeff() < 1e-6L);
    REQUIRE(got == got.transpose());
    REQUIRE(got.diagonal().isZero(0));
    // The stored matrix is the integer X X^T - M I: exact.
    const matrix_t<TestType> raw = net.energy_policy().raw_weights();
    REQUIRE(raw.template cast<long double>() == nw);
    REQUIRE(net.energy_policy().weight_denominator() == static_cast<TestType>(n));
    for (int k = 0; k < 5; ++k) {
      const vector_t<TestType> s =
          random_binary_patterns<TestType>(n, 1, seed * 10 + static_cast<std::uint64_t>(k));
      const long double expected = naive_energy(nw, theta, s);
      REQUIRE(static_cast<long double>(net.energy(s)) == Approx(expected).margin(1e-4));
      // Both field modes give the same energy formula.
      const classical_hopfield<TestType> by_w(x, {.thresholds = theta, .fields = field_mode::weights});
      const classical_hopfield<TestType> by_x(x, {.thresholds = theta, .fields = field_mode::patterns});
      REQUIRE(static_cast<long double>(by_w.energy(s)) == Approx(expected).margin(1e-4));
      REQUIRE(static_cast<long double>(by_x.energy(s)) == Approx(expected).margin(1e-4));
    }
  }
}

TEMPLATE_TEST_CASE("classical: asynchronous updates never raise the energy", "[classical][dynamics]", float,
                   double) {
  // Thousands of random instances over the three rules, with and without thresholds.
  const TestType slack = std::is_same_v<TestType, float> ? TestType(2e-4) : TestType(1e-10);
  int checked = 0;
  for (int instance = 0; instance < kInstances; ++instance) {
    const auto seed = static_cast<std::uint64_t>(instance);
    random_engine rng(seed);
    const auto n = static_cast<index_t>(4 + uniform_below(rng, 40));
    const auto m = static_cast<index_t>(1 + uniform_below(rng, static_cast<std::uint64_t>(n - 1)));
    const auto x = random_binary_patterns<TestType>(n, m, seed);
    const vector_t<TestType> theta =
        instance % 2 == 0 ? dyadic_thresholds<TestType>(n, seed) : vector_t<TestType>();
    const auto start = random_binary_patterns<TestType>(n, 2, seed + 99991);
    retrieval_options options;
    options.record_trace = true;
    options.seed = seed;
    auto check = [&](const auto& net) {
      const auto result = net.retrieve(start, options);
      for (const auto& report : result.reports) {
        REQUIRE(report.converged);
        REQUIRE(report.energy_trace.size() == static_cast<std::size_t>(report.steps + 1));
        const TestType scale = TestType(1) + std::abs(report.energy_trace.front());
        for (std::size_t k = 1; k < report.energy_trace.size(); ++k) {
          REQUIRE(report.energy_trace[k] <= report.energy_trace[k - 1] + slack * scale);
        }
      }
      // A fixed point: no neuron wants to change.
      const auto& energy = net.energy_policy();
      typename quadratic_energy<TestType>::context_type ctx;
      for (index_t j = 0; j < result.states.cols(); ++j) {
        energy.init_context(ctx, result.states.col(j));
        // Hebbian fields are exact; the other rules' cached fields may drift by rounding.
        const TestType tie =
            std::is_same_v<std::decay_t<decltype(net)>, classical_hopfield<TestType>> ? TestType(0) : slack;
        for (index_t i = 0; i < n; ++i) {
          REQUIRE(energy.gap(ctx, result.states.col(j), i).value * result.states(i, j) >= -tie);
        }
      }
      ++checked;
    };
    switch (instance % 3) {
      case 0:
        check(classical_hopfield<TestType>(x, {.thresholds = theta}));
        break;
      case 1:
        check(classical_hopfield<TestType, storkey>(x, {.thresholds = theta}));
        break;
      default:
        check(classical_hopfield<TestType, pseudo_inverse>(x, {.thresholds = theta}));
        break;
    }
  }
  REQUIRE(checked == kInstances);
}

TEMPLATE_TEST_CASE("classical: asynchronous retrieval is the textbook loop in the seeded order",
                   "[classical][dynamics]", float, double) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    random_engine rng(seed);
    const auto n = static_cast<index_t>(6 + uniform_below(rng, 40));
    const auto m = static_cast<index_t>(1 + uniform_below(rng, 8));
    const auto x = random_binary_patterns<TestType>(n, m, seed);
    const vector_t<TestType> theta = dyadic_thresholds<TestType>(n, seed + 3);
    const classical_hopfield<TestType> net(x, {.thresholds = theta});
    const long_matrix nw = naive_hebbian_times_n(x);
    const vector_t<TestType> start = corrupt(x.col(0), 0.3, seed);
    retrieval_options options;
    options.seed = seed * 31 + 1;
    const auto result = net.retrieve(start, options);
    // Independent loop: the same permutations (engine contract: stream 0 of the seed).
    random_engine order_rng(derive_seed(options.seed, 0));
    std::vector<index_t> order;
    vector_t<TestType> s = start;
    index_t sweeps = 0;
    for (bool changed = true; changed && sweeps < options.max_steps;) {
      changed = false;
      ++sweeps;
      random_permutation(order_rng, n, order);
      for (const index_t i : order) {
        const long double h = naive_field_times_n(nw, theta, s, i);
        if ((h > 0 && s(i) < 0) || (h < 0 && s(i) > 0)) {
          s(i) = -s(i);
          changed = true;
        }
      }
    }
    REQUIRE(result.state == s);
    REQUIRE(result.steps == sweeps);
    REQUIRE(static_cast<long double>(result.energy) == Approx(naive_energy(nw, theta, s)).margin(1e-4));
  }
}

TEMPLATE_TEST_CASE("classical: synchronous dynamics end in a fixed point or a reported 2-cycle",
                   "[classical][dynamics]", float, double) {
  int cycles = 0;
  int fixed = 0;
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    random_engine rng(seed);
    const auto n = static_cast<index_t>(6 + uniform_below(rng, 40));
    const auto m = static_cast<index_t>(1 + uniform_below(rng, static_cast<std::uint64_t>(n / 2)));
    const auto x = random_binary_patterns<TestType>(n, m, seed);
    const vector_t<TestType> theta =
        seed % 2 == 0 ? dyadic_thresholds<TestType>(n, seed) : vector_t<TestType>::Zero(n);
    const classical_hopfield<TestType> net(x, {.thresholds = theta});
    const long_matrix nw = naive_hebbian_times_n(x);
    const auto start = random_binary_patterns<TestType>(n, 4, seed + 5000);
    retrieval_options options;
    options.max_steps = 1000;
    const auto result = net.retrieve(start, options, synchronous_update{});
    for (index_t j = 0; j < start.cols(); ++j) {
      const auto& report = result.reports[static_cast<std::size_t>(j)];
      const vector_t<TestType> s = result.states.col(j);
      const vector_t<TestType> once = naive_synchronous(nw, theta, s);
      REQUIRE(report.reason != stop_reason::step_limit);
      if (report.reason == stop_reason::converged) {
        REQUIRE(once == s);
        ++fixed;
      } else {
        REQUIRE(report.reason == stop_reason::two_cycle);
        REQUIRE_FALSE(report.converged);
        REQUIRE(once != s);
        REQUIRE(naive_synchronous(nw, theta, once) == s);
        ++cycles;
      }
    }
  }
  REQUIRE(fixed > 0);
  REQUIRE(cycles > 0);  // random starts do produce 2-cycles; each one was reported
}

TEMPLATE_TEST_CASE("classical: pattern and weight fields agree exactly", "[classical][modes]", float,
                   double) {
#ifdef HOPFIELD_SANITIZE
  constexpr std::uint64_t seeds = 4;  // unoptimised under the sanitizers: memory safety, not coverage
#else
  constexpr std::uint64_t seeds = 60;
#endif
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    random_engine rng(seed);
    const auto n = static_cast<index_t>(8 + uniform_below(rng, 120));
    const auto m = static_cast<index_t>(1 + uniform_below(rng, static_cast<std::uint64_t>(n)));
    const auto x = random_binary_patterns<TestType>(n, m, seed);
    const vector_t<TestType> theta =
        seed % 3 == 0 ? vector_t<TestType>() : vector_t<TestType>::Random(n).eval();
    const classical_hopfield<TestType> by_w(x, {.thresholds = theta, .fields = field_mode::weights});
    const classical_hopfield<TestType> by_x(x, {.thresholds = theta, .fields = field_mode::patterns});
    REQUIRE_FALSE(by_w.energy_policy().uses_pattern_fields());
    REQUIRE(by_x.energy_policy().uses_pattern_fields());
    REQUIRE(by_x.energy_policy().uses_pattern_batch());
    const auto& ew = by_w.energy_policy();
    const auto& ex = by_x.energy_policy();
    // Single-neuron gaps along a random walk of flips.
    vector_t<TestType> sw = random_binary_patterns<TestType>(n, 1, seed + 1);
    vector_t<TestType> sx = sw;
    typename quadratic_energy<TestType>::context_type cw;
    typename quadratic_energy<TestType>::context_type cx;
    ew.init_context(cw, sw);
    ex.init_context(cx, sx);
    for (int step = 0; step < 3 * n; ++step) {
      const auto i = static_cast<index_t>(uniform_below(rng, static_cast<std::uint64_t>(n)));
      bool same = true;
      for (index_t k = 0; k < n; ++k) same = same && ew.gap(cw, sw, k).value == ex.gap(cx, sx, k).value;
      REQUIRE(same);
      ew.flip(cw, sw, i);
      ex.flip(cx, sx, i);
    }
    // Batch gaps equal the single-neuron gaps on a fresh context, in both modes.
    const auto states = random_binary_patterns<TestType>(n, 5, seed + 2);
    matrix_t<TestType> gw(n, 5);
    matrix_t<TestType> gx(n, 5);
    ew.gaps(states, gw);
    ex.gaps(states, gx);
    REQUIRE(gw == gx);
    for (index_t j = 0; j < 5; ++j) {
      ew.init_context(cw, states.col(j));
      bool same = true;
      for (index_t i = 0; i < n; ++i) same = same && gw(i, j) == ew.gap(cw, states.col(j), i).value;
      REQUIRE(same);
    }
    // Whole retrievals: identical states, steps and reasons for every update.
    const auto start = corrupt(x, 0.25, seed + 3);
    retrieval_options options;
    options.seed = seed;
    options.max_steps = 50;
    const auto aw = by_w.retrieve(start, options);
    const auto ax = by_x.retrieve(start, options);
    REQUIRE(aw.states == ax.states);
    const auto yw = by_w.retrieve(start, options, synchronous_update{});
    const auto yx = by_x.retrieve(start, options, synchronous_update{});
    REQUIRE(yw.states == yx.states);
    const auto tw = by_w.retrieve(start, options, stochastic_update{.temperature = 0.3});
    const auto tx = by_x.retrieve(start, options, stochastic_update{.temperature = 0.3});
    REQUIRE(tw.states == tx.states);
    for (std::size_t k = 0; k < aw.reports.size(); ++k) {
      REQUIRE(aw.reports[k].steps == ax.reports[k].steps);
      REQUIRE(yw.reports[k].reason == yx.reports[k].reason);
      REQUIRE(tw.reports[k].steps == tx.reports[k].steps);
    }
  }
}

TEST_CASE("classical: the automatic field mode follows M against N", "[classical][modes]") {
  const classical_hopfield<float> few(random_binary_patterns<float>(400, 20, 1));
  REQUIRE(few.energy_policy().uses_pattern_fields());
  REQUIRE(few.energy_policy().uses_pattern_batch());
  const classical_hopfield<float> many(random_binary_patterns<float>(100, 60, 1));
  REQUIRE_FALSE(many.energy_policy().uses_pattern_fields());
  REQUIRE_FALSE(many.energy_policy().uses_pattern_batch());
  const classical_hopfield<float, storkey> other_rule(random_binary_patterns<float>(400, 5, 1));
  REQUIRE_FALSE(other_rule.energy_policy().uses_pattern_fields());
  // Growing the memory past the crossover switches to W.
  classical_hopfield<float> growing(random_binary_patterns<float>(100, 10, 2));
  REQUIRE(growing.energy_policy().uses_pattern_fields());
  growing.add_patterns(random_binary_patterns<float>(100, 40, 3));
  REQUIRE_FALSE(growing.energy_policy().uses_pattern_fields());
}

TEMPLATE_TEST_CASE("classical: patterns added later equal a rebuild", "[classical][add]", float, double) {
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    random_engine rng(seed);
    const auto n = static_cast<index_t>(10 + uniform_below(rng, 60));
    const auto m = static_cast<index_t>(2 + uniform_below(rng, 10));
    const auto x = random_binary_patterns<TestType>(n, m, seed);
    const auto first = static_cast<index_t>(1 + uniform_below(rng, static_cast<std::uint64_t>(m - 1)));
    for (const field_mode mode : {field_mode::automatic, field_mode::patterns, field_mode::weights}) {
      classical_hopfield<TestType> grown(x.leftCols(first), {.fields = mode});
      grown.add_patterns(x.middleCols(first, 1));      // one
      grown.add_patterns(x.rightCols(m - first - 1));  // the rest (possibly none)
      const classical_hopfield<TestType> whole(x, {.fields = mode});
      REQUIRE(grown.size() == m);
      REQUIRE(grown.patterns() == x);
      REQUIRE(grown.weights() == whole.weights());  // integer-exact
      const auto q = corrupt(x, 0.2, seed);
      REQUIRE(grown.retrieve(q).states == whole.retrieve(q).states);
    }
    classical_hopfield<TestType, storkey> sg(x.leftCols(first));
    sg.add_patterns(x.rightCols(m - first));
    const classical_hopfield<TestType, storkey> sw(x);
    REQUIRE(sg.weights() == sw.weights());  // Storkey is sequential by definition
  }
}

TEMPLATE_TEST_CASE("classical: thresholds enter the fields and the energy", "[classical]", float, double) {
  // One neuron pair with W = 0: each neuron settles at -sign(theta_i) from any start.
  const index_t n = 12;
  const matrix_t<TestType> x = matrix_t<TestType>::Ones(n, 1);
  vector_t<TestType> theta(n);
  for (index_t i = 0; i < n; ++i) theta(i) = (i % 2 == 0 ? TestType(1) : TestType(-1)) * TestType(20);
  const classical_hopfield<TestType> net(x, {.thresholds = theta});
  const auto r = net.retrieve(vector_t<TestType>::Ones(n).eval());
  for (index_t i = 0; i < n; ++i) REQUIRE(r.state(i) == (i % 2 == 0 ? -1 : 1));
  REQUIRE(r.energy == Approx(net.energy(r.state)));
  REQUIRE(net.energy(r.state) < net.energy(vector_t<TestType>::Ones(n).eval()));
}

TEMPLATE_TEST_CASE("classical: Glauber dynamics sample the Boltzmann distribution", "[classical][stochastic]",
                   float, double) {
  // N = 4: run the seeded Glauber sweeps on the network's energy and compare the visited states'
  // frequencies with exp(-E/T)/Z enumerated independently (long double).
  const matrix_t<TestType> x = random_binary_patterns<TestType>(4, 2, 17);
  const vector_t<TestType> theta = dyadic_thresholds<TestType>(4, 3);
  const classical_hopfield<TestType> net(x, {.thresholds = theta});
  const long_matrix nw = naive_hebbian_times_n(x);
  const double temperature = 0.4;
  std::map<int, long double> boltzmann;
  long double z = 0;
  for (int code = 0; code < 16; ++code) {
    vector_t<TestType> s(4);
    for (int i = 0; i < 4; ++i) s(i) = (code >> i & 1) != 0 ? 1 : -1;
    boltzmann[code] = std::exp(-naive_energy(nw, theta, s) / temperature);
    z += boltzmann[code];
  }
  const stochastic_update glauber{.temperature = temperature};
  const auto& energy = net.energy_policy();
  typename quadratic_energy<TestType>::context_type ctx;
  sweep_workspace ws;
  ws.rng.seed(12345);
  vector_t<TestType> s = vector_t<TestType>::Ones(4);
  energy.init_context(ctx, s);
  std::map<int, long double> seen;
#ifdef HOPFIELD_SANITIZE
  const int sweeps = 20000;
#else
  const int sweeps = 200000;
#endif
  for (int k = 0; k < sweeps; ++k) {
    glauber.sweep(energy, ctx, s, ws);
    int code = 0;
    for (int i = 0; i < 4; ++i) code |= (s(i) > 0 ? 1 : 0) << i;
    seen[code] += 1;
  }
  for (int code = 0; code < 16; ++code) {
    const long double p = boltzmann[code] / z;
    const long double f = seen[code] / sweeps;
    // Binomial standard error, inflated 3x for correlation between successive sweeps, 5 sigma.
    const long double sigma = std::sqrt(p * (1 - p) / sweeps);
    REQUIRE(std::abs(f - p) <= 15 * sigma + 1e-4L);
  }
}

TEMPLATE_TEST_CASE("classical: bad input throws, naming function, argument, expected and actual",
                   "[classical][errors]", float, double) {
  using net_t = classical_hopfield<TestType>;
  matrix_t<TestType> x = random_binary_patterns<TestType>(6, 2, 1);
  REQUIRE_THROWS_WITH(net_t(matrix_t<TestType>(0, 0)),
                      test::contains("hopfield::classical_hopfield") && test::contains("'patterns'") &&
                          test::contains("non-empty") && test::contains("0 x 0"));
  matrix_t<TestType> bad = x;
  bad(4, 1) = TestType(0.5);
  REQUIRE_THROWS_WITH(net_t(bad), test::contains("'patterns'") && test::contains("{-1, +1}") &&
                                      test::contains("0.5 at (4, 1)"));
  REQUIRE_THROWS_WITH(
      net_t(x, {.thresholds = vector_t<TestType>::Zero(5)}),
      test::contains("'options.thresholds'") && test::contains("size = 6") && test::contains("size = 5"));
  vector_t<TestType> nan_theta = vector_t<TestType>::Zero(6);
  nan_theta(2) = std::numeric_limits<TestType>::quiet_NaN();
  REQUIRE_THROWS_WITH(net_t(x, {.thresholds = nan_theta}),
                      test::contains("finite") && test::contains("(2, 0)"));
  REQUIRE_THROWS_WITH((classical_hopfield<TestType, storkey>(x, {.fields = field_mode::patterns})),
                      test::contains("'options.fields'") && test::contains("field_mode::patterns"));

  net_t net(x);
  const matrix_t<TestType> w_before = net.weights();
  // add_patterns: a mismatch or a non-binary entry in the last column leaves everything as it was.
  REQUIRE_THROWS_WITH(net.add_patterns(random_binary_patterns<TestType>(7, 1, 2)),
                      test::contains("hopfield::classical_hopfield::add_patterns") &&
                          test::contains("rows = 6") && test::contains("rows = 7"));
  matrix_t<TestType> more = random_binary_patterns<TestType>(6, 3, 3);
  more(5, 2) = 2;
  REQUIRE_THROWS_WITH(net.add_patterns(more),
                      test::contains("add_patterns") && test::contains("2 at (5, 2)"));
  REQUIRE(net.size() == 2);
  REQUIRE(net.patterns() == x);
  REQUIRE(net.weights() == w_before);
  // energy and retrieve.
  REQUIRE_THROWS_WITH(net.energy(vector_t<TestType>::Ones(5)),
                      test::contains("classical_hopfield::energy") && test::contains("rows = 6"));
  vector_t<TestType> s = vector_t<TestType>::Ones(6);
  s(3) = 0;
  REQUIRE_THROWS_WITH(net.energy(s), test::contains("'state'") && test::contains("0 at (3, 0)"));
  REQUIRE_THROWS_WITH(net.retrieve(s), test::contains("'query'") && test::contains("0 at (3, 0)"));
  REQUIRE_THROWS_WITH(net.retrieve(vector_t<TestType>::Ones(4).eval()),
                      test::contains("'query'") && test::contains("rows = 6") && test::contains("rows = 4"));
  retrieval_options zero_steps;
  zero_steps.max_steps = 0;
  REQUIRE_THROWS_WITH(net.retrieve(x, zero_steps), test::contains("max_steps") && test::contains("got 0"));
  REQUIRE_THROWS_WITH(net.retrieve(x, {}, stochastic_update{.temperature = -0.5}),
                      test::contains("temperature") && test::contains("got -0.5"));
  // A hand-made quadratic energy checks its weight matrix.
  matrix_t<TestType> w = matrix_t<TestType>::Zero(3, 3);
  w(0, 1) = 1;
  REQUIRE_THROWS_WITH(quadratic_energy<TestType>(w), test::contains("hopfield::quadratic_energy") &&
                                                         test::contains("symmetric") &&
                                                         test::contains("w(1, 0) = 0"));
  w(1, 0) = 1;
  w(2, 2) = 1;
  REQUIRE_THROWS_WITH(quadratic_energy<TestType>(w),
                      test::contains("zero diagonal") && test::contains("1 at (2, 2)"));
  REQUIRE_THROWS_WITH(
      quadratic_energy<TestType>(matrix_t<TestType>::Zero(3, 2)),
      test::contains("'weights'") && test::contains("cols = 3") && test::contains("cols = 2"));
}

TEST_CASE("classical: a hand-made quadratic energy runs with every binary update", "[classical]") {
  // The energy policy stands alone: the engine accepts it with any binary update.
  const auto x = random_binary_patterns<double>(30, 3, 8);
  matrix_t<double> w = x * x.transpose() / 30.0;
  w.diagonal().setZero();
  const quadratic_energy<double> energy(w);
  const classical_hopfield<double> net(x);
  const auto q = corrupt(x, 0.1, 4);
  REQUIRE(retrieve(energy, asynchronous_update{}, q).states == net.retrieve(q).states);
  REQUIRE(retrieve(energy, synchronous_update{}, q).states ==
          net.retrieve(q, {}, synchronous_update{}).states);
  REQUIRE(energy.energy(x.col(0)) == Approx(net.energy(x.col(0))));
}

TEST_CASE("classical: helpers corrupt by count and fraction, seeded, and measure overlap",
          "[classical][helpers]") {
  const auto x = random_binary_patterns<float>(100, 4, 5);
  REQUIRE(random_binary_patterns<float>(100, 4, 5) == x);
  REQUIRE(random_binary_patterns<float>(100, 4, 6) != x);
  const auto flipped = flip_bits(x, 13, 9);
  const auto by_fraction = corrupt(x, 0.13, 9);
  REQUIRE(flipped == by_fraction);
  for (index_t j = 0; j < 4; ++j) {
    REQUIRE((flipped.col(j).array() != x.col(j).array()).count() == 13);
    REQUIRE(overlap(flipped.col(j), x.col(j)) == Approx(1.0 - 2.0 * 13 / 100));
  }
  REQUIRE(corrupt(x, 0.13, 10) != flipped);
}

TEMPLATE_TEST_CASE("classical: sweeps, gaps and flips allocate nothing", "[classical][alloc]", float,
                   double) {
  for (const field_mode mode : {field_mode::patterns, field_mode::weights}) {
    const auto x = random_binary_patterns<TestType>(64, 6, 2);
    const classical_hopfield<TestType> net(x, {.fields = mode});
    const auto& energy = net.energy_policy();
    vector_t<TestType> s = corrupt(x.col(0), 0.3, 1);
    typename quadratic_energy<TestType>::context_type ctx;
    energy.init_context(ctx, s);  // sizes the context once
    sweep_workspace ws;
    ws.order.reserve(64);
    Eigen::internal::set_is_malloc_allowed(false);
    const index_t flips = asynchronous_update{}.sweep(energy, ctx, s, ws) +
                          stochastic_update{.temperature = 0.5}.sweep(energy, ctx, s, ws);
    energy.init_context(ctx, s);  // reuses the storage
    Eigen::internal::set_is_malloc_allowed(true);
    REQUIRE(flips > 0);
  }
}
