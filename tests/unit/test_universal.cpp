// Universal retrieval (issue 15): every similarity x separation composition of modern_hopfield
// against the naive single-shot formula V sep(beta sim(X, q)) computed in long double with
// textbook algorithms (sorting for sparsemax and 1.5-entmax, bisection for alpha-entmax); the
// Hopfield-Fenchel-Young energy against its definition, against the log-sum-exp energy at
// alpha = 1 and Hu et al.'s sparsemax closed form, its bounds, and CCCP monotonicity over
// thousands of seeded instances; the exact one-step retrieval predicate against the retrievals;
// bounded query blocks and threads; bad separation parameters.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <vector>

#include <hopfield/analysis/sparse_retrieval.hpp>
#include <hopfield/core/random.hpp>
#include <hopfield/energy/fenchel_young_energy.hpp>
#include <hopfield/energy/lse_energy.hpp>
#include <hopfield/memory/modern_hopfield.hpp>
#include <hopfield/separation/entmax.hpp>
#include <hopfield/separation/hard_max.hpp>
#include <hopfield/separation/polynomial.hpp>
#include <hopfield/separation/softmax.hpp>
#include <hopfield/separation/sparsemax.hpp>
#include <hopfield/separation/top_k.hpp>
#include <hopfield/similarity/cosine.hpp>
#include <hopfield/similarity/euclidean.hpp>
#include <hopfield/similarity/manhattan.hpp>

#include "gaussian.hpp"

using namespace hopfield;
using test::gaussian;
using ld = long double;
using ld_vector = Eigen::Matrix<ld, Eigen::Dynamic, 1>;
using ld_matrix = Eigen::Matrix<ld, Eigen::Dynamic, Eigen::Dynamic>;

