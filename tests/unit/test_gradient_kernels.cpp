// VJPs of the softmax and log-sum-exp kernels against fourth-order central finite differences of
// the library's forward kernels (hopfield::softmax, hopfield::logsumexp): many seeded instances
// with masked (-inf) entries, fully masked columns, M = 1 and large beta; dbeta of the lse
// against its closed form -u H(p) / beta^2; float against a long double reference; bad input.
#include <catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include <hopfield/gradient/logsumexp_vjp.hpp>
#include <hopfield/gradient/softmax_vjp.hpp>
#include <hopfield/kernels/logsumexp.hpp>
#include <hopfield/kernels/softmax.hpp>

#include "test_gradient_support.hpp"

using namespace hopfield;
using test::gaussian;

namespace {

constexpr double minus_inf = -std::numeric_limits<double>::infinity();

// Scores with about a fifth of the entries masked, and column 0 fully masked when asked.
template <class S>
matrix_t<S> masked_scores(index_t m, index_t b, std::uint64_t seed, bool masked_column) {
  matrix_t<S> z = gaussian<S>(m, b, seed, S(2));
  const matrix_t<S> coin = gaussian<S>(m, b, seed + 99);
  for (index_t j = 0; j < b; ++j) {
    for (index_t i = 0; i < m; ++i) {
      if (coin(i, j) > S(0.85)) z(i, j) = static_cast<S>(minus_inf);
    }
  }
  if (masked_column) z.col(0).setConstant(static_cast<S>(minus_inf));
  return z;
}

// A direction that leaves masked entries alone (t * d must stay -inf there).
template <class S>
matrix_t<S> free_direction(const matrix_t<S>& z, std::uint64_t seed) {
  matrix_t<S> d = gaussian<S>(z.rows(), z.cols(), seed);
  for (index_t j = 0; j < z.cols(); ++j) {
    for (index_t i = 0; i < z.rows(); ++i) {
      if (!std::isfinite(z(i, j))) d(i, j) = 0;
    }
  }
  return d;
}

template <class S>
matrix_t<S> step(const matrix_t<S>& z, const matrix_t<S>& d, S t) {
  matrix_t<S> out = z;
  for (index_t j = 0; j < z.cols(); ++j) {
    for (index_t i = 0; i < z.rows(); ++i) {
      if (std::isfinite(z(i, j))) out(i, j) += t * d(i, j);
    }
  }
  return out;
}

template <class S>
bool zero_where_masked(const matrix_t<S>& z, const matrix_t<S>& g) {
  for (index_t j = 0; j < z.cols(); ++j) {
    for (index_t i = 0; i < z.rows(); ++i) {
      if (!std::isfinite(z(i, j)) && g(i, j) != S(0)) return false;
    }
  }
  return g.allFinite();
}

}  // namespace

TEST_CASE("softmax VJP matches finite differences, masks included", "[gradient]") {
  using S = double;
  for (std::uint64_t seed = 0; seed < 80; ++seed) {
    const index_t m = seed % 7 == 0 ? 1 : 1 + static_cast<index_t>((seed * 17) % 40);
    const index_t b = 1 + static_cast<index_t>(seed % 4);
    const S beta = seed % 5 == 4 ? S(60) : S(0.2) + S(0.4) * static_cast<S>(seed % 6);
    const matrix_t<S> z = masked_scores<S>(m, b, seed, seed % 3 == 0);
    const matrix_t<S> g = gaussian<S>(m, b, seed + 500);
    const auto r = softmax_vjp(z, beta, g);
    REQUIRE(zero_where_masked(z, r.scores));
    REQUIRE(std::isfinite(r.beta));
    const matrix_t<S> d = free_direction(z, seed + 600);
    const long double h = 1e-4L / static_cast<long double>(beta);
    const auto loss = [&](const matrix_t<S>& zz, S bb) { return test::inner(g, softmax(zz, bb)); };
    const long double fz =
        test::directional_fd([&](long double t) { return loss(step(z, d, S(t)), beta); }, h);
    const long double fb = test::directional_fd([&](long double t) { return loss(z, beta + S(t)); }, h);
    const long double floor = test::fd_floor<S>(loss(z, beta), h);
    INFO("seed " << seed << " m " << m << " beta " << beta);
    CHECK(test::agrees(test::inner(r.scores, d), fz, test::norm(r.scores) * test::norm(d), 1e-8L, floor));
    CHECK(test::agrees(r.beta, fb, std::abs(r.beta), 1e-7L, floor));
  }
}

