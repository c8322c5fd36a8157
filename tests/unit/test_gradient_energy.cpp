// VJPs of the energies against fourth-order central finite differences of their definitions:
// log-sum-exp (the library's lse_energy::energies, constants included; M = 1 and large beta
// among the instances), classical (quadratic_energy::energy on symmetric zero-diagonal
// directions, the diagonal against -1/2 s^T W s + theta^T s), dense with each shipped
// interaction and a user's (-sum F(x . s) through the interaction's own F, checked against
// interaction_energy::energies on +-1 states). Energy descent: a unit gradient step on the
// log-sum-exp energy is the CCCP step, and dE/dbeta is (H(p) - ln M) / beta^2. Bad input.
#include <catch.hpp>

#include <cmath>
#include <cstdint>

#include <hopfield/energy/interaction_energy.hpp>
#include <hopfield/energy/interactions.hpp>
#include <hopfield/energy/lse_energy.hpp>
#include <hopfield/energy/quadratic_energy.hpp>
#include <hopfield/gradient/interaction_energy_vjp.hpp>
#include <hopfield/gradient/lse_energy_vjp.hpp>
#include <hopfield/gradient/quadratic_energy_vjp.hpp>
#include <hopfield/kernels/softmax.hpp>

#include "test_gradient_support.hpp"

using namespace hopfield;
using test::gaussian;

namespace {

template <class S>
long double lse_loss(const matrix_t<S>& x, S beta, const matrix_t<S>& states, const row_vector_t<S>& u) {
  const lse_energy<S> energy(x, beta);
  row_vector_t<S> e(states.cols());
  energy.energies(states, e);
  return test::inner(u, e);
}

// A user's interaction with a derivative: F(x) = x^2 / 2 + sin(x) (smooth, not a polynomial).
struct wavy {
  template <Real S>
  S operator()(S x) const {
    return x * x / 2 + std::sin(x);
  }
  template <Real S>
  S derivative(S x) const {
    return x + std::cos(x);
  }
};

// An interaction without a derivative: the dense VJP must not compile for it.
struct no_derivative {
  template <Real S>
  S operator()(S x) const {
    return x * x * x;
  }
};
static_assert(DifferentiableInteraction<polynomial, double>);
static_assert(DifferentiableInteraction<rectified_polynomial, float>);
static_assert(DifferentiableInteraction<exponential, long double>);
static_assert(DifferentiableInteraction<wavy, double>);
static_assert(!DifferentiableInteraction<no_derivative, double>);
static_assert(InteractionFunction<no_derivative, double>);

// -sum_j u_j sum_mu F(x_mu . s_j), in long double, through the interaction's own F.
template <class F>
long double dense_loss(const F& interaction, const matrix_t<long double>& x, const matrix_t<long double>& s,
                       const row_vector_t<double>& u) {
  const matrix_t<long double> m = x.transpose() * s;
  long double total = 0;
  for (index_t j = 0; j < m.cols(); ++j) {
    long double e = 0;
    for (index_t i = 0; i < m.rows(); ++i) e -= interaction(m(i, j));
    total += static_cast<long double>(u(j)) * e;
  }
  return total;
}

template <class F>
void check_dense(const F& interaction, std::uint64_t seed) {
  // Odd N: overlaps of +-1 vectors are odd, never at the rectified polynomial's kink at 0 (where
  // no finite difference converges at fourth order).
  const index_t n = 3 + 2 * static_cast<index_t>(seed % 3),
                m = seed % 4 == 0 ? 1 : 2 + static_cast<index_t>(seed % 9);
  const index_t b = 1 + static_cast<index_t>(seed % 3);
  const matrix_t<double> x = random_binary_patterns<double>(n, m, seed);
  const matrix_t<double> s = random_binary_patterns<double>(n, b, seed + 1);
  const row_vector_t<double> u = gaussian<double>(1, b, seed + 2);
  const interaction_energy<double, F> energy(x, interaction);
  // The reference is the library's energy on +-1 states.
  row_vector_t<double> e(b);
  energy.energies(s, e);
  const long double at_zero = dense_loss(interaction, x.cast<long double>(), s.cast<long double>(), u);
  REQUIRE(std::abs(at_zero - test::inner(u, e)) <= 1e-12L * (1 + std::abs(at_zero)));
  const auto g = interaction_energy_vjp(energy, s, u);
  const matrix_t<long double> dx = gaussian<long double>(n, m, seed + 3),
                              ds = gaussian<long double>(n, b, seed + 4);
  const long double h = 1e-5L;
  const long double fx = test::directional_fd(
      [&](long double t) {
        return dense_loss(interaction, x.cast<long double>() + t * dx, s.cast<long double>(), u);
      },
      h);
  const long double fs = test::directional_fd(
      [&](long double t) {
        return dense_loss(interaction, x.cast<long double>(), s.cast<long double>() + t * ds, u);
      },
      h);
  INFO("seed " << seed << " n " << n << " m " << m);
  CHECK(
      test::agrees(test::inner(g.patterns, dx), fx, test::norm(g.patterns) * test::norm(dx), 1e-9L, 1e-12L));
  CHECK(test::agrees(test::inner(g.states, ds), fs, test::norm(g.states) * test::norm(ds), 1e-9L, 1e-12L));
}

}  // namespace

