// The blocked, streaming update against the one-shot formula: M = 200 000 patterns, any block
// length, a tiny memory budget, one or several threads, one query or a batch, auto- and
// hetero-association; and the block plan's memory bound, which does not grow with M.
#include <catch.hpp>

#include <hopfield/analysis/patterns.hpp>
#include <hopfield/kernels/logsumexp.hpp>
#include <hopfield/kernels/softmax.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

#include "gaussian.hpp"

#include "test_modern_reference.hpp"

using namespace hopfield;
using test::gaussian;

namespace {
/// The one-shot formula in double through the library's column kernel: V softmax(beta K^T Q),
/// with the whole M x B score matrix formed.
template <class Scalar>
matrix_t<double> one_shot(const matrix_t<Scalar>& keys, const matrix_t<Scalar>& values,
                          const matrix_t<Scalar>& q, Scalar beta) {
  const matrix_t<double> scores = keys.template cast<double>().transpose() * q.template cast<double>();
  const matrix_t<double> p = softmax(scores, static_cast<double>(beta));
  return values.template cast<double>() * p;
}

template <class Scalar>
constexpr double relative_tolerance() {
  return std::is_same_v<Scalar, float> ? 1e-5 : 1e-12;
}

#ifdef HOPFIELD_SANITIZE
constexpr index_t big_m = 50'000;
#else
constexpr index_t big_m = 200'000;
#endif
}  // namespace

TEMPLATE_TEST_CASE("streaming: M = 200 000 patterns give the one-shot result", "[modern][streaming]", float,
                   double) {
  const index_t n = 16;
  const TestType beta = 4;
  const auto x = gaussian<TestType>(n, big_m, 1, TestType(0.5));
  const auto v = gaussian<TestType>(5, big_m, 2, TestType(1));
  const auto q = gaussian<TestType>(n, 3, 3, TestType(0.5));
  const matrix_t<double> expected = one_shot<TestType>(x, x, q, beta);
  const matrix_t<double> expected_v = one_shot<TestType>(x, v, q, beta);
  const vector_t<TestType> q0 = q.col(0);

  struct setting {
    std::size_t budget;
    index_t block;
    int threads;
  };
  // Automatic blocks; the one-shot path (block = M); a 4 KiB budget (blocks of a few hundred
  // patterns); a prime block length; one thread and two.
  for (const setting s : {setting{std::size_t{64} << 20, 0, 0}, setting{std::size_t{1} << 30, big_m, 1},
                          setting{4096, 0, 1}, setting{4096, 0, 2}, setting{std::size_t{64} << 20, 997, 2}}) {
    modern_options<TestType> options{.beta = beta};
    options.memory_budget = s.budget;
    options.block_size = s.block;
    options.threads = s.threads;
    const modern_hopfield<TestType> mhn(x, options);
    CAPTURE(s.budget, s.block, s.threads);
    REQUIRE(test::relative_difference(mhn.update(q), expected) <= relative_tolerance<TestType>());
    REQUIRE(test::relative_difference(mhn.update(q0), expected.col(0)) <= relative_tolerance<TestType>());
    const modern_hopfield<TestType> assoc(x, v, options);
    REQUIRE(test::relative_difference(assoc.update(q), expected_v) <= relative_tolerance<TestType>());
    REQUIRE(test::relative_difference(assoc.update(q0), expected_v.col(0)) <= relative_tolerance<TestType>());
    // Energies use the same partials (normalisers only): lse against the column kernel.
    const row_vector_t<TestType> e = mhn.energies(q);
    const matrix_t<double> scores = x.template cast<double>().transpose() * q.template cast<double>();
    const row_vector_t<double> lse = logsumexp(scores, static_cast<double>(beta));
    const double constant = std::log(static_cast<double>(big_m)) / beta +
                            0.5 * std::pow(static_cast<double>(mhn.energy_policy().largest_norm()), 2);
    for (index_t j = 0; j < q.cols(); ++j) {
      const double expected_e = -lse(j) + 0.5 * q.col(j).template cast<double>().squaredNorm() + constant;
      REQUIRE(std::abs(static_cast<double>(e(j)) - expected_e) <=
              relative_tolerance<TestType>() * (1 + std::abs(expected_e)));
    }
  }
}

