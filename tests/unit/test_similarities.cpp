// The shipped similarities (euclidean, manhattan, cosine) against naive long double computations:
// their scores for one query, a batch and strided views, the modern memory's update with each,
// the euclidean energy (its closed form, E >= 0, CCCP never raises it), euclidean = dot product
// on patterns of equal norm, zero vectors under cosine, and the concepts (which similarities have
// an energy; a user-written similarity in a memory).
#include <catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <hopfield/analysis/patterns.hpp>
#include <hopfield/memory/modern_hopfield.hpp>
#include <hopfield/similarity/cosine.hpp>
#include <hopfield/similarity/dot_product.hpp>
#include <hopfield/similarity/euclidean.hpp>
#include <hopfield/similarity/manhattan.hpp>
#include <hopfield/similarity/similarity.hpp>

#include "gaussian.hpp"

using namespace hopfield;
using test::gaussian;

namespace {

using ld = long double;
using ld_matrix = Eigen::Matrix<ld, Eigen::Dynamic, Eigen::Dynamic>;

#ifdef HOPFIELD_SANITIZE
constexpr std::uint64_t instances = 60;  // -O0 under the sanitizers
constexpr std::uint64_t monotone_instances = 100;
#else
constexpr std::uint64_t instances = 300;
constexpr std::uint64_t monotone_instances = 1200;
#endif

/// A user similarity: -max_r |x_r - q_r| (Chebyshev), no energy terms.
struct negative_chebyshev {
  template <Real S>
  void scores(const Eigen::Ref<const matrix_t<S>>& patterns, const Eigen::Ref<const matrix_t<S>>& queries,
              Eigen::Ref<matrix_t<S>> out) const {
    for (index_t j = 0; j < queries.cols(); ++j)
      for (index_t i = 0; i < patterns.cols(); ++i)
        out(i, j) = -(patterns.col(i) - queries.col(j)).cwiseAbs().maxCoeff();
  }
};

template <class Memory, class Q>
concept has_energy = requires(const Memory& memory, const Q& q) {
  memory.energy(q);
};

// The naive similarities, one pair of columns at a time, in long double.
template <class Sim>
struct naive;

template <>
struct naive<dot_product> {
  template <class X, class Q>
  static ld score(const X& x, const Q& q) {
    ld s = 0;
    for (index_t r = 0; r < x.size(); ++r) s += static_cast<ld>(x(r)) * static_cast<ld>(q(r));
    return s;
  }
};

template <>
struct naive<euclidean> {
  template <class X, class Q>
  static ld score(const X& x, const Q& q) {
    ld s = 0;
    for (index_t r = 0; r < x.size(); ++r) {
      const ld d = static_cast<ld>(x(r)) - static_cast<ld>(q(r));
      s += d * d;
    }
    return -s / 2;
  }
  // Bound on the absolute rounding error of a Scalar score: the batch form's cancellation.
  template <class Scalar, class X, class Q>
  static ld bound(const X& x, const Q& q) {
    const auto n = static_cast<ld>(x.size());
    return (n + 2) * std::numeric_limits<Scalar>::epsilon() *
           (1 + static_cast<ld>(x.squaredNorm()) + static_cast<ld>(q.squaredNorm()));
  }
};

template <>
struct naive<manhattan> {
  template <class X, class Q>
  static ld score(const X& x, const Q& q) {
    ld s = 0;
    for (index_t r = 0; r < x.size(); ++r) s += std::abs(static_cast<ld>(x(r)) - static_cast<ld>(q(r)));
    return -s;
  }
  template <class Scalar, class X, class Q>
  static ld bound(const X& x, const Q& q) {
    const auto n = static_cast<ld>(x.size());
    return (n + 2) * std::numeric_limits<Scalar>::epsilon() *
           (1 + static_cast<ld>(x.template lpNorm<1>()) + static_cast<ld>(q.template lpNorm<1>()));
  }
};

template <>
struct naive<cosine> {
  template <class X, class Q>
  static ld score(const X& x, const Q& q) {
    ld dot = 0, xx = 0, qq = 0;
    for (index_t r = 0; r < x.size(); ++r) {
      const auto a = static_cast<ld>(x(r));
      const auto b = static_cast<ld>(q(r));
      dot += a * b;
      xx += a * a;
      qq += b * b;
    }
    if (xx == 0 || qq == 0) return 0;
    return dot / std::sqrt(xx * qq);
  }
  template <class Scalar, class X, class Q>
  static ld bound(const X& x, const Q& /*q*/) {
    return (2 * static_cast<ld>(x.size()) + 8) * std::numeric_limits<Scalar>::epsilon();
  }
};

template <>
struct naive<negative_chebyshev> {
  template <class X, class Q>
  static ld score(const X& x, const Q& q) {
    ld s = 0;
    for (index_t r = 0; r < x.size(); ++r)
      s = std::max(s, std::abs(static_cast<ld>(x(r)) - static_cast<ld>(q(r))));
    return -s;
  }
  template <class Scalar, class X, class Q>
  static ld bound(const X& x, const Q& q) {
    return 2 * std::numeric_limits<Scalar>::epsilon() *
           (static_cast<ld>(x.cwiseAbs().maxCoeff()) + static_cast<ld>(q.cwiseAbs().maxCoeff()));
  }
};

/// The similarity's scores through its own member, for any views (Ref conversions made here).
template <class Sim, class Scalar>
void scores_into(const Sim& sim, const Eigen::Ref<const matrix_t<Scalar>>& x,
                 const Eigen::Ref<const matrix_t<Scalar>>& q, Eigen::Ref<matrix_t<Scalar>> out) {
  sim.scores(x, q, out);
}

/// Checks a block of scores against the naive ones, entry by entry within each entry's bound.
template <class Sim, class Scalar, class Out, class X, class Q>
void check_scores(const Out& got, const X& x, const Q& q) {
  REQUIRE(got.rows() == x.cols());
  REQUIRE(got.cols() == q.cols());
  for (index_t j = 0; j < q.cols(); ++j) {
    for (index_t i = 0; i < x.cols(); ++i) {
      const ld want = naive<Sim>::score(x.col(i), q.col(j));
      const ld bound = naive<Sim>::template bound<Scalar>(x.col(i), q.col(j));
      INFO("pattern " << i << ", query " << j << ": got " << got(i, j) << ", want " << want);
      REQUIRE(std::abs(static_cast<ld>(got(i, j)) - want) <= bound);
    }
  }
}

/// V softmax(beta sim(K, Q)) in long double, and the largest score bound met on the way (so that
/// the caller can bound the update's error: weights move by about beta times a score's error).
template <class Sim, class Scalar>
ld_matrix naive_update(const matrix_t<Scalar>& keys, const matrix_t<Scalar>& values,
                       const matrix_t<Scalar>& queries, ld beta, ld& worst_bound) {
  const index_t m = keys.cols();
  ld_matrix out = ld_matrix::Zero(values.rows(), queries.cols());
  std::vector<ld> z(static_cast<std::size_t>(m));
  for (index_t j = 0; j < queries.cols(); ++j) {
    ld top = -std::numeric_limits<ld>::infinity();
    for (index_t i = 0; i < m; ++i) {
      z[static_cast<std::size_t>(i)] = naive<Sim>::score(keys.col(i), queries.col(j));
      worst_bound = std::max(worst_bound, naive<Sim>::template bound<Scalar>(keys.col(i), queries.col(j)));
      top = std::max(top, z[static_cast<std::size_t>(i)]);
    }
    ld sum = 0;
    for (auto& s : z) {
      s = std::exp(beta * (s - top));
      sum += s;
    }
    for (index_t i = 0; i < m; ++i) {
      for (index_t r = 0; r < values.rows(); ++r)
        out(r, j) += z[static_cast<std::size_t>(i)] / sum * static_cast<ld>(values(r, i));
    }
  }
  return out;
}

/// max |a - b| / max(1, max |b|).
template <class A, class B>
ld relative_difference(const A& a, const B& b) {
  const ld_matrix x = a.template cast<ld>();
  const ld_matrix y = b.template cast<ld>();
  return (x - y).cwiseAbs().maxCoeff() / std::max<ld>(1, y.cwiseAbs().maxCoeff());
}

/// -beta^-1 log( (1/M) sum_i exp(-beta/2 |q - x_i|^2) ) in long double.
template <class X, class Q>
ld naive_euclidean_energy(const X& x, const Q& q, ld beta) {
  std::vector<ld> z(static_cast<std::size_t>(x.cols()));
  ld top = -std::numeric_limits<ld>::infinity();
  for (index_t i = 0; i < x.cols(); ++i) {
    z[static_cast<std::size_t>(i)] = naive<euclidean>::score(x.col(i), q);
    top = std::max(top, z[static_cast<std::size_t>(i)]);
  }
  ld sum = 0;
  for (const ld s : z) sum += std::exp(beta * (s - top));
  return -(top + std::log(sum / static_cast<ld>(x.cols())) / beta);
}

template <class Scalar>
constexpr ld base_tolerance() {
  return 16 * static_cast<ld>(std::numeric_limits<Scalar>::epsilon());
}

}  // namespace

