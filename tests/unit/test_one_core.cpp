// The one retrieval core: the modern memory's partial over disjoint halves merges into the whole
// memory's; attention and pooling run the bounded-memory streaming path (a 65536 x 65536 causal
// attention under an address-space cap); every memory has the same members with the same
// meaning; the similarity and stopping seams.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <type_traits>
#include <vector>

#if defined(__unix__) && !defined(HOPFIELD_SANITIZE)
#include <sys/resource.h>
#endif

#include <hopfield/hopfield.hpp>

#include "gaussian.hpp"

#include "test_modern_reference.hpp"

using namespace hopfield;
using test::gaussian;

namespace {
template <class Scalar>
constexpr double merge_tolerance() {
  return std::is_same_v<Scalar, float> ? 2e-6 : 1e-14;
}

double relative_error(const Eigen::Ref<const matrix_t<double>>& got,
                      const Eigen::Ref<const matrix_t<double>>& want) {
  return (got - want).cwiseAbs().maxCoeff() / std::max(1.0, want.cwiseAbs().maxCoeff());
}

/// A user similarity: -1/2 |x - q|^2 (the next issue ships its own). It supplies the energy's
/// terms: E(q) = -beta^-1 lse(beta, -|x_i - q|^2 / 2) + beta^-1 ln M, which is >= 0 and which
/// q <- X softmax(beta sim) never raises (it is the dot-product energy with biases -|x_i|^2/2).
struct negative_squared_distance {
  template <Real S>
  void scores(const Eigen::Ref<const matrix_t<S>>& patterns, const Eigen::Ref<const matrix_t<S>>& queries,
              Eigen::Ref<matrix_t<S>> out) const {
    out.noalias() = patterns.transpose() * queries;
    out.colwise() -= S(0.5) * patterns.colwise().squaredNorm().transpose();
    out.rowwise() -= S(0.5) * queries.colwise().squaredNorm();
  }
  template <Real S>
  S state_term(const Eigen::Ref<const vector_t<S>>& /*q*/) const {
    return S(0);
  }
  template <Real S>
  S constant_term(const matrix_t<S>& /*patterns*/) const {
    return S(0);
  }
};

/// A similarity with no energy: the memory updates, but energy() does not compile.
struct negative_manhattan {
  template <Real S>
  void scores(const Eigen::Ref<const matrix_t<S>>& patterns, const Eigen::Ref<const matrix_t<S>>& queries,
              Eigen::Ref<matrix_t<S>> out) const {
    for (index_t j = 0; j < queries.cols(); ++j)
      for (index_t i = 0; i < patterns.cols(); ++i)
        out(i, j) = -(patterns.col(i) - queries.col(j)).cwiseAbs().sum();
  }
};

template <class Memory, class Q>
concept has_energy = requires(const Memory& m, const Q& q) {
  m.energy(q);
};
}  // namespace

static_assert(Similarity<dot_product, float> && HasSimilarityEnergy<dot_product, double>);
static_assert(Similarity<negative_squared_distance, double> &&
              HasSimilarityEnergy<negative_squared_distance, double>);
static_assert(Similarity<negative_manhattan, float> && !HasSimilarityEnergy<negative_manhattan, float>);
static_assert(has_energy<modern_hopfield<double, negative_squared_distance>, vector_t<double>>);
static_assert(!has_energy<modern_hopfield<double, negative_manhattan>, vector_t<double>>);

