// log-sum-exp and softmax against a long-double reference on seeded random inputs, plus the
// invariants (shift, beta scaling) and the special values (masked, NaN, +inf, huge magnitudes).
#include <no_malloc.hpp>  // first: makes Eigen allocations throw inside a no_malloc_scope

#include <catch.hpp>

#include <hopfield/core/random.hpp>
#include <hopfield/kernels/logsumexp.hpp>
#include <hopfield/kernels/softmax.hpp>

#include <cmath>
#include <limits>
#include <vector>

using namespace hopfield;

namespace {

template <class Scalar>
struct tolerance;
template <>
struct tolerance<float> {
  static constexpr long double lse = 1e-5L, entry = 1e-6L, total = 1e-5L;
};
template <>
struct tolerance<double> {
  static constexpr long double lse = 1e-13L, entry = 1e-13L, total = 1e-13L;
};

template <class Scalar>
vector_t<Scalar> uniform_vector(index_t n, double low, double high, std::uint64_t seed) {
  random_engine rng(seed);
  vector_t<Scalar> v(n);
  for (index_t i = 0; i < n; ++i) v(i) = static_cast<Scalar>(low + (high - low) * uniform_unit(rng));
  return v;
}

// The reference: the same inputs widened to long double, reduced naively.
template <class Derived>
long double reference_max(const Eigen::MatrixBase<Derived>& z) {
  long double a = -std::numeric_limits<long double>::infinity();
  for (index_t i = 0; i < z.size(); ++i) a = std::max(a, static_cast<long double>(z(i)));
  return a;
}
template <class Derived>
long double reference_sum(const Eigen::MatrixBase<Derived>& z, long double beta, long double a) {
  long double sum = 0;
  for (index_t i = 0; i < z.size(); ++i) sum += std::exp(beta * (static_cast<long double>(z(i)) - a));
  return sum;
}
template <class Derived>
long double reference_lse(const Eigen::MatrixBase<Derived>& z, long double beta) {
  const long double a = reference_max(z);
  return a + std::log(reference_sum(z, beta, a)) / beta;
}

#ifdef HOPFIELD_SANITIZE
const std::vector<index_t> lengths{1, 2, 7, 100, 1000, 4099, 100000};
#else
const std::vector<index_t> lengths{1, 2, 7, 100, 1000, 4099, 65537, 1000000};
#endif
const std::vector<double> betas{1e-3, 1.0, 1e3};

}  // namespace

TEMPLATE_TEST_CASE("logsumexp and softmax match a long-double reference", "[kernels]", float, double) {
  std::uint64_t seed = 1;
  for (const index_t n : lengths) {
    for (const double beta_value : betas) {
      const auto beta = static_cast<TestType>(beta_value);
      const vector_t<TestType> z = uniform_vector<TestType>(n, -1e4, 1e4, seed++);
      const long double ref = reference_lse(z, beta);
      const long double lse = hopfield::logsumexp(z, beta);
      INFO("n = " << n << ", beta = " << beta_value);
      REQUIRE(std::abs(lse - ref) <= tolerance<TestType>::lse * std::max(1.0L, std::abs(ref)));

      const vector_t<TestType> p = hopfield::softmax(z, beta);
      const long double a = reference_max(z);
      const long double sum = reference_sum(z, beta, a);
      long double total = 0;
      long double worst = 0;
      for (index_t i = 0; i < n; ++i) {
        const long double expected = std::exp(beta * (static_cast<long double>(z(i)) - a)) / sum;
        worst = std::max(worst, std::abs(static_cast<long double>(p(i)) - expected));
        total += p(i);
      }
      REQUIRE(worst <= tolerance<TestType>::entry);
      REQUIRE(std::abs(total - 1) <= tolerance<TestType>::total);
    }
  }
}

