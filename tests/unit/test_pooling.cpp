// Hopfield pooling over bags of instances: pooled vectors and weights against a naive long
// double reference, weights that sum to one, witness instances singled out by a large beta in
// a multiple-instance bag, and bad input.
#include <catch.hpp>

#include <cmath>
#include <limits>

#include <hopfield/analysis/patterns.hpp>
#include <hopfield/memory/hopfield_pooling.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

#include "gaussian.hpp"

#include "test_modern_reference.hpp"

using namespace hopfield;
using test::gaussian;

namespace {
template <class Scalar>
constexpr long double tolerance() {
  return std::is_same_v<Scalar, float> ? 2e-5L : 1e-12L;
}
}  // namespace

TEMPLATE_TEST_CASE("pooling: pooled vectors and weights equal the naive formula", "[pooling]", float,
                   double) {
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const index_t n = 3 + static_cast<index_t>(seed % 20);
    const index_t instances = 1 + static_cast<index_t>((seed * 131) % 700);
    const index_t queries = 1 + static_cast<index_t>(seed % 4);
    const auto bag = gaussian<TestType>(n, instances, seed, TestType(0.7));
    const auto q = gaussian<TestType>(n, queries, seed + 50, TestType(0.7));
    const TestType beta = TestType(0.5) * static_cast<TestType>(1 + seed % 5);
    const auto r = hopfield_pooling(bag, q, {.beta = beta});
    REQUIRE(r.pooled.rows() == n);
    REQUIRE(r.pooled.cols() == queries);
    REQUIRE(r.weights.rows() == instances);
    REQUIRE(test::relative_difference(r.pooled, test::naive_update(bag, bag, q, beta)) <=
            tolerance<TestType>());
    // Weights: a distribution per query, and pooled = bag * weights.
    for (index_t j = 0; j < queries; ++j) {
      REQUIRE((r.weights.col(j).array() >= 0).all());
      REQUIRE(r.weights.col(j).template cast<double>().sum() == Approx(1.0).epsilon(1e-5));
    }
    REQUIRE(test::relative_difference(r.pooled, (bag * r.weights).eval()) <= tolerance<TestType>());
    // Separate keys and values, and the default beta 1/sqrt(N_k).
    const auto values = gaussian<TestType>(2, instances, seed + 70);
    const auto hetero = hopfield_pooling(bag, values, q);
    const TestType default_beta = TestType(1) / std::sqrt(static_cast<TestType>(n));
    REQUIRE(test::relative_difference(hetero.pooled, test::naive_update(bag, values, q, default_beta)) <=
            tolerance<TestType>());
    // Pooling is one hetero-associative update.
    const modern_hopfield<TestType> assoc(bag, values, {.beta = default_beta});
    REQUIRE(test::relative_difference(hetero.pooled, assoc.update(q)) <= tolerance<TestType>());
  }
}

TEMPLATE_TEST_CASE("pooling: a large beta singles out the witnesses of a bag", "[pooling]", float, double) {
  // A multiple-instance bag: 20 000 background instances near the origin, 3 witnesses carrying
  // a motif. A query aligned with the motif pools (almost only) the witnesses.
  const index_t n = 32, background = 20'000;
  matrix_t<TestType> bag = gaussian<TestType>(n, background + 3, 1, TestType(0.1));
  vector_t<TestType> motif = vector_t<TestType>::Zero(n);
  motif.head(4).setConstant(TestType(1));
  const std::array<index_t, 3> witnesses{17, 9001, 19'999};
  for (const index_t w : witnesses) bag.col(w) += motif;
  const auto r = hopfield_pooling(bag, motif, {.beta = TestType(8)});
  double witness_weight = 0;
  for (const index_t w : witnesses) witness_weight += static_cast<double>(r.weights(w, 0));
  REQUIRE(witness_weight > 0.99);
  // The pooled vector carries the motif (the bag's mean has ~0 there); the witnesses' own noise
  // (sigma 0.1, and beta favours the witness whose noise points along the motif) is the slack.
  REQUIRE(test::relative_difference(r.pooled.col(0).head(4), motif.head(4)) < 0.35L);
  REQUIRE(bag.rowwise().mean().head(4).cwiseAbs().maxCoeff() < TestType(0.01));
  // A small beta averages the whole bag instead.
  const auto flat = hopfield_pooling(bag, motif, {.beta = TestType(0.01)});
  double flat_weight = 0;
  for (const index_t w : witnesses) flat_weight += static_cast<double>(flat.weights(w, 0));
  REQUIRE(flat_weight < 0.01);
}

TEST_CASE("pooling: bad input throws naming the argument", "[pooling][errors]") {
  const matrix_t<float> bag = matrix_t<float>::Ones(4, 10);
  REQUIRE_THROWS_WITH(hopfield_pooling(bag, matrix_t<float>::Ones(3, 1)),
                      test::contains("hopfield_pooling") && test::contains("'queries'") &&
                          test::contains("rows = 4") && test::contains("rows = 3"));
  REQUIRE_THROWS_WITH(hopfield_pooling(bag, matrix_t<float>::Ones(2, 9), matrix_t<float>::Ones(4, 1)),
                      test::contains("'values'") && test::contains("= 10") && test::contains("= 9"));
  REQUIRE_THROWS_WITH(hopfield_pooling(matrix_t<float>(4, 0), matrix_t<float>::Ones(4, 1)),
                      test::contains("'keys'") && test::contains("non-empty"));
  REQUIRE_THROWS_WITH(hopfield_pooling(bag, matrix_t<float>::Ones(4, 1), {.beta = -1.0f}),
                      test::contains("'options.beta'") && test::contains("got -1"));
  matrix_t<float> q = matrix_t<float>::Ones(4, 1);
  q(3, 0) = std::numeric_limits<float>::infinity();
  REQUIRE_THROWS_WITH(hopfield_pooling(bag, q), test::contains("'queries'") && test::contains("(3, 0)"));
}