// --- The concepts -------------------------------------------------------------------------------

static_assert(Similarity<euclidean, float> && Similarity<euclidean, double> &&
              Similarity<euclidean, long double>);
static_assert(Similarity<manhattan, float> && Similarity<manhattan, double>);
static_assert(Similarity<cosine, float> && Similarity<cosine, double>);
static_assert(Similarity<negative_chebyshev, float> && Similarity<negative_chebyshev, double>);
static_assert(HasSimilarityEnergy<dot_product, float> && HasSimilarityEnergy<dot_product, double>);
static_assert(HasSimilarityEnergy<euclidean, float> && HasSimilarityEnergy<euclidean, double>);
static_assert(!HasSimilarityEnergy<manhattan, float> && !HasSimilarityEnergy<manhattan, double>);
static_assert(!HasSimilarityEnergy<cosine, float> && !HasSimilarityEnergy<cosine, double>);
static_assert(!HasSimilarityEnergy<negative_chebyshev, double>);
static_assert(has_energy<modern_hopfield<double>, vector_t<double>>);
static_assert(has_energy<modern_hopfield<double, euclidean>, vector_t<double>>);
static_assert(!has_energy<modern_hopfield<double, manhattan>, vector_t<double>>);
static_assert(!has_energy<modern_hopfield<float, cosine>, vector_t<float>>);
static_assert(!has_energy<modern_hopfield<double, negative_chebyshev>, vector_t<double>>);