namespace {

#ifdef HOPFIELD_SANITIZE
constexpr int monotone_instances = 150;
constexpr std::uint64_t composition_seeds = 3;
#else
constexpr int monotone_instances = 2000;
constexpr std::uint64_t composition_seeds = 12;
#endif

// ---- naive similarities, long double ----
ld naive_similarity(const dot_product&, const ld_vector& x, const ld_vector& q) {
  return x.dot(q);
}
ld naive_similarity(const euclidean&, const ld_vector& x, const ld_vector& q) {
  return -0.5L * (x - q).squaredNorm();
}
ld naive_similarity(const manhattan&, const ld_vector& x, const ld_vector& q) {
  return -(x - q).cwiseAbs().sum();
}
ld naive_similarity(const cosine&, const ld_vector& x, const ld_vector& q) {
  const ld d = x.norm() * q.norm();
  return d == 0 ? 0 : x.dot(q) / d;
}

// ---- naive separations of theta = beta z, long double ----
ld_vector naive_softmax(const ld_vector& theta) {
  const ld_vector e = (theta.array() - theta.maxCoeff()).exp().matrix();
  return e / e.sum();
}

// Sparsemax by sorting (Martins & Astudillo 2016, THEORY.md section 7).
ld_vector naive_sparsemax(const ld_vector& theta) {
  std::vector<ld> z(theta.data(), theta.data() + theta.size());
  std::sort(z.begin(), z.end(), std::greater<>());
  ld sum = 0, tau = 0;
  for (std::size_t k = 1; k <= z.size(); ++k) {
    sum += z[k - 1];
    if (1 + static_cast<ld>(k) * z[k - 1] > sum) tau = (sum - 1) / static_cast<ld>(k);
  }
  return (theta.array() - tau).max(0.0L).matrix();
}

// 1.5-entmax by sorting (Peters et al. 2019, THEORY.md section 7).
ld_vector naive_entmax15(const ld_vector& theta) {
  const ld_vector y = (theta.array() - theta.maxCoeff()) / 2;
  std::vector<ld> s(y.data(), y.data() + y.size());
  std::sort(s.begin(), s.end(), std::greater<>());
  ld sum = 0, sum_sq = 0, tau = 0;
  for (std::size_t k = 1; k <= s.size(); ++k) {
    sum += s[k - 1];
    sum_sq += s[k - 1] * s[k - 1];
    const ld kk = static_cast<ld>(k), mean = sum / kk;
    const ld ss = sum_sq - kk * mean * mean;
    const ld t = mean - std::sqrt(std::max((1 - ss) / kk, 0.0L));
    if (t <= s[k - 1]) tau = t;
  }
  return (y.array() - tau).max(0.0L).square().matrix();
}

// alpha-entmax by bisection on tau: p_i = [(alpha - 1) theta_i - tau]_+^(1 / (alpha - 1)).
ld_vector naive_entmax(const ld_vector& theta, ld alpha) {
  const ld_vector t = (alpha - 1) * theta;
  const auto weights = [&](ld tau) {
    ld_vector p = ld_vector::Zero(t.size());
    for (index_t i = 0; i < t.size(); ++i)
      if (t(i) > tau) p(i) = std::pow(t(i) - tau, 1 / (alpha - 1));
    return p;
  };
  ld lo = t.maxCoeff() - 1, hi = t.maxCoeff();  // sum p >= 1 at lo, < 1 at hi
  for (int it = 0; it < 80; ++it) {             // the interval halves: 2^-80, below long double's ulp
    const ld mid = (lo + hi) / 2;
    (weights(mid).sum() >= 1 ? lo : hi) = mid;
  }
  const ld_vector p = weights(lo);
  return p / p.sum();
}

ld_vector naive_hard_max(const ld_vector& theta) {
  index_t best = 0;
  for (index_t i = 1; i < theta.size(); ++i)
    if (theta(i) > theta(best)) best = i;
  return ld_vector::Unit(theta.size(), best);
}

ld_vector naive_top_k(const ld_vector& theta, index_t k) {
  std::vector<index_t> order(static_cast<std::size_t>(theta.size()));
  std::iota(order.begin(), order.end(), index_t{0});
  std::stable_sort(order.begin(), order.end(), [&](index_t a, index_t b) { return theta(a) > theta(b); });
  ld_vector p = ld_vector::Zero(theta.size());
  const auto kept = std::min<std::size_t>(order.size(), static_cast<std::size_t>(k));
  const ld top = theta(order[0]);
  ld sum = 0;
  for (std::size_t r = 0; r < kept; ++r) sum += std::exp(theta(order[r]) - top);
  for (std::size_t r = 0; r < kept; ++r) p(order[r]) = std::exp(theta(order[r]) - top) / sum;
  return p;
}

ld_vector naive_polynomial(const ld_vector& z, int degree) {
  const ld_vector r = z.array().max(0.0L).pow(static_cast<ld>(degree)).matrix();
  return r.sum() > 0 ? ld_vector(r / r.sum()) : ld_vector(ld_vector::Zero(z.size()));
}

ld_vector naive_separation(const sep::softmax&, const ld_vector& theta) {
  return naive_softmax(theta);
}
ld_vector naive_separation(const sep::sparsemax&, const ld_vector& theta) {
  return naive_sparsemax(theta);
}
ld_vector naive_separation(const sep::entmax15&, const ld_vector& theta) {
  return naive_entmax15(theta);
}
ld_vector naive_separation(const sep::entmax& s, const ld_vector& theta) {
  return naive_entmax(theta, static_cast<ld>(s.alpha));
}
ld_vector naive_separation(const sep::hard_max&, const ld_vector& theta) {
  return naive_hard_max(theta);
}
ld_vector naive_separation(const sep::top_k& s, const ld_vector& theta) {
  return naive_top_k(theta, s.k);
}
// The polynomial separation ignores beta (normalised): it sees beta z, whose rectified powers
// normalise to the same weights.
ld_vector naive_separation(const sep::polynomial& s, const ld_vector& theta) {
  return naive_polynomial(theta, s.degree);
}

template <class Sim>
ld_vector naive_scores(const Sim& sim, const ld_matrix& x, const ld_vector& q) {
  ld_vector s(x.cols());
  for (index_t i = 0; i < x.cols(); ++i) s(i) = naive_similarity(sim, x.col(i), q);
  return s;
}

template <class Sim, class Sep>
ld_vector naive_update(const Sim& sim, const Sep& sep, const ld_matrix& x, const ld_matrix& v,
                       const ld_vector& q, ld beta) {
  return v * naive_separation(sep, (beta * naive_scores(sim, x, q)).eval());
}

template <class Scalar>
ld_matrix wide(const matrix_t<Scalar>& m) {
  return m.template cast<ld>();
}

template <class Scalar>
ld tolerance() {
  return std::is_same_v<Scalar, float> ? 2e-4L : 1e-10L;
}

// One composition: update against the naive formula for batches and single queries, auto- and
// hetero-association, several beta, N and M, with small memory budgets (several query blocks).
template <class Scalar, class Sim, class Sep>
void check_composition(const Sep& separation, std::uint64_t seed0) {
  random_engine rng(seed0);
  for (std::uint64_t seed = seed0; seed < seed0 + composition_seeds; ++seed) {
    const auto n = static_cast<index_t>(2 + uniform_below(rng, 20));
    const auto m = static_cast<index_t>(1 + uniform_below(rng, 200));
    const auto b = static_cast<index_t>(1 + uniform_below(rng, 7));
    const Scalar beta = std::array<Scalar, 4>{Scalar(0.25), Scalar(1), Scalar(4), Scalar(16)}[seed % 4];
    const auto x = gaussian<Scalar>(n, m, seed, Scalar(1) / std::sqrt(static_cast<Scalar>(n)));
    const auto v = gaussian<Scalar>(3, m, seed + 500);
    const auto q = gaussian<Scalar>(n, b, seed + 1000, Scalar(1) / std::sqrt(static_cast<Scalar>(n)));
    modern_options<Scalar> options{.beta = beta};
    if (seed % 2 == 1)
      options.memory_budget = static_cast<std::size_t>(m) * sizeof(Scalar) * 2;  // 2 queries/block
    const modern_hopfield<Scalar, Sim, Sep> auto_memory(x, options, Sim{}, separation);
    const modern_hopfield<Scalar, Sim, Sep> hetero_memory(x, v, options, Sim{}, separation);
    const matrix_t<Scalar> out = auto_memory.update(q);
    const matrix_t<Scalar> hetero_out = hetero_memory.update(q);
    for (index_t j = 0; j < b; ++j) {
      const ld_vector qj = wide<Scalar>(q).col(j);
      const ld_vector expected = naive_update(Sim{}, separation, wide<Scalar>(x), wide<Scalar>(x), qj, beta);
      const ld_vector hetero_expected =
          naive_update(Sim{}, separation, wide<Scalar>(x), wide<Scalar>(v), qj, beta);
      INFO("seed " << seed << " n " << n << " m " << m << " beta " << beta << " query " << j);
      REQUIRE((out.col(j).template cast<ld>() - expected).cwiseAbs().maxCoeff() <= tolerance<Scalar>());
      REQUIRE((hetero_out.col(j).template cast<ld>() - hetero_expected).cwiseAbs().maxCoeff() <=
              tolerance<Scalar>());
    }
    const vector_t<Scalar> q0 = q.col(0);
    const vector_t<Scalar> one = auto_memory.update(q0);
    REQUIRE((one - out.col(0)).cwiseAbs().maxCoeff() <= Scalar(tolerance<Scalar>()));
  }
}

template <class Scalar, class Sep>
void check_all_similarities(const Sep& separation) {
  check_composition<Scalar, dot_product>(separation, 10);
  check_composition<Scalar, euclidean>(separation, 20);
  check_composition<Scalar, manhattan>(separation, 30);
  check_composition<Scalar, cosine>(separation, 40);
}

}  // namespace

