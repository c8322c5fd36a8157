// Dense Associative Memory capacity: far beyond the classical network's 0.14 N at N = 100,
// thousands of patterns at N = 64 with the exponential, and the even-degree symmetry s -> -s that
// makes recall counts use |overlap| (or the rectified form).
#include <catch.hpp>

#include <cmath>

#include <hopfield/hopfield.hpp>

using namespace hopfield;

namespace {

/// Fraction of the first `count` patterns recalled exactly from 10% flipped bits.
template <class Memory, class Scalar>
double recall_rate(const Memory& memory, const matrix_t<Scalar>& x, index_t count, bool absolute,
                   std::uint64_t seed) {
  const auto queries = corrupt(x.leftCols(count), 0.1, seed);
  retrieval_options options;
  options.seed = seed;
  const auto result = memory.retrieve(queries, options);
  index_t recalled = 0;
  for (index_t j = 0; j < count; ++j) {
    const Scalar m = overlap(result.states.col(j), x.col(j));
    if ((absolute ? std::abs(m) : m) == Scalar(1)) ++recalled;
  }
  return static_cast<double>(recalled) / static_cast<double>(count);
}

}  // namespace

TEMPLATE_TEST_CASE("dense capacity: degree 3 at N = 100 holds far more than 0.14 N", "[dense][capacity]",
                   float, double) {
  constexpr index_t n = 100;
  for (const index_t m : {40, 60}) {  // 2.9 and 4.3 times the classical 0.14 N = 14
    double classical = 0;
    double cubic = 0;
    double rectified = 0;
    double quartic = 0;
    double expo = 0;
    constexpr int runs = 4;
    for (std::uint64_t seed = 0; seed < runs; ++seed) {
      const auto x = random_binary_patterns<TestType>(n, m, seed);
      classical += recall_rate(classical_hopfield<TestType>(x), x, m, false, seed + 10);
      cubic += recall_rate(dense_associative_memory<TestType>(x, {.degree = 3}), x, m, false, seed + 10);
      rectified += recall_rate(dense_associative_memory<TestType, rectified_polynomial>(x, {.degree = 3}), x,
                               m, false, seed + 10);
      // Even degree: a negated pattern is as good a minimum, so count |overlap| = 1.
      quartic += recall_rate(dense_associative_memory<TestType>(x, {.degree = 4}), x, m, true, seed + 10);
      expo += recall_rate(dense_associative_memory<TestType, exponential>(x), x, m, false, seed + 10);
    }
    INFO("M = " << m << ": classical " << classical / runs << ", degree 3 " << cubic / runs
                << ", rectified 3 " << rectified / runs << ", degree 4 " << quartic / runs << ", exponential "
                << expo / runs);
    CHECK(classical / runs < 0.05);
    CHECK(cubic / runs >= 0.97);
    CHECK(rectified / runs >= 0.97);
    CHECK(quartic / runs >= 0.97);
    CHECK(expo / runs >= 0.97);
  }
  // Below 0.14 N the classical network works: the comparison is about capacity, not a broken baseline.
  const auto few = random_binary_patterns<TestType>(n, 8, 99);
  CHECK(recall_rate(classical_hopfield<TestType>(few), few, 8, false, 98) >= 0.85);
}

TEMPLATE_TEST_CASE("dense capacity: the exponential stores thousands of patterns at N = 64",
                   "[dense][capacity]", float, double) {
  constexpr index_t n = 64;
  constexpr index_t m = 4096;  // 64 N
#ifdef HOPFIELD_SANITIZE
  constexpr index_t probes = 40;
#else
  constexpr index_t probes = 256;
#endif
  const auto x = random_binary_patterns<TestType>(n, m, 5);
  const dense_associative_memory<TestType, exponential> edam(x);
  // Probes spread over the whole memory: every 16th pattern.
  matrix_t<TestType> probe(n, probes);
  for (index_t j = 0; j < probes; ++j) probe.col(j) = x.col(j * (m / probes));
  const auto queries = corrupt(probe, 0.1, 7);
  const auto result = edam.retrieve(queries);
  index_t recalled = 0;
  for (index_t j = 0; j < probes; ++j) {
    if (overlap(result.states.col(j), probe.col(j)) == TestType(1)) ++recalled;
  }
  INFO("recalled " << recalled << " of " << probes);
  CHECK(static_cast<double>(recalled) >= 0.98 * static_cast<double>(probes));
  // Uncorrupted, each probe is a fixed point: one sweep without a flip.
  const auto fixed = edam.retrieve(probe);
  for (const auto& report : fixed.reports) REQUIRE(report.steps == 1);
  REQUIRE(fixed.states == probe);
  // The polynomial of degree 3 cannot hold 64 N patterns at N = 64.
  const dense_associative_memory<TestType> cubic(x, {.degree = 3});
  const auto cubic_result = cubic.retrieve(queries);
  index_t cubic_recalled = 0;
  for (index_t j = 0; j < probes; ++j) {
    if (overlap(cubic_result.states.col(j), probe.col(j)) == TestType(1)) ++cubic_recalled;
  }
  CHECK(static_cast<double>(cubic_recalled) <= 0.5 * static_cast<double>(probes));
}

TEMPLATE_TEST_CASE("dense capacity: even degrees are symmetric under s -> -s", "[dense][capacity]", float,
                   double) {
  constexpr index_t n = 100;
  constexpr index_t m = 30;
  const auto x = random_binary_patterns<TestType>(n, m, 3);
  const auto states = random_binary_patterns<TestType>(n, 10, 4);
  for (index_t j = 0; j < states.cols(); ++j) {
    const vector_t<TestType> s = states.col(j);
    const vector_t<TestType> negated = -s;
    for (const int degree : {2, 4, 6}) {
      const dense_associative_memory<TestType> even(x, {.degree = degree});
      REQUIRE(even.energy(s) == even.energy(negated));
    }
    const dense_associative_memory<TestType> odd(x, {.degree = 3});
    REQUIRE(odd.energy(s) == -odd.energy(negated));
    const dense_associative_memory<TestType, rectified_polynomial> rect(x, {.degree = 4});
    REQUIRE(rect.energy(s) != rect.energy(negated));
  }
  // Started near a negated pattern, the plain even degree recalls the negation: a signed count
  // calls that a failure, |overlap| counts it. The rectified form and the odd degree do not
  // attract negated patterns at all.
  const matrix_t<TestType> negated_queries = corrupt(-x, 0.1, 8);
  const dense_associative_memory<TestType> quartic(x, {.degree = 4});
  const dense_associative_memory<TestType> cubic(x, {.degree = 3});
  const dense_associative_memory<TestType, rectified_polynomial> rect(x, {.degree = 4});
  const auto q = quartic.retrieve(negated_queries);
  const auto c = cubic.retrieve(negated_queries);
  const auto r = rect.retrieve(negated_queries);
  for (index_t j = 0; j < m; ++j) {
    REQUIRE(overlap(q.states.col(j), x.col(j)) == TestType(-1));
    REQUIRE(overlap(c.states.col(j), x.col(j)) != TestType(-1));
    REQUIRE(overlap(r.states.col(j), x.col(j)) != TestType(-1));
  }
}
