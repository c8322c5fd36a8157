// Const members are safe to call from many threads at once (docs/reliability.md): every memory,
// attention and pooling are run concurrently from std::thread workers, each result compared bit
// for bit with the same call made alone. Under the tsan preset this is ThreadSanitizer's view of
// the library through plain threads, beside the OpenMP regions that Archer covers.
#include <catch.hpp>

#include <thread>
#include <vector>

#include <hopfield/hopfield.hpp>

#include "gaussian.hpp"

using namespace hopfield;
using test::gaussian;

namespace {
template <class Call>
void run_concurrently(int threads, const Call& call) {
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) workers.emplace_back([&call, t] { call(t); });
  for (auto& w : workers) w.join();
}

}  // namespace

TEST_CASE("const members of every memory may be called from many threads at once", "[threads]") {
  constexpr int threads = 4;
  const matrix_t<float> binary = random_binary_patterns<float>(96, 6, 1);
  const matrix_t<float> queries = flip_bits(binary, 20, 2);
  const classical_hopfield<float> classical(binary);
  const dense_associative_memory<float> dense(binary, {.degree = 3});
  const matrix_t<float> continuous = gaussian<float>(32, 4000, 3);
  const matrix_t<float> probes = gaussian<float>(32, 5, 4);
  const modern_hopfield<float> modern(continuous, {.beta = 0.5f, .threads = 2});

  const auto alone_classical = classical.retrieve(queries);
  const auto alone_dense = dense.retrieve(queries, {}, synchronous_update{});
  const matrix_t<float> alone_update = modern.update(probes);
  const auto alone_energies = modern.energies(probes);
  const auto alone_retrieve = modern.retrieve(probes);

  std::vector<int> agreed(threads, 0);
  run_concurrently(threads, [&](int t) {
    const auto c = classical.retrieve(queries);
    const auto d = dense.retrieve(queries, {}, synchronous_update{});
    const matrix_t<float> u = modern.update(probes);
    const auto e = modern.energies(probes);
    const auto r = modern.retrieve(probes);
    agreed[static_cast<std::size_t>(t)] = c.states == alone_classical.states &&
                                          d.states == alone_dense.states && u == alone_update &&
                                          e == alone_energies && r.states == alone_retrieve.states;
  });
  for (int t = 0; t < threads; ++t) CHECK(agreed[static_cast<std::size_t>(t)] == 1);
}

TEST_CASE("attention and pooling may be called from many threads at once", "[threads]") {
  constexpr int threads = 4;
  const matrix_t<double> q = gaussian<double>(600, 8, 5);  // three tiles
  const matrix_t<double> k = gaussian<double>(900, 8, 6);
  const matrix_t<double> v = gaussian<double>(900, 3, 7);
  const streaming_options options{.threads = 2};
  const matrix_t<double> alone = attention(q, k, v, 0.3, options);
  const auto alone_pool = hopfield_pooling(k.transpose(), q.topRows(4).transpose(), {.beta = 0.3});
  std::vector<int> agreed(threads, 0);
  run_concurrently(threads, [&](int t) {
    const matrix_t<double> a = attention(q, k, v, 0.3, options);
    const auto p = hopfield_pooling(k.transpose(), q.topRows(4).transpose(), {.beta = 0.3});
    agreed[static_cast<std::size_t>(t)] =
        a == alone && p.pooled == alone_pool.pooled && p.weights == alone_pool.weights;
  });
  for (int t = 0; t < threads; ++t) CHECK(agreed[static_cast<std::size_t>(t)] == 1);
}