// --- Scores -------------------------------------------------------------------------------------

namespace {
template <class Sim, class Scalar>
void check_scores_on_views(std::uint64_t seed) {
  random_engine rng(seed);
  const auto n = static_cast<index_t>(1 + uniform_below(rng, 70));
  const auto m = static_cast<index_t>(1 + uniform_below(rng, 90));
  const auto b = static_cast<index_t>(2 + uniform_below(rng, 9));
  const auto sigma = static_cast<Scalar>(std::array<double, 4>{0.1, 1, 3, 20}[seed % 4]);
  const matrix_t<Scalar> x = gaussian<Scalar>(n, m, seed, sigma);
  matrix_t<Scalar> q = gaussian<Scalar>(n, b, seed + 7000, sigma);
  q.col(0) = x.col(static_cast<index_t>(uniform_below(rng, static_cast<std::uint64_t>(m))));  // on a pattern
  const Sim sim{};

  // A batch.
  matrix_t<Scalar> batch(m, b);
  scores_into<Sim, Scalar>(sim, x, q, batch);
  check_scores<Sim, Scalar>(batch, x, q);
  // One query (the single-query path), every column in turn.
  for (index_t j = 0; j < b; ++j) {
    vector_t<Scalar> one(m);
    scores_into<Sim, Scalar>(sim, x, q.col(j), one);
    check_scores<Sim, Scalar>(one, x, q.col(j));
  }
  // A block of patterns that is a middleCols view, a block of queries that is another, into a
  // block of a larger output (an outer stride that is not the block's rows); nothing else written.
  const auto start = static_cast<index_t>(uniform_below(rng, static_cast<std::uint64_t>(m)));
  const auto count = static_cast<index_t>(1 + uniform_below(rng, static_cast<std::uint64_t>(m - start)));
  const auto first_query = static_cast<index_t>(uniform_below(rng, static_cast<std::uint64_t>(b)));
  const index_t queries = b - first_query;
  matrix_t<Scalar> big = matrix_t<Scalar>::Constant(count + 5, queries + 3, Scalar(7));
  auto view = big.block(2, 1, count, queries);
  scores_into<Sim, Scalar>(sim, x.middleCols(start, count), q.middleCols(first_query, queries), view);
  check_scores<Sim, Scalar>(big.block(2, 1, count, queries), x.middleCols(start, count),
                            q.middleCols(first_query, queries));
  matrix_t<Scalar> untouched = big;
  untouched.block(2, 1, count, queries).setConstant(Scalar(7));
  REQUIRE((untouched.array() == Scalar(7)).all());
  // The single-query path on views too.
  vector_t<Scalar> one(count);
  scores_into<Sim, Scalar>(sim, x.middleCols(start, count), q.col(first_query), one);
  check_scores<Sim, Scalar>(one, x.middleCols(start, count), q.col(first_query));
}
}  // namespace

