// The theory's quantities for the modern network: separation against naive loops, Theorem 5's
// one-step bound on hundreds of random instances, the three kinds of fixed point on constructed
// instances, and Lemma A3's contraction condition (checked against measured Lipschitz ratios).
#include <catch.hpp>

#include <cmath>
#include <limits>

#include <hopfield/analysis/fixed_points.hpp>
#include <hopfield/analysis/patterns.hpp>
#include <hopfield/analysis/retrieval_bound.hpp>
#include <hopfield/analysis/separation.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

#include "gaussian.hpp"

using namespace hopfield;
using test::gaussian;

TEMPLATE_TEST_CASE("separation: Delta_i = x_i.x_i - max_{j != i} x_i.x_j", "[analysis][separation]", float,
                   double) {
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    const index_t n = 1 + static_cast<index_t>(seed % 9);
    const index_t m = 2 + static_cast<index_t>((seed * 53) % 600);  // crosses the 256-column blocks
    const auto x = gaussian<TestType>(n, m, seed);
    const vector_t<TestType> delta = separation(x);
    REQUIRE(delta.size() == m);
    for (index_t i = 0; i < m; ++i) {
      long double self = 0, other = -std::numeric_limits<long double>::infinity();
      for (index_t j = 0; j < m; ++j) {
        long double dot = 0;
        for (index_t r = 0; r < n; ++r)
          dot += static_cast<long double>(x(r, i)) * static_cast<long double>(x(r, j));
        if (j == i) {
          self = dot;
        } else {
          other = std::max(other, dot);
        }
      }
      REQUIRE(static_cast<long double>(delta(i)) == Approx(self - other).margin(1e-4));
    }
  }
  REQUIRE_THROWS_WITH(separation(matrix_t<double>::Ones(3, 1)),
                      test::contains("'patterns'") && test::contains("at least 2"));
}

TEMPLATE_TEST_CASE("retrieval bound: Theorem 5 holds on hundreds of random instances", "[analysis][theorem5]",
                   float, double) {
  random_engine rng(17);
  int instances = 0, informative = 0;
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    const index_t n = std::array<index_t, 3>{16, 32, 64}[seed % 3];
    const auto m = static_cast<index_t>(2 + uniform_below(rng, 120));
    const TestType radius = std::array<TestType, 3>{TestType(1), TestType(2), TestType(3)}[(seed / 3) % 3];
    const TestType beta =
        std::array<TestType, 4>{TestType(0.5), TestType(2), TestType(8), TestType(32)}[(seed / 9) % 4];
    const TestType noise =
        std::array<TestType, 4>{TestType(0), TestType(0.01), TestType(0.05), TestType(0.2)}[seed % 4];
    const auto x = random_sphere_patterns<TestType>(n, m, seed, radius);
    const modern_hopfield<TestType> mhn(x, {.beta = beta});
    const auto i = static_cast<index_t>(uniform_below(rng, static_cast<std::uint64_t>(m)));
    const vector_t<TestType> xi =
        add_gaussian_noise(x.col(i), noise * radius / std::sqrt(static_cast<TestType>(n)), seed);
    const vector_t<TestType> fixed_point = mhn.retrieve(vector_t<TestType>(x.col(i))).state;
    const vector_t<TestType> next = mhn.update(xi);
    const TestType error = (next - x.col(i)).norm();
    const TestType bound = retrieval_error_bound(x, beta, i, xi, fixed_point);
    CAPTURE(seed, n, m, radius, beta, noise, i, error, bound);
    REQUIRE(!std::isnan(bound));
    // Rounding of the update is the only slack.
    REQUIRE(error <= bound + TestType(64) * std::numeric_limits<TestType>::epsilon() * radius);
    ++instances;
    if (bound < TestType(0.1) * radius) ++informative;
  }
  // Not vacuous: a good share of the instances have a bound far below the trivial 2 L.
  REQUIRE(instances == 300);
  REQUIRE(informative > 60);
}

