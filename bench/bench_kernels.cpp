// Column-wise softmax and log-sum-exp against the unavoidable work (one Eigen exp pass over the
// same data) and a naive scalar std::exp loop, in the same run; a plain copy of the scores shows
// where the exp pass itself is bound by memory rather than by the exponentials. Float; elements
// per second. scripts/kernel_table.py turns a run into the table in docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <hopfield/kernels/logsumexp.hpp>
#include <hopfield/kernels/softmax.hpp>

#include "own_exp_pass.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace {
using hopfield::index_t;
using matrix = hopfield::matrix_t<float>;

matrix scores(index_t rows, index_t cols) {
  matrix z = matrix::Random(rows, cols) * 20.0f;  // exponents spread over [-20, 20]
  return z;
}

void set_counters(benchmark::State& state, index_t rows, index_t cols) {
  state.SetItemsProcessed(state.iterations() * rows * cols);
  state.SetBytesProcessed(state.iterations() * rows * cols * static_cast<index_t>(sizeof(float)));
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["cols"] = static_cast<double>(cols);
}

void column_softmax(benchmark::State& state) {
  const index_t rows = state.range(0), cols = state.range(1);
  const matrix z = scores(rows, cols);
  matrix out(rows, cols);
  for (auto _ : state) {
    hopfield::softmax_into(z, 1.0f, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, rows, cols);
}

void column_logsumexp(benchmark::State& state) {
  const index_t rows = state.range(0), cols = state.range(1);
  const matrix z = scores(rows, cols);
  hopfield::row_vector_t<float> out(cols);
  for (auto _ : state) {
    hopfield::logsumexp_into(z, 1.0f, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, rows, cols);
}

// The unavoidable work: one vectorised exp pass, reading z and writing out.
void bare_exp_pass(benchmark::State& state) {
  const index_t rows = state.range(0), cols = state.range(1);
  const matrix z = scores(rows, cols);
  matrix out(rows, cols);
  for (auto _ : state) {
    out.array() = z.array().exp();
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, rows, cols);
}

// The same pass with the library's own packet exponential (own_exp_pass.hpp).
void kernel_exp_pass(benchmark::State& state) {
  const index_t rows = state.range(0), cols = state.range(1);
  const matrix z = scores(rows, cols);
  matrix out(rows, cols);
  for (auto _ : state) {
    own_exp_pass(z.data(), out.data(), rows * cols);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, rows, cols);
}

// The memory floor: read the scores, write as many floats.
void bare_copy(benchmark::State& state) {
  const index_t rows = state.range(0), cols = state.range(1);
  const matrix z = scores(rows, cols);
  matrix out(rows, cols);
  for (auto _ : state) {
    out = z;
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, rows, cols);
}

// What a user writes without thinking about it: scalar loops with std::exp.
void naive_softmax(benchmark::State& state) {
  const index_t rows = state.range(0), cols = state.range(1);
  const matrix z = scores(rows, cols);
  matrix out(rows, cols);
  for (auto _ : state) {
    for (index_t j = 0; j < cols; ++j) {
      float max = -std::numeric_limits<float>::infinity();
      for (index_t i = 0; i < rows; ++i) max = std::max(max, z(i, j));
      float sum = 0;
      for (index_t i = 0; i < rows; ++i) {
        out(i, j) = std::exp(z(i, j) - max);
        sum += out(i, j);
      }
      for (index_t i = 0; i < rows; ++i) out(i, j) /= sum;
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, rows, cols);
}

void sizes(benchmark::internal::Benchmark* b) {
  for (const index_t rows : {1000, 10000, 100000, 1000000}) {
    for (const index_t cols : {1, 16, 256}) {
      if (rows * cols <= (1 << 24)) b->Args({rows, cols});
    }
  }
  b->ArgNames({"rows", "cols"})->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK(column_softmax)->Apply(sizes);
BENCHMARK(column_logsumexp)->Apply(sizes);
BENCHMARK(bare_exp_pass)->Apply(sizes);
BENCHMARK(kernel_exp_pass)->Apply(sizes);
BENCHMARK(bare_copy)->Apply(sizes);
BENCHMARK(naive_softmax)->Apply(sizes);