TEST_CASE("log-sum-exp energy VJP matches finite differences of the energy", "[gradient]") {
  using S = double;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const index_t n = 1 + static_cast<index_t>(seed % 6);
    const index_t m = seed % 5 == 0 ? 1 : 1 + static_cast<index_t>((seed * 41) % 600);  // blocks of 256
    const index_t b = 1 + static_cast<index_t>(seed % 3);
    const S beta = seed % 4 == 3 ? S(50) : S(0.25) * static_cast<S>(1 + seed % 8);
    // Gaussian patterns: the largest norm is unique, so 1/2 L^2 is differentiable.
    const matrix_t<S> x = gaussian<S>(n, m, seed);
    const matrix_t<S> xi = gaussian<S>(n, b, seed + 1);
    const row_vector_t<S> u = gaussian<S>(1, b, seed + 2);
    const lse_energy<S> energy(x, beta);
    const auto g = lse_energy_vjp(energy, xi, u);
    const matrix_t<S> dx = gaussian<S>(n, m, seed + 3), dxi = gaussian<S>(n, b, seed + 4);
    const long double h = 1e-4L / std::max(1.0L, static_cast<long double>(beta));
    const long double fx =
        test::directional_fd([&](long double t) { return lse_loss<S>(x + S(t) * dx, beta, xi, u); }, h);
    const long double fxi =
        test::directional_fd([&](long double t) { return lse_loss<S>(x, beta, xi + S(t) * dxi, u); }, h);
    const long double fb =
        test::directional_fd([&](long double t) { return lse_loss<S>(x, beta + S(t), xi, u); }, h);
    const long double floor = test::fd_floor<S>(lse_loss<S>(x, beta, xi, u), h);
    INFO("seed " << seed << " m " << m << " beta " << beta);
    CHECK(
        test::agrees(test::inner(g.patterns, dx), fx, test::norm(g.patterns) * test::norm(dx), 1e-7L, floor));
    CHECK(
        test::agrees(test::inner(g.states, dxi), fxi, test::norm(g.states) * test::norm(dxi), 1e-7L, floor));
    CHECK(test::agrees(g.beta, fb, std::abs(g.beta), 1e-6L, floor));
  }
}

TEST_CASE("energy descent: a unit gradient step is the CCCP step, dE/dbeta = (H - ln M)/beta^2",
          "[gradient]") {
  using S = double;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    const index_t n = 8, m = 1 + static_cast<index_t>((seed * 7) % 40), b = 3;
    const S beta = S(0.5) + S(seed % 7);
    const matrix_t<S> x = random_sphere_patterns<S>(n, m, seed, S(2));
    const matrix_t<S> xi = gaussian<S>(n, b, seed + 1);
    const lse_energy<S> energy(x, beta);
    const auto g = lse_energy_vjp(energy, xi, row_vector_t<S>::Ones(b));
    matrix_t<S> cccp(n, b);
    energy.cccp_step(xi, cccp);
    CHECK((xi - g.states - cccp).norm() <= 1e-13 * (1 + cccp.norm()));
    // The closed form, with H from the softmax kernel's weights, in long double.
    const matrix_t<S> p = softmax((x.transpose() * xi).eval(), beta);
    long double closed = 0;
    for (index_t j = 0; j < b; ++j) {
      long double entropy = 0;
      for (index_t i = 0; i < m; ++i) {
        if (p(i, j) > 0)
          entropy -= static_cast<long double>(p(i, j)) * std::log(static_cast<long double>(p(i, j)));
      }
      closed += (entropy - std::log(static_cast<long double>(m))) / (static_cast<long double>(beta) * beta);
    }
    CHECK(std::abs(g.beta - closed) <= 1e-12L * (1 + std::abs(closed)));
    CHECK(g.beta <= 1e-15);  // H <= ln M
  }
}