TEMPLATE_TEST_CASE("universal: every similarity x separation equals V sep(beta sim(X, q))", "[universal]",
                   float, double) {
  SECTION("softmax") {
    check_all_similarities<TestType>(sep::softmax{});
  }
  SECTION("sparsemax") {
    check_all_similarities<TestType>(sep::sparsemax{});
  }
  SECTION("1.5-entmax") {
    check_all_similarities<TestType>(sep::entmax15{});
  }
  SECTION("alpha-entmax, alpha = 1.25 and 3 (bisection), 1.5 and 2 (the exact kernels)") {
    for (const double alpha : {1.25, 3.0}) check_all_similarities<TestType>(sep::entmax{alpha});
    for (const double alpha : {1.5, 2.0}) check_composition<TestType, dot_product>(sep::entmax{alpha}, 70);
  }
  SECTION("hard max") {
    check_all_similarities<TestType>(sep::hard_max{});
  }
  SECTION("top-k, k = 1, 3, 1000") {
    for (const index_t k : {1, 3, 1000}) check_all_similarities<TestType>(sep::top_k{k});
  }
  SECTION("polynomial, degree 1, 3") {
    for (const int degree : {1, 3}) {
      check_composition<TestType, dot_product>(sep::polynomial{degree}, 50);
      check_composition<TestType, cosine>(sep::polynomial{degree}, 60);
    }
  }
}

