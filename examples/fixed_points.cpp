// How the fixed point of the modern Hopfield network changes with beta (Ramsauer et al. 2020):
// a small beta gives one global fixed point near the mean of all patterns, a middle beta
// metastable states that average a group of similar patterns, a large beta single patterns.
// Patterns: three clusters of four near-duplicates on the unit sphere in 32 dimensions; the
// query starts at pattern 0 (in cluster 0).
//
//   fixed_points                                  # N = 32, 3 clusters of 4, beta 0.1 .. 3000
//   fixed_points --neurons 64 --clusters 4 --per-cluster 8 --betas 1,10,100 --seed 3
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <hopfield/analysis/fixed_points.hpp>
#include <hopfield/analysis/patterns.hpp>
#include <hopfield/analysis/separation.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

#include "common/args.hpp"

namespace {

void run(Eigen::Index n, Eigen::Index clusters, Eigen::Index per_cluster, double spread,
         const std::vector<double>& betas, std::uint64_t seed) {
  const Eigen::MatrixXd centres = hopfield::random_sphere_patterns<double>(n, clusters, seed);
  Eigen::MatrixXd x(n, clusters * per_cluster);
  for (Eigen::Index c = 0; c < clusters; ++c) {
    for (Eigen::Index k = 0; k < per_cluster; ++k) {
      const Eigen::Index i = per_cluster * c + k;
      x.col(i) = hopfield::add_gaussian_noise(centres.col(c), spread / std::sqrt(double(n)),
                                              10 * seed + std::uint64_t(i));
      x.col(i).normalize();
    }
  }
  const Eigen::VectorXd delta = hopfield::separation(x);
  std::printf(
      "%ld patterns in %ld clusters; separation of pattern 0: %.3f (its near-duplicates are close)\n\n",
      static_cast<long>(x.cols()), static_cast<long>(clusters), delta(0));
  std::printf("%8s  %9s  %-14s  %6s  %5s  %9s  %9s  %s\n", "beta", "beta m^2", "kind", "n_eff", "steps",
              "|xi-x_0|", "|xi-mean|", "members (weight)");
  const Eigen::VectorXd start = x.col(0);
  for (const double beta : betas) {
    const hopfield::modern_hopfield<double> memory(x, {.beta = beta});
    const auto r = memory.retrieve(start, {.max_steps = 1000});
    const auto info = hopfield::classify_fixed_point(x, beta, r.state);
    const auto unique = hopfield::unique_fixed_point_condition(x, beta);
    std::string members;
    for (std::size_t k = 0; k < info.members.size() && k < 5; ++k) {
      members += std::to_string(info.members[k]) + " (" + std::to_string(info.weights[k]).substr(0, 4) + ") ";
    }
    if (info.members.size() > 5) members += "... " + std::to_string(info.members.size()) + " in all";
    std::printf("%8.1f  %9.2f%s  %-14s  %6.2f  %5ld  %9.4f  %9.4f  %s\n", beta, unique.value,
                unique.holds ? "*" : " ", std::string(hopfield::to_string(info.kind)).c_str(),
                info.effective_count, static_cast<long>(r.steps), (r.state - x.col(0)).norm(),
                info.distance_to_mean, members.c_str());
  }
  std::printf("\n* beta m_max^2 < 1: the update is a contraction, one global fixed point for every start.\n");
}

}  // namespace

int main(int argc, char** argv) {
  example::arguments args(
      "fixed_points",
      "How the fixed point of the modern Hopfield network changes with beta: patterns in clusters of\n"
      "near-duplicates on the unit sphere, the query starting at pattern 0; for each beta the kind of\n"
      "fixed point reached (global, metastable, single pattern), its effective number of patterns and\n"
      "members. Pattern i of cluster c is centre c plus Gaussian noise of sigma SPREAD / sqrt(N),\n"
      "renormalised; the centres use --seed S, pattern i's noise seed 10 S + i.");
  args.option("neurons", "N", "dimension of the patterns", "32");
  args.option("clusters", "C", "clusters of near-duplicate patterns", "3");
  args.option("per-cluster", "P", "patterns per cluster", "4");
  args.option("spread", "SPREAD", "noise around each centre, times 1/sqrt(N)", "0.15");
  args.option("betas", "LIST", "inverse temperatures, comma-separated",
              "0.1,0.5,1,3,10,30,100,300,1000,3000");
  args.option("seed", "S", "seed of the centres; pattern i's noise uses 10 S + i", "1");
  try {
    if (!args.parse(argc, argv)) return 0;
    const auto n = static_cast<Eigen::Index>(args.integer("neurons", 2, 4096));
    const auto clusters = static_cast<Eigen::Index>(args.integer("clusters", 1, 256));
    const auto per_cluster = static_cast<Eigen::Index>(args.integer("per-cluster", 1, 256));
    if (clusters * per_cluster < 2) {
      throw example::usage_error(
          "options --clusters and --per-cluster: expected at least 2 patterns in all, got " +
          std::to_string(clusters) + " x " + std::to_string(per_cluster));
    }
    const double spread = args.real("spread", 0.0, 100.0);
    const std::vector<double> betas = args.reals("betas", 1e-6, 1e6);
    const auto seed = static_cast<std::uint64_t>(args.integer("seed", 0, 1LL << 58));
    run(n, clusters, per_cluster, spread, betas, seed);
    return 0;
  } catch (const example::usage_error& e) {
    std::cerr << "fixed_points: " << e.what() << "\n(--help lists the options)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "fixed_points: " << e.what() << '\n';
    return 1;
  }
}