TEST_CASE("retrieval bound: the formula and its edge cases", "[analysis][theorem5]") {
  // 2 (M - 1) exp(-beta (Delta - 2 r L)) L by hand.
  REQUIRE(retrieval_error_bound<double>(10, 2.0, 1.5, 0.1, 1.0) ==
          Approx(2 * 9 * std::exp(-2.0 * (1.5 - 0.2)) * 1.0));
  REQUIRE(retrieval_error_bound<double>(1, 2.0, 0.0, 0.0, 1.0) == 0.0);  // one pattern: exact retrieval
  const float huge = retrieval_error_bound<float>(1000, 100.0f, -50.0f, 3.0f, 2.0f);
  REQUIRE(std::isinf(huge));  // overflow gives +inf, never NaN
  REQUIRE_THROWS_WITH(retrieval_error_bound<double>(0, 1.0, 1.0, 0.0, 1.0), test::contains("'patterns'"));
  REQUIRE_THROWS_WITH(retrieval_error_bound<double>(3, 0.0, 1.0, 0.0, 1.0), test::contains("'beta'"));
  REQUIRE_THROWS_WITH(retrieval_error_bound<double>(3, 1.0, 1.0, -1.0, 1.0), test::contains("'radius'"));
  const auto x = random_sphere_patterns<double>(4, 3, 1);
  const vector_t<double> s = x.col(0);
  REQUIRE_THROWS_WITH(retrieval_error_bound(x, 1.0, 3, s, s),
                      test::contains("'i'") && test::contains("[0, 3)"));
  REQUIRE_THROWS_WITH(retrieval_error_bound(x, 1.0, 0, vector_t<double>::Ones(5), s),
                      test::contains("'state'"));
}

TEMPLATE_TEST_CASE("fixed points: near-orthogonal patterns and a large beta give single patterns",
                   "[analysis][fixed]", float, double) {
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    const auto x = random_sphere_patterns<TestType>(64, 10, seed);
    const TestType beta = 50;
    const modern_hopfield<TestType> mhn(x, {.beta = beta});
    const matrix_t<TestType> start = add_gaussian_noise(x, TestType(0.02), seed + 1);
    const auto r = mhn.retrieve(start);
    for (index_t i = 0; i < x.cols(); ++i) {
      const auto info = classify_fixed_point(x, beta, r.states.col(i));
      REQUIRE(info.kind == fixed_point_kind::single_pattern);
      REQUIRE(info.nearest == i);
      REQUIRE(info.members.size() == 1);
      REQUIRE(info.effective_count < TestType(1.01));
      REQUIRE(info.distance_to_nearest < TestType(1e-3));
    }
  }
}

TEMPLATE_TEST_CASE("fixed points: two near-duplicates give a metastable average of the pair",
                   "[analysis][fixed]", float, double) {
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    matrix_t<TestType> x = random_sphere_patterns<TestType>(64, 8, seed);
    // Pattern 1 is pattern 0 turned slightly: |x_0 - x_1| ~ 0.05, both of norm 1.
    x.col(1) = add_gaussian_noise(x.col(0), TestType(0.05) / 8, seed + 3);
    x.col(1).normalize();
    const TestType beta = 20;  // separates the other patterns, not the pair
    const modern_hopfield<TestType> mhn(x, {.beta = beta});
    for (const index_t start_at : {index_t{0}, index_t{1}}) {
      const vector_t<TestType> start = add_gaussian_noise(x.col(start_at), TestType(0.01), seed + 5);
      const auto r = mhn.retrieve(start);
      REQUIRE(r.converged);
      const auto info = classify_fixed_point(x, beta, r.state);
      CAPTURE(seed, info.effective_count, info.weights);
      REQUIRE(info.kind == fixed_point_kind::metastable);
      REQUIRE(info.members.size() == 2);
      REQUIRE(std::min(info.members[0], info.members[1]) == 0);
      REQUIRE(std::max(info.members[0], info.members[1]) == 1);
      REQUIRE(info.weights[0] == Approx(0.5).margin(0.05));
      REQUIRE(info.effective_count == Approx(2).margin(0.05));
      const vector_t<TestType> pair_mean = (x.col(0) + x.col(1)) / 2;
      REQUIRE((r.state - pair_mean).norm() < TestType(5e-3));
    }
  }
}

TEMPLATE_TEST_CASE("fixed points: small beta and centred data give one global fixed point at the mean",
                   "[analysis][fixed]", float, double) {
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    matrix_t<TestType> x = gaussian<TestType>(20, 50, seed);
    x.colwise() -= x.rowwise().mean();  // centred: the mean is 0
    const TestType m_max = x.colwise().norm().maxCoeff();
    const TestType beta = TestType(0.5) / (m_max * m_max);
    const auto check = unique_fixed_point_condition(x, beta);
    REQUIRE(check.holds);
    REQUIRE(check.value == Approx(0.5));
    const modern_hopfield<TestType> mhn(x, {.beta = beta});
    // Every start, near or far, ends at the mean.
    matrix_t<TestType> starts = gaussian<TestType>(20, 12, seed + 1, TestType(10));
    starts.leftCols(4) = x.leftCols(4);
    const auto r = mhn.retrieve(starts);
    REQUIRE(r.all_converged());
    for (index_t j = 0; j < starts.cols(); ++j) {
      REQUIRE(r.states.col(j).cwiseAbs().maxCoeff() < TestType(1e-3));
      const auto info = classify_fixed_point(x, beta, r.states.col(j));
      REQUIRE(info.kind == fixed_point_kind::global);
      REQUIRE(info.effective_count > TestType(0.95) * 50);
      REQUIRE(info.distance_to_mean < TestType(1e-3));
    }
  }
}