TEMPLATE_TEST_CASE("one core: partials of disjoint halves merge into the whole memory's", "[core][partial]",
                   float, double) {
  std::mt19937_64 rng(7);
  for (std::uint64_t seed = 0; seed < 24; ++seed) {
    const index_t n = 4 + static_cast<index_t>(seed % 29);
    const index_t m = 2 + static_cast<index_t>((seed * 977) % 3000);
    const index_t b = seed % 3 == 0 ? 1 : 1 + static_cast<index_t>(seed % 37);
    const auto beta = static_cast<TestType>(0.25 + 0.5 * static_cast<double>(seed % 7));
    const matrix_t<TestType> x = gaussian<TestType>(n, m, seed, TestType(1));
    const matrix_t<TestType> v = gaussian<TestType>(3, m, seed + 100, TestType(1));
    const matrix_t<TestType> q = gaussian<TestType>(n, b, seed + 200, TestType(1));
    // A random split: a random subset in a random order goes to the first memory.
    std::vector<index_t> order(static_cast<std::size_t>(m));
    std::iota(order.begin(), order.end(), index_t{0});
    std::shuffle(order.begin(), order.end(), rng);
    const index_t first = 1 + static_cast<index_t>(rng() % static_cast<std::uint64_t>(m - 1));
    matrix_t<TestType> xa(n, first), xb(n, m - first), va(3, first), vb(3, m - first);
    for (index_t k = 0; k < m; ++k) {
      const index_t i = order[static_cast<std::size_t>(k)];
      if (k < first) {
        xa.col(k) = x.col(i);
        va.col(k) = v.col(i);
      } else {
        xb.col(k - first) = x.col(i);
        vb.col(k - first) = v.col(i);
      }
    }
    const modern_options<TestType> options{.beta = beta};
    const modern_hopfield<TestType> whole(x, v, options), half_a(xa, va, options), half_b(xb, vb, options);
    auto part = half_a.partial(q);
    part.merge(half_b.partial(q));
    const auto all = whole.partial(q);
    CAPTURE(seed, n, m, b, first);
    // A score's rounding depends on its block's product, so even the max is equal only to rounding.
    REQUIRE(relative_error(part.max().template cast<double>().transpose(),
                           all.max().template cast<double>().transpose()) <= merge_tolerance<TestType>());
    const matrix_t<double> merged = part.weighted_sum().template cast<double>();
    REQUIRE(relative_error(merged, whole.update(q).template cast<double>()) <= merge_tolerance<TestType>());
    REQUIRE(relative_error(merged, test::naive_update(x, v, q, beta).template cast<double>()) <=
            10 * merge_tolerance<TestType>());
    for (index_t j = 0; j < b; ++j) {
      REQUIRE(std::abs(static_cast<double>(part.logsumexp(j)) - static_cast<double>(all.logsumexp(j))) <=
              merge_tolerance<TestType>() * std::max(1.0, std::abs(static_cast<double>(all.logsumexp(j)))));
    }
  }
}

TEST_CASE("one core: a partial merges a tile into its columns, and rejects what does not fit",
          "[core][partial]") {
  const matrix_t<double> x = gaussian<double>(6, 50, 1, 1.0);
  const matrix_t<double> q = gaussian<double>(6, 9, 2, 1.0);
  const modern_hopfield<double> mhn(x, {.beta = 1.5});
  softmax_partial<double> whole(6, 9, 1.5);
  whole.merge(mhn.partial(q.leftCols(4)), 0);
  whole.merge(mhn.partial(q.rightCols(5)), 4);
  REQUIRE(whole.weighted_sum() == mhn.partial(q).weighted_sum());
  REQUIRE_THROWS_WITH(whole.merge(mhn.partial(q.leftCols(4)), 6), Catch::Contains("first_column"));
  REQUIRE_THROWS_WITH(whole.merge(softmax_partial<double>(6, 9, 2.0)), Catch::Contains("other.beta"));
}

