// Classical Hopfield network (float, M = 0.1 N unless stated): storing, one asynchronous sweep,
// one synchronous batch step, and the textbook loop (fields from a row of W for every neuron)
// timed in the same run; then the crossover of the two field modes for the automatic choice.
//
//   OMP_NUM_THREADS=1 bench_classical --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include <hopfield/analysis/patterns.hpp>
#include <hopfield/memory/classical_hopfield.hpp>
#include <hopfield/update/asynchronous_update.hpp>
#include <hopfield/update/synchronous_update.hpp>

namespace {
using hopfield::index_t;
using matrix = hopfield::matrix_t<float>;
using vector = hopfield::vector_t<float>;

hopfield::field_mode mode_of(std::int64_t arg) {
  switch (arg) {
    case 1:
      return hopfield::field_mode::patterns;
    case 2:
      return hopfield::field_mode::weights;
    default:
      return hopfield::field_mode::automatic;
  }
}

void neuron_counters(benchmark::State& state, index_t n, index_t per_iteration) {
  state.counters["neuron_updates/s"] =
      benchmark::Counter(static_cast<double>(per_iteration), benchmark::Counter::kIsIterationInvariantRate);
  state.SetComplexityN(n);
}

// Hebbian storage of M = N/10 patterns: one symmetric rank-M update, O(N^2 M).
void BM_store(benchmark::State& state) {
  const index_t n = state.range(0), m = n / 10;
  const matrix x = hopfield::random_binary_patterns<float>(n, m, 1);
  for (auto _ : state) {
    hopfield::classical_hopfield<float> net(x);
    benchmark::DoNotOptimize(net.energy_policy().raw_weights().data());
  }
  state.counters["patterns/s"] =
      benchmark::Counter(static_cast<double>(m), benchmark::Counter::kIsIterationInvariantRate);
  state.SetComplexityN(n);
}

// Adding one pattern to a memory of M = N/10: O(N^2), no rebuild (the copy of the memory that
// add_patterns grows is timed too).
void BM_add_pattern(benchmark::State& state) {
  const index_t n = state.range(0), m = n / 10;
  const matrix x = hopfield::random_binary_patterns<float>(n, m, 1);
  const matrix y = hopfield::random_binary_patterns<float>(n, 1, 2);
  hopfield::classical_hopfield<float> net(x, {.fields = hopfield::field_mode::weights});
  for (auto _ : state) {
    state.PauseTiming();
    hopfield::classical_hopfield<float> fresh = net;
    state.ResumeTiming();
    fresh.add_patterns(y);
    benchmark::DoNotOptimize(fresh.energy_policy().raw_weights().data());
  }
  state.SetComplexityN(n);
}

// One asynchronous sweep from a stored pattern with 10% of its bits flipped (context ready,
// restored between iterations outside the timing). Args: N, field mode (0 auto, 1 X, 2 W).
void BM_async_sweep(benchmark::State& state) {
  const index_t n = state.range(0), m = n / 10;
  const matrix x = hopfield::random_binary_patterns<float>(n, m, 1);
  const hopfield::classical_hopfield<float> net(x, {.fields = mode_of(state.range(1))});
  const auto& energy = net.energy_policy();
  const vector start = hopfield::corrupt(x.col(0), 0.1, 3);
  hopfield::quadratic_energy<float>::context_type ready;
  energy.init_context(ready, start);
  hopfield::quadratic_energy<float>::context_type ctx = ready;
  vector s = start;
  hopfield::sweep_workspace ws;
  ws.rng.seed(5);
  const hopfield::asynchronous_update update;
  for (auto _ : state) {
    state.PauseTiming();
    s = start;
    ctx.fields = ready.fields;
    ctx.overlaps = ready.overlaps;
    state.ResumeTiming();
    benchmark::DoNotOptimize(update.sweep(energy, ctx, s, ws));
  }
  state.counters["pattern_fields"] = energy.uses_pattern_fields() ? 1 : 0;
  neuron_counters(state, n, n);
}

// The textbook loop for the same sweep: for each neuron in the same kind of random order,
// h_i = W(i, :) s from scratch, O(N^2) per sweep (what a numpy loop over W[i] @ s does).
void BM_async_sweep_textbook(benchmark::State& state) {
  const index_t n = state.range(0), m = n / 10;
  const matrix x = hopfield::random_binary_patterns<float>(n, m, 1);
  matrix w = x * x.transpose() / static_cast<float>(n);
  w.diagonal().setZero();
  const vector start = hopfield::corrupt(x.col(0), 0.1, 3);
  vector s = start;
  hopfield::random_engine rng(5);
  std::vector<index_t> order;
  for (auto _ : state) {
    state.PauseTiming();
    s = start;
    hopfield::random_permutation(rng, n, order);
    state.ResumeTiming();
    for (const index_t i : order) {
      const float h = w.col(i).dot(s);  // W is symmetric: column i is row i, contiguous
      if (h > 0) s(i) = 1;
      if (h < 0) s(i) = -1;
    }
    benchmark::DoNotOptimize(s.data());
  }
  neuron_counters(state, n, n);
}

// The whole public call for one sweep: validation, context, the sweep, the final energy.
void BM_retrieve_one_sweep(benchmark::State& state) {
  const index_t n = state.range(0), m = n / 10;
  const matrix x = hopfield::random_binary_patterns<float>(n, m, 1);
  const hopfield::classical_hopfield<float> net(x, {.fields = mode_of(state.range(1))});
  const vector start = hopfield::corrupt(x.col(0), 0.1, 3);
  hopfield::retrieval_options options;
  options.max_steps = 1;
  for (auto _ : state) {
    auto r = net.retrieve(start, options);
    benchmark::DoNotOptimize(r.state.data());
  }
  neuron_counters(state, n, n);
}

// One synchronous step for a batch of B = 64 states: one or two matrix products.
void BM_sync_step(benchmark::State& state) {
  const index_t n = state.range(0), m = n / 10, b = 64;
  const matrix x = hopfield::random_binary_patterns<float>(n, m, 1);
  const hopfield::classical_hopfield<float> net(x, {.fields = mode_of(state.range(1))});
  const matrix states = hopfield::random_binary_patterns<float>(n, b, 4);
  matrix out(n, b);
  const hopfield::synchronous_update update;
  for (auto _ : state) {
    update.step(net.energy_policy(), states, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["pattern_batch"] = net.energy_policy().uses_pattern_batch() ? 1 : 0;
  neuron_counters(state, n, n * b);
}

// Crossover: a full retrieval (to convergence) from 10% noise at N = 2048 for a range of M, in
// each field mode. Args: M, mode.
void BM_crossover_retrieve(benchmark::State& state) {
  const index_t n = 2048, m = state.range(0);
  const matrix x = hopfield::random_binary_patterns<float>(n, m, 1);
  const hopfield::classical_hopfield<float> net(x, {.fields = mode_of(state.range(1))});
  const vector start = hopfield::corrupt(x.col(0), 0.1, 3);
  index_t sweeps = 0;
  for (auto _ : state) {
    auto r = net.retrieve(start);
    sweeps = r.steps;
    benchmark::DoNotOptimize(r.state.data());
  }
  state.counters["sweeps"] = static_cast<double>(sweeps);
}

}  // namespace

BENCHMARK(BM_store)
    ->Arg(256)
    ->Arg(1024)
    ->Arg(4096)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oNCubed);
BENCHMARK(BM_add_pattern)
    ->Arg(256)
    ->Arg(1024)
    ->Arg(4096)
    ->Unit(benchmark::kMicrosecond)
    ->Complexity(benchmark::oNSquared);
BENCHMARK(BM_async_sweep)
    ->ArgsProduct({{256, 1024, 4096}, {0}})
    ->Unit(benchmark::kMicrosecond)
    ->Complexity(benchmark::oNSquared);
BENCHMARK(BM_async_sweep)->ArgsProduct({{256, 1024, 4096}, {2}})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_async_sweep_textbook)
    ->Arg(256)
    ->Arg(1024)
    ->Arg(4096)
    ->Unit(benchmark::kMicrosecond)
    ->Complexity(benchmark::oNSquared);
BENCHMARK(BM_retrieve_one_sweep)->ArgsProduct({{256, 1024, 4096}, {0, 2}})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sync_step)
    ->ArgsProduct({{256, 1024, 4096}, {0}})
    ->Unit(benchmark::kMicrosecond)
    ->Complexity(benchmark::oNSquared);
BENCHMARK(BM_sync_step)->ArgsProduct({{256, 1024, 4096}, {2}})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_crossover_retrieve)
    ->ArgsProduct({{64, 128, 192, 256, 320, 384, 512}, {1, 2}})
    ->Unit(benchmark::kMicrosecond);