TEST_CASE("universal: the defaults are today's memory, type for type", "[universal]") {
  STATIC_REQUIRE(std::is_same_v<modern_hopfield<float>, modern_hopfield<float, dot_product, sep::softmax>>);
  STATIC_REQUIRE(std::is_same_v<modern_hopfield<double>::energy_type, lse_energy<double, dot_product>>);
  STATIC_REQUIRE(std::is_same_v<modern_hopfield<double, euclidean, sep::sparsemax>::energy_type,
                                fenchel_young_energy<double, euclidean, sep::sparsemax>>);
}

namespace {
template <class M>
concept has_energy = requires(const M& m, const vector_t<double>& q) {
  m.energy(q);
};
template <class M>
concept has_retrieve = requires(const M& m, const vector_t<double>& q) {
  m.retrieve(q);
};
template <class M>
concept has_partial = requires(const M& m, const vector_t<double>& q) {
  m.partial(q);
};
template <class M>
concept has_update = requires(const M& m, const vector_t<double>& q) {
  m.update(q);
};
}  // namespace

TEST_CASE("universal: which compositions have an energy, partials and retrieve", "[universal]") {
  using sparse_dot = modern_hopfield<double, dot_product, sep::sparsemax>;
  using entmax_euclid = modern_hopfield<double, euclidean, sep::entmax15>;
  using topk = modern_hopfield<double, dot_product, sep::top_k>;
  using hard = modern_hopfield<double, euclidean, sep::hard_max>;
  using poly = modern_hopfield<double, dot_product, sep::polynomial>;
  using manhattan_softmax = modern_hopfield<double, manhattan>;
  using cosine_sparse = modern_hopfield<double, cosine, sep::sparsemax>;
  STATIC_REQUIRE(has_energy<sparse_dot>);
  STATIC_REQUIRE(has_energy<entmax_euclid>);
  STATIC_REQUIRE(has_retrieve<entmax_euclid>);
  STATIC_REQUIRE(has_energy<modern_hopfield<double, euclidean>>);
  STATIC_REQUIRE_FALSE(has_energy<topk>);
  STATIC_REQUIRE_FALSE(has_energy<hard>);
  STATIC_REQUIRE_FALSE(has_energy<poly>);
  STATIC_REQUIRE_FALSE(has_energy<manhattan_softmax>);
  STATIC_REQUIRE_FALSE(has_energy<cosine_sparse>);
  STATIC_REQUIRE_FALSE(has_retrieve<topk>);
  STATIC_REQUIRE(has_partial<modern_hopfield<double>>);
  STATIC_REQUIRE_FALSE(has_partial<sparse_dot>);
  STATIC_REQUIRE(has_update<topk>);
  STATIC_REQUIRE(has_update<manhattan_softmax>);
}

namespace {
// E(q) = -(p.s + H(p) / beta) + state_term + H(u_M) / beta + constant, in long double, from the
// naive separation: the definition, written out.
template <class Sim, class Sep>
ld naive_fenchel_young(const Sim& sim, const Sep& sep, const ld_matrix& x, const ld_vector& q, ld beta,
                       ld alpha) {
  const ld_vector s = naive_scores(sim, x, q);
  const ld_vector p = naive_separation(sep, (beta * s).eval());
  ld entropy = 0;
  for (index_t i = 0; i < p.size(); ++i) {
    if (p(i) <= 0) continue;
    entropy += alpha == 1 ? -p(i) * std::log(p(i)) : (p(i) - std::pow(p(i), alpha)) / (alpha * (alpha - 1));
  }
  const ld m = static_cast<ld>(x.cols());
  const ld uniform = alpha == 1 ? std::log(m) : (1 - std::pow(m, 1 - alpha)) / (alpha * (alpha - 1));
  ld state = 0, constant = 0;
  if constexpr (std::is_same_v<Sim, dot_product>) {
    state = q.squaredNorm() / 2;
    constant = x.colwise().squaredNorm().maxCoeff() / 2;
  }
  return -(p.dot(s) + entropy / beta) + state + uniform / beta + constant;
}

template <class Sim, class Sep>
void check_energy_definition(const Sep& sep, ld alpha) {
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const index_t n = 2 + static_cast<index_t>(seed % 9), m = 1 + static_cast<index_t>(7 * seed % 90);
    const double beta = std::array<double, 4>{0.3, 1, 5, 40}[seed % 4];
    const auto x = gaussian<double>(n, m, seed, 0.7);
    const auto q = gaussian<double>(n, 3, seed + 99, 0.7);
    const fenchel_young_energy<double, Sim, Sep> energy(x, beta, {}, Sim{}, sep);
    row_vector_t<double> all(3);
    energy.energies(q, all);
    for (index_t j = 0; j < 3; ++j) {
      const vector_t<double> qj = q.col(j);
      const ld expected =
          naive_fenchel_young(Sim{}, sep, wide<double>(x), wide<double>(q).col(j), beta, alpha);
      INFO("seed " << seed << " query " << j);
      REQUIRE(std::abs(static_cast<ld>(energy.energy(qj)) - expected) <= 1e-10L * (1 + std::abs(expected)));
      // A batch's scores come from one product, a single query's from dot products: last bits.
      REQUIRE(std::abs(all(j) - energy.energy(qj)) <= 1e-13 * (1 + std::abs(all(j))));
      REQUIRE(energy.energy(qj) >= -1e-12);  // E >= 0 (see the header)
    }
  }
}
}  // namespace

