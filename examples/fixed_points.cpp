// How the fixed point of the modern Hopfield network changes with beta (Ramsauer et al. 2020):
// a small beta gives one global fixed point near the mean of all patterns, a middle beta
// metastable states that average a group of similar patterns, a large beta single patterns.
// Patterns: three clusters of four near-duplicates on the unit sphere in 32 dimensions; the
// query starts at pattern 0 (in cluster 0).
#include <cstdio>
#include <string>

#include <Eigen/Core>

#include <hopfield/analysis/fixed_points.hpp>
#include <hopfield/analysis/patterns.hpp>
#include <hopfield/analysis/separation.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

int main() {
  const Eigen::Index n = 32, clusters = 3, per_cluster = 4;
  const Eigen::MatrixXd centres = hopfield::random_sphere_patterns<double>(n, clusters, 1);
  Eigen::MatrixXd x(n, clusters * per_cluster);
  for (Eigen::Index c = 0; c < clusters; ++c) {
    for (Eigen::Index k = 0; k < per_cluster; ++k) {
      const Eigen::Index i = per_cluster * c + k;
      x.col(i) =
          hopfield::add_gaussian_noise(centres.col(c), 0.15 / std::sqrt(double(n)), 10 + std::uint64_t(i));
      x.col(i).normalize();
    }
  }
  const Eigen::VectorXd delta = hopfield::separation(x);
  std::printf("12 patterns in 3 clusters; separation of pattern 0: %.3f (its near-duplicates are close)\n\n",
              delta(0));
  std::printf("%8s  %9s  %-14s  %6s  %5s  %9s  %9s  %s\n", "beta", "beta m^2", "kind", "n_eff", "steps",
              "|xi-x_0|", "|xi-mean|", "members (weight)");
  const Eigen::VectorXd start = x.col(0);
  for (const double beta : {0.1, 0.5, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0}) {
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
  return 0;
}