TEST_CASE("one core: attention over 65536 x 65536 tokens never forms its score matrix", "[core][attention]") {
#if defined(HOPFIELD_SANITIZE) || !defined(__unix__)
  const index_t tokens = 2048;  // sanitizers reserve terabytes of shadow memory: no address-space cap there
#else
  const index_t tokens = 65536;  // the scores alone would take 16 GiB in float
  rlimit cap{};
  REQUIRE(getrlimit(RLIMIT_AS, &cap) == 0);
  const rlimit old = cap;
  cap.rlim_cur = rlim_t{3} << 30;  // 3 GiB of address space for everything
  REQUIRE(setrlimit(RLIMIT_AS, &cap) == 0);
#endif
  const index_t d = 2;
  const matrix_t<float> q = gaussian<float>(tokens, d, 11, 1.0f);
  const matrix_t<float> k = gaussian<float>(tokens, d, 12, 1.0f);
  const matrix_t<float> v = gaussian<float>(tokens, 1, 13, 1.0f);
  // A causal mask as an expression: query i sees keys 0..i; it costs no memory either.
  const auto causal = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>::NullaryExpr(
      tokens, tokens, [](index_t i, index_t j) { return j <= i; });
  const matrix_t<float> out = attention(q, k, v, 0.5f, causal);
#if !defined(HOPFIELD_SANITIZE) && defined(__unix__)
  REQUIRE(setrlimit(RLIMIT_AS, &old) == 0);
#endif
  REQUIRE(out.rows() == tokens);
  REQUIRE(out.allFinite());
  // Spot checks against long double: the first query sees only key 0; others a prefix.
  for (const index_t i : {index_t{0}, index_t{1}, index_t{777}, tokens - 1}) {
    const matrix_t<float> keys = k.topRows(i + 1).transpose();
    const matrix_t<float> values = v.topRows(i + 1).transpose();
    const matrix_t<float> query = q.row(i).transpose();
    const auto want = test::naive_update(keys, values, query, 0.5L);
    CAPTURE(i);
    REQUIRE(std::abs(static_cast<long double>(out(i, 0)) - want(0, 0)) <= 1e-5L);
  }
}

TEST_CASE("one core: a fully masked query gives zeros through the streaming path", "[core][attention]") {
  const matrix_t<double> q = gaussian<double>(700, 3, 1, 1.0);  // > 512 queries: tiles
  const matrix_t<double> k = gaussian<double>(40, 3, 2, 1.0);
  const matrix_t<double> v = gaussian<double>(40, 2, 3, 1.0);
  Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic> mask =
      Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(700, 40, true);
  mask.row(5).setConstant(false);
  mask.row(650).setConstant(false);
  const matrix_t<double> out = attention(q, k, v, 0.7, mask);
  REQUIRE(out.row(5).isZero(0));
  REQUIRE(out.row(650).isZero(0));
  REQUIRE(out.allFinite());
  REQUIRE(relative_error(
              out.row(4).transpose(),
              test::naive_update(k.transpose(), v.transpose(), q.row(4).transpose(), 0.7L).cast<double>()) <=
          1e-13);
}

TEST_CASE("one core: wide attention gives the same bits on one thread and on several", "[core][attention]") {
  const matrix_t<float> q = gaussian<float>(1500, 16, 4, 1.0f);
  const matrix_t<float> k = gaussian<float>(3000, 16, 5, 1.0f);
  const matrix_t<float> v = gaussian<float>(3000, 8, 6, 1.0f);
  const matrix_t<float> one = attention(q, k, v, 0.25f, streaming_options{.threads = 1});
  const matrix_t<float> two = attention(q, k, v, 0.25f, streaming_options{.threads = 2});
  const matrix_t<float> automatic = attention(q, k, v, 0.25f);
  REQUIRE(one == two);
  REQUIRE(one == automatic);
}

TEST_CASE("one core: pooling runs the streaming path and its weights are the finished softmax",
          "[core][pooling]") {
  const matrix_t<double> bag = gaussian<double>(12, 5000, 1, 1.0);
  const matrix_t<double> queries = gaussian<double>(12, 3, 2, 1.0);
  const auto r = hopfield_pooling(bag, queries, {.beta = 2.0, .streaming = {.block_size = 97}});
  const auto lean = hopfield_pooling(bag, queries, {.beta = 2.0, .weights = false});
  REQUIRE(lean.weights.size() == 0);
  REQUIRE(relative_error(lean.pooled, r.pooled) <= 1e-14);
  REQUIRE(relative_error(r.pooled, test::naive_update(bag, bag, queries, 2.0L).cast<double>()) <= 1e-13);
  REQUIRE(relative_error(bag * r.weights, r.pooled) <= 1e-13);
  for (index_t j = 0; j < 3; ++j) REQUIRE(r.weights.col(j).sum() == Approx(1.0).epsilon(1e-14));
}

