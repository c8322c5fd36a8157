// The general continuous-time network (network/), issue 16: what one right-hand side costs against
// the matrix products it cannot avoid, and an Euler retrieval to convergence.
//
//   evaluate/<threads>              net.evaluate(states, rate, energies, workspace): dx/dt and E of a
//                                   batch, for a two-layer network (quadratic features, log-sum-exp
//                                   memories), N_f = 784, N_h = 4096, B = 256
//   products/<threads>              the two products it needs, alone, into preallocated outputs:
//                                   xi * G_f (4096 x 784 * 784 x 256) and xi^T * G_h (784 x 4096 *
//                                   4096 x 256)
//   evaluate_over_products/<thr.>   both, alternating inside one loop; the counter `ratio` is the
//                                   median over iterations of evaluate's time / the products' time
//                                   (process CPU time at one thread, wall time at two; the target
//                                   of issue 16: at most 1.3)
//   euler_retrieval_model_b         retrieve(net, euler_integrator, states) to |dx/dt| <= 1e-4 for
//                                   model B (bench/network_case.hpp: N_f = 256, N_h = 1024, B = 64);
//                                   the numpy peer of bench/peers/network_peer.py does the same
//
//   bench_network --benchmark_filter=over_products --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <vector>

#include <Eigen/Core>
#if defined(_OPENMP)
#include <omp.h>
#endif

#include <hopfield/hopfield.hpp>

#include "network_case.hpp"

namespace {

using hopfield::index_t;

constexpr index_t features = 784, memories = 4096, batch = 256;

void use_threads(int threads) {
  Eigen::setNbThreads(threads);
#if defined(_OPENMP)
  omp_set_num_threads(threads);
#endif
}

template <class Scalar>
using network = hopfield::two_layer_network<Scalar, hopfield::quadratic_lagrangian<Scalar>,
                                            hopfield::log_sum_exp_lagrangian<Scalar>>;

/// A network of the benchmark's size: random unit memories (rows of xi), beta = 8, tau_f = 1,
/// tau_h = 0.1, and a batch of stacked states near the patterns (features) with the memory
/// currents at rest, so the softmax is neither flat nor one-hot.
template <class Scalar>
struct evaluate_case {
  hopfield::matrix_t<Scalar> patterns = hopfield::random_sphere_patterns<Scalar>(features, memories, 11);
  network<Scalar> net{
      {patterns.transpose()},
      {Scalar(1), Scalar(0.1)},
      {hopfield::quadratic_lagrangian<Scalar>{}, hopfield::log_sum_exp_lagrangian<Scalar>(8)}};
  hopfield::matrix_t<Scalar> states = make_states();

