// Adversarial suite, room memory/: the retrieval engine, the three memories, attention and
// Hopfield pooling against bad shapes, empty and non-finite inputs, option extremes, odd layouts
// (row-major, strided, aliased), failures inside worker threads, and thread counts.
#include "adversarial_support.hpp"

#include <cmath>
#include <limits>
#include <new>
#include <stdexcept>

using namespace hopfield;
using adversarial::require_throws;

namespace {
constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_value = std::numeric_limits<double>::infinity();

/// The classical energy, failing to allocate its context for states whose first entry is -1.
struct failing_context_energy : quadratic_energy<float> {
  using quadratic_energy<float>::quadratic_energy;
  void init_context(context_type& ctx, const Eigen::Ref<const vector_t<float>>& s) const {
    if (s(0) < 0) throw std::bad_alloc();
    quadratic_energy<float>::init_context(ctx, s);
  }
};
}  // namespace

TEST_CASE("memory: retrieval options are validated", "[adversarial][memory]") {
  const matrix_t<float> x = random_binary_patterns<float>(16, 3, 1);
  const classical_hopfield<float> net(x);
  const modern_hopfield<float> modern(x, {.beta = 1.0f});
  for (const index_t steps : {index_t{0}, index_t{-1}, std::numeric_limits<index_t>::min()}) {
    require_throws<std::invalid_argument>([&] { (void)net.retrieve(x.col(0), {.max_steps = steps}); },
                                          "options.max_steps");
    require_throws<std::invalid_argument>([&] { (void)modern.retrieve(x.col(0), {.max_steps = steps}); },
                                          "options.max_steps");
  }
  for (const double tolerance : {-1.0, nan_value, inf_value}) {
    require_throws<std::invalid_argument>([&] { (void)modern.retrieve(x.col(0), {.tolerance = tolerance}); },
                                          "options.tolerance");
  }
  // The largest step limit is fine: a fixed point stops at once.
  CHECK(net.retrieve(x.col(0), {.max_steps = std::numeric_limits<index_t>::max()}).converged);
}

TEST_CASE("memory: queries of the wrong shape or content", "[adversarial][memory]") {
  const matrix_t<float> x = random_binary_patterns<float>(16, 3, 2);
  const classical_hopfield<float> net(x);
  const dense_associative_memory<float> dense(x);
  const modern_hopfield<float> modern(x, {.beta = 1.0f});
  require_throws<std::invalid_argument>([&] { (void)net.retrieve(vector_t<float>::Ones(15)); }, "query",
                                        "rows");
  require_throws<std::invalid_argument>([&] { (void)dense.retrieve(matrix_t<float>::Ones(16, 0)); }, "query");
  vector_t<float> half = x.col(0);
  half(4) = 0.5f;
  require_throws<std::invalid_argument>([&] { (void)net.retrieve(half); }, "query");
  require_throws<std::invalid_argument>([&] { (void)dense.retrieve(half); }, "query");
  vector_t<float> nan = x.col(0);
  nan(2) = std::numeric_limits<float>::quiet_NaN();
  require_throws<std::invalid_argument>([&] { (void)modern.retrieve(nan); }, "query");
  require_throws<std::invalid_argument>([&] { (void)modern.update(nan); }, "queries");
  require_throws<std::invalid_argument>([&] { (void)modern.energy(nan); }, "state");
  require_throws<std::invalid_argument>([&] { (void)net.energy(half); }, "state");
  require_throws<std::invalid_argument>([&] { (void)net.energy(matrix_t<float>::Ones(16, 2)); }, "state");
  matrix_t<float> out(16, 3);
  require_throws<std::invalid_argument>([&] { modern.update_into(x.leftCols(2), out); }, "out");
}