TEMPLATE_TEST_CASE("similarities: scores equal a naive long double computation", "[similarity]", float,
                   double) {
  for (std::uint64_t seed = 0; seed < instances / 3; ++seed) {
    check_scores_on_views<euclidean, TestType>(seed);
    check_scores_on_views<manhattan, TestType>(seed);
    check_scores_on_views<cosine, TestType>(seed);
    check_scores_on_views<negative_chebyshev, TestType>(seed);
  }
}

TEMPLATE_TEST_CASE("similarities: a euclidean score is never positive, even where it cancels", "[similarity]",
                   float, double) {
  // Patterns far from the origin (|x|^2 ~ 1e6 N) queried at themselves and nearby: the batch
  // form x.q - |x|^2/2 - |q|^2/2 cancels to rounding noise, which must not come out positive.
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const index_t n = 3 + static_cast<index_t>(seed % 40);
    const index_t m = 5 + static_cast<index_t>(seed % 7);
    matrix_t<TestType> x = gaussian<TestType>(n, m, seed, TestType(1));
    x.array() += TestType(1000);
    matrix_t<TestType> q = x;
    q.rightCols(2) += gaussian<TestType>(n, 2, seed + 50, TestType(1e-3));
    matrix_t<TestType> s(m, m);
    scores_into<euclidean, TestType>(euclidean{}, x, q, s);
    REQUIRE((s.array() <= TestType(0)).all());
    check_scores<euclidean, TestType>(s, x, q);
    for (index_t j = 0; j < m; ++j) {
      vector_t<TestType> one(m);
      scores_into<euclidean, TestType>(euclidean{}, x, q.col(j), one);
      REQUIRE((one.array() <= TestType(0)).all());
      check_scores<euclidean, TestType>(one, x, q.col(j));
    }
  }
}

