// VJPs of the modern update, auto- and hetero-associative, against fourth-order central finite
// differences of the library's forward pass (modern_hopfield::update) along random directions
// and entry by entry, over many seeded instances: M = 1, large beta, blocked and threaded
// streaming, a saved forward partial, float against a long double reference; and bad input.
#include <catch.hpp>

#include <cmath>
#include <cstdint>

#include <hopfield/gradient/modern_update_vjp.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

#include "test_gradient_support.hpp"

using namespace hopfield;
using test::gaussian;

namespace {

// <U, V softmax(beta K^T Q)> from the library's forward pass.
template <class S>
long double hetero_loss(const matrix_t<S>& k, const matrix_t<S>& v, const matrix_t<S>& q, S beta,
                        const matrix_t<S>& u) {
  const modern_hopfield<S> memory(k, v, {.beta = beta});
  return test::inner(u, memory.update(q));
}

template <class S>
long double auto_loss(const matrix_t<S>& x, const matrix_t<S>& q, S beta, const matrix_t<S>& u) {
  const modern_hopfield<S> memory(x, {.beta = beta});
  return test::inner(u, memory.update(q));
}

}  // namespace

TEST_CASE("modern update VJP: hetero-association matches finite differences", "[gradient]") {
  using S = double;
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    const index_t nk = 1 + static_cast<index_t>(seed % 7);
    const index_t nv = 1 + static_cast<index_t>((seed / 2) % 5);
    const index_t m = seed % 5 == 0 ? 1 : 1 + static_cast<index_t>((seed * 37) % 90);  // M = 1 included
    const index_t b = 1 + static_cast<index_t>(seed % 4);
    // Large beta every fourth instance: the softmax is nearly one-hot there.
    const S beta = seed % 4 == 3 ? S(40) : S(0.3) * static_cast<S>(1 + seed % 6);
    const matrix_t<S> k = gaussian<S>(nk, m, seed, 0.8);
    const matrix_t<S> v = gaussian<S>(nv, m, seed + 1000);
    const matrix_t<S> q = gaussian<S>(nk, b, seed + 2000, 0.8);
    const matrix_t<S> u = gaussian<S>(nv, b, seed + 3000);
    const auto g = hetero_update_vjp(k, v, q, beta, u);
    REQUIRE(g.queries.rows() == nk);
    REQUIRE(g.queries.cols() == b);
    REQUIRE(g.keys.cols() == m);
    REQUIRE(g.values.rows() == nv);
    const long double h = 1e-4L / static_cast<long double>(beta);
    const matrix_t<S> dk = gaussian<S>(nk, m, seed + 4000);
    const matrix_t<S> dv = gaussian<S>(nv, m, seed + 5000);
    const matrix_t<S> dq = gaussian<S>(nk, b, seed + 6000);
    const long double fk =
        test::directional_fd([&](long double t) { return hetero_loss<S>(k + S(t) * dk, v, q, beta, u); }, h);
    const long double fv =
        test::directional_fd([&](long double t) { return hetero_loss<S>(k, v + S(t) * dv, q, beta, u); }, h);
    const long double fq =
        test::directional_fd([&](long double t) { return hetero_loss<S>(k, v, q + S(t) * dq, beta, u); }, h);
    const long double fb =
        test::directional_fd([&](long double t) { return hetero_loss<S>(k, v, q, beta + S(t), u); }, h);
    // The difference's own rounding, eps |L| / h, is the floor below which nothing is compared.
    const long double floor = test::fd_floor<S>(hetero_loss<S>(k, v, q, beta, u), h);
    INFO("seed " << seed << " beta " << beta << " m " << m << " floor " << double(floor));
    INFO("keys " << double(test::inner(g.keys, dk)) << " vs " << double(fk));
    INFO("queries " << double(test::inner(g.queries, dq)) << " vs " << double(fq));
    INFO("beta " << double(g.beta) << " vs " << double(fb));
    CHECK(test::agrees(test::inner(g.keys, dk), fk, test::norm(g.keys) * test::norm(dk), 1e-7L, floor));
    CHECK(test::agrees(test::inner(g.values, dv), fv, test::norm(g.values) * test::norm(dv), 1e-7L, floor));
    CHECK(test::agrees(test::inner(g.queries, dq), fq, test::norm(g.queries) * test::norm(dq), 1e-7L, floor));
    CHECK(test::agrees(g.beta, fb, std::abs(g.beta), 1e-6L, floor));
  }
}

