/// @file Capacity of the classical Hopfield network against Dense Associative Memories at N = 100:
/// for each number of stored random patterns M, the fraction recalled exactly from a copy with 10%
/// of its bits flipped, for the classical (Hebbian) network, the polynomial interaction of degree
/// 2, 3 and 4, and the exponential. Degree 2 is the classical network (same trajectories); degree
/// n stores on the order of N^(n-1) patterns; the exponential, exponentially many.
///
///   dense_vs_classical                          # N = 100, M from 5 to 10240, 10% flipped bits
///   dense_vs_classical --neurons 64 --flip 0.2 --queries 50
///
/// Even degrees (2, 4) give E(s) = E(-s): a state may settle on the negation of a pattern, so
/// their columns count |overlap| = 1 as a recall (from 10% noise this hardly ever matters).
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include <hopfield/hopfield.hpp>

#include "common/args.hpp"
#include "common/table.hpp"

namespace {

using hopfield::index_t;
using matrix = hopfield::matrix_t<float>;

/// Fraction of the probe patterns (the first `queries` columns) recalled exactly.
template <class Memory>
double recall(const Memory& memory, const matrix& probes, const matrix& queries, bool absolute,
              std::uint64_t seed) {
  hopfield::retrieval_options options;
  options.seed = seed;
  const auto result = memory.retrieve(queries, options);
  index_t recalled = 0;
  for (index_t j = 0; j < probes.cols(); ++j) {
    const float m = hopfield::overlap(result.states.col(j), probes.col(j));
    if ((absolute ? std::abs(m) : m) == 1.0f) ++recalled;
  }
  return static_cast<double>(recalled) / static_cast<double>(probes.cols());
}

}  // namespace

int main(int argc, char** argv) {
  example::arguments args(
      "dense_vs_classical",
      "Recall rate against the number of stored patterns M for the classical Hopfield network\n"
      "and Dense Associative Memories (polynomial degrees 2, 3, 4 and exponential), from\n"
      "queries with a fraction of flipped bits.");
  args.option("neurons", "N", "neurons (bits per pattern)", "100");
  args.option("counts", "LIST", "numbers of stored patterns M, comma-separated",
              "5,10,14,20,40,80,160,320,640,1280,2560,5120,10240");
  args.option("flip", "RHO", "fraction of flipped bits in each query", "0.1");
  args.option("queries", "Q", "patterns probed per M (spread over the memory)", "100");
  args.option("seed", "S", "seed of the patterns, the corruptions and the visiting orders", "2026");
  try {
    if (!args.parse(argc, argv)) return 0;
    const auto n = static_cast<index_t>(args.integer("neurons", 4, 1 << 14));
    const std::vector<long long> counts = args.integers("counts", 1, 1 << 20);
    const double rho = args.real("flip", 0.0, 0.5);
    const auto queries = static_cast<index_t>(args.integer("queries", 1, 1 << 16));
    const auto seed = static_cast<std::uint64_t>(args.integer("seed", 0, 1LL << 62));

    example::stopwatch clock;
    example::table table(
        {"M", "M / N", "classical", "degree 2", "degree 3", "degree 4 (abs)", "exponential"});
    for (const long long count : counts) {
      const auto m = static_cast<index_t>(count);
      const matrix x = hopfield::random_binary_patterns<float>(n, m, seed + static_cast<std::uint64_t>(m));
      // Probes spread evenly over the memory.
      const index_t probes_count = std::min(queries, m);
      matrix probes(n, probes_count);
      for (index_t j = 0; j < probes_count; ++j) probes.col(j) = x.col(j * (m / probes_count));
      const matrix noisy = hopfield::corrupt(probes, rho, seed + 1);
      const std::uint64_t order_seed = seed + 2;
      const double classical =
          recall(hopfield::classical_hopfield<float>(x), probes, noisy, false, order_seed);
      const double d2 = recall(hopfield::dense_associative_memory<float>(x, {.degree = 2}), probes, noisy,
                               true, order_seed);
      const double d3 = recall(hopfield::dense_associative_memory<float>(x, {.degree = 3}), probes, noisy,
                               false, order_seed);
      const double d4 = recall(hopfield::dense_associative_memory<float>(x, {.degree = 4}), probes, noisy,
                               true, order_seed);
      const double ex = recall(hopfield::dense_associative_memory<float, hopfield::exponential>(x), probes,
                               noisy, false, order_seed);
      table.add({std::to_string(m), example::fixed(static_cast<double>(m) / static_cast<double>(n), 2),
                 example::percent(classical), example::percent(d2), example::percent(d3),
                 example::percent(d4), example::percent(ex)});
    }
    std::cout << "Recall from " << example::percent(rho, 0) << " flipped bits, N = " << n << ", up to "
              << queries << " probes per M (exact recall: overlap 1)\n\n";
    table.print(std::cout);
    std::cout
        << "\nThe classical network and degree 2 fail beyond about 0.14 N; degree 3 holds on the order of\n"
           "N^2 / (2 * 3 * ln N) patterns, degree 4 more; the exponential's capacity grows like exp(alpha "
           "N).\n"
        << "(" << example::fixed(clock.seconds(), 1) << " s)\n";
    return 0;
  } catch (const example::usage_error& e) {
    std::cerr << "dense_vs_classical: " << e.what() << "\n(--help lists the options)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dense_vs_classical: " << e.what() << '\n';
    return 1;
  }
}