TEMPLATE_TEST_CASE("similarities: cosine of a zero vector is 0, never NaN, and the range is handled",
                   "[similarity][cosine]", float, double) {
  const index_t n = 12;
  matrix_t<TestType> x = gaussian<TestType>(n, 6, 1);
  x.col(2).setZero();
  matrix_t<TestType> q = gaussian<TestType>(n, 3, 2);
  q.col(1).setZero();
  matrix_t<TestType> s(6, 3);
  scores_into<cosine, TestType>(cosine{}, x, q, s);
  REQUIRE(s.allFinite());
  REQUIRE((s.row(2).array() == TestType(0)).all());
  REQUIRE((s.col(1).array() == TestType(0)).all());
  check_scores<cosine, TestType>(s, x, q);
  for (index_t j = 0; j < 3; ++j) {
    vector_t<TestType> one(6);
    scores_into<cosine, TestType>(cosine{}, x, q.col(j), one);
    REQUIRE(one.allFinite());
    REQUIRE(one(2) == TestType(0));
    check_scores<cosine, TestType>(one, x, q.col(j));
  }
  // In a memory: a zero query scores 0 against every pattern, so the softmax is uniform and the
  // update is the patterns' mean, one query or a batch.
  const modern_hopfield<TestType, cosine> mhn(x, {.beta = TestType(3)});
  const vector_t<TestType> zero = vector_t<TestType>::Zero(n);
  const vector_t<TestType> mean = x.rowwise().mean();
  REQUIRE(relative_difference(mhn.update(zero), mean) <= base_tolerance<TestType>());
  const matrix_t<TestType> next = mhn.update(q);
  REQUIRE(next.allFinite());
  REQUIRE(relative_difference(next.col(1), mean) <= base_tolerance<TestType>());
  // Scale invariance, with norms whose squares under- or overflow the scalar (stableNorm path).
  const TestType tiny = std::is_same_v<TestType, float> ? TestType(1e-25) : TestType(1e-170);
  const TestType huge = std::is_same_v<TestType, float> ? TestType(1e25) : TestType(1e170);
  const matrix_t<TestType> small_x = x * tiny;
  const matrix_t<TestType> large_q = q * huge;
  for (index_t j = 0; j < 3; ++j) {
    vector_t<TestType> one(6);
    scores_into<cosine, TestType>(cosine{}, small_x, q.col(j), one);
    REQUIRE(relative_difference(one, s.col(j)) <= base_tolerance<TestType>() * n);
    scores_into<cosine, TestType>(cosine{}, x, large_q.col(j), one);
    REQUIRE(relative_difference(one, s.col(j)) <= base_tolerance<TestType>() * n);
  }
  // Self-similarity is 1.
  vector_t<TestType> self(6);
  scores_into<cosine, TestType>(cosine{}, x, x.col(0), self);
  REQUIRE(std::abs(self(0) - TestType(1)) <= base_tolerance<TestType>());
}

TEST_CASE("similarities: scores beyond the scalar's range throw overflow_error, never NaN or a silent 0",
          "[similarity][errors]") {
  // Entries of 1e20 in float: |x|^2 and x . q overflow.
  const matrix_t<float> x = gaussian<float>(16, 20, 3, 1.0f) * 1e20f;
  const matrix_t<float> away = -x.leftCols(2);
  const matrix_t<float> same = x.leftCols(2);  // batch form: inf - inf, which the clamp must keep
  const modern_hopfield<float, euclidean> distance(x, {.beta = 1.0f});
  REQUIRE_THROWS_AS(distance.update(away), std::overflow_error);
  REQUIRE_THROWS_AS(distance.update(same), std::overflow_error);
  REQUIRE_THROWS_AS(distance.update(vector_t<float>(away.col(0))), std::overflow_error);
  const modern_hopfield<float, cosine> angle(x, {.beta = 1.0f});
  REQUIRE_THROWS_AS(angle.update(same), std::overflow_error);
  REQUIRE_THROWS_AS(angle.update(vector_t<float>(same.col(0))), std::overflow_error);
  // Inside the range the same directions are fine for cosine (it does not see the scale).
  const modern_hopfield<float, cosine> scaled(x * 1e-20f, {.beta = 1.0f});
  REQUIRE(scaled.update(same * 1e-20f).allFinite());
}

// --- The update ---------------------------------------------------------------------------------