TEST_CASE("softmax VJP: M = 1 and fully masked columns give zero", "[gradient]") {
  const matrix_t<double> one = gaussian<double>(1, 3, 1);
  const auto r = softmax_vjp(one, 2.0, gaussian<double>(1, 3, 2));
  CHECK(r.scores.isZero(0));  // a single weight is always 1
  CHECK(r.beta == 0);
  const matrix_t<double> masked = matrix_t<double>::Constant(4, 2, minus_inf);
  const auto m = softmax_vjp(masked, 2.0, gaussian<double>(4, 2, 3));
  CHECK(m.scores.isZero(0));
  CHECK(m.beta == 0);
}

TEST_CASE("logsumexp VJP matches finite differences and -H(p)/beta^2", "[gradient]") {
  using S = double;
  for (std::uint64_t seed = 0; seed < 80; ++seed) {
    const index_t m = seed % 7 == 0 ? 1 : 1 + static_cast<index_t>((seed * 23) % 40);
    const index_t b = 1 + static_cast<index_t>(seed % 4);
    const S beta = seed % 5 == 4 ? S(60) : S(0.2) + S(0.4) * static_cast<S>(seed % 6);
    const matrix_t<S> z = masked_scores<S>(m, b, seed + 7, seed % 3 == 0);
    const row_vector_t<S> u = gaussian<S>(1, b, seed + 500);
    const auto r = logsumexp_vjp(z, beta, u);
    REQUIRE(zero_where_masked(z, r.scores));
    const matrix_t<S> d = free_direction(z, seed + 600);
    const long double h = 1e-4L / static_cast<long double>(beta);
    // The loss skips a fully masked column (lse = -inf there, and so is any step of it).
    const auto loss = [&](const matrix_t<S>& zz, S bb) {
      const row_vector_t<S> l = logsumexp(zz, bb);
      long double total = 0;
      for (index_t j = 0; j < b; ++j) {
        if (std::isfinite(l(j))) total += static_cast<long double>(u(j)) * l(j);
      }
      return total;
    };
    const long double fz =
        test::directional_fd([&](long double t) { return loss(step(z, d, S(t)), beta); }, h);
    const long double fb = test::directional_fd([&](long double t) { return loss(z, beta + S(t)); }, h);
    const long double floor = test::fd_floor<S>(loss(z, beta), h);
    INFO("seed " << seed << " m " << m << " beta " << beta);
    CHECK(test::agrees(test::inner(r.scores, d), fz, test::norm(r.scores) * test::norm(d), 1e-8L, floor));
    CHECK(test::agrees(r.beta, fb, std::abs(r.beta), 1e-7L, floor));
    // Closed form: -sum_j u_j H(p_j) / beta^2, the entropy summed in long double from the kernel's p.
    const matrix_t<S> p = softmax(z, beta);
    long double closed = 0;
    for (index_t j = 0; j < b; ++j) {
      long double entropy = 0;
      for (index_t i = 0; i < m; ++i) {
        if (p(i, j) > 0)
          entropy -= static_cast<long double>(p(i, j)) * std::log(static_cast<long double>(p(i, j)));
      }
      closed -= static_cast<long double>(u(j)) * entropy / (static_cast<long double>(beta) * beta);
    }
    CHECK(std::abs(r.beta - closed) <= 1e-12L * (1 + std::abs(closed)) + 1e-14L);
  }
}