TEST_CASE("universal: the Fenchel-Young energy is its definition, and >= 0", "[universal][energy]") {
  check_energy_definition<dot_product>(sep::sparsemax{}, 2);
  check_energy_definition<dot_product>(sep::entmax15{}, 1.5L);
  check_energy_definition<dot_product>(sep::entmax{1.25}, 1.25L);
  check_energy_definition<dot_product>(sep::entmax{3.0}, 3);
  check_energy_definition<euclidean>(sep::sparsemax{}, 2);
  check_energy_definition<euclidean>(sep::entmax15{}, 1.5L);
}

TEST_CASE("universal: alpha = 1 is the log-sum-exp energy exactly; sparsemax matches Hu et al.'s closed form",
          "[universal][energy]") {
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    const index_t n = 3 + static_cast<index_t>(seed % 7), m = 2 + static_cast<index_t>(11 * seed % 70);
    const double beta = std::array<double, 3>{0.5, 2, 9}[seed % 3];
    const auto x = gaussian<double>(n, m, seed, 0.8);
    const auto q = gaussian<double>(n, 1, seed + 7, 0.8);
    const vector_t<double> q0 = q.col(0);
    for (const auto& similarity_is_euclidean : {false, true}) {
      double fy = 0, lse = 0;
      if (similarity_is_euclidean) {
        fy = fenchel_young_energy<double, euclidean, sep::softmax>(x, beta).energy(q0);
        lse = lse_energy<double, euclidean>(x, beta).energy(q0);
      } else {
        fy = fenchel_young_energy<double, dot_product, sep::softmax>(x, beta).energy(q0);
        lse = lse_energy<double>(x, beta).energy(q0);
      }
      REQUIRE(std::abs(fy - lse) <= 1e-11 * (1 + std::abs(lse)));
    }
    // Hu et al. 2023: Omega*(z) = 1/2 |z|^2 - 1/2 |sparsemax(z) - z|^2 + 1/2, so that
    // E = -beta^-1 Omega*(beta X^T q) + |q|^2 / 2 + beta^-1 (1 - 1/M) / 2 + L^2 / 2.
    const ld_vector z = beta * (wide<double>(x).transpose() * wide<double>(q).col(0));
    const ld omega = z.squaredNorm() / 2 - (naive_sparsemax(z) - z).squaredNorm() / 2 + 0.5L;
    const ld expected = -omega / beta + wide<double>(q).squaredNorm() / 2 +
                        (1 - 1 / static_cast<ld>(m)) / 2 / beta +
                        wide<double>(x).colwise().squaredNorm().maxCoeff() / 2;
    const double e = fenchel_young_energy<double, dot_product, sep::sparsemax>(x, beta).energy(q0);
    REQUIRE(std::abs(static_cast<ld>(e) - expected) <= 1e-10L * (1 + std::abs(expected)));
  }
}