 private:
  hopfield::matrix_t<Scalar> make_states() const {
    hopfield::matrix_t<Scalar> x(features + memories, batch);
    x.topRows(features) = hopfield::add_gaussian_noise(patterns.leftCols(batch), Scalar(0.03), 12);
    x.bottomRows(memories).noalias() = patterns.transpose() * x.topRows(features);
    return x;
  }
};

template <class Scalar>
void set_flops(benchmark::State& state) {
  // Two products of 2 * N_h * N_f * B flops each.
  state.counters["GFLOP/s"] = benchmark::Counter(4.0 * memories * features * batch * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["N_f"] = features;
  state.counters["N_h"] = memories;
  state.counters["B"] = batch;
}

/// The products evaluate needs, exactly as it writes them (noalias, into preallocated outputs).
template <class Scalar>
struct products {
  const hopfield::matrix_t<Scalar>& xi;
  hopfield::matrix_t<Scalar> g_f, g_h, bottom_up, top_down;

  products(const evaluate_case<Scalar>& c)
      : xi(c.net.synapses()[0]),
        g_f(c.states.topRows(features)),
        g_h(hopfield::lagrangian_activation(hopfield::log_sum_exp_lagrangian<Scalar>(8),
                                            hopfield::matrix_t<Scalar>(c.states.bottomRows(memories)))),
        bottom_up(memories, batch),
        top_down(features, batch) {}

  void run() {
    bottom_up.noalias() = xi * g_f;
    top_down.noalias() = xi.transpose() * g_h;
  }
};

template <class Scalar>
void evaluate(benchmark::State& state) {
  use_threads(static_cast<int>(state.range(0)));
  const evaluate_case<Scalar> c;
  auto workspace = c.net.make_workspace(batch);
  hopfield::matrix_t<Scalar> rate(c.net.dimension(), batch);
  hopfield::row_vector_t<Scalar> energies(batch);
  for (auto _ : state) {
    c.net.evaluate(c.states, rate, energies, workspace);
    benchmark::DoNotOptimize(rate.data());
    benchmark::DoNotOptimize(energies.data());
    benchmark::ClobberMemory();
  }
  set_flops<Scalar>(state);
}

template <class Scalar>
void products_alone(benchmark::State& state) {
  use_threads(static_cast<int>(state.range(0)));
  const evaluate_case<Scalar> c;
  products<Scalar> p(c);
  for (auto _ : state) {
    p.run();
    benchmark::DoNotOptimize(p.bottom_up.data());
    benchmark::DoNotOptimize(p.top_down.data());
    benchmark::ClobberMemory();
  }
  set_flops<Scalar>(state);
}

/// Seconds on the clock that suits the thread count: the process's CPU time for one thread (what
/// the neighbours on a shared machine do not add to), the wall clock for more (CPU time would
/// count the second thread's waiting).
double now(int threads) {
  timespec t{};
  clock_gettime(threads == 1 ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

/// Both in one loop, alternating, so that the ratio is read from one run whatever the neighbours
/// do: each iteration times one evaluate and one pair of products (CPU time at one thread, wall
/// time at two), and the counters are the medians over iterations.
template <class Scalar>
void evaluate_over_products(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  use_threads(threads);
  const evaluate_case<Scalar> c;
  auto workspace = c.net.make_workspace(batch);
  hopfield::matrix_t<Scalar> rate(c.net.dimension(), batch);
  hopfield::row_vector_t<Scalar> energies(batch);
  products<Scalar> p(c);
  std::vector<double> evaluate_s, products_s;
  for (auto _ : state) {
    const double t0 = now(threads);
    c.net.evaluate(c.states, rate, energies, workspace);
    benchmark::DoNotOptimize(rate.data());
    benchmark::ClobberMemory();
    const double t1 = now(threads);
    p.run();
    benchmark::DoNotOptimize(p.top_down.data());
    benchmark::ClobberMemory();
    const double t2 = now(threads);
    evaluate_s.push_back(t1 - t0);
    products_s.push_back(t2 - t1);
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  const double e = median(evaluate_s), m = median(products_s);
  state.counters["evaluate_ms"] = e * 1e3;
  state.counters["products_ms"] = m * 1e3;
  state.counters["ratio"] = m > 0 ? e / m : 0.0;
}

/// Model B retrieved to convergence by explicit Euler (bench/network_case.hpp).
void euler_retrieval_model_b(benchmark::State& state) {
  use_threads(1);
  const bench_case::model_b_inputs in;
  const auto integrator = in.integrator();
  const auto options = in.options();
  double steps = 0, longest = 0, converged = 0;
  for (auto _ : state) {
    auto r = hopfield::retrieve(in.network, integrator, in.starts, options);
    benchmark::DoNotOptimize(r.states.data());
    steps = longest = converged = 0;
    for (const auto& report : r.reports) {
      steps += static_cast<double>(report.steps);
      longest = std::max(longest, static_cast<double>(report.steps));
      converged += report.converged ? 1.0 : 0.0;
    }
  }
  using s = bench_case::model_b_sizes;
  state.counters["steps_mean"] = steps / static_cast<double>(s::batch);
  state.counters["steps_max"] = longest;
  state.counters["converged"] = converged / static_cast<double>(s::batch);
  state.counters["N_f"] = s::features;
  state.counters["N_h"] = s::memories;
  state.counters["B"] = s::batch;
}

BENCHMARK_TEMPLATE(evaluate, float)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(evaluate, double)
    ->ArgName("threads")
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(products_alone, float)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(products_alone, double)
    ->ArgName("threads")
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(evaluate_over_products, float)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(evaluate_over_products, double)
    ->ArgName("threads")
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(euler_retrieval_model_b)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
