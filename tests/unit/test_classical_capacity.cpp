// Capacity of the classical network against independent references: the exact binomial law of
// unstable Hebbian bits, Storkey against Hebbian, and the pseudo-inverse rule's guarantee that
// every linearly independent stored pattern is a fixed point.
#include <catch.hpp>

#include <cmath>

#include <Eigen/LU>

#include <hopfield/hopfield.hpp>

using namespace hopfield;

namespace {
// P(Bin(L, 1/2) <= k), summed exactly in long double from log-binomial coefficients.
long double binomial_cdf_half(long long trials, long long k) {
  if (k < 0) return 0;
  const long double log_total =
      lgammal(static_cast<long double>(trials) + 1) - static_cast<long double>(trials) * std::log(2.0L);
  long double sum = 0;
  for (long long j = 0; j <= k; ++j) {
    sum += std::exp(log_total - lgammal(static_cast<long double>(j) + 1) -
                    lgammal(static_cast<long double>(trials - j) + 1));
  }
  return sum;
}

struct bit_counts {
  long long unstable = 0;    // x_i h_i < 0: the update flips the bit
  long long not_stable = 0;  // x_i h_i <= 0: flips or ties
  long long total = 0;
};

template <class Scalar>
bit_counts count_bits(index_t n, index_t m, int sets, std::uint64_t seed0) {
  bit_counts counts;
  for (int k = 0; k < sets; ++k) {
    const auto x = random_binary_patterns<Scalar>(n, m, seed0 + static_cast<std::uint64_t>(k));
    const classical_hopfield<Scalar> net(x);
    matrix_t<Scalar> gaps(n, m);
    net.energy_policy().gaps(x, gaps);  // 2 (W x)_i per stored bit, exact
    const auto aligned = (gaps.array() * x.array()).eval();
    counts.unstable += (aligned < 0).count();
    counts.not_stable += (aligned <= 0).count();
    counts.total += n * m;
  }
  return counts;
}
}  // namespace

TEMPLATE_TEST_CASE("capacity: unstable Hebbian bits follow the exact binomial law", "[capacity]", float,
                   double) {
  // For a stored bit, x_i (N W x)_i = (N - 1) + a sum of L = (M - 1)(N - 1) independent +-1
  // terms = (N - 1) + 2B - L with B ~ Bin(L, 1/2). It flips when B < k0 = (L - (N - 1)) / 2 and
  // ties (kept) when B = k0, so P(x_i h_i <= 0) = P(B <= k0).
  struct setting {
    index_t n, m;
    int sets;
  };
#ifdef HOPFIELD_SANITIZE
  const setting settings[] = {{1000, 138, 4}, {500, 50, 40}};
#else
  const setting settings[] = {{1000, 138, 10}, {500, 50, 80}};
#endif
  for (const auto& [n, m, sets] : settings) {
    const long long trials = static_cast<long long>(m - 1) * (n - 1);
    const long long twice_k0 = trials - (n - 1);
    REQUIRE(twice_k0 % 2 == 0);  // both settings have an attainable tie
    const long long k0 = twice_k0 / 2;
    const long double p_flip = binomial_cdf_half(trials, k0 - 1);
    const long double p_not_stable = binomial_cdf_half(trials, k0);
    const auto counts = count_bits<TestType>(n, m, sets, 1000 + static_cast<std::uint64_t>(n));
    const long double f_flip =
        static_cast<long double>(counts.unstable) / static_cast<long double>(counts.total);
    const long double f_not_stable =
        static_cast<long double>(counts.not_stable) / static_cast<long double>(counts.total);
    INFO("N = " << n << ", M = " << m << ": P(flip) = " << p_flip << ", measured " << f_flip
                << "; P(B <= k0) = " << p_not_stable << ", measured " << f_not_stable);
    REQUIRE(std::abs(f_flip / p_flip - 1) <= 0.15L);
    REQUIRE(std::abs(f_not_stable / p_not_stable - 1) <= 0.15L);
    REQUIRE(counts.unstable > 300);  // enough events for a 15% test to mean something
  }
}