TEST_CASE("memory: constructors reject bad patterns and options", "[adversarial][memory]") {
  const matrix_t<double> x = adversarial::gaussian<double>(8, 6, 3);
  using modern = modern_hopfield<double>;
  for (const double beta : {0.0, -1.0, nan_value, inf_value}) {
    require_throws<std::invalid_argument>([&] { modern(x, {.beta = beta}); }, "beta");
  }
  require_throws<std::invalid_argument>([&] { modern(x, {.memory_budget = 0}); }, "memory_budget");
  require_throws<std::invalid_argument>([&] { modern(x, {.block_size = -3}); }, "block_size");
  require_throws<std::invalid_argument>([&] { modern(x, {.threads = -1}); }, "threads");
  require_throws<std::invalid_argument>([&] { modern(matrix_t<double>(8, 0)); }, "patterns");
  matrix_t<double> values = adversarial::gaussian<double>(3, 5, 4);
  require_throws<std::invalid_argument>([&] { modern(x, values); }, "values");
  values.resize(3, 6);
  values.setConstant(nan_value);
  require_throws<std::invalid_argument>([&] { modern(x, values); }, "values");
  matrix_t<float> b = random_binary_patterns<float>(8, 2, 5);
  require_throws<std::invalid_argument>(
      [&] { classical_hopfield<float>(b, {.thresholds = vector_t<float>::Zero(7)}); }, "thresholds");
  b(0, 0) = -0.0f;
  require_throws<std::invalid_argument>([&] { classical_hopfield<float>{b}; }, "patterns");
  require_throws<std::invalid_argument>([&] { dense_associative_memory<float>{b}; }, "patterns");
}

TEST_CASE("memory: row-major, strided and aliased arguments give the plain result", "[adversarial][memory]") {
  const matrix_t<double> x = adversarial::gaussian<double>(10, 40, 6);
  const matrix_t<double> q = adversarial::gaussian<double>(10, 5, 7);
  const modern_hopfield<double> plain(x, {.beta = 0.8});
  const modern_hopfield<double> from_rows(row_major_matrix_t<double>(x), {.beta = 0.8});
  const matrix_t<double> want = plain.update(q);
  CHECK(from_rows.update(q) == want);
  CHECK(plain.update(row_major_matrix_t<double>(q)) == want);
  matrix_t<double> wide(10, 10);
  for (index_t j = 0; j < 5; ++j) wide.col(2 * j) = q.col(j);
  const Eigen::Map<const matrix_t<double>, 0, Eigen::OuterStride<>> strided(wide.data(), 10, 5,
                                                                            Eigen::OuterStride<>(20));
  CHECK(plain.update(strided) == want);
  matrix_t<double> in_place = q;  // out aliases the queries
  plain.update_into(in_place, in_place);
  CHECK(in_place == want);
  // A strided binary query (every other entry of a longer vector).
  const matrix_t<float> b = random_binary_patterns<float>(12, 2, 8);
  const classical_hopfield<float> net(b);
  vector_t<float> spaced(24);
  for (index_t i = 0; i < 12; ++i) spaced(2 * i) = spaced(2 * i + 1) = b(i, 1);
  const Eigen::Map<const vector_t<float>, 0, Eigen::InnerStride<2>> every_other(spaced.data(), 12);
  CHECK(net.retrieve(every_other).state == net.retrieve(b.col(1)).state);
}

TEST_CASE("defect 2: a failure inside the engine's parallel sweeps reaches the caller",
          "[adversarial][memory][defect2]") {
  // 32 queries over 256 neurons: above the threshold for threaded sweeps in OpenMP builds.
  const matrix_t<float> x = random_binary_patterns<float>(256, 4, 9);
  const classical_hopfield<float> net(x);
  failing_context_energy energy{};
  static_cast<quadratic_energy<float>&>(energy) = net.energy_policy();
  matrix_t<float> queries = x.col(0).replicate(1, 32);
  queries.row(0).setOnes();
  queries(0, 17) = -1;  // this query's context "fails to allocate"
  CHECK_THROWS_AS(retrieve(energy, asynchronous_update{}, queries), std::bad_alloc);
  queries(0, 17) = 1;
  CHECK(retrieve(energy, asynchronous_update{}, queries).states.cols() == 32);
}