TEST_CASE("classical energy VJP matches finite differences", "[gradient]") {
  using S = double;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    const index_t n = 2 + static_cast<index_t>(seed % 9), b = 1 + static_cast<index_t>(seed % 3);
    matrix_t<S> w = gaussian<S>(n, n, seed);
    w = ((w + w.transpose()) / 2).eval();
    w.diagonal().setZero();
    const vector_t<S> theta = gaussian<S>(n, 1, seed + 1);
    const matrix_t<S> s = gaussian<S>(n, b, seed + 2);  // real states: the relaxation
    const row_vector_t<S> u = gaussian<S>(1, b, seed + 3);
    const quadratic_energy<S> energy(w, theta);
    const auto g = quadratic_energy_vjp(energy, s, u);
    CHECK((g.weights - g.weights.transpose()).norm() == 0);
    const auto loss = [&](const matrix_t<S>& ww, const vector_t<S>& tt, const matrix_t<S>& ss) {
      const quadratic_energy<S> e(ww, tt);
      long double total = 0;
      for (index_t j = 0; j < b; ++j) total += static_cast<long double>(u(j)) * e.energy(ss.col(j));
      return total;
    };
    matrix_t<S> dw = gaussian<S>(n, n, seed + 4);
    dw = ((dw + dw.transpose()) / 2).eval();
    dw.diagonal().setZero();
    const vector_t<S> dt = gaussian<S>(n, 1, seed + 5);
    const matrix_t<S> ds = gaussian<S>(n, b, seed + 6);
    const long double h = 1e-4L;
    const long double fw =
        test::directional_fd([&](long double t) { return loss(w + S(t) * dw, theta, s); }, h);
    const long double ft =
        test::directional_fd([&](long double t) { return loss(w, theta + S(t) * dt, s); }, h);
    const long double fs =
        test::directional_fd([&](long double t) { return loss(w, theta, s + S(t) * ds); }, h);
    const long double floor = test::fd_floor<S>(loss(w, theta, s), h);
    CHECK(test::agrees(test::inner(g.weights, dw), fw, test::norm(g.weights) * test::norm(dw), 1e-9L, floor));
    CHECK(test::agrees(test::inner(g.thresholds, dt), ft, test::norm(g.thresholds) * test::norm(dt), 1e-9L,
                       floor));
    CHECK(test::agrees(test::inner(g.states, ds), fs, test::norm(g.states) * test::norm(ds), 1e-9L, floor));
    // The diagonal (which the energy itself keeps at zero) against the plain formula.
    for (index_t i = 0; i < n; ++i) {
      const long double fd = test::directional_fd(
          [&](long double t) {
            matrix_t<long double> wl = w.cast<long double>();
            wl(i, i) += t;
            long double total = 0;
            for (index_t j = 0; j < b; ++j) {
              const auto sl = s.col(j).cast<long double>();
              total += static_cast<long double>(u(j)) *
                       (-0.5L * sl.dot(wl * sl) + sl.dot(theta.cast<long double>()));
            }
            return total;
          },
          h);
      CHECK(std::abs(g.weights(i, i) - fd) <= 1e-10L * (1 + std::abs(fd)));
    }
  }
}

TEST_CASE("dense energy VJP matches finite differences for every interaction", "[gradient]") {
  for (std::uint64_t seed = 0; seed < 12; ++seed) {
    check_dense(polynomial{.degree = 2 + static_cast<int>(seed % 4)}, seed);
    check_dense(rectified_polynomial{.degree = 2 + static_cast<int>(seed % 3)}, seed + 100);
    check_dense(exponential{}, seed + 200);
    check_dense(wavy{}, seed + 300);
  }
}

