// The exact sparse separations (sparsemax_into, entmax15_into) on M = 65536 float scores per
// query, against the sort-based algorithms of THEORY.md section 7 written with std::sort (here,
// with preallocated buffers and double sums, so only the algorithm differs) and against
// hopfield::softmax_into over the same scores, all in the same run. Score distributions:
//  - gaussian: N(0, 1) scores at beta = 1, a few dozen candidates within 1/beta of the max;
//  - dense:    uniform in [0, 1) at beta = 1, every score within 1/beta of the max (all are
//              candidates) but a support of a few hundred;
//  - flat:     uniform in [0, 1) at beta = 1e-4, every score in the support.
// Items per second are scores per second. The targets: >= 3x faster than the sort version,
// within 4x of softmax.
#include <benchmark/benchmark.h>

#include <hopfield/kernels/entmax.hpp>
#include <hopfield/kernels/softmax.hpp>
#include <hopfield/kernels/sparsemax.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <vector>

namespace {
using hopfield::index_t;
using vector = hopfield::vector_t<float>;

constexpr index_t scores_per_query = 65536;

enum distribution : int { gaussian = 0, dense = 1, flat = 2 };

vector scores(int kind) {
  std::mt19937_64 rng(42);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  vector z(scores_per_query);
  for (index_t i = 0; i < z.size(); ++i) z(i) = kind == gaussian ? normal(rng) : uniform(rng);
  return z;
}

float beta_of(int kind) {
  return kind == flat ? 1e-4f : 1.0f;
}

// Sparsemax by sorting: theta sorted descending, k* = max{k : 1 + k t_(k) > sum_(j<=k) t_(j)},
// tau = (sum_(j<=k*) t_(j) - 1)/k*, p = [theta - tau]_+. The prefix condition holds for exactly
// k <= k*, so the scan stops at the first failure.
void sort_sparsemax(const vector& z, float beta, std::vector<float>& sorted, vector& out) {
  const auto n = static_cast<std::size_t>(z.size());
  for (std::size_t i = 0; i < n; ++i) sorted[i] = beta * z(static_cast<index_t>(i));
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  double cumulative = 0, tau = 0;
  for (std::size_t k = 1; k <= n; ++k) {
    const double t = sorted[k - 1];
    if (!(1 + static_cast<double>(k) * t > cumulative + t)) break;
    cumulative += t;
    tau = (cumulative - 1) / static_cast<double>(k);
  }
  out = ((beta * z).array() - static_cast<float>(tau)).max(0.0f).matrix();
}

// 1.5-entmax by sorting: y = (theta - max)/2 descending, tau_k = mu_k - sqrt(max((1 - ss_k)/k, 0)),
// k* = #{k : tau_k <= y_(k)} (a prefix), p = [y - tau_k*]_+^2.
void sort_entmax15(const vector& z, float beta, std::vector<float>& sorted, vector& out) {
  const auto n = static_cast<std::size_t>(z.size());
  const float top = z.maxCoeff();
  for (std::size_t i = 0; i < n; ++i) sorted[i] = beta * (z(static_cast<index_t>(i)) - top) / 2;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  double sum = 0, sumsq = 0, tau = -1;
  for (std::size_t k = 1; k <= n; ++k) {
    const double y = sorted[k - 1];
    const double kk = static_cast<double>(k);
    const double s = sum + y, q = sumsq + y * y, mu = s / kk;
    const double t = mu - std::sqrt(std::max((1 - (q - kk * mu * mu)) / kk, 0.0));
    if (t > y) break;
    sum = s;
    sumsq = q;
    tau = t;
  }
  const auto shift = static_cast<float>(tau);
  out = ((beta * (z.array() - top) / 2 - shift).max(0.0f).square()).matrix();
}

void set_counters(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * scores_per_query);
  state.counters["M"] = static_cast<double>(scores_per_query);
}

void exact_sparsemax(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const vector z = scores(kind);
  vector out(z.size());
  hopfield::sparse_workspace<float> workspace(z.size());
  index_t support = 0;
  for (auto _ : state) {
    support = hopfield::sparsemax_into<float>(z, beta_of(kind), out, workspace);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["support"] = static_cast<double>(support);
  set_counters(state);
}

void exact_entmax15(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const vector z = scores(kind);
  vector out(z.size());
  hopfield::sparse_workspace<float> workspace(z.size());
  index_t support = 0;
  for (auto _ : state) {
    support = hopfield::entmax15_into<float>(z, beta_of(kind), out, workspace);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["support"] = static_cast<double>(support);
  set_counters(state);
}

void sorted_sparsemax(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const vector z = scores(kind);
  vector out(z.size());
  std::vector<float> buffer(static_cast<std::size_t>(z.size()));
  for (auto _ : state) {
    sort_sparsemax(z, beta_of(kind), buffer, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

void sorted_entmax15(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const vector z = scores(kind);
  vector out(z.size());
  std::vector<float> buffer(static_cast<std::size_t>(z.size()));
  for (auto _ : state) {
    sort_entmax15(z, beta_of(kind), buffer, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

void library_softmax(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const vector z = scores(kind);
  hopfield::matrix_t<float> out(z.size(), 1);
  for (auto _ : state) {
    hopfield::softmax_into(z, beta_of(kind), out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

void distributions(benchmark::internal::Benchmark* b) {
  b->Arg(gaussian)->Arg(dense)->Arg(flat)->ArgName("gaussian0_dense1_flat2")->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK(exact_sparsemax)->Apply(distributions);
BENCHMARK(exact_entmax15)->Apply(distributions);
BENCHMARK(sorted_sparsemax)->Apply(distributions);
BENCHMARK(sorted_entmax15)->Apply(distributions);
BENCHMARK(library_softmax)->Apply(distributions);