namespace {
// CCCP steps never raise the energy: over many seeded instances, every step of a few-step
// retrieval, for the memory's own update.
template <class Sim, class Sep>
void check_monotone(const Sep& sep, std::uint64_t seed0) {
  random_engine rng(seed0);
  int steps_checked = 0;
  for (int instance = 0; instance < monotone_instances; ++instance) {
    const auto n = static_cast<index_t>(2 + uniform_below(rng, 12));
    const auto m = static_cast<index_t>(2 + uniform_below(rng, 40));
    const double beta = 0.1 + 20 * uniform_unit(rng);
    const auto seed = seed0 + static_cast<std::uint64_t>(instance);
    const auto x = gaussian<double>(n, m, seed, 1 / std::sqrt(static_cast<double>(n)));
    vector_t<double> q = gaussian<double>(n, 1, seed + 77777, 1.5 / std::sqrt(static_cast<double>(n))).col(0);
    const modern_hopfield<double, Sim, Sep> memory(x, {.beta = beta}, Sim{}, sep);
    double previous = memory.energy(q);
    for (int step = 0; step < 6; ++step) {
      q = memory.update(q).eval();
      const double e = memory.energy(q);
      INFO("instance " << instance << " step " << step << " beta " << beta);
      REQUIRE(e <= previous + 1e-12 * (1 + std::abs(previous)));
      previous = e;
      ++steps_checked;
    }
  }
  REQUIRE(steps_checked == 6 * monotone_instances);
}
}  // namespace

TEST_CASE("universal: the CCCP update never raises the Fenchel-Young energy", "[universal][energy]") {
  SECTION("dot, sparsemax") {
    check_monotone<dot_product>(sep::sparsemax{}, 1000);
  }
  SECTION("dot, 1.5-entmax") {
    check_monotone<dot_product>(sep::entmax15{}, 2000);
  }
  SECTION("dot, alpha = 1.25 and 3") {
    check_monotone<dot_product>(sep::entmax{1.25}, 3000);
    check_monotone<dot_product>(sep::entmax{3.0}, 4000);
  }
  SECTION("euclidean, sparsemax and 1.5-entmax") {
    check_monotone<euclidean>(sep::sparsemax{}, 5000);
    check_monotone<euclidean>(sep::entmax15{}, 6000);
  }
  SECTION("euclidean, softmax (the distance energy)") {
    check_monotone<euclidean>(sep::softmax{}, 7000);
  }
}

TEST_CASE("universal: retrieve runs a sparse memory to an exact stored pattern", "[universal]") {
  const auto x = gaussian<double>(64, 100, 3, 0.125);
  const modern_hopfield<double, dot_product, sep::sparsemax> memory(x, {.beta = 64.0});
  vector_t<double> q = x.col(17) + gaussian<double>(64, 1, 4, 0.01).col(0);
  const auto r = memory.retrieve(q);
  REQUIRE(r.converged);
  REQUIRE(r.state == x.col(17));  // bit for bit: the weights are exactly one-hot
}

TEMPLATE_TEST_CASE("universal: the exact one-step retrieval predicate decides the retrievals", "[universal]",
                   float, double) {
  random_engine rng(11);
  int exact = 0, not_exact = 0;
  const auto check = [&](const auto& sep, std::uint64_t seed) {
    using Sep = std::decay_t<decltype(sep)>;
    const auto n = static_cast<index_t>(4 + uniform_below(rng, 30));
    const auto m = static_cast<index_t>(2 + uniform_below(rng, 60));
    const auto x = gaussian<TestType>(n, m, seed, TestType(1));
    const auto i = static_cast<index_t>(uniform_below(rng, static_cast<std::uint64_t>(m)));
    const TestType noise = TestType(0.05 + uniform_unit(rng));
    const vector_t<TestType> q = x.col(i) + gaussian<TestType>(n, 1, seed + 5, noise).col(0);
    const auto beta = static_cast<TestType>(0.05 + 3 * uniform_unit(rng));
    const modern_hopfield<TestType, dot_product, Sep> memory(x, {.beta = beta}, {}, sep);
    const vector_t<TestType> out = memory.update(q);
    const auto predicted = exact_one_step_retrieval(x, q, beta, sep);
    // Skip gaps within a relative 1e-3 of the threshold, where rounding decides.
    const vector_t<TestType> s = x.transpose() * q;
    vector_t<TestType> sorted = s;
    std::sort(sorted.data(), sorted.data() + sorted.size(), std::greater<>());
    const double gap = static_cast<double>(beta) * static_cast<double>(sorted(0) - sorted(1));
    if (std::abs(gap - sep.one_hot_gap()) <= 1e-3 * (1 + sep.one_hot_gap())) return;
    bool returned_a_pattern = false;
    for (index_t k = 0; k < m; ++k) returned_a_pattern = returned_a_pattern || out == x.col(k);
    INFO("seed " << seed << " gap " << gap);
    REQUIRE(predicted.has_value() == returned_a_pattern);
    if (predicted) {
      REQUIRE(out == x.col(*predicted));
      ++exact;
    } else {
      ++not_exact;
    }
  };
  for (std::uint64_t seed = 0; seed < 400; ++seed) {
    check(sep::sparsemax{}, seed);
    check(sep::entmax15{}, seed + 10000);
    check(sep::entmax{2.5}, seed + 20000);
  }
  REQUIRE(exact > 100);  // both outcomes are exercised
  REQUIRE(not_exact > 100);

  // Fixed points: at q = x_i the predicate is beta Delta_i >= 1 / (alpha - 1).
  const auto x = gaussian<TestType>(16, 30, 21, TestType(1));
  const modern_hopfield<TestType, dot_product, sep::entmax15> memory(x, {.beta = TestType(8)});
  for (index_t i = 0; i < x.cols(); ++i) {
    const vector_t<TestType> xi = x.col(i);
    REQUIRE(is_exact_fixed_point(x, i, TestType(8), sep::entmax15{}) == (memory.update(xi) == xi));
  }
}

