// Adversarial suite, room kernels/: logsumexp, softmax, softmax_into, softmax_partial,
// plan_stream and fold_attention against bad arguments, extremes, odd layouts and failures in
// worker threads. Defects of issue 14 are named where they are pinned.
#include "adversarial_support.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <stdexcept>

using namespace hopfield;
using adversarial::require_throws;

namespace {

/// A similarity that throws std::bad_alloc for the block holding pattern `poison`: what Eigen's
/// packing buffers do inside a parallel region when memory runs out.
struct failing_similarity {
  template <Real S>
  void scores(const Eigen::Ref<const matrix_t<S>>& patterns, const Eigen::Ref<const matrix_t<S>>& queries,
              Eigen::Ref<matrix_t<S>> out) const {
    // The block's first pattern is found from its address: the test passes contiguous keys.
    out.noalias() = patterns.transpose() * queries;
    if (patterns.cols() > 0 && reinterpret_cast<std::uintptr_t>(patterns.data()) <= poison_address &&
        poison_address < reinterpret_cast<std::uintptr_t>(patterns.data() + patterns.size()))
      throw std::bad_alloc();
  }
  std::uintptr_t poison_address = 0;
};

}  // namespace

TEST_CASE("kernels: beta must be finite and > 0", "[adversarial][kernels]") {
  const vector_t<double> z = vector_t<double>::LinSpaced(5, -1, 1);
  for (const double beta :
       {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), -0.0}) {
    require_throws<std::invalid_argument>([&] { (void)logsumexp(z, beta); }, "logsumexp", "beta");
    require_throws<std::invalid_argument>([&] { (void)softmax(z, beta); }, "softmax", "beta");
    require_throws<std::invalid_argument>([&] { softmax_partial<double>(1, 1, beta); }, "softmax_partial",
                                          "beta");
  }
  // The smallest accepted beta (a subnormal): the softmax is uniform, and lse = ln(5) / beta + ...
  // lies beyond the largest double, so it saturates to +inf (never NaN).
  const double tiny = std::numeric_limits<double>::denorm_min();
  CHECK(logsumexp(z, tiny) == std::numeric_limits<double>::infinity());
  CHECK(softmax(z, tiny).isApprox(vector_t<double>::Constant(5, 0.2), 1e-15));
}

TEST_CASE("kernels: empty and non-finite scores have documented results", "[adversarial][kernels]") {
  const vector_t<float> empty(0);
  CHECK(logsumexp(empty, 1.0f) == -std::numeric_limits<float>::infinity());
  CHECK(softmax(empty, 1.0f).size() == 0);
  const float inf = std::numeric_limits<float>::infinity();
  vector_t<float> all_masked = vector_t<float>::Constant(7, -inf);
  CHECK(logsumexp(all_masked, 2.0f) == -inf);
  CHECK(softmax(all_masked, 2.0f).isZero());
  vector_t<float> with_inf(3);
  with_inf << 1.0f, inf, inf;
  CHECK(softmax(with_inf, 1.0f).isApprox(vector_t<float>((vector_t<float>(3) << 0, 0.5f, 0.5f).finished())));
  vector_t<float> with_nan(3);
  with_nan << 1.0f, std::numeric_limits<float>::quiet_NaN(), 2.0f;
  CHECK(std::isnan(logsumexp(with_nan, 1.0f)));  // NaN poisons its column, documented
}

TEST_CASE("kernels: row-major, strided and aliased inputs agree with the plain column form",
          "[adversarial][kernels]") {
  const matrix_t<double> z = adversarial::gaussian<double>(37, 5, 3, 4.0);
  const row_major_matrix_t<double> rows = z;
  CHECK(softmax(rows, 0.7).isApprox(softmax(z, 0.7), 1e-15));
  CHECK(logsumexp(rows, 0.7).isApprox(logsumexp(z, 0.7), 1e-15));
  // Every other column of a wider matrix: a non-unit outer stride.
  matrix_t<double> wide(37, 10);
  for (index_t j = 0; j < 5; ++j) wide.col(2 * j) = z.col(j);
  const Eigen::Map<const matrix_t<double>, 0, Eigen::OuterStride<>> strided(wide.data(), 37, 5,
                                                                            Eigen::OuterStride<>(74));
  CHECK(softmax(strided, 0.7).isApprox(softmax(z, 0.7), 1e-15));
  // softmax_into writing over its own scores.
  matrix_t<double> in_place = z;
  softmax_into(in_place, 0.7, in_place);
  CHECK(in_place.isApprox(softmax(z, 0.7), 1e-15));
  matrix_t<double> wrong(36, 5);
  require_throws<std::invalid_argument>([&] { softmax_into(z, 0.7, wrong); }, "softmax_into", "out");
}