TEMPLATE_TEST_CASE("matrices reduce column by column", "[kernels]", float, double) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const index_t rows = 1 + static_cast<index_t>(seed * 37 % 500);
    const index_t cols = 1 + static_cast<index_t>(seed % 9);
    matrix_t<TestType> z(rows, cols);
    for (index_t j = 0; j < cols; ++j)
      z.col(j) = uniform_vector<TestType>(rows, -50, 50, seed * 100 + static_cast<std::uint64_t>(j));
    const TestType beta = TestType(0.7);
    const row_vector_t<TestType> lse = hopfield::logsumexp(z, beta);
    const matrix_t<TestType> p = hopfield::softmax(z, beta);
    REQUIRE(lse.size() == cols);
    for (index_t j = 0; j < cols; ++j) {
      const vector_t<TestType> column = z.col(j);
      // Same kernel; only the summation order may differ with the column's alignment.
      REQUIRE(lse(j) == Approx(hopfield::logsumexp(column, beta)).epsilon(1e-6));
      REQUIRE((p.col(j) - hopfield::softmax(column, beta)).cwiseAbs().maxCoeff() <= TestType(1e-6));
      REQUIRE(std::abs(lse(j) - reference_lse(column, beta)) <=
              tolerance<TestType>::lse * std::max(1.0L, std::abs(reference_lse(column, beta))));
    }
    // In place, through an Eigen::Ref, and from an expression without a named temporary.
    matrix_t<TestType> in_place = z;
    softmax_into(in_place, beta, in_place);
    REQUIRE(in_place == p);
    row_vector_t<TestType> out(cols);
    logsumexp_into(z, beta, out);
    REQUIRE(out == lse);
    const row_vector_t<TestType> shifted = hopfield::logsumexp(z.array() + TestType(3), beta);
    for (index_t j = 0; j < cols; ++j) REQUIRE(shifted(j) == Approx(lse(j) + 3).epsilon(1e-5));
  }
}

TEMPLATE_TEST_CASE("shift invariance and beta scaling", "[kernels]", float, double) {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    const index_t n = 1 + static_cast<index_t>(seed * 13 % 300);
    const vector_t<TestType> z = uniform_vector<TestType>(n, -20, 20, seed);
    const TestType c = static_cast<TestType>(static_cast<double>(seed) - 50.0);
    const vector_t<TestType> shifted = (z.array() + c).matrix();
    const TestType lse = hopfield::logsumexp(z, TestType(1));
    // Shift: lse(z + c) = lse(z) + c and softmax(z + c) = softmax(z), up to the rounding of z + c.
    REQUIRE(hopfield::logsumexp(shifted, TestType(1)) == Approx(lse + c).epsilon(1e-5).margin(1e-4));
    REQUIRE(
        (hopfield::softmax(shifted, TestType(1)) - hopfield::softmax(z, TestType(1))).cwiseAbs().maxCoeff() <=
        TestType(2e-4));
    // beta scaling: lse(beta, z) = lse(1, beta z) / beta, softmax(beta, z) = softmax(1, beta z).
    const TestType beta = TestType(2.5);
    const vector_t<TestType> scaled = beta * z;
    REQUIRE(hopfield::logsumexp(z, beta) ==
            Approx(hopfield::logsumexp(scaled, TestType(1)) / beta).epsilon(1e-5));
    REQUIRE((hopfield::softmax(z, beta) - hopfield::softmax(scaled, TestType(1))).cwiseAbs().maxCoeff() <=
            TestType(1e-5));
  }
}

