// The library side of the comparison with numpy and PyTorch (bench/peers/, scripts/compare_peers.py):
// exactly the operations the Python peers time, at the same sizes, on the same seeded inputs.
//
//   bench_peers_compare                      Google Benchmark run (all the usual --benchmark_* flags)
//   bench_peers_compare --export DIR         writes the shared inputs and the library's results as
//                                            .npy files (+ meta.json) for the peers to check against
//
// Rows (float):
//   modern_batched  N = 128, M = 65536, B = 256  mhn.update(Q)                       1 and 2 threads
//   modern_single   N = 128, M = 65536, B = 1    mhn.update(q)                       1 and 2 threads
//   classical_async N = 4096, M = 410             net.retrieve(s, {.max_steps = 1}): one sweep
//   classical_sync  N = 4096, M = 410, B = 256    synchronous_update::step (one batch step)  1 and 2
//   dense_async     N = 1024, M = 4096, rectified polynomial degree 3, one sweep
//   *_sweep_only    the same first sweep through the policy API (init_context + sweep)
//   *_async_batch   the sweeps for a batch of queries (the engine spreads queries over threads)
//   gemm            X^T Q, 65536 x 128 x 256: Eigen's own product, or OpenBLAS in a
//                   -DHOPFIELD_USE_BLAS=ON build (the context line "products" says which)
//   network_euler   model B (two-layer network, quadratic features, log-sum-exp memories) retrieved
//                   to convergence by explicit Euler, N_f = 256, N_h = 1024, B = 64
//                   (bench/network_case.hpp; peer: network_peer.py)  1 and 2 threads
#include <benchmark/benchmark.h>

#include <hopfield/hopfield.hpp>

#include <Eigen/Core>

#include "network_case.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace {

using hopfield::index_t;
using matrix = hopfield::matrix_t<float>;
using vector = hopfield::vector_t<float>;

// Sizes of issue 7; the peers read them from meta.json.
constexpr index_t modern_n = 128, modern_m = 65536, modern_b = 256;
constexpr index_t classical_n = 4096, classical_m = 410, classical_b = 256;
constexpr index_t dense_n = 1024, dense_m = 4096, dense_degree = 3;
constexpr index_t async_batch = 8;  // queries per batched sweep (thread scaling)
constexpr std::uint64_t seed = 2026;
constexpr std::uint64_t sweep_seed = 0x5EED;  // retrieval_options.seed of the one-sweep runs
constexpr double corruption = 0.2;            // flipped fraction of the binary queries

float modern_beta() {
  return 1.0f / std::sqrt(static_cast<float>(modern_n));
}

// ---------------------------------------------------------------------------------------------
// Inputs, built once per process from hopfield's own seeded generators
// ---------------------------------------------------------------------------------------------

struct modern_inputs {
  matrix patterns = hopfield::random_sphere_patterns<float>(modern_n, modern_m, seed,
                                                            std::sqrt(static_cast<float>(modern_n)));
  // Queries: noisy copies of the first B patterns.
  matrix queries = hopfield::add_gaussian_noise(patterns.leftCols(modern_b), 0.5f, seed + 1);
};

struct classical_inputs {
  matrix patterns = hopfield::random_binary_patterns<float>(classical_n, classical_m, seed + 2);
  matrix queries = hopfield::corrupt(patterns.leftCols(classical_b), corruption, seed + 3);
};

struct dense_inputs {
  matrix patterns = hopfield::random_binary_patterns<float>(dense_n, dense_m, seed + 4);
  matrix queries = hopfield::corrupt(patterns.leftCols(async_batch), corruption, seed + 5);
};

const modern_inputs& modern_data() {
  static const modern_inputs data;
  return data;
}
const classical_inputs& classical_data() {
  static const classical_inputs data;
  return data;
}
const dense_inputs& dense_data() {
  static const dense_inputs data;
  return data;
}

hopfield::modern_hopfield<float> make_modern(int threads) {
  return hopfield::modern_hopfield<float>(modern_data().patterns,
                                          {.beta = modern_beta(), .threads = threads});
}
hopfield::classical_hopfield<float> make_classical() {
  return hopfield::classical_hopfield<float>(classical_data().patterns);
}
hopfield::dense_associative_memory<float, hopfield::rectified_polynomial> make_dense() {
  return hopfield::dense_associative_memory<float, hopfield::rectified_polynomial>(
      dense_data().patterns, hopfield::rectified_polynomial{.degree = static_cast<int>(dense_degree)});
}