TEMPLATE_TEST_CASE("one core: the similarity seam with -|x - q|^2 / 2 against a naive double computation",
                   "[core][similarity]", float, double) {
  const index_t n = 9;
  const index_t m = 1200;
  const matrix_t<TestType> x = gaussian<TestType>(n, m, 3, TestType(1));
  const matrix_t<TestType> q = x.leftCols(5) + gaussian<TestType>(n, 5, 4, TestType(0.3));
  const TestType beta = 1.5;
  const modern_hopfield<TestType, negative_squared_distance> mhn(x, {.beta = beta, .block_size = 64});
  const matrix_t<TestType> got = mhn.update(q);
  // Naive: scores -1/2 |x_i - q|^2 in double, softmax, weighted sum.
  matrix_t<double> want(n, q.cols());
  for (index_t j = 0; j < q.cols(); ++j) {
    std::vector<double> z(static_cast<std::size_t>(m));
    double top = -INFINITY;
    for (index_t i = 0; i < m; ++i) {
      double d2 = 0;
      for (index_t r = 0; r < n; ++r) {
        const double diff = static_cast<double>(x(r, i)) - static_cast<double>(q(r, j));
        d2 += diff * diff;
      }
      z[static_cast<std::size_t>(i)] = -0.5 * d2;
      top = std::max(top, z[static_cast<std::size_t>(i)]);
    }
    double sum = 0;
    vector_t<double> acc = vector_t<double>::Zero(n);
    for (index_t i = 0; i < m; ++i) {
      const double w = std::exp(static_cast<double>(beta) * (z[static_cast<std::size_t>(i)] - top));
      sum += w;
      acc += w * x.col(i).template cast<double>();
    }
    want.col(j) = acc / sum;
    // The energy the similarity supplies: -beta^-1 lse(beta, z) + beta^-1 ln M.
    const double energy = -(top + std::log(sum) / static_cast<double>(beta)) +
                          std::log(static_cast<double>(m)) / static_cast<double>(beta);
    REQUIRE(static_cast<double>(mhn.energy(vector_t<TestType>(q.col(j)))) ==
            Approx(energy).epsilon(std::is_same_v<TestType, float> ? 1e-5 : 1e-12));
  }
  REQUIRE(relative_error(got.template cast<double>(), want) <=
          (std::is_same_v<TestType, float> ? 1e-5 : 1e-12));
  // Its update never raises its energy (the dot-product energy with biases, CCCP).
  const auto r = mhn.retrieve(q, {.record_trace = true});
  for (const auto& report : r.reports) {
    for (std::size_t k = 1; k < report.energy_trace.size(); ++k) {
      REQUIRE(report.energy_trace[k] <= report.energy_trace[k - 1] + TestType(1e-5));
    }
  }
  // A similarity without energy terms still updates.
  const modern_hopfield<TestType, negative_manhattan> manhattan(x, {.beta = beta});
  REQUIRE(manhattan.update(q).allFinite());
}