TEST_CASE("softmax and logsumexp VJPs in float agree with long double differences", "[gradient]") {
  // A float difference would drown in rounding (eps / h); the reference runs in long double on the
  // same float-valued scores.
  using L = long double;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    const index_t m = 1 + static_cast<index_t>((seed * 29) % 300), b = 2;
    const float beta = seed % 2 == 0 ? 1.0f : 30.0f;
    const matrix_t<float> z = masked_scores<float>(m, b, seed, false);
    const matrix_t<float> g = gaussian<float>(m, b, seed + 1);
    const row_vector_t<float> u = gaussian<float>(1, b, seed + 2);
    const auto rs = softmax_vjp(z, beta, g);
    const auto rl = logsumexp_vjp(z, beta, u);
    const matrix_t<L> zl = z.cast<L>();
    const matrix_t<L> d = free_direction(zl, seed + 3);
    const long double h = 1e-6L / beta;
    const long double fs = test::directional_fd(
        [&](long double t) { return test::inner(g.cast<L>(), softmax(step(zl, d, t), L(beta))); }, h);
    const long double fsb = test::directional_fd(
        [&](long double t) { return test::inner(g.cast<L>(), softmax(zl, L(beta) + t)); }, h);
    const auto lse_loss = [&](const matrix_t<L>& zz, L bb) {  // a fully masked column counts 0
      const row_vector_t<L> l = logsumexp(zz, bb);
      long double total = 0;
      for (index_t j = 0; j < b; ++j) {
        if (std::isfinite(l(j))) total += static_cast<long double>(u(j)) * l(j);
      }
      return total;
    };
    const long double fl =
        test::directional_fd([&](long double t) { return lse_loss(step(zl, d, t), L(beta)); }, h);
    const long double flb = test::directional_fd([&](long double t) { return lse_loss(zl, L(beta) + t); }, h);
    INFO("seed " << seed << " m " << m);
    CHECK(test::agrees(test::inner(rs.scores, d), fs, test::norm(rs.scores) * test::norm(d), 1e-5L, 1e-6L));
    CHECK(test::agrees(rs.beta, fsb, std::abs(fsb), 1e-4L, 1e-6L));
    CHECK(test::agrees(test::inner(rl.scores, d), fl, test::norm(rl.scores) * test::norm(d), 1e-5L, 1e-6L));
    CHECK(test::agrees(rl.beta, flb, std::abs(flb), 1e-4L, 1e-6L));
  }
}

TEST_CASE("softmax and logsumexp VJPs reject bad input", "[gradient]") {
  const matrix_t<double> z = gaussian<double>(3, 2, 1);
  CHECK_THROWS_WITH(softmax_vjp(z, 1.0, gaussian<double>(2, 3, 2)), Catch::Contains("softmax_vjp") &&
                                                                        Catch::Contains("'upstream'") &&
                                                                        Catch::Contains("3 x 2"));
  CHECK_THROWS_WITH(logsumexp_vjp(z, 1.0, gaussian<double>(2, 2, 2)), Catch::Contains("logsumexp_vjp") &&
                                                                          Catch::Contains("'upstream'") &&
                                                                          Catch::Contains("1 x 2"));
  CHECK_THROWS_WITH(softmax_vjp(z, 0.0, z), Catch::Contains("'beta'"));
  matrix_t<double> nan = z;
  nan(2, 1) = std::nan("");
  CHECK_THROWS_WITH(softmax_vjp(nan, 1.0, z), Catch::Contains("'scores'") && Catch::Contains("(2, 1)"));
  CHECK_THROWS_WITH(softmax_vjp(z, 1.0, nan), Catch::Contains("'upstream'"));
  matrix_t<double> plus_inf = z;
  plus_inf(0, 0) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(logsumexp_vjp(plus_inf, 1.0, gaussian<double>(1, 2, 3)), Catch::Contains("'scores'"));
}