TEMPLATE_TEST_CASE("fixed points: beta m_max^2 bounds the update's Lipschitz constant (Lemma A3)",
                   "[analysis][fixed]", float, double) {
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const auto x = gaussian<TestType>(6, 30, seed, TestType(0.8));
    const TestType beta = TestType(0.2) * static_cast<TestType>(1 + seed % 8);
    const auto check = unique_fixed_point_condition(x, beta);
    REQUIRE(check.largest_norm == Approx(x.colwise().norm().maxCoeff()));
    REQUIRE(check.holds == (check.value < 1));
    const modern_hopfield<TestType> mhn(x, {.beta = beta});
    const matrix_t<TestType> a = gaussian<TestType>(6, 20, seed + 1, TestType(2));
    const matrix_t<TestType> b = a + gaussian<TestType>(6, 20, seed + 2, TestType(0.3));
    const matrix_t<TestType> fa = mhn.update(a), fb = mhn.update(b);
    for (index_t j = 0; j < a.cols(); ++j) {
      REQUIRE((fa.col(j) - fb.col(j)).norm() <= check.value * (a.col(j) - b.col(j)).norm() +
                                                    TestType(1e3) * std::numeric_limits<TestType>::epsilon());
    }
  }
}

TEST_CASE("fixed points: the kind moves from global to metastable to single as beta grows",
          "[analysis][fixed]") {
  // Three clusters of four near-duplicates each.
  const auto centres = random_sphere_patterns<double>(32, 3, 1);
  matrix_t<double> x(32, 12);
  for (index_t c = 0; c < 3; ++c) {
    for (index_t k = 0; k < 4; ++k) {
      x.col(4 * c + k) = add_gaussian_noise(centres.col(c), 0.15 / std::sqrt(32.0),
                                            10 + static_cast<std::uint64_t>(4 * c + k));
      x.col(4 * c + k).normalize();
    }
  }
  const vector_t<double> start = x.col(0);
  std::vector<fixed_point_kind> kinds;
  for (const double beta : {0.1, 30.0, 2000.0}) {
    const modern_hopfield<double> mhn(x, {.beta = beta});
    const auto r = mhn.retrieve(start);
    kinds.push_back(classify_fixed_point(x, beta, r.state).kind);
  }
  REQUIRE(kinds[0] == fixed_point_kind::global);
  REQUIRE(kinds[1] == fixed_point_kind::metastable);
  REQUIRE(kinds[2] == fixed_point_kind::single_pattern);
}

TEST_CASE("fixed points: bad input throws naming the argument", "[analysis][errors]") {
  const auto x = random_sphere_patterns<double>(4, 3, 1);
  const vector_t<double> s = x.col(0);
  REQUIRE_THROWS_WITH(classify_fixed_point(x, 1.0, vector_t<double>::Ones(3)), test::contains("'state'"));
  REQUIRE_THROWS_WITH(classify_fixed_point(x, -1.0, s), test::contains("'beta'"));
  REQUIRE_THROWS_WITH(classify_fixed_point(x, 1.0, s, {.single_weight = 1.5}),
                      test::contains("options.single_weight"));
  REQUIRE_THROWS_WITH(unique_fixed_point_condition(matrix_t<double>(4, 0), 1.0),
                      test::contains("'patterns'"));
}