hopfield::retrieval_options one_sweep() {
  hopfield::retrieval_options options;
  options.max_steps = 1;
  options.seed = sweep_seed;
  return options;
}

// The visiting order of the first sweep of query `column` under one_sweep(): the engine seeds
// query j's stream with derive_seed(options.seed, j) and the asynchronous update draws one
// permutation per sweep from it.
std::vector<index_t> first_sweep_order(index_t n, index_t column) {
  hopfield::random_engine rng(hopfield::derive_seed(sweep_seed, static_cast<std::uint64_t>(column)));
  std::vector<index_t> order;
  hopfield::random_permutation(rng, n, order);
  return order;
}

}  // namespace

#if defined(EIGEN_USE_BLAS)
// OpenBLAS's own thread count; weak, so a -DHOPFIELD_USE_BLAS build against another BLAS links.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));
#endif

namespace {

// Thread count for OpenMP regions and Eigen's products. With EIGEN_USE_BLAS the products run in
// OpenBLAS: paths that thread themselves over pattern blocks (`own_threads`) call it serially,
// or two OpenMP threads would each start OpenBLAS's threads on two cores.
void use_threads(int threads, bool own_threads = false) {
  Eigen::setNbThreads(threads);
#if defined(_OPENMP)
  omp_set_num_threads(threads);
#endif
#if defined(EIGEN_USE_BLAS)
  if (openblas_set_num_threads != nullptr) openblas_set_num_threads(own_threads ? 1 : threads);
#else
  (void)own_threads;
#endif
}

void set_items(benchmark::State& state, double items_per_iteration) {
  state.SetItemsProcessed(
      static_cast<std::int64_t>(static_cast<double>(state.iterations()) * items_per_iteration));
}

// ---------------------------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------------------------

void modern_batched(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  use_threads(threads, /*own_threads=*/true);
  const auto mhn = make_modern(threads);
  const matrix& q = modern_data().queries;
  matrix out(modern_n, modern_b);
  for (auto _ : state) {
    mhn.update_into(q, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_items(state, static_cast<double>(modern_m * modern_b));  // query-pattern pairs
  state.counters["N"] = static_cast<double>(modern_n);
  state.counters["M"] = static_cast<double>(modern_m);
  state.counters["B"] = static_cast<double>(modern_b);
}

void modern_single(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  use_threads(threads, /*own_threads=*/true);
  const auto mhn = make_modern(threads);
  const vector q = modern_data().queries.col(0);
  vector out(modern_n);
  for (auto _ : state) {
    out = mhn.update(q);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_items(state, static_cast<double>(modern_m));
  state.SetBytesProcessed(state.iterations() * modern_n * modern_m * static_cast<index_t>(sizeof(float)));
}

void classical_async(benchmark::State& state) {
  use_threads(1);
  const auto net = make_classical();
  const vector s = classical_data().queries.col(0);
  const auto options = one_sweep();
  for (auto _ : state) {
    auto r = net.retrieve(s, options);
    benchmark::DoNotOptimize(r.state.data());
  }
  set_items(state, static_cast<double>(classical_n));  // neuron updates
}

// What retrieve() costs beyond the sweep itself: the same first sweep through the policy API
// (init_context computes the overlaps, then one asynchronous sweep in the same visiting order),
// without validation, the final energy and the result's allocation.
template <class Memory>
void bare_sweep(benchmark::State& state, const Memory& memory, const vector& start) {
  use_threads(1);
  const auto& energy = memory.energy_policy();
  typename std::remove_cvref_t<decltype(energy)>::context_type ctx;
  hopfield::sweep_workspace ws;
  const hopfield::asynchronous_update update;
  vector s(start.size());
  for (auto _ : state) {
    s = start;
    ws.rng.seed(hopfield::derive_seed(sweep_seed, 0));
    energy.init_context(ctx, s);
    benchmark::DoNotOptimize(update.sweep(energy, ctx, s, ws));
    benchmark::ClobberMemory();
  }
  set_items(state, static_cast<double>(start.size()));
}

void classical_async_sweep_only(benchmark::State& state) {
  bare_sweep(state, make_classical(), classical_data().queries.col(0));
}

void dense_async_sweep_only(benchmark::State& state) {
  bare_sweep(state, make_dense(), dense_data().queries.col(0));
}

void classical_async_batch(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  use_threads(threads);
  const auto net = make_classical();
  const matrix s = classical_data().queries.leftCols(async_batch);
  const auto options = one_sweep();
  for (auto _ : state) {
    auto r = net.retrieve(s, options);
    benchmark::DoNotOptimize(r.states.data());
  }
  set_items(state, static_cast<double>(classical_n * async_batch));
}

void classical_sync(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  use_threads(threads);
  const auto net = make_classical();
  const matrix& s = classical_data().queries;
  matrix out(classical_n, classical_b);
  const hopfield::synchronous_update update;
  for (auto _ : state) {
    update.step(net.energy_policy(), s, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_items(state, static_cast<double>(classical_n * classical_b));
}

void dense_async(benchmark::State& state) {
  use_threads(1);
  const auto dam = make_dense();
  const vector s = dense_data().queries.col(0);
  const auto options = one_sweep();
  for (auto _ : state) {
    auto r = dam.retrieve(s, options);
    benchmark::DoNotOptimize(r.state.data());
  }
  set_items(state, static_cast<double>(dense_n));
}

void dense_async_batch(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  use_threads(threads);
  const auto dam = make_dense();
  const matrix& s = dense_data().queries;
  const auto options = one_sweep();
  for (auto _ : state) {
    auto r = dam.retrieve(s, options);
    benchmark::DoNotOptimize(r.states.data());
  }
  set_items(state, static_cast<double>(dense_n * async_batch));
}

// The bare product under the batched update: Eigen's GEBP, or sgemm with EIGEN_USE_BLAS.
void gemm(benchmark::State& state) {
  use_threads(static_cast<int>(state.range(0)));
  const matrix& x = modern_data().patterns;
  const matrix& q = modern_data().queries;
  matrix scores(modern_m, modern_b);
  for (auto _ : state) {
    scores.noalias() = x.transpose() * q;
    benchmark::DoNotOptimize(scores.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * modern_m * modern_n * modern_b * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

// Model B retrieved by explicit Euler to |dx/dt| <= 1e-4 (bench/network_case.hpp), the batch
// advancing together through the shared retrieval engine.
void network_euler(benchmark::State& state) {
  use_threads(static_cast<int>(state.range(0)));
  const bench_case::model_b_inputs in;
  const auto integrator = in.integrator();
  const auto options = in.options();
  double steps = 0;
  for (auto _ : state) {
    auto r = hopfield::retrieve(in.network, integrator, in.starts, options);
    benchmark::DoNotOptimize(r.states.data());
    steps = 0;
    for (const auto& report : r.reports) steps += static_cast<double>(report.steps);
  }
  state.counters["steps_mean"] = steps / static_cast<double>(bench_case::model_b_sizes::batch);
}

BENCHMARK(modern_batched)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(modern_single)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(classical_async)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(classical_async_sweep_only)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(classical_async_batch)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(classical_sync)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(dense_async)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(dense_async_sweep_only)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(dense_async_batch)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(gemm)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(network_euler)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------------
// --export DIR: .npy files (format 1.0, little-endian, Fortran order = Eigen's column-major)
// ---------------------------------------------------------------------------------------------

void write_npy(const std::filesystem::path& path, const char* descr, const std::vector<index_t>& shape,
               const void* data, std::size_t bytes) {
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': True, 'shape': (";
  for (const index_t extent : shape) header += std::to_string(extent) + ", ";
  header += "), }";
  // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  const auto length = static_cast<std::uint16_t>(header.size());
  const char preamble[8] = {'\x93', 'N', 'U', 'M', 'P', 'Y', '\x01', '\x00'};
  out.write(preamble, sizeof preamble);
  const char length_bytes[2] = {static_cast<char>(length & 0xFFU), static_cast<char>(length >> 8U)};
  out.write(length_bytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
  if (!out) throw std::runtime_error("write failed: " + path.string());
}

template <class Derived>
void write_matrix(const std::filesystem::path& dir, const std::string& name,
                  const Eigen::MatrixBase<Derived>& m) {
  const matrix plain = m.template cast<float>();  // column-major, contiguous
  write_npy(dir / (name + ".npy"), "<f4", {plain.rows(), plain.cols()}, plain.data(),
            static_cast<std::size_t>(plain.size()) * sizeof(float));
}

void write_order(const std::filesystem::path& dir, const std::string& name,
                 const std::vector<index_t>& order) {
  static_assert(sizeof(index_t) == 8, "the peers read the orders as int64");
  write_npy(dir / (name + ".npy"), "<i8", {static_cast<index_t>(order.size())}, order.data(),
            order.size() * sizeof(index_t));
}

int export_inputs(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  use_threads(1);
  {
    const auto& d = modern_data();
    const auto mhn = make_modern(1);
    write_matrix(dir, "modern_patterns", d.patterns);
    write_matrix(dir, "modern_queries", d.queries);
    write_matrix(dir, "modern_batched_library", mhn.update(d.queries));
    const vector q = d.queries.col(0);
    write_matrix(dir, "modern_single_library", mhn.update(q));
  }
  {
    const auto& d = classical_data();
    const auto net = make_classical();
    write_matrix(dir, "classical_patterns", d.patterns);
    write_matrix(dir, "classical_queries", d.queries);
    const vector s = d.queries.col(0);
    write_matrix(dir, "classical_async_library", net.retrieve(s, one_sweep()).state);
    write_order(dir, "classical_async_order", first_sweep_order(classical_n, 0));
    matrix out(classical_n, classical_b);
    hopfield::synchronous_update{}.step(net.energy_policy(), d.queries, out);
    write_matrix(dir, "classical_sync_library", out);
  }
  {
    const auto& d = dense_data();
    const auto dam = make_dense();
    write_matrix(dir, "dense_patterns", d.patterns);
    write_matrix(dir, "dense_queries", d.queries);
    const vector s = d.queries.col(0);
    write_matrix(dir, "dense_async_library", dam.retrieve(s, one_sweep()).state);
    write_order(dir, "dense_async_order", first_sweep_order(dense_n, 0));
  }
  {
    using s = bench_case::model_b_sizes;
    const bench_case::model_b_inputs in;
    write_matrix(dir, "network_patterns", in.patterns);
    write_matrix(dir, "network_queries", in.queries);
    const auto r = hopfield::retrieve(in.network, in.integrator(), in.starts, in.options());
    write_matrix(dir, "network_euler_library", r.states.topRows(s::features));
    matrix steps(1, s::batch);
    for (index_t j = 0; j < s::batch; ++j)
      steps(0, j) = static_cast<float>(r.reports[static_cast<std::size_t>(j)].steps);
    write_matrix(dir, "network_euler_library_steps", steps);
  }
  std::ofstream meta(dir / "meta.json");
  meta << "{\n"
       << "  \"modern\": {\"N\": " << modern_n << ", \"M\": " << modern_m << ", \"B\": " << modern_b
       << ", \"beta\": " << static_cast<double>(modern_beta()) << "},\n"
       << "  \"classical\": {\"N\": " << classical_n << ", \"M\": " << classical_m
       << ", \"B\": " << classical_b << "},\n"
       << "  \"dense\": {\"N\": " << dense_n << ", \"M\": " << dense_m << ", \"degree\": " << dense_degree
       << ", \"interaction\": \"rectified_polynomial\"},\n"
       << "  \"network\": {\"N_f\": " << bench_case::model_b_sizes::features
       << ", \"N_h\": " << bench_case::model_b_sizes::memories
       << ", \"B\": " << bench_case::model_b_sizes::batch << ", \"beta\": " << bench_case::model_b_sizes::beta
       << ", \"tau_f\": " << bench_case::model_b_sizes::tau_f
       << ", \"tau_h\": " << bench_case::model_b_sizes::tau_h << ", \"dt\": " << bench_case::model_b_sizes::dt
       << ", \"tolerance\": " << bench_case::model_b_sizes::tolerance
       << ", \"max_steps\": " << bench_case::model_b_sizes::max_steps << "},\n"
       << "  \"async_batch\": " << async_batch << ",\n"
       << "  \"seed\": " << seed << "\n}\n";
  if (!meta) throw std::runtime_error("cannot write meta.json");
  std::cout << "exported inputs and library results to " << dir.string() << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--export") {
      if (i + 1 >= argc) {
        std::cerr << "usage: " << argv[0] << " --export DIR\n";
        return 2;
      }
      try {
        return export_inputs(argv[i + 1]);
      } catch (const std::exception& e) {
        std::cerr << "export failed: " << e.what() << '\n';
        return 1;
      }
    }
  }
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  benchmark::AddCustomContext("OPENBLAS_CORETYPE", coretype != nullptr ? coretype : "(unset)");
#if defined(EIGEN_USE_BLAS)
  benchmark::AddCustomContext("products", "OpenBLAS (EIGEN_USE_BLAS)");
#else
  benchmark::AddCustomContext("products", "Eigen");
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