TEST_CASE("defect 12: with a tiny beta an entry's weight does not depend on its position",
          "[adversarial][kernels][defect12]") {
  // z - max overflows (opposite signs near the largest value) while beta (z - max) is only -3:
  // the weights are 1 / (1 + e^3) and e^3 / (1 + e^3) wherever the entries sit.
  const auto check = [](auto zero) {
    using S = decltype(zero);
    const S a = S(0.75) * std::numeric_limits<S>::max();
    const S beta = S(1.5) / a;
    const long double e3 = std::exp(3.0L);
    const auto low = static_cast<S>(1 / (1 + e3));
    const auto high = static_cast<S>(e3 / (1 + e3));
    for (const index_t n : {2, 5000}) {  // 5000: the two entries in different kernel blocks
      for (const bool max_first : {true, false}) {
        vector_t<S> z = vector_t<S>::Zero(n);
        const index_t big = max_first ? 0 : n - 1;
        const index_t small = max_first ? n - 1 : 0;
        z(big) = a;
        z(small) = -a;
        const vector_t<S> p = softmax(z, beta);
        INFO("n " << n << " max first " << max_first);
        // The n - 2 zeros weigh exp(-3/2) relative to the top: compare ratios, not values.
        CHECK(p(small) / p(big) == Approx(static_cast<double>(low / high)).epsilon(1e-5));
        // lse = a + ln(sum) / beta: finite for two entries, beyond the range (+inf) for 5000.
        const S lse = logsumexp(z, beta);
        CHECK(std::isfinite(lse) == (n == 2));
        softmax_partial<S> part(0, 1, beta);  // streaming: the two halves folded in either order
        const Eigen::Map<const matrix_t<S>> column(z.data(), n, 1);
        part.fold(column.topRows(n / 2));
        part.fold(column.bottomRows(n - n / 2));
        CHECK(static_cast<double>(part.sum()(0)) ==
              Approx(1 + static_cast<double>(low / high) + static_cast<double>(n - 2) * std::exp(-1.5))
                  .epsilon(1e-5));
        if (n == 2) CHECK(part.logsumexp(0) == Approx(static_cast<double>(lse)).epsilon(1e-5));
      }
    }
  };
  check(0.0f);
  check(0.0);
}

TEST_CASE("kernels: softmax_partial rejects mismatched folds and merges", "[adversarial][kernels]") {
  softmax_partial<float> part(3, 2, 1.0f);
  const matrix_t<float> scores = matrix_t<float>::Zero(4, 2);
  const matrix_t<float> values = matrix_t<float>::Zero(3, 4);
  require_throws<std::invalid_argument>([&] { part.fold(scores, matrix_t<float>::Zero(3, 5)); }, "fold",
                                        "values");
  require_throws<std::invalid_argument>([&] { part.fold(matrix_t<float>::Zero(4, 3), values); }, "fold",
                                        "scores");
  require_throws<std::invalid_argument>([&] { part.fold(scores); }, "fold", "value_rows");
  require_throws<std::invalid_argument>([&] { part.merge(softmax_partial<float>(3, 2, 2.0f)); }, "merge",
                                        "beta");
  require_throws<std::invalid_argument>([&] { part.merge(softmax_partial<float>(3, 1, 1.0f), 2); }, "merge",
                                        "first_column");
  require_throws<std::invalid_argument>([&] { part.merge(softmax_partial<float>(2, 2, 1.0f)); }, "merge",
                                        "value_rows");
  require_throws<std::invalid_argument>([&] { softmax_partial<float>(-1, 2, 1.0f); }, "softmax_partial",
                                        "sizes");
  matrix_t<float> out(3, 3);
  require_throws<std::invalid_argument>([&] { part.weighted_sum_into(out); }, "weighted_sum_into", "out");
}