TEST_CASE("energy VJPs reject bad input", "[gradient]") {
  const matrix_t<double> x = gaussian<double>(3, 4, 1);
  const lse_energy<double> lse(x, 1.0);
  const matrix_t<double> s = gaussian<double>(3, 2, 2);
  CHECK_THROWS_WITH(
      lse_energy_vjp(lse, s, row_vector_t<double>::Ones(3)),
      Catch::Contains("lse_energy_vjp") && Catch::Contains("'upstream'") && Catch::Contains("1 x 2"));
  CHECK_THROWS_WITH(lse_energy_vjp(lse, gaussian<double>(4, 2, 3), row_vector_t<double>::Ones(2)),
                    Catch::Contains("'states'"));
  matrix_t<double> nan = s;
  nan(0, 1) = std::nan("");
  CHECK_THROWS_WITH(lse_energy_vjp(lse, nan, row_vector_t<double>::Ones(2)), Catch::Contains("'states'"));
  const quadratic_energy<double> quad(matrix_t<double>::Zero(3, 3));
  row_vector_t<double> bad_u = row_vector_t<double>::Ones(2);
  bad_u(1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(quadratic_energy_vjp(quad, s, bad_u),
                    Catch::Contains("quadratic_energy_vjp") && Catch::Contains("'upstream'"));
  const interaction_energy<double, exponential> dense(random_binary_patterns<double>(3, 2, 4));
  CHECK_THROWS_WITH(interaction_energy_vjp(dense, s, row_vector_t<double>::Ones(1)),
                    Catch::Contains("interaction_energy_vjp") && Catch::Contains("'upstream'"));
  // exp(m) beyond double's range is an overflow, not a silent inf.
  const matrix_t<double> huge = matrix_t<double>::Constant(3, 1, 300.0);
  CHECK_THROWS_AS(interaction_energy_vjp(dense, huge, row_vector_t<double>::Ones(1)), std::overflow_error);
  CHECK_THROWS_AS(quadratic_energy_vjp(quad, s * 1e200, row_vector_t<double>::Ones(2)), std::overflow_error);
}

TEST_CASE("energy VJPs in float and long double agree with double", "[gradient]") {
  // Instantiates every energy VJP for the other scalars; float carries float rounding only.
  const matrix_t<double> x = gaussian<double>(5, 40, 1);
  const matrix_t<double> s = gaussian<double>(5, 3, 2);
  const row_vector_t<double> u = gaussian<double>(1, 3, 3);
  const auto d = lse_energy_vjp(lse_energy<double>(x, 1.5), s, u);
  const auto f = lse_energy_vjp(lse_energy<float>(x.cast<float>(), 1.5f), s.cast<float>(), u.cast<float>());
  const auto l = lse_energy_vjp(lse_energy<long double>(x.cast<long double>(), 1.5L), s.cast<long double>(),
                                u.cast<long double>());
  CHECK((f.patterns.cast<double>() - d.patterns).norm() <= 1e-5 * d.patterns.norm());
  CHECK((f.states.cast<double>() - d.states).norm() <= 1e-5 * d.states.norm());
  CHECK(std::abs(double(f.beta) - d.beta) <= 1e-5 * (1 + std::abs(d.beta)));
  CHECK((l.patterns.cast<double>() - d.patterns).norm() <= 1e-13 * d.patterns.norm());
  const matrix_t<double> sb = random_binary_patterns<double>(5, 3, 4);
  const interaction_energy<double, polynomial> dense(random_binary_patterns<double>(5, 7, 5), {.degree = 3});
  const interaction_energy<float, polynomial> dense_f(random_binary_patterns<float>(5, 7, 5), {.degree = 3});
  const auto dd = interaction_energy_vjp(dense, sb, u);
  const auto df = interaction_energy_vjp(dense_f, sb.cast<float>(), u.cast<float>());
  CHECK((df.patterns.cast<double>() - dd.patterns).norm() <= 1e-5 * dd.patterns.norm());
  const quadratic_energy<float> quad_f(matrix_t<float>::Zero(5, 5));
  CHECK(quadratic_energy_vjp(quad_f, s.cast<float>(), u.cast<float>()).thresholds.size() == 5);
}