namespace {
template <class Sim, class Scalar>
void check_update(std::uint64_t seed) {
  random_engine rng(seed * 31 + 5);
  const auto n = static_cast<index_t>(1 + uniform_below(rng, 40));
  const auto m = static_cast<index_t>(1 + uniform_below(rng, 300));
  const auto b = static_cast<index_t>(2 + uniform_below(rng, 6));
  const Scalar beta = std::array<Scalar, 4>{Scalar(0.1), Scalar(1), Scalar(4), Scalar(20)}[seed % 4];
  modern_options<Scalar> options{.beta = beta};
  options.block_size =
      static_cast<index_t>(uniform_below(rng, 3)) * static_cast<index_t>(1 + uniform_below(rng, 64));
  options.threads = static_cast<int>(uniform_below(rng, 3));
  const Scalar sigma = Scalar(1) / std::sqrt(static_cast<Scalar>(n));
  const matrix_t<Scalar> x = gaussian<Scalar>(n, m, seed, sigma);
  const matrix_t<Scalar> q = gaussian<Scalar>(n, b, seed + 1000, sigma);
  const modern_hopfield<Scalar, Sim> mhn(x, options);
  ld worst = 0;
  const ld_matrix want = naive_update<Sim>(x, x, q, static_cast<ld>(beta), worst);
  // A weight moves by about 2 beta times a score's error; the rest is the sums' rounding.
  const ld max_x = std::max<ld>(1, static_cast<ld>(x.cwiseAbs().maxCoeff()));
  const ld tolerance = 4 * static_cast<ld>(beta) * worst * max_x + base_tolerance<Scalar>() * 4;
  INFO("n " << n << ", m " << m << ", b " << b << ", beta " << beta << ", tolerance " << tolerance);
  REQUIRE(relative_difference(mhn.update(q), want) <= tolerance);
  const vector_t<Scalar> q0 = q.col(0);  // the fused single-query path
  REQUIRE(relative_difference(mhn.update(q0), want.col(0)) <= tolerance);
  // Hetero-association: the values are read with the weights of the keys' scores.
  const auto nv = static_cast<index_t>(1 + uniform_below(rng, 9));
  const matrix_t<Scalar> v = gaussian<Scalar>(nv, m, seed + 2000);
  const modern_hopfield<Scalar, Sim> assoc(x, v, options);
  ld unused = 0;
  const ld_matrix want_v = naive_update<Sim>(x, v, q, static_cast<ld>(beta), unused);
  const ld max_v = std::max<ld>(1, static_cast<ld>(v.cwiseAbs().maxCoeff()));
  const ld tolerance_v = 4 * static_cast<ld>(beta) * worst * max_v + base_tolerance<Scalar>() * 4;
  REQUIRE(relative_difference(assoc.update(q), want_v) <= tolerance_v);
  REQUIRE(relative_difference(assoc.update(q0), want_v.col(0)) <= tolerance_v);
}
}  // namespace

TEMPLATE_TEST_CASE("similarities: the modern update equals X softmax(beta sim(X, q)) in long double",
                   "[similarity][modern]", float, double) {
  for (std::uint64_t seed = 0; seed < instances / 5; ++seed) {
    check_update<euclidean, TestType>(seed);
    check_update<manhattan, TestType>(seed);
    check_update<cosine, TestType>(seed);
    check_update<negative_chebyshev, TestType>(seed);  // a user similarity works in the memory
  }
}

TEMPLATE_TEST_CASE("similarities: on patterns of equal norm the euclidean update is the dot-product one",
                   "[similarity][euclidean]", float, double) {
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    const index_t n = 4 + static_cast<index_t>(seed % 29);
    const index_t m = 3 + static_cast<index_t>((seed * 17) % 200);
    const TestType radius = std::array<TestType, 3>{TestType(0.5), TestType(1), TestType(2)}[seed % 3];
    const TestType beta = std::array<TestType, 3>{TestType(0.5), TestType(4), TestType(16)}[seed % 3];
    const auto x = random_sphere_patterns<TestType>(n, m, seed, radius);
    const matrix_t<TestType> q = add_gaussian_noise(x.leftCols(3), TestType(0.3) * radius, seed + 9);
    const modern_hopfield<TestType> dot(x, {.beta = beta});
    const modern_hopfield<TestType, euclidean> distance(x, {.beta = beta});
    // The scores differ by -1/2 |q|^2 - 1/2 radius^2, common to every pattern: same softmax.
    const ld tolerance =
        64 * static_cast<ld>(beta * radius * radius) * base_tolerance<TestType>() * static_cast<ld>(n);
    REQUIRE(relative_difference(distance.update(q), dot.update(q)) <= tolerance);
    const vector_t<TestType> q0 = q.col(0);
    REQUIRE(relative_difference(distance.update(q0), dot.update(q0)) <= tolerance);
  }
}

// --- The euclidean energy -----------------------------------------------------------------------

