// Adversarial suite, room energy/: quadratic_energy, interaction_energy and lse_energy against
// bad matrices and options, scalar extremes, overflow, and user interactions that overflow.
#include "adversarial_support.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

using namespace hopfield;
using adversarial::require_throws;

namespace {
/// F(x) = exp(x) with nothing else: no safe difference, no scale (defect 11).
struct plain_exp {
  template <class T>
  T operator()(T x) const {
    return std::exp(x);
  }
};
}  // namespace

TEST_CASE("energy: quadratic_energy rejects weights that are not a Hopfield matrix",
          "[adversarial][energy]") {
  matrix_t<double> w = matrix_t<double>::Zero(4, 4);
  w(0, 1) = w(1, 0) = 0.5;
  CHECK_NOTHROW(quadratic_energy<double>(w));
  matrix_t<double> asymmetric = w;
  asymmetric(0, 1) = 0.25;
  require_throws<std::invalid_argument>([&] { quadratic_energy<double>{asymmetric}; }, "quadratic_energy",
                                        "symmetric");
  matrix_t<double> diagonal = w;
  diagonal(2, 2) = 1;
  require_throws<std::invalid_argument>([&] { quadratic_energy<double>{diagonal}; }, "quadratic_energy",
                                        "diagonal");
  matrix_t<double> nan = w;
  nan(0, 1) = nan(1, 0) = std::numeric_limits<double>::quiet_NaN();
  require_throws<std::invalid_argument>([&] { quadratic_energy<double>{nan}; }, "quadratic_energy");
  require_throws<std::invalid_argument>([&] { quadratic_energy<double>{matrix_t<double>::Zero(3, 4)}; },
                                        "quadratic_energy");
  require_throws<std::invalid_argument>([&] { quadratic_energy<double>{matrix_t<double>(0, 0)}; },
                                        "quadratic_energy");
  require_throws<std::invalid_argument>([&] { quadratic_energy<double>(w, vector_t<double>::Zero(3)); },
                                        "thresholds");
  vector_t<double> bad_theta = vector_t<double>::Zero(4);
  bad_theta(1) = std::numeric_limits<double>::infinity();
  require_throws<std::invalid_argument>([&] { quadratic_energy<double>(w, bad_theta); }, "thresholds");
  for (const double d :
       {0.0, -1.0, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    require_throws<std::invalid_argument>(
        [&] { (void)quadratic_energy<double>::from_stored(w, d, vector_t<double>()); }, "from_stored",
        "denominator");
  }
  require_throws<std::invalid_argument>(
      [&] {
        (void)quadratic_energy<double>::from_stored(w, 1, vector_t<double>(),
                                                    row_major_matrix_t<double>::Ones(3, 2));
      },
      "from_stored", "pattern_rows");
  const quadratic_energy<double> e(w);
  require_throws<std::invalid_argument>([&] { (void)e.energy(vector_t<double>::Ones(5)); }, "energy",
                                        "state");
}

TEST_CASE("energy: interaction_energy rejects bad patterns and degrees", "[adversarial][energy]") {
  matrix_t<float> x = random_binary_patterns<float>(10, 3, 1);
  for (const int degree : {-1, 0, 1, 1 << 30, std::numeric_limits<int>::max()}) {
    INFO("degree " << degree);
    require_throws<std::invalid_argument>(
        [&] { interaction_energy<float, polynomial>(x, polynomial{.degree = degree}); }, "degree");
  }
  x(2, 1) = 0;
  require_throws<std::invalid_argument>([&] { interaction_energy<float, polynomial>{x}; }, "patterns");
  require_throws<std::invalid_argument>(
      [&] { interaction_energy<float, polynomial>{matrix_t<float>(10, 0)}; }, "patterns");
}

TEST_CASE("defect 11: an interaction that overflows gives an error, not a converged NaN retrieval",
          "[adversarial][energy][defect11]") {
  // N = 128 in float: F(a + 1) - F(a - 1) = exp(129) - exp(127) = inf - inf = NaN. Before the fix
  // the NaN gaps read as ties and the retrieval reported "converged" after one sweep.
  const matrix_t<float> x = random_binary_patterns<float>(128, 4, 2);
  dense_associative_memory<float, plain_exp> memory(x);
  require_throws<std::overflow_error>([&] { (void)memory.retrieve(x.col(0)); }, "gap", "NaN");
  require_throws<std::overflow_error>([&] { (void)memory.retrieve(x.col(0), {}, synchronous_update{}); },
                                      "synchronous_update", "NaN");
  require_throws<std::overflow_error>(
      [&] { (void)memory.retrieve(x.col(0), {}, stochastic_update{.temperature = 1.0}); },
      "stochastic_update", "NaN");
  // The shipped exponential carries a scale and retrieves at the same N.
  dense_associative_memory<float, exponential> scaled(x);
  CHECK(scaled.retrieve(x.col(0)).state == x.col(0));
}

TEST_CASE("defect 7: the modern energy is finite and right for the smallest accepted beta",
          "[adversarial][energy][defect7]") {
  // As beta -> 0, beta^-1 ln mean_i exp(beta z_i) -> mean(z): E -> -mean(z) + |q|^2/2 + L^2/2.
  // Before the fix ln(sum)/beta and ln(M)/beta each overflowed and E was inf - inf = NaN.
  const auto check = [](auto zero, auto smallest) {
    using S = decltype(zero);
    const matrix_t<S> x = adversarial::gaussian<S>(20, 50, 3);
    const vector_t<S> q = adversarial::gaussian<S>(20, 1, 4);
    const vector_t<S> z = x.transpose() * q;
    const double limit = -static_cast<double>(z.mean()) + 0.5 * static_cast<double>(q.squaredNorm()) +
                         0.5 * std::pow(static_cast<double>(x.colwise().norm().maxCoeff()), 2);
    for (const S beta : {smallest, S(1e-30), S(1e-20), S(1e-9)}) {
      INFO("beta " << beta);
      const lse_energy<S> energy(x, beta);
      const S e = energy.energy(q);
      CHECK(std::isfinite(e));
      CHECK(static_cast<double>(e) == Approx(limit).epsilon(std::is_same_v<S, float> ? 1e-5 : 1e-9));
    }
  };
  check(0.0f, std::numeric_limits<float>::denorm_min());
  check(0.0f, 1e-38f);
  check(0.0, 1e-310);
  check(0.0, std::numeric_limits<double>::denorm_min());
}

TEST_CASE("energy: the near-uniform lse form agrees with long double at moderate beta",
          "[adversarial][energy]") {
  // Where both forms are accurate (beta = 1e-3 in double) they meet a long-double reference.
  const matrix_t<double> x = adversarial::gaussian<double>(16, 40, 5);
  const vector_t<double> q = adversarial::gaussian<double>(16, 1, 6);
  for (const double beta : {1e-3, 1e-1, 0.5}) {
    long double sum = 0;
    const vector_t<double> z = x.transpose() * q;
    for (index_t i = 0; i < z.size(); ++i) sum += std::exp(static_cast<long double>(beta) * z(i));
    const long double lse = std::log(sum / 40.0L) / beta;
    const long double norm = x.colwise().norm().maxCoeff();
    const long double want = -lse + 0.5L * q.squaredNorm() + 0.5L * norm * norm;
    CHECK(lse_energy<double>(x, beta).energy(q) == Approx(static_cast<double>(want)).epsilon(1e-12));
  }
}

TEST_CASE("defect 8: huge finite patterns: norms without overflow, overflowing scores throw",
          "[adversarial][energy][defect8]") {
  // Entries of 1e20: |x|^2 = 4e40 overflows float, |x| = 2e20 does not.
  const matrix_t<float> x = matrix_t<float>::Constant(4, 3, 1e20f);
  const lse_energy<float> energy(x, 1.0f);
  CHECK(energy.largest_norm() == Approx(2e20).epsilon(1e-6));
  require_throws<std::overflow_error>([&] { (void)energy.energy(vector_t<float>::Constant(4, 1e20f)); },
                                      "not finite");
  matrix_t<float> out(4, 1);
  require_throws<std::overflow_error>([&] { energy.cccp_step(matrix_t<float>::Constant(4, 1, 1e20f), out); },
                                      "not finite");
  // The energy of a small state is still beyond float (L^2 / 2 = 2e40): an error, not inf.
  require_throws<std::overflow_error>([&] { (void)energy.energy(vector_t<float>::Zero(4)); }, "energy",
                                      "not finite");
  // Entries of 1e15 keep every term in range.
  const lse_energy<float> fits(matrix_t<float>::Constant(4, 3, 1e15f), 1e-30f);
  CHECK(std::isfinite(fits.energy(vector_t<float>::Zero(4))));
}

TEST_CASE("energy: lse_energy rejects bad arguments", "[adversarial][energy]") {
  const matrix_t<double> x = adversarial::gaussian<double>(5, 7, 7);
  for (const double beta :
       {0.0, -2.0, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    require_throws<std::invalid_argument>([&] { lse_energy<double>(x, beta); }, "lse_energy", "beta");
  }
  matrix_t<double> nan = x;
  nan(1, 1) = std::numeric_limits<double>::quiet_NaN();
  require_throws<std::invalid_argument>([&] { lse_energy<double>(nan, 1.0); }, "lse_energy", "patterns");
  require_throws<std::invalid_argument>([&] { lse_energy<double>(matrix_t<double>(5, 0), 1.0); }, "patterns");
  const lse_energy<double> e(x, 1.0);
  require_throws<std::invalid_argument>([&] { (void)e.energy(vector_t<double>::Zero(4)); }, "energy",
                                        "state");
  vector_t<double> bad = vector_t<double>::Zero(5);
  bad(2) = -std::numeric_limits<double>::infinity();
  require_throws<std::invalid_argument>([&] { (void)e.energy(bad); }, "energy", "state");
  row_vector_t<double> out(3);
  require_throws<std::invalid_argument>([&] { e.energies(matrix_t<double>::Zero(5, 2), out); }, "energies",
                                        "out");
  matrix_t<double> step(5, 3);
  require_throws<std::invalid_argument>([&] { e.cccp_step(matrix_t<double>::Zero(5, 2), step); }, "out");
  // cccp_step in place (out aliases the states) equals the out-of-place step.
  matrix_t<double> states = adversarial::gaussian<double>(5, 3, 8);
  matrix_t<double> separate(5, 3);
  e.cccp_step(states, separate);
  e.cccp_step(states, states);
  CHECK(states == separate);
}