TEST_CASE("defect 13: attention's bits per thread count", "[adversarial][memory][defect13]") {
  // Documented: a given thread count gives the same bits on every run; over more than 512 queries
  // (whole tiles per thread) the bits do not depend on the thread count at all.
  const matrix_t<float> k = adversarial::gaussian<float>(3000, 16, 10);
  const matrix_t<float> v = adversarial::gaussian<float>(3000, 8, 11);
  const matrix_t<float> few = adversarial::gaussian<float>(7, 16, 12);
  const matrix_t<float> many = adversarial::gaussian<float>(700, 16, 13);
  for (const int threads : {1, 2, 3}) {
    const streaming_options options{.threads = threads};
    CHECK(attention(few, k, v, 0.25f, options) == attention(few, k, v, 0.25f, options));
  }
  CHECK(attention(many, k, v, 0.25f, {.threads = 1}) == attention(many, k, v, 0.25f, {.threads = 2}));
  // Different thread counts on few queries agree to rounding.
  CHECK(attention(few, k, v, 0.25f, {.threads = 1})
            .isApprox(attention(few, k, v, 0.25f, {.threads = 2}), 1e-6f));
}

TEST_CASE("memory: attention and pooling reject bad arguments", "[adversarial][memory]") {
  const matrix_t<double> q = adversarial::gaussian<double>(4, 3, 14);
  const matrix_t<double> k = adversarial::gaussian<double>(5, 3, 15);
  const matrix_t<double> v = adversarial::gaussian<double>(5, 2, 16);
  for (const double scale : {0.0, -1.0, nan_value, inf_value}) {
    require_throws<std::invalid_argument>([&] { (void)attention(q, k, v, scale); }, "attention", "scale");
  }
  require_throws<std::invalid_argument>([&] { (void)attention(q, k.leftCols(2), v, 1.0); }, "queries");
  require_throws<std::invalid_argument>([&] { (void)attention(q, k, v.topRows(4), 1.0); }, "values");
  require_throws<std::invalid_argument>(
      [&] { (void)attention(q, matrix_t<double>(0, 3), matrix_t<double>(0, 2), 1.0); }, "keys");
  const Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic> mask =
      Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(4, 4, true);
  require_throws<std::invalid_argument>([&] { (void)attention(q, k, v, 1.0, mask); }, "mask");
  matrix_t<double> bad = q;
  bad(1, 1) = inf_value;
  require_throws<std::invalid_argument>([&] { (void)attention(bad, k, v, 1.0); }, "queries");
  // Pooling: the bag holds instances as columns.
  const matrix_t<double> bag = adversarial::gaussian<double>(3, 6, 17);
  require_throws<std::invalid_argument>([&] { (void)hopfield_pooling(bag, matrix_t<double>::Zero(4, 1)); },
                                        "queries");
  require_throws<std::invalid_argument>(
      [&] { (void)hopfield_pooling(matrix_t<double>(3, 0), matrix_t<double>::Zero(3, 1)); }, "keys");
  for (const double beta : {0.0, nan_value, inf_value}) {
    require_throws<std::invalid_argument>(
        [&] { (void)hopfield_pooling(bag, matrix_t<double>::Zero(3, 1), {.beta = beta}); }, "beta");
  }
  // Overflowing scores: an error, not NaN (defect 8).
  const matrix_t<float> huge = matrix_t<float>::Constant(3, 6, 1e20f);
  require_throws<std::overflow_error>(
      [&] { (void)hopfield_pooling(huge, matrix_t<float>::Constant(3, 1, 1e20f)); }, "not finite");
  require_throws<std::overflow_error>(
      [&] {
        (void)attention(matrix_t<float>::Constant(2, 3, 1e20f), matrix_t<float>::Constant(4, 3, 1e20f),
                        matrix_t<float>::Ones(4, 2), 1.0f);
      },
      "not finite");
}

TEST_CASE("defect 8: the modern update with scores beyond float's range throws",
          "[adversarial][memory][defect8]") {
  const matrix_t<float> x = matrix_t<float>::Constant(4, 5, 1e20f);
  const modern_hopfield<float> memory(x, {.beta = 1.0f});
  require_throws<std::overflow_error>([&] { (void)memory.update(vector_t<float>::Constant(4, 1e20f)); },
                                      "not finite");
  require_throws<std::overflow_error>([&] { (void)memory.retrieve(vector_t<float>::Constant(4, 1e20f)); },
                                      "not finite");
}