TEST_CASE("modern update VJP: auto-association, entry by entry", "[gradient]") {
  using S = double;
  for (std::uint64_t seed = 0; seed < 12; ++seed) {
    const index_t n = 2 + static_cast<index_t>(seed % 4);
    const index_t m = seed % 6 == 0 ? 1 : 2 + static_cast<index_t>(seed % 5);
    const index_t b = 1 + static_cast<index_t>(seed % 3);
    const S beta = S(0.5) + S(0.7) * static_cast<S>(seed % 5);
    const matrix_t<S> x = gaussian<S>(n, m, seed + 10);
    const matrix_t<S> q = gaussian<S>(n, b, seed + 20);
    const matrix_t<S> u = gaussian<S>(n, b, seed + 30);
    const auto g = modern_update_vjp(x, q, beta, u);
    const long double h = 1e-4L;
    for (index_t j = 0; j < m; ++j) {
      for (index_t i = 0; i < n; ++i) {
        matrix_t<S> e = matrix_t<S>::Zero(n, m);
        e(i, j) = 1;
        const long double fd =
            test::directional_fd([&](long double t) { return auto_loss<S>(x + S(t) * e, q, beta, u); }, h);
        CHECK(std::abs(g.patterns(i, j) - fd) <= 1e-8L * (1 + std::abs(fd)));
      }
    }
    for (index_t j = 0; j < b; ++j) {
      for (index_t i = 0; i < n; ++i) {
        matrix_t<S> e = matrix_t<S>::Zero(n, b);
        e(i, j) = 1;
        const long double fd =
            test::directional_fd([&](long double t) { return auto_loss<S>(x, q + S(t) * e, beta, u); }, h);
        CHECK(std::abs(g.queries(i, j) - fd) <= 1e-8L * (1 + std::abs(fd)));
      }
    }
    const long double fb =
        test::directional_fd([&](long double t) { return auto_loss<S>(x, q, beta + S(t), u); }, h);
    CHECK(std::abs(g.beta - fb) <= 1e-8L * (1 + std::abs(fb)));
  }
}

TEST_CASE("modern update VJP: the blocked, threaded backward equals one block", "[gradient]") {
  using S = double;
  // Blocks of 7 patterns over 2 workers, and more than 512 queries (tiles of 256), against the
  // whole memory in one block on one thread.
  for (std::uint64_t seed = 0; seed < 4; ++seed) {
    const index_t n = 6, m = 333 + static_cast<index_t>(seed), b = seed < 2 ? 3 : 600;
    const matrix_t<S> x = gaussian<S>(n, m, seed + 1);
    const matrix_t<S> q = gaussian<S>(n, b, seed + 2);
    const matrix_t<S> u = gaussian<S>(n, b, seed + 3);
    const auto one = modern_update_vjp(x, q, S(1.5), u, {.block_size = m, .threads = 1});
    const auto many = modern_update_vjp(x, q, S(1.5), u, {.block_size = 7, .threads = 2});
    CHECK((one.queries - many.queries).norm() <= 1e-12 * one.queries.norm());
    CHECK((one.patterns - many.patterns).norm() <= 1e-12 * one.patterns.norm());
    CHECK(std::abs(one.beta - many.beta) <= 1e-12 * (1 + std::abs(one.beta)));
    // The memory's own options and a saved forward partial give the same.
    const modern_hopfield<S> memory(x, {.beta = S(1.5), .block_size = 11, .threads = 2});
    const auto saved = modern_update_vjp(memory, q, u, memory.partial(q));
    CHECK((one.patterns - saved.patterns).norm() <= 1e-12 * one.patterns.norm());
    CHECK((one.queries - modern_update_vjp(memory, q, u).queries).norm() <= 1e-12 * one.queries.norm());
    // The split form of the same memory sums to the auto-associative gradient.
    const auto split = hetero_update_vjp(memory, q, u, memory.partial(q));
    CHECK((one.patterns - split.keys - split.values).norm() <= 1e-12 * one.patterns.norm());
  }
}