TEST_CASE("defect 8: a weighted sum that leaves the range throws instead of giving inf",
          "[adversarial][kernels][defect8]") {
  // Values of 3e38 with equal weights: acc = 2 * 3e38 overflows float although the mean fits.
  softmax_partial<float> part(1, 1, 1.0f);
  const matrix_t<float> scores = matrix_t<float>::Zero(2, 1);
  const matrix_t<float> values = matrix_t<float>::Constant(1, 2, 3e38f);
  part.fold(scores, values);
  require_throws<std::overflow_error>([&] { (void)part.weighted_sum(); }, "weighted_sum_into", "column 0");
}

TEST_CASE("defect 8: fold_attention throws on scores that overflow for finite inputs",
          "[adversarial][kernels][defect8]") {
  const matrix_t<float> keys = matrix_t<float>::Constant(4, 10, 1e20f);  // 4e40 > float max
  const matrix_t<float> queries = matrix_t<float>::Constant(4, 3, 1e20f);
  softmax_partial<float> part(4, 3, 1.0f);
  require_throws<std::overflow_error>(
      [&] { fold_attention(part, keys, keys, queries, dot_product{}, streaming_options{}); },
      "fold_attention", "not finite");
}

TEST_CASE("kernels: streaming options at their extremes", "[adversarial][kernels]") {
  const matrix_t<double> keys = adversarial::gaussian<double>(6, 300, 5);
  const matrix_t<double> queries = adversarial::gaussian<double>(6, 4, 6);
  softmax_partial<double> want(6, 4, 0.5);
  fold_attention(want, keys, keys, queries, dot_product{}, streaming_options{});
  for (const streaming_options options :
       {streaming_options{.memory_budget = std::numeric_limits<std::size_t>::max()},
        streaming_options{.memory_budget = 1}, streaming_options{.block_size = 1},
        streaming_options{.block_size = std::numeric_limits<index_t>::max()},
        streaming_options{.threads = 1'000'000},
        streaming_options{.threads = std::numeric_limits<int>::max()}}) {
    softmax_partial<double> got(6, 4, 0.5);
    fold_attention(got, keys, keys, queries, dot_product{}, options);
    CHECK(got.weighted_sum().isApprox(want.weighted_sum(), 1e-13));
  }
  const stream_plan plan = plan_stream(300, 6, 0, 4, sizeof(double), streaming_options{.threads = 1'000'000});
  CHECK(plan.threads <= max_stream_threads());
  require_throws<std::invalid_argument>(
      [] { detail::validate_streaming("f", streaming_options{.memory_budget = 0}); }, "memory_budget");
  require_throws<std::invalid_argument>(
      [] { detail::validate_streaming("f", streaming_options{.block_size = -1}); }, "block_size");
  require_throws<std::invalid_argument>(
      [] { detail::validate_streaming("f", streaming_options{.threads = -1}); }, "threads");
}

TEST_CASE("defect 2: an exception in a worker thread reaches the caller, never std::terminate",
          "[adversarial][kernels][defect2]") {
  // 4096 patterns in blocks of 64 over two threads (OpenMP builds; serial builds take the same
  // path); the block holding pattern 3000 throws std::bad_alloc, as Eigen's packing buffers do
  // when memory runs out inside the region.
  const matrix_t<float> keys = adversarial::gaussian<float>(16, 4096, 7);
  for (const index_t queries_count : {1, 3, 1500}) {  // one query, a batch, many tiles
    const matrix_t<float> queries = adversarial::gaussian<float>(16, queries_count, 8);
    failing_similarity similarity{reinterpret_cast<std::uintptr_t>(keys.col(3000).data())};
    softmax_partial<float> part(16, queries_count, 1.0f);
    INFO("queries " << queries_count);
    CHECK_THROWS_AS(fold_attention(part, keys, keys, queries, similarity,
                                   streaming_options{.block_size = 64, .threads = 2}),
                    std::bad_alloc);
  }
}