TEMPLATE_TEST_CASE("special values: masked, fully masked, NaN, +inf, huge magnitudes", "[kernels]", float,
                   double) {
  constexpr TestType inf = std::numeric_limits<TestType>::infinity();
  matrix_t<TestType> z(4, 5);
  z << 1, -inf, 0, 1e30f, inf,                                             //
      2, -inf, 1, -1e30f, 1,                                               //
      -inf, -inf, std::numeric_limits<TestType>::quiet_NaN(), 1e30f, inf,  //
      3, -inf, 2, 0, -inf;
  const row_vector_t<TestType> lse = hopfield::logsumexp(z, TestType(1));
  const matrix_t<TestType> p = hopfield::softmax(z, TestType(1));
  // Column 0: a -inf entry weighs zero.
  vector_t<TestType> finite(3);
  finite << 1, 2, 3;
  REQUIRE(lse(0) == Approx(hopfield::logsumexp(finite, TestType(1))));
  REQUIRE(p(2, 0) == 0);
  REQUIRE(p.col(0).sum() == Approx(1));
  // Column 1: fully masked gives -inf and zeros, never NaN.
  REQUIRE(lse(1) == -inf);
  REQUIRE(p.col(1).isZero());
  // Column 2: a NaN stays in its own column.
  REQUIRE(std::isnan(lse(2)));
  REQUIRE(p.col(2).array().isNaN().all());
  // Column 3: 1e30 magnitudes (beta z = 1e30) do not overflow.
  REQUIRE(lse(3) == Approx(1e30f + std::log(2.0f)));
  REQUIRE(p(0, 3) == Approx(0.5));
  REQUIRE(p(2, 3) == Approx(0.5));
  REQUIRE(p(1, 3) == 0);
  // Column 4: +inf entries share the mass.
  REQUIRE(lse(4) == inf);
  REQUIRE(p(0, 4) == Approx(0.5));
  REQUIRE(p(2, 4) == Approx(0.5));
  REQUIRE(p(1, 4) == 0);
  REQUIRE(p(3, 4) == 0);
  // Large beta turns softmax into argmax without overflow.
  vector_t<TestType> v(3);
  v << TestType(1e4), TestType(-1e4), TestType(9999);
  const vector_t<TestType> hard = hopfield::softmax(v, TestType(1e3));
  REQUIRE(hard(0) == Approx(1));
  REQUIRE(hard.allFinite());
  REQUIRE(hopfield::logsumexp(v, TestType(1e3)) == Approx(1e4));
}

TEMPLATE_TEST_CASE("beta that is not finite and positive throws at the call", "[kernels][errors]", float,
                   double) {
  const vector_t<TestType> z = vector_t<TestType>::Ones(3);
  const matrix_t<TestType> m = matrix_t<TestType>::Ones(3, 2);
  for (const TestType bad : {TestType(0), TestType(-1), std::numeric_limits<TestType>::infinity(),
                             std::numeric_limits<TestType>::quiet_NaN()}) {
    REQUIRE_THROWS_WITH(hopfield::logsumexp(z, bad), test::contains("hopfield::logsumexp") &&
                                                         test::contains("'beta'") &&
                                                         test::contains("finite value > 0"));
    REQUIRE_THROWS_WITH(hopfield::logsumexp(m, bad), test::contains("'beta'"));
    REQUIRE_THROWS_WITH(hopfield::softmax(z, bad),
                        test::contains("hopfield::softmax") && test::contains("'beta'"));
    REQUIRE_THROWS_AS(hopfield::softmax(m, bad), std::invalid_argument);
  }
  REQUIRE_THROWS_WITH(hopfield::softmax(z, TestType(-2)), test::contains("got -2"));
  matrix_t<TestType> wrong(2, 2);
  REQUIRE_THROWS_WITH(softmax_into(m, TestType(1), wrong),
                      test::contains("'out'") && test::contains("rows = 3") && test::contains("rows = 2"));
  row_vector_t<TestType> short_out(1);
  REQUIRE_THROWS_WITH(logsumexp_into(m, TestType(1), short_out),
                      test::contains("size = 2") && test::contains("size = 1"));
}

TEST_CASE("long double instantiates", "[kernels]") {
  vector_t<long double> z(3);
  z << 1, 2, 3;
  REQUIRE(static_cast<double>(hopfield::logsumexp(z, 1.0L)) ==
          Approx(std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0))));
  REQUIRE(static_cast<double>(hopfield::softmax(z, 1.0L).sum()) == Approx(1));
}

TEST_CASE("no allocation for plain inputs", "[kernels]") {
  const vector_t<float> z = uniform_vector<float>(10000, -5, 5, 3);
  matrix_t<float> m(100, 4);
  m.setRandom();
  matrix_t<float> out(100, 4);
  row_vector_t<float> lse(4);
  float value = 0;
  {
    const test::no_malloc_scope guard;
    value = hopfield::logsumexp(z, 1.0f);
    softmax_into(m, 2.0f, out);
    logsumexp_into(m, 2.0f, lse);
  }
  {  // the guard really fires
    const test::no_malloc_scope guard;
    REQUIRE_THROWS(matrix_t<float>(50, 50));
  }
  REQUIRE(std::isfinite(value));
  REQUIRE(out.colwise().sum().isOnes(1e-5f));
}