namespace {
template <class Net>
double fixed_point_fraction(const Net& net) {
  const auto result = net.retrieve(net.patterns());
  int kept = 0;
  for (index_t j = 0; j < net.size(); ++j) {
    kept += result.states.col(j) == net.patterns().col(j) &&
            result.reports[static_cast<std::size_t>(j)].steps == 1;
  }
  return static_cast<double>(kept) / static_cast<double>(net.size());
}

// The largest M on a grid for which at least 90% of the stored patterns are fixed points.
template <class Scalar, class Rule>
index_t capacity_at(index_t n, std::uint64_t seed) {
  index_t best = 0;
  for (index_t m = 5; m <= n / 2; m += 5) {
    const classical_hopfield<Scalar, Rule> net(
        random_binary_patterns<Scalar>(n, m, seed * 1000 + static_cast<std::uint64_t>(m)));
    if (fixed_point_fraction(net) >= 0.9) best = m;
  }
  return best;
}
}  // namespace

TEMPLATE_TEST_CASE("capacity: Storkey stores clearly more patterns than Hebbian", "[capacity]", float,
                   double) {
  const index_t n = 120;
  for (std::uint64_t seed = 0; seed < 4; ++seed) {
    const index_t hebb = capacity_at<TestType, hebbian>(n, seed);
    const index_t stor = capacity_at<TestType, storkey>(n, seed);
    INFO("N = " << n << ": Hebbian keeps 90% up to M = " << hebb << ", Storkey up to M = " << stor);
    REQUIRE(hebb >= 5);
    REQUIRE(stor >= 2 * hebb);
  }
  // At M = 0.2 N the contrast is stark.
  const auto x = random_binary_patterns<TestType>(200, 40, 77);
  REQUIRE(fixed_point_fraction(classical_hopfield<TestType, hebbian>(x)) < 0.5);
  REQUIRE(fixed_point_fraction(classical_hopfield<TestType, storkey>(x)) > 0.95);
}

TEMPLATE_TEST_CASE("capacity: pseudo-inverse keeps every independent pattern a fixed point",
                   "[capacity][pinv]", float, double) {
  int instances = 0;
  for (std::uint64_t seed = 0; seed < 120; ++seed) {
    random_engine rng(seed);
    const auto n = static_cast<index_t>(8 + uniform_below(rng, 72));
    // M anywhere in [1, N - 1], biased towards the hard end near N.
    const auto m = seed % 2 == 0
                       ? n - 1 - static_cast<index_t>(uniform_below(rng, 4))
                       : static_cast<index_t>(1 + uniform_below(rng, static_cast<std::uint64_t>(n - 1)));
    matrix_t<TestType> x = random_binary_patterns<TestType>(n, m, seed);
    if (seed % 3 == 0) {  // correlated: every pattern a 10% corruption of the first
      x = flip_bits(x.col(0).replicate(1, m).eval(), std::max<index_t>(1, n / 10), seed + 1);
    }
    if (seed % 5 == 1 && m >= 2) {  // two patterns one bit apart: e_i lies in the span, P_ii = 1
      x.col(m - 1) = x.col(0);
      x(static_cast<index_t>(uniform_below(rng, static_cast<std::uint64_t>(n))), m - 1) *= -1;
    }
    const Eigen::FullPivLU<Eigen::MatrixXd> lu(x.template cast<double>());
    if (lu.rank() != m) continue;  // the claim is for linearly independent patterns
    ++instances;
    const classical_hopfield<TestType, pseudo_inverse> net(x);
    REQUIRE(net.learner().rank() == m);
    for (const bool sync : {false, true}) {
      const auto result = sync ? net.retrieve(x, {}, synchronous_update{}) : net.retrieve(x);
      for (index_t j = 0; j < m; ++j) {
        REQUIRE(result.states.col(j) == x.col(j));
        REQUIRE(result.reports[static_cast<std::size_t>(j)].steps == 1);
      }
    }
  }
  REQUIRE(instances >= 100);
}