TEST_CASE(
    "defect 4: retrieval_error_bound rejects a state or fixed point of the right size but another shape",
    "[analysis][theorem5][errors]") {
  // N = 16 patterns, so a 1 x 16 row vector and a 4 x 4 matrix both have 16 entries; Eigen asserted
  // (or, without assertions, read out of bounds) on state - x_i.
  const auto x = random_sphere_patterns<double>(16, 5, 3);
  const vector_t<double> s = x.col(0);
  const row_vector_t<double> row = s.transpose();
  const matrix_t<double> square = s.reshaped(4, 4);
  REQUIRE_THROWS_AS(retrieval_error_bound(x, 1.0, 0, row, s), std::invalid_argument);
  REQUIRE_THROWS_WITH(
      retrieval_error_bound(x, 1.0, 0, row, s),
      test::contains(
          "retrieval_error_bound: argument 'state' expected a column vector of size 16, got 1 x 16"));
  REQUIRE_THROWS_WITH(retrieval_error_bound(x, 1.0, 0, square, s),
                      test::contains("argument 'state' expected a column vector of size 16, got 4 x 4"));
  REQUIRE_THROWS_WITH(
      retrieval_error_bound(x, 1.0, 0, s, row),
      test::contains("argument 'fixed_point' expected a column vector of size 16, got 1 x 16"));
  REQUIRE_THROWS_WITH(retrieval_error_bound(x, 1.0, 0, s, square), test::contains("'fixed_point'"));
  // classify_fixed_point says the same about its state.
  REQUIRE_THROWS_WITH(
      classify_fixed_point(x, 1.0, row),
      test::contains(
          "classify_fixed_point: argument 'state' expected a column vector of size 16, got 1 x 16"));
  REQUIRE_THROWS_WITH(classify_fixed_point(x, 1.0, square), test::contains("got 4 x 4"));
  // The column itself, and a column block of a larger matrix, are accepted.
  const matrix_t<double> states = add_gaussian_noise(x, 0.01, 4);
  REQUIRE(std::isfinite(retrieval_error_bound(x, 1.0, 0, states.col(0), x.col(0))));
  REQUIRE(classify_fixed_point(x, 1.0, states.col(0)).members.size() >= 1);
}

TEST_CASE("analysis: extreme magnitudes give finite or +-inf results, never NaN", "[analysis][extremes]") {
  const double big = 1e300;  // entries whose products overflow double
  // Two patterns whose dot products overflow: Delta = |x_0|^2 - x_0 . x_1 is inf - inf in the
  // plain Gram matrix. Scaled exactly by 2^-k it is finite, then scaled back.
  matrix_t<double> x(2, 3);
  x << 1, 1, -1, 1, -1, 1;
  const matrix_t<double> huge = x * big;
  const vector_t<double> plain = separation(x);
  const vector_t<double> scaled = separation(huge);
  for (index_t i = 0; i < 3; ++i) {
    REQUIRE(!std::isnan(scaled(i)));
    REQUIRE(scaled(i) == (plain(i) > 0 ? std::numeric_limits<double>::infinity()
                                       : -std::numeric_limits<double>::infinity()));
  }
  // At 1e150 the products are 1e300: finite, and exactly plain * 1e300 up to rounding.
  const vector_t<double> moderate = separation(matrix_t<double>(x * 1e150));
  for (index_t i = 0; i < 3; ++i) REQUIRE(moderate(i) == Approx(plain(i) * 1e300));
  // Subnormal entries: Delta underflows as it should, to the correctly rounded tiny value.
  const vector_t<double> tiny = separation(matrix_t<double>(x * 1e-160));
  for (index_t i = 0; i < 3; ++i) REQUIRE(tiny(i) == Approx(plain(i) * 1e-320).margin(1e-323));
  // The one-step bound, the fixed-point classification and Lemma A3 at the same scales: finite or
  // +inf, never NaN, and the distances as a long double computation gives them.
  const auto wide_distance = [](const vector_t<double>& a, const vector_t<double>& b) {
    long double sum = 0;
    for (index_t r = 0; r < a.size(); ++r) {
      const long double d = static_cast<long double>(a(r)) - static_cast<long double>(b(r));
      sum += d * d;
    }
    return static_cast<double>(std::sqrt(sum));
  };
  const auto unit = random_sphere_patterns<double>(8, 6, 2);
  for (const double scale : {1e-300, 1e-160, 1.0, 1e150, 1e300, std::numeric_limits<double>::max() / 64}) {
    const matrix_t<double> xs = unit * scale;
    const vector_t<double> xi = xs.col(1) * 0.999;
    CAPTURE(scale);
    const double bound = retrieval_error_bound(xs, 1.0, 1, xi, xs.col(1));
    REQUIRE(!std::isnan(bound));
    if (scale <= 1.0) REQUIRE(bound > 0.0);  // beta Delta is tiny: the bound is about 2 (M - 1) L
    const auto info = classify_fixed_point(xs, 1.0, xi);
    REQUIRE(!std::isnan(info.effective_count));
    for (const double w : info.weights) REQUIRE(!std::isnan(w));
    REQUIRE(info.distance_to_nearest == Approx(wide_distance(xi, xs.col(info.nearest))));
    const vector_t<double> mean = (unit.rowwise().mean()) * scale;
    REQUIRE(info.distance_to_mean == Approx(wide_distance(xi, mean)));
    if (scale >= 1e150) REQUIRE(info.nearest == 1);  // beta (x_1 . xi - x_j . xi) is huge
    const auto check = unique_fixed_point_condition(xs, 1e-300);
    REQUIRE(!std::isnan(check.value));
    REQUIRE(check.largest_norm == Approx(scale * unit.colwise().norm().maxCoeff()));
  }
}
