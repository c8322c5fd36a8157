// Modern Hopfield update (float): the blocked streaming path against the same work done as two
// whole-memory Eigen products, and a single query over a memory larger than the last-level
// cache against one streaming read of that memory, all in the same run.
//
//   bench_modern --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include <Eigen/Core>
#if defined(_OPENMP)
#include <omp.h>
#endif

#include <hopfield/analysis/patterns.hpp>
#include <hopfield/kernels/softmax.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

namespace {
using hopfield::index_t;
using matrix = hopfield::matrix_t<float>;

matrix random_matrix(index_t rows, index_t cols, std::uint64_t seed, float scale) {
  // Uniform entries are enough for timing; scaled so the softmax is neither flat nor one-hot.
  hopfield::random_engine rng(seed);
  matrix x(rows, cols);
  for (index_t j = 0; j < cols; ++j) {
    for (index_t i = 0; i < rows; ++i)
      x(i, j) = scale * static_cast<float>(2 * hopfield::uniform_unit(rng) - 1);
  }
  return x;
}

void set_counters(benchmark::State& state, index_t n, index_t m, index_t b) {
  const auto items = static_cast<double>(m) * static_cast<double>(b);
  state.counters["pattern_queries/s"] =
      benchmark::Counter(items, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(4.0 * items * static_cast<double>(n) * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GB/s"] = benchmark::Counter(static_cast<double>(n * m) * sizeof(float) * 1e-9,
                                              benchmark::Counter::kIsIterationInvariantRate);
  state.SetComplexityN(m * b);
}

// update(Q) through the library: args N, M, B, threads (0 = default), block (0 = automatic).
void BM_update(benchmark::State& state) {
  const index_t n = state.range(0), m = state.range(1), b = state.range(2);
  const matrix x = random_matrix(n, m, 1, 1.0f);
  const matrix q = random_matrix(n, b, 2, 1.0f);
  hopfield::modern_options<float> options{.beta = 0.5f};
  options.threads = static_cast<int>(state.range(3));
  options.block_size = state.range(4);
  const hopfield::modern_hopfield<float> mhn(x, options);
  matrix out(n, b);
  for (auto _ : state) {
    mhn.update_into(q, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, m, b);
}

// The same work as plain Eigen: S = X^T Q, softmax(S), X S; the M x B scores go to memory.
void BM_eigen_two_pass(benchmark::State& state) {
  const index_t n = state.range(0), m = state.range(1), b = state.range(2);
  const matrix x = random_matrix(n, m, 1, 1.0f);
  const matrix q = random_matrix(n, b, 2, 1.0f);
  matrix scores(m, b);
  matrix out(n, b);
  for (auto _ : state) {
    scores.noalias() = x.transpose() * q;
    hopfield::softmax_into(scores, 0.5f, scores);
    out.noalias() = x * scores;
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, m, b);
}

// Only the two matrix products (no softmax at all): the target for the batched update.
void BM_eigen_two_products(benchmark::State& state) {
  const index_t n = state.range(0), m = state.range(1), b = state.range(2);
  const matrix x = random_matrix(n, m, 1, 1.0f);
  const matrix q = random_matrix(n, b, 2, 1.0f);
  matrix scores(m, b);
  matrix out(n, b);
  for (auto _ : state) {
    scores.noalias() = x.transpose() * q;
    out.noalias() = x * scores;
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, m, b);
}

// One streaming read of X (the bandwidth reference for a single query): a sum over all entries,
// split over the same threads as the update.
void BM_read_once(benchmark::State& state) {
  const index_t n = state.range(0), m = state.range(1);
  const matrix x = random_matrix(n, m, 1, 1.0f);
  const int threads =
      state.range(3) > 0 ? static_cast<int>(state.range(3)) : hopfield::detail::available_threads();
  for (auto _ : state) {
    float total = 0;
#if defined(_OPENMP)
#pragma omp parallel for num_threads(threads) reduction(+ : total) schedule(static)
#endif
    for (index_t t = 0; t < threads; ++t) {
      const index_t first = m * t / threads, last = m * (t + 1) / threads;
      total += x.middleCols(first, last - first).sum();
    }
    benchmark::DoNotOptimize(total);
  }
  (void)threads;
  set_counters(state, n, m, 1);
}

constexpr index_t large_m = index_t{1} << 18;  // 128 x 2^18 floats = 128 MiB > 32 MiB L3

// The fastest repetition: on a shared machine the minimum is the figure least disturbed by others.
double fastest(const std::vector<double>& v) {
  return *std::min_element(v.begin(), v.end());
}

}  // namespace

// The sizes.
BENCHMARK(BM_update)
    ->Args({64, 1024, 1, 0, 0})
    ->Args({128, 65536, 1, 0, 0})
    ->Args({128, 65536, 256, 0, 0})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_eigen_two_products)->Args({128, 65536, 256, 0})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_eigen_two_pass)
    ->Args({64, 1024, 1, 0})
    ->Args({128, 65536, 1, 0})
    ->Args({128, 65536, 256, 0})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
// The thread targets (docs/benchmarks.md, "Threads"): one query over 32 MiB (about the last-level
// cache) and 128 MiB (beyond it), and the batch, each with the default thread setting (0) and with
// one thread, beside one plain read of the same array with two threads and with one.
BENCHMARK(BM_update)
    ->Name("threads/update")
    ->Args({128, 65536, 1, 0, 0})
    ->Args({128, 65536, 1, 1, 0})
    ->Args({128, 262144, 1, 0, 0})
    ->Args({128, 262144, 1, 1, 0})
    ->Args({128, 65536, 256, 0, 0})
    ->Args({128, 65536, 256, 1, 0})
    ->ComputeStatistics("min", fastest)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_read_once)
    ->Name("threads/read")
    ->Args({128, 65536, 1, 2})
    ->Args({128, 65536, 1, 1})
    ->Args({128, 262144, 1, 2})
    ->Args({128, 262144, 1, 1})
    ->ComputeStatistics("min", fastest)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
// A single query over a memory larger than the last-level cache, with all threads and with one.
BENCHMARK(BM_update)
    ->Args({128, large_m, 1, 0, 0})
    ->Args({128, large_m, 1, 1, 0})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_read_once)
    ->Args({128, large_m, 1, 0})
    ->Args({128, large_m, 1, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_eigen_two_pass)->Args({128, large_m, 1, 0})->UseRealTime()->Unit(benchmark::kMicrosecond);
// Scaling in M for one query: linear.
BENCHMARK(BM_update)
    ->ArgsProduct({{128}, benchmark::CreateRange(1 << 12, 1 << 18, 4), {1}, {0}, {0}})
    ->Complexity(benchmark::oN)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
// Block length of the batched update (tuning; 0 = the automatic choice).
BENCHMARK(BM_update)
    ->ArgsProduct({{128}, {65536}, {256}, {0}, {0, 64, 128, 256, 512, 1024, 4096}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
// Block length of the single-query path (tuning).
BENCHMARK(BM_update)
    ->ArgsProduct({{128}, {large_m}, {1}, {1}, {0, 16, 32, 64, 128, 256, 512, 2048}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
