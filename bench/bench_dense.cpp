// Dense Associative Memory: one asynchronous sweep at N = 1024 over M in {1024, 4096, 16384}
// patterns (degree 3, rectified degree 3, exponential), single thread, float; pattern-neuron
// pairs per second and the complexity in M. The naive reference (overlaps recomputed for every
// neuron, O(N^2 M) per sweep) is timed beside the incremental sweep at a small size in the same
// run; the synchronous batch gaps (two products) are timed too.
#include <benchmark/benchmark.h>

#include <hopfield/analysis/patterns.hpp>
#include <hopfield/energy/interaction_energy.hpp>
#include <hopfield/update/asynchronous_update.hpp>

#include <Eigen/Core>

namespace {
using hopfield::index_t;
using hopfield::matrix_t;
using hopfield::vector_t;

constexpr index_t neurons = 1024;

template <class Interaction>
Interaction make_interaction() {
  if constexpr (requires { Interaction{}.degree; }) {
    return Interaction{.degree = 3};
  } else {
    return Interaction{};
  }
}

/// One sweep from a pattern with 20% of its bits flipped (about N/5 flips in the sweep), the
/// overlaps set up outside the timing.
template <class Interaction>
void async_sweep(benchmark::State& state) {
  Eigen::setNbThreads(1);
  const index_t n = state.range(0);
  const index_t m = state.range(1);
  const auto x = hopfield::random_binary_patterns<float>(n, m, 1);
  const hopfield::interaction_energy<float, Interaction> energy(x, make_interaction<Interaction>());
  const vector_t<float> start = hopfield::corrupt(x.col(0), 0.2, 2);
  vector_t<float> s = start;
  typename hopfield::interaction_energy<float, Interaction>::context_type ctx;
  hopfield::sweep_workspace ws;
  index_t flips = 0;
  for (auto _ : state) {
    state.PauseTiming();
    s = start;
    energy.init_context(ctx, s);
    ws.rng.seed(3);
    state.ResumeTiming();
    flips = hopfield::asynchronous_update{}.sweep(energy, ctx, s, ws);
    benchmark::DoNotOptimize(s.data());
  }
  state.SetItemsProcessed(state.iterations() * n * m);  // pattern-neuron pairs
  state.SetComplexityN(m);
  state.counters["flips"] = static_cast<double>(flips);
}

/// The naive sweep: the same visiting order and decisions, but the overlaps recomputed from
/// scratch for every neuron (what an implementation without the cache does).
template <class Interaction>
void naive_sweep(benchmark::State& state) {
  Eigen::setNbThreads(1);
  const index_t n = state.range(0);
  const index_t m = state.range(1);
  const auto x = hopfield::random_binary_patterns<float>(n, m, 1);
  const hopfield::interaction_energy<float, Interaction> energy(x, make_interaction<Interaction>());
  const vector_t<float> start = hopfield::corrupt(x.col(0), 0.2, 2);
  vector_t<float> s = start;
  typename hopfield::interaction_energy<float, Interaction>::context_type ctx;
  hopfield::random_engine rng;
  std::vector<index_t> order;
  for (auto _ : state) {
    s = start;
    rng.seed(3);
    hopfield::random_permutation(rng, n, order);
    for (const index_t i : order) {
      energy.init_context(ctx, s);  // O(N M) per neuron
      const float gap = energy.gap(ctx, s, i).value;
      if ((gap > 0 && s(i) < 0) || (gap < 0 && s(i) > 0)) s(i) = -s(i);
    }
    benchmark::DoNotOptimize(s.data());
  }
  state.SetItemsProcessed(state.iterations() * n * m);
}

/// Every gap of a batch of B = 64 states: X^T S, the elementwise P and colsum(Q), then X P.
template <class Interaction>
void batch_gaps(benchmark::State& state) {
  Eigen::setNbThreads(1);
  const index_t n = neurons;
  const index_t m = state.range(0);
  const index_t b = 64;
  const auto x = hopfield::random_binary_patterns<float>(n, m, 1);
  const hopfield::interaction_energy<float, Interaction> energy(x, make_interaction<Interaction>());
  const matrix_t<float> states = hopfield::corrupt(x.leftCols(b), 0.2, 2);
  matrix_t<float> out(n, b);
  for (auto _ : state) {
    energy.gaps(states, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * n * m * b);
  state.SetComplexityN(m);
}

void large(benchmark::internal::Benchmark* bench) {
  for (const index_t m : {1024, 4096, 16384}) bench->Args({neurons, m});
  bench->ArgNames({"N", "M"})->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
}
void small(benchmark::internal::Benchmark* bench) {
  // Doubling N doubles the naive sweep's disadvantage (O(N^2 M) against O(N M)).
  bench->Args({256, 256})->Args({512, 256})->ArgNames({"N", "M"})->Unit(benchmark::kMillisecond);
}
void batches(benchmark::internal::Benchmark* bench) {
  for (const index_t m : {1024, 4096}) bench->Args({m});
  bench->ArgNames({"M"})->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
}

}  // namespace

BENCHMARK(async_sweep<hopfield::polynomial>)->Apply(large);
BENCHMARK(async_sweep<hopfield::rectified_polynomial>)->Apply(large);
BENCHMARK(async_sweep<hopfield::exponential>)->Apply(large);
BENCHMARK(async_sweep<hopfield::polynomial>)->Apply(small);
BENCHMARK(naive_sweep<hopfield::polynomial>)->Apply(small);
BENCHMARK(async_sweep<hopfield::exponential>)->Apply(small);
BENCHMARK(naive_sweep<hopfield::exponential>)->Apply(small);
BENCHMARK(batch_gaps<hopfield::polynomial>)->Apply(batches);
BENCHMARK(batch_gaps<hopfield::exponential>)->Apply(batches);