TEST_CASE("modern update VJP: float agrees with a long double finite difference", "[gradient]") {
  // In float a finite difference of the float forward pass would be swamped by rounding (eps / h),
  // so the reference is the long double forward pass on the same (float-valued) inputs.
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const index_t nk = 4, nv = 3, m = 1 + static_cast<index_t>((seed * 13) % 50), b = 2;
    const matrix_t<float> k = gaussian<float>(nk, m, seed, 0.7f);
    const matrix_t<float> v = gaussian<float>(nv, m, seed + 1);
    const matrix_t<float> q = gaussian<float>(nk, b, seed + 2, 0.7f);
    const matrix_t<float> u = gaussian<float>(nv, b, seed + 3);
    const float beta = seed % 2 == 0 ? 2.0f : 25.0f;
    const auto g = hetero_update_vjp(k, v, q, beta, u);
    using L = long double;
    const matrix_t<L> kl = k.cast<L>(), vl = v.cast<L>(), ql = q.cast<L>(), ul = u.cast<L>();
    const matrix_t<L> dk = gaussian<L>(nk, m, seed + 7);
    const matrix_t<L> dq = gaussian<L>(nk, b, seed + 8);
    const long double h = 1e-5L / beta;
    const long double fk = test::directional_fd(
        [&](long double t) { return hetero_loss<L>(kl + t * dk, vl, ql, L(beta), ul); }, h);
    const long double fq = test::directional_fd(
        [&](long double t) { return hetero_loss<L>(kl, vl, ql + t * dq, L(beta), ul); }, h);
    const long double fb =
        test::directional_fd([&](long double t) { return hetero_loss<L>(kl, vl, ql, L(beta) + t, ul); }, h);
    // The float gradient carries float rounding: about eps_float relative to the terms it sums.
    INFO("seed " << seed << " beta " << beta << " m " << m);
    INFO("keys " << double(test::inner(g.keys, dk)) << " vs " << double(fk));
    INFO("queries " << double(test::inner(g.queries, dq)) << " vs " << double(fq));
    INFO("beta " << double(g.beta) << " vs " << double(fb));
    const long double floor = 1e-5L * (1 + test::norm(u) * (1 + test::norm(v)));
    CHECK(test::agrees(test::inner(g.keys, dk), fk, test::norm(g.keys) * test::norm(dk), 1e-4L, floor));
    CHECK(test::agrees(test::inner(g.queries, dq), fq, test::norm(g.queries) * test::norm(dq), 1e-4L, floor));
    CHECK(test::agrees(g.beta, fb, std::abs(fb), 1e-4L, floor));
  }
}

TEST_CASE("modern update VJP: bad input names function and argument", "[gradient]") {
  const matrix_t<double> x = gaussian<double>(3, 5, 1);
  const matrix_t<double> q = gaussian<double>(3, 2, 2);
  CHECK_THROWS_WITH(modern_update_vjp(x, q, 1.0, matrix_t<double>::Zero(3, 3)),
                    Catch::Contains("modern_update_vjp") && Catch::Contains("'upstream'") &&
                        Catch::Contains("3 x 2") && Catch::Contains("3 x 3"));
  matrix_t<double> bad = matrix_t<double>::Zero(3, 2);
  bad(1, 1) = std::nan("");
  CHECK_THROWS_WITH(modern_update_vjp(x, q, 1.0, bad),
                    Catch::Contains("'upstream'") && Catch::Contains("finite"));
  matrix_t<double> bad_q = q;
  bad_q(0, 0) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(modern_update_vjp(x, bad_q, 1.0, q), std::invalid_argument);
  CHECK_THROWS_WITH(modern_update_vjp(x, q, -1.0, q), Catch::Contains("'beta'"));
  CHECK_THROWS_WITH(hetero_update_vjp(x, gaussian<double>(2, 4, 3), q, 1.0, q), Catch::Contains("'values'"));
  const modern_hopfield<double> hetero(x, gaussian<double>(2, 5, 4), {.beta = 1.0});
  CHECK_THROWS_WITH(modern_update_vjp(hetero, q, q), Catch::Contains("'memory'"));
  CHECK_THROWS_WITH(hetero_update_vjp(hetero, q, q), Catch::Contains("'upstream'"));
  const modern_hopfield<double> memory(x, {.beta = 1.0});
  const modern_hopfield<double> other(x, {.beta = 2.0});
  CHECK_THROWS_WITH(modern_update_vjp(memory, q, q, other.partial(q)), Catch::Contains("'forward.beta'"));
  CHECK_THROWS_WITH(modern_update_vjp(memory, q, q, memory.partial(x)), Catch::Contains("'forward'"));
  // Finite inputs whose gradient leaves double's range: an overflow error, not a silent inf.
  const matrix_t<double> big_values = gaussian<double>(2, 5, 5) * 1e200;
  CHECK_THROWS_AS(hetero_update_vjp(x, big_values, q, 1.0, gaussian<double>(2, 2, 6) * 1e200),
                  std::overflow_error);
}