TEST_CASE("universal: query blocks, threads and hetero-association agree", "[universal]") {
  const auto x = gaussian<double>(20, 3000, 1, 0.3);
  const auto q = gaussian<double>(20, 37, 2, 0.3);
  const modern_hopfield<double, euclidean, sep::entmax15> whole(x, {.beta = 3.0, .threads = 1});
  const modern_hopfield<double, euclidean, sep::entmax15> blocked(
      x, {.beta = 3.0, .memory_budget = 3000 * sizeof(double) * 5, .threads = 1});
  const modern_hopfield<double, euclidean, sep::entmax15> threaded(x, {.beta = 3.0, .threads = 2});
  REQUIRE(blocked.energy_policy().query_block() == 5);
  const matrix_t<double> a = whole.update(q), b = blocked.update(q), c = threaded.update(q);
  REQUIRE((a - b).cwiseAbs().maxCoeff() <= 1e-13);
  REQUIRE((a - c).cwiseAbs().maxCoeff() <= 1e-13);
  const auto energies = whole.energies(q);
  for (index_t j = 0; j < q.cols(); ++j) {
    const double single = whole.energy(vector_t<double>(q.col(j)));
    REQUIRE(std::abs(energies(j) - single) <= 1e-13 * (1 + std::abs(single)));
  }
}

TEST_CASE("universal: separation parameters are checked when the memory is built", "[universal][errors]") {
  const auto x = gaussian<double>(4, 6, 1);
  using Catch::Contains;
  REQUIRE_THROWS_WITH((modern_hopfield<double, dot_product, sep::entmax>(x, {}, {}, {.alpha = 1.0})),
                      Contains("modern_hopfield") && Contains("separation.alpha"));
  REQUIRE_THROWS_AS((modern_hopfield<double, dot_product, sep::entmax>(x, {}, {}, {.alpha = 0.5})),
                    std::invalid_argument);
  REQUIRE_THROWS_AS((modern_hopfield<double, dot_product, sep::entmax>(
                        x, {}, {}, {.alpha = std::numeric_limits<double>::infinity()})),
                    std::invalid_argument);
  REQUIRE_THROWS_WITH((modern_hopfield<double, dot_product, sep::top_k>(x, {}, {}, {.k = 0})),
                      Contains("separation.k"));
  REQUIRE_THROWS_WITH((modern_hopfield<double, dot_product, sep::polynomial>(x, {}, {}, {.degree = 0})),
                      Contains("separation.degree"));
  REQUIRE_NOTHROW(modern_hopfield<double, dot_product, sep::entmax>(x, {}, {}, {.alpha = 1.01}));
  REQUIRE_THROWS_WITH(exact_one_step_retrieval(x, vector_t<double>::Zero(3), 1.0, sep::sparsemax{}),
                      Contains("query"));
  REQUIRE_THROWS_WITH(is_exact_fixed_point(x, 6, 1.0, sep::sparsemax{}), Contains("'i'"));
}