TEMPLATE_TEST_CASE("similarities: the euclidean energy is -beta^-1 log mean exp(-beta/2 |q - x_i|^2) >= 0",
                   "[similarity][euclidean][energy]", float, double) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const index_t n = 2 + static_cast<index_t>(seed % 17);
    const index_t m = 1 + static_cast<index_t>((seed * 37) % 120);
    const TestType beta =
        TestType(0.05) * static_cast<TestType>(1 + seed % 9) * static_cast<TestType>(1 + seed % 4);
    const auto x = gaussian<TestType>(n, m, seed, TestType(2));
    matrix_t<TestType> states = gaussian<TestType>(n, 4, seed + 500, TestType(3));
    states.col(3) = x.col(0);  // on a pattern: E near 0
    const modern_hopfield<TestType, euclidean> mhn(x, {.beta = beta});
    const row_vector_t<TestType> batch = mhn.energies(states);
    const TestType largest = x.colwise().squaredNorm().maxCoeff();
    for (index_t j = 0; j < states.cols(); ++j) {
      const ld want = naive_euclidean_energy(x, states.col(j), static_cast<ld>(beta));
      REQUIRE(want >= 0);
      const vector_t<TestType> s = states.col(j);
      const ld scale = 1 + std::abs(want) + static_cast<ld>(s.squaredNorm() + largest);
      const ld tolerance = 4 * static_cast<ld>(n + 2) * base_tolerance<TestType>() * scale;
      const TestType one = mhn.energy(s);
      REQUIRE(std::abs(static_cast<ld>(one) - want) <= tolerance);
      REQUIRE(std::abs(static_cast<ld>(batch(j)) - want) <= tolerance);
      REQUIRE(one >= TestType(0));
      REQUIRE(batch(j) >= TestType(0));
    }
  }
}

TEST_CASE("similarities: CCCP never raises the euclidean energy (over 1000 seeded instances)",
          "[similarity][euclidean][energy][retrieve]") {
  random_engine rng(2024);
  std::uint64_t steps_seen = 0;
  for (std::uint64_t seed = 0; seed < monotone_instances; ++seed) {
    const auto n = static_cast<index_t>(1 + uniform_below(rng, 12));
    const auto m = static_cast<index_t>(1 + uniform_below(rng, 40));
    const double beta = std::array<double, 6>{0.05, 0.3, 1, 4, 16, 64}[uniform_below(rng, 6)];
    const double sigma = std::array<double, 4>{0.3, 1, 3, 10}[uniform_below(rng, 4)];
    const matrix_t<double> x = gaussian<double>(n, m, seed, sigma);
    const modern_hopfield<double, euclidean> mhn(x, {.beta = beta});
    matrix_t<double> start(n, 3);
    start.col(0) = x.col(0) + gaussian<double>(n, 1, seed + 1, 0.3 * sigma);
    start.col(1) = gaussian<double>(n, 1, seed + 2, 2 * sigma);
    start.col(2) = x.rowwise().mean();
    retrieval_options options;
    options.record_trace = true;
    options.max_steps = 40;
    const double largest = x.colwise().squaredNorm().maxCoeff();
    const auto check_trace = [&](const query_report<double>& report, double start_norm2) {
      // The energy's rounding: the scores' (batch form: about eps (|x|^2 + |q|^2)) and the lse's.
      const double slack = 8.0 * static_cast<double>(n + 2) * std::numeric_limits<double>::epsilon() *
                           (1 + largest + start_norm2);
      for (std::size_t k = 0; k < report.energy_trace.size(); ++k) {
        REQUIRE(report.energy_trace[k] >= 0);
        if (k > 0) REQUIRE(report.energy_trace[k] <= report.energy_trace[k - 1] + slack);
      }
      steps_seen += static_cast<std::uint64_t>(report.steps);
    };
    const auto batch = mhn.retrieve(start, options);  // the batch path
    for (index_t j = 0; j < start.cols(); ++j) {
      INFO("seed " << seed << ", n " << n << ", m " << m << ", beta " << beta << ", query " << j);
      check_trace(batch.reports[static_cast<std::size_t>(j)], start.col(j).squaredNorm());
    }
    const auto alone = mhn.retrieve(vector_t<double>(start.col(1)), options);  // the single-query path
    check_trace(alone, start.col(1).squaredNorm());
  }
  REQUIRE(steps_seen > 2 * monotone_instances);  // the retrievals did move
}