namespace {
/// Checks the uniform memory API, and that m.retrieve(q) is hopfield::retrieve with the memory's
/// default update and the energy's own tolerance.
template <class Memory, class Update>
void check_memory_api(const Memory& memory, const matrix_t<float>& queries, const Update& update) {
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(memory.patterns())>, matrix_t<float>>);
  static_assert(
      std::is_same_v<std::remove_cvref_t<decltype(memory.energy_policy())>, typename Memory::energy_type>);
  static_assert(
      std::is_same_v<std::remove_cvref_t<decltype(memory.options())>, typename Memory::options_type>);
  REQUIRE(memory.patterns().rows() == memory.dimension());
  REQUIRE(memory.patterns().cols() == memory.size());
  const vector_t<float> q = queries.col(0);
  const auto own = memory.retrieve(q);
  const auto engine = hopfield::retrieve(memory.energy_policy(), update, q);
  REQUIRE(own.state == engine.state);
  REQUIRE(own.steps == engine.steps);
  REQUIRE(own.reason == engine.reason);
  REQUIRE(own.energy == engine.energy);
  const retrieval_options traced{.max_steps = 7, .record_trace = true};
  const auto with_options = memory.retrieve(queries, traced);
  const auto with_update = memory.retrieve(queries, traced, update);
  REQUIRE(with_options.states == with_update.states);
  const row_vector_t<float> energies = memory.energies(queries);
  for (index_t j = 0; j < queries.cols(); ++j) {
    REQUIRE(energies(j) == Approx(memory.energy(queries.col(j))).epsilon(1e-6));
    REQUIRE(with_options.reports[static_cast<std::size_t>(j)].energy_trace.size() ==
            static_cast<std::size_t>(with_options.reports[static_cast<std::size_t>(j)].steps + 1));
  }
}
}  // namespace

TEST_CASE("one core: every memory has the same members with the same meaning", "[core][api]") {
  const matrix_t<float> x = random_binary_patterns<float>(64, 6, 3);
  matrix_t<float> queries(64, 3);
  for (index_t j = 0; j < 3; ++j) queries.col(j) = corrupt(x.col(j), 0.1, 10 + static_cast<std::uint64_t>(j));
  check_memory_api(classical_hopfield<float>(x), queries, asynchronous_update{});
  check_memory_api(dense_associative_memory<float, rectified_polynomial>(x, {.degree = 3}), queries,
                   asynchronous_update{});
  check_memory_api(modern_hopfield<float>(x, {.beta = 0.2f}), queries, cccp_update{});
  // The modern memory takes any continuous update: damped CCCP steps reach the same fixed point.
  const modern_hopfield<float> mhn(x, {.beta = 0.2f});
  const auto damped = mhn.retrieve(queries, {.max_steps = 500}, damped_cccp_update{.eta = 0.5});
  const auto plain = mhn.retrieve(queries);
  REQUIRE(damped.all_converged());
  REQUIRE((damped.states - plain.states).cwiseAbs().maxCoeff() <= 1e-3f);
  REQUIRE_THROWS_WITH(mhn.retrieve(queries, {}, damped_cccp_update{.eta = 0}), Catch::Contains("eta"));
}

TEST_CASE("one core: damped CCCP never raises the energy for 0 < eta <= 2", "[core][update]") {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const index_t n = 3 + static_cast<index_t>(seed % 13);
    const index_t m = 2 + static_cast<index_t>((seed * 5) % 40);
    const double beta = 0.5 + static_cast<double>(seed % 9);
    const double eta = 0.05 + 1.95 * static_cast<double>((seed * 37) % 101) / 100.0;
    const modern_hopfield<double> mhn(gaussian<double>(n, m, seed, 1.0), {.beta = beta});
    const auto r = mhn.retrieve(gaussian<double>(n, 1, seed + 1000, 1.0).col(0),
                                {.max_steps = 50, .record_trace = true}, damped_cccp_update{.eta = eta});
    CAPTURE(seed, eta);
    for (std::size_t k = 1; k < r.energy_trace.size(); ++k)
      REQUIRE(r.energy_trace[k] <= r.energy_trace[k - 1] + 1e-12);
  }
}