TEMPLATE_TEST_CASE("streaming: any block split equals the long double reference", "[modern][streaming]",
                   float, double) {
  random_engine rng(5);
  for (std::uint64_t seed = 0; seed < 80; ++seed) {
    const auto n = static_cast<index_t>(1 + uniform_below(rng, 24));
    const auto m = static_cast<index_t>(1 + uniform_below(rng, 2000));
    const auto b = static_cast<index_t>(1 + uniform_below(rng, 9));
    const auto x = gaussian<TestType>(n, m, seed, TestType(1));
    const auto q = gaussian<TestType>(n, b, seed + 7, TestType(1));
    const TestType beta = TestType(0.25) * static_cast<TestType>(1 + uniform_below(rng, 12));
    modern_options<TestType> options{.beta = beta};
    options.block_size = static_cast<index_t>(1 + uniform_below(rng, static_cast<std::uint64_t>(m)));
    options.threads = static_cast<int>(1 + uniform_below(rng, 3));
    options.memory_budget = static_cast<std::size_t>(64 + uniform_below(rng, 1 << 16));
    const modern_hopfield<TestType> mhn(x, options);
    CAPTURE(n, m, b, options.block_size, options.threads, options.memory_budget);
    REQUIRE(test::relative_difference(mhn.update(q), test::naive_update(x, x, q, beta)) <=
            4 * relative_tolerance<TestType>());
  }
}

TEST_CASE("streaming: the block plan keeps score memory within the budget, independent of M",
          "[modern][streaming]") {
  for (const index_t b : {index_t{1}, index_t{7}, index_t{256}, index_t{5000}}) {
    for (const std::size_t budget : {std::size_t{1} << 12, std::size_t{1} << 20, std::size_t{64} << 20}) {
      index_t previous_block = -1;
      for (const index_t m : {index_t{1} << 16, index_t{1} << 22, index_t{1} << 30}) {
        for (const int threads : {0, 1, 2, 8}) {
          const stream_plan plan =
              plan_stream(m, 128, 0, b, sizeof(float), streaming_options{budget, 0, threads});
          CAPTURE(b, budget, m, threads, plan.block, plan.tile, plan.threads);
          REQUIRE(plan.block >= 1);
          REQUIRE(plan.threads >= 1);
          // Wide batches are cut into tiles; a score block holds one tile's queries.
          REQUIRE(plan.tile == (b > max_untiled_queries ? query_tile_columns : b));
          const auto bytes = static_cast<std::size_t>(plan.block * plan.tile) * sizeof(float) *
                             static_cast<std::size_t>(plan.threads);
          REQUIRE((bytes <= budget || plan.block == 1));
          // Automatic blocks are cache-sized: at most batch_block_bytes of keys, values and scores.
          REQUIRE(static_cast<std::size_t>(plan.block) * static_cast<std::size_t>(128 + plan.tile) *
                      sizeof(float) <=
                  std::max<std::size_t>(batch_block_bytes,
                                        static_cast<std::size_t>(16 * (128 + plan.tile)) * sizeof(float)));
          if (threads == 1) {
            if (previous_block >= 0) REQUIRE(plan.block == previous_block);  // M does not change the block
            previous_block = plan.block;
          }
        }
      }
    }
  }
}

TEST_CASE("streaming: the update allows out to be the queries and is reproducible", "[modern][streaming]") {
  const auto x = gaussian<double>(12, 3000, 1, 0.5);
  modern_options<double> options{.beta = 2.0};
  options.block_size = 100;
  options.threads = 2;
  const modern_hopfield<double> mhn(x, options);
  matrix_t<double> q = gaussian<double>(12, 4, 2, 0.5);
  const matrix_t<double> expected = mhn.update(q);
  REQUIRE(mhn.update(q) == expected);  // same threads, same blocks: bit for bit
  mhn.update_into(q, q);
  REQUIRE(q == expected);
}