namespace {
/// An update that stops on its own test: the step moves every entry halfway to X softmax(...)
/// and reports convergence once the step is below a fixed 1e-3 (not the engine's rule).
struct coarse_stop_update {
  template <ContinuousEnergyPolicy E>
  void step(const E& energy, const Eigen::Ref<const matrix_t<scalar_of<E>>>& states,
            Eigen::Ref<matrix_t<scalar_of<E>>> out) const {
    energy.cccp_step(states, out);
    out = (states + out) / 2;
  }
  template <class E>
  bool converged(const E&, const Eigen::Ref<const vector_t<scalar_of<E>>>& next,
                 const Eigen::Ref<const vector_t<scalar_of<E>>>& current, double) const {
    return (next - current).norm() < 1e-3;
  }
};

/// A continuous update that alternates between two points: a 2-cycle of a continuous map is not
/// a binary 2-cycle, so the engine keeps going (to the step limit).
struct flip_flop_update {
  template <ContinuousEnergyPolicy E>
  void step(const E&, const Eigen::Ref<const matrix_t<scalar_of<E>>>& states,
            Eigen::Ref<matrix_t<scalar_of<E>>> out) const {
    out = -states;
  }
};
}  // namespace

TEST_CASE("one core: the stopping seam, and no 2-cycles for continuous states", "[core][engine]") {
  const matrix_t<double> x = gaussian<double>(8, 5, 1, 1.0);
  const modern_hopfield<double> mhn(x, {.beta = 2.0});
  const vector_t<double> q = gaussian<double>(8, 1, 2, 1.0).col(0);
  const auto own_rule = mhn.retrieve(q, {.max_steps = 1000}, coarse_stop_update{});
  REQUIRE(own_rule.converged);
  const auto engine_rule =
      mhn.retrieve(q, {.max_steps = 1000, .tolerance = 0.0}, damped_cccp_update{.eta = 0.5});
  REQUIRE(own_rule.steps < engine_rule.steps);  // the coarse test stops earlier
  const auto cycling = mhn.retrieve(q, {.max_steps = 9}, flip_flop_update{});
  REQUIRE(cycling.reason == stop_reason::step_limit);
  REQUIRE(cycling.steps == 9);
}

TEST_CASE("one core: a learning rule's matrix becomes an energy through a public factory",
          "[core][learning]") {
  const matrix_t<double> x = random_binary_patterns<double>(30, 4, 5);
  const classical_hopfield<double> net(x);
  const auto& e = net.energy_policy();
  const auto rebuilt =
      quadratic_energy<double>::from_stored(e.raw_weights(), e.weight_denominator(), e.thresholds());
  const vector_t<double> s = corrupt(x.col(1), 0.2, 3);
  REQUIRE(rebuilt.energy(s) == e.energy(s));
  matrix_t<double> asymmetric = e.raw_weights();
  asymmetric(0, 1) += 1;
  REQUIRE_THROWS_WITH(quadratic_energy<double>::from_stored(asymmetric, 30.0, vector_t<double>()),
                      Catch::Contains("symmetric"));
  REQUIRE_THROWS_WITH(quadratic_energy<double>::from_stored(e.raw_weights(), 0.0, vector_t<double>()),
                      Catch::Contains("denominator"));
}

TEST_CASE("one core: the streaming path called from a caller's own parallel region", "[core][threads]") {
  // A regression: the serial path once took its scratch slot from the caller's thread number.
  const matrix_t<float> x = gaussian<float>(16, 4000, 1, 1.0f);
  const matrix_t<float> q = gaussian<float>(16, 700, 2, 1.0f);  // tiles, and one query below
  const modern_hopfield<float> mhn(x, {.beta = 0.5f, .threads = 1});
  const matrix_t<float> want = mhn.update(q);
  const vector_t<float> want_one = mhn.update(vector_t<float>(q.col(3)));
  std::vector<int> same(4, 0);
#if defined(_OPENMP)
#pragma omp parallel for num_threads(2)
#endif
  for (int t = 0; t < 4; ++t) {
    const bool batch = mhn.update(q) == want;
    const bool one = mhn.update(vector_t<float>(q.col(3))) == want_one;
    same[static_cast<std::size_t>(t)] = batch && one ? 1 : 0;
  }
  REQUIRE(same == std::vector<int>(4, 1));
}
