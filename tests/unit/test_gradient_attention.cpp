// VJPs of attention (rows are tokens; boolean masks, a fully masked query) and of Hopfield
// pooling (separate keys and values, one bag, the default beta) against fourth-order central
// finite differences of the library's forward passes (hopfield::attention, hopfield_pooling),
// over many seeded instances with n_k = 1 and large scales among them; bad input.
#include <catch.hpp>

#include <cmath>
#include <cstdint>

#include <hopfield/gradient/attention_vjp.hpp>
#include <hopfield/gradient/modern_update_vjp.hpp>
#include <hopfield/gradient/pooling_vjp.hpp>
#include <hopfield/memory/attention.hpp>
#include <hopfield/memory/hopfield_pooling.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

#include "test_gradient_support.hpp"

using namespace hopfield;
using test::gaussian;
using bool_matrix = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>;

TEST_CASE("attention VJP matches finite differences, with and without a mask", "[gradient]") {
  using S = double;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const index_t nq = 1 + static_cast<index_t>(seed % 5);
    const index_t nk = seed % 6 == 0 ? 1 : 1 + static_cast<index_t>((seed * 7) % 30);
    const index_t dk = 1 + static_cast<index_t>(seed % 4), dv = 1 + static_cast<index_t>((seed / 3) % 4);
    const S scale = seed % 5 == 4 ? S(30) : S(0.3) + S(0.3) * static_cast<S>(seed % 4);
    const matrix_t<S> q = gaussian<S>(nq, dk, seed, 0.8);
    const matrix_t<S> k = gaussian<S>(nk, dk, seed + 100, 0.8);
    const matrix_t<S> v = gaussian<S>(nk, dv, seed + 200);
    const matrix_t<S> g = gaussian<S>(nq, dv, seed + 300);
    // A random mask; query 0 sees nothing every third instance (its output row is zero).
    const matrix_t<S> coin = gaussian<S>(nq, nk, seed + 400);
    bool_matrix mask = (coin.array() < S(0.6)).matrix();
    if (seed % 3 == 0) mask.row(0).setConstant(false);
    const matrix_t<S> dq = gaussian<S>(nq, dk, seed + 500);
    const matrix_t<S> dkey = gaussian<S>(nk, dk, seed + 600);
    const matrix_t<S> dval = gaussian<S>(nk, dv, seed + 700);
    const long double h = 1e-4L / static_cast<long double>(scale);
    for (const bool masked : {false, true}) {
      const auto loss = [&](const matrix_t<S>& qq, const matrix_t<S>& kk, const matrix_t<S>& vv, S ss) {
        return masked ? test::inner(g, attention(qq, kk, vv, ss, mask))
                      : test::inner(g, attention(qq, kk, vv, ss));
      };
      const auto r = masked ? attention_vjp(q, k, v, scale, mask, g) : attention_vjp(q, k, v, scale, g);
      REQUIRE(r.queries.rows() == nq);
      REQUIRE(r.keys.rows() == nk);
      REQUIRE(r.values.cols() == dv);
      if (masked && seed % 3 == 0) CHECK(r.queries.row(0).isZero(0));
      const long double fq =
          test::directional_fd([&](long double t) { return loss(q + S(t) * dq, k, v, scale); }, h);
      const long double fk =
          test::directional_fd([&](long double t) { return loss(q, k + S(t) * dkey, v, scale); }, h);
      const long double fv =
          test::directional_fd([&](long double t) { return loss(q, k, v + S(t) * dval, scale); }, h);
      const long double fs =
          test::directional_fd([&](long double t) { return loss(q, k, v, scale + S(t)); }, h);
      const long double floor = test::fd_floor<S>(loss(q, k, v, scale), h);
      INFO("seed " << seed << " masked " << masked << " nk " << nk << " scale " << scale);
      CHECK(
          test::agrees(test::inner(r.queries, dq), fq, test::norm(r.queries) * test::norm(dq), 1e-7L, floor));
      CHECK(test::agrees(test::inner(r.keys, dkey), fk, test::norm(r.keys) * test::norm(dkey), 1e-7L, floor));
      CHECK(test::agrees(test::inner(r.values, dval), fv, test::norm(r.values) * test::norm(dval), 1e-7L,
                         floor));
      CHECK(test::agrees(r.scale, fs, std::abs(r.scale), 1e-6L, floor));
    }
  }
}

TEST_CASE("attention VJP: a causal mask over many tokens, blocked and threaded", "[gradient]") {
  using S = double;
  const index_t n = 700, d = 8;  // more than 512 queries: tiles of 256
  const matrix_t<S> x = gaussian<S>(n, d, 3, 0.5);
  const matrix_t<S> g = gaussian<S>(n, d, 4);
  const auto causal = bool_matrix::NullaryExpr(n, n, [](index_t i, index_t j) { return j <= i; });
  const auto one = attention_vjp(x, x, x, S(0.35), causal, g, {.block_size = n, .threads = 1});
  const auto many = attention_vjp(x, x, x, S(0.35), causal, g, {.block_size = 13, .threads = 2});
  CHECK((one.queries - many.queries).norm() <= 1e-12 * one.queries.norm());
  CHECK((one.keys - many.keys).norm() <= 1e-12 * one.keys.norm());
  CHECK((one.values - many.values).norm() <= 1e-12 * one.values.norm());
  CHECK(std::abs(one.scale - many.scale) <= 1e-12 * std::abs(one.scale));
  // Token 0 sees only itself: its weight is 1 whatever the scores, so its query has no gradient
  // (up to the rounding of u . f against v . u, computed in different orders).
  CHECK(one.queries.row(0).norm() <= 1e-13 * (1 + x.row(0).norm() * x.row(0).norm() * g.row(0).norm()));
  const matrix_t<S> dx = gaussian<S>(n, d, 5);
  const long double fd = test::directional_fd(
      [&](long double t) {
        const matrix_t<S> y = x + S(t) * dx;
        return test::inner(g, attention(y, y, y, S(0.35), causal));
      },
      1e-4L);
  const matrix_t<S> total = one.queries + one.keys + one.values;
  CHECK(test::agrees(test::inner(total, dx), fd, test::norm(total) * test::norm(dx), 1e-8L));
}

TEST_CASE("Hopfield pooling VJP matches finite differences", "[gradient]") {
  using S = double;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const index_t n = 2 + static_cast<index_t>(seed % 6), nv = 1 + static_cast<index_t>(seed % 3);
    const index_t instances = seed % 5 == 0 ? 1 : 1 + static_cast<index_t>((seed * 31) % 200);
    const index_t queries = 1 + static_cast<index_t>(seed % 3);
    const matrix_t<S> bag = gaussian<S>(n, instances, seed, 0.7);
    const matrix_t<S> values = gaussian<S>(nv, instances, seed + 1);
    const matrix_t<S> q = gaussian<S>(n, queries, seed + 2, 0.7);
    const matrix_t<S> u = gaussian<S>(nv, queries, seed + 3);
    const matrix_t<S> ub = gaussian<S>(n, queries, seed + 4);
    const std::optional<S> beta =
        seed % 2 == 0 ? std::optional<S>{} : std::optional<S>{S(seed % 4 == 3 ? 25 : 2)};
    const S b = beta.value_or(S(1) / std::sqrt(static_cast<S>(n)));
    const pooling_options<S> options{.beta = beta, .weights = false};
    const auto hetero = hopfield_pooling_vjp(bag, values, q, u, options);
    const auto own = hopfield_pooling_vjp(bag, q, ub, options);
    const matrix_t<S> dbag = gaussian<S>(n, instances, seed + 5);
    const matrix_t<S> dval = gaussian<S>(nv, instances, seed + 6);
    const matrix_t<S> dq = gaussian<S>(n, queries, seed + 7);
    const auto pooled = [&](const matrix_t<S>& k, const matrix_t<S>& v, const matrix_t<S>& qq, S bb) {
      return hopfield_pooling(k, v, qq, {.beta = bb, .weights = false}).pooled;
    };
    const long double h = 1e-4L / static_cast<long double>(b);
    const long double fk = test::directional_fd(
        [&](long double t) { return test::inner(u, pooled(bag + S(t) * dbag, values, q, b)); }, h);
    const long double fv = test::directional_fd(
        [&](long double t) { return test::inner(u, pooled(bag, values + S(t) * dval, q, b)); }, h);
    const long double fq = test::directional_fd(
        [&](long double t) { return test::inner(u, pooled(bag, values, q + S(t) * dq, b)); }, h);
    const long double fb = test::directional_fd(
        [&](long double t) { return test::inner(u, pooled(bag, values, q, b + S(t))); }, h);
    const long double fbag = test::directional_fd(
        [&](long double t) {
          const matrix_t<S> y = bag + S(t) * dbag;
          return test::inner(ub, hopfield_pooling(y, q, {.beta = b, .weights = false}).pooled);
        },
        h);
    const long double floor = test::fd_floor<S>(10, h);
    INFO("seed " << seed << " instances " << instances << " beta " << b);
    CHECK(test::agrees(test::inner(hetero.keys, dbag), fk, test::norm(hetero.keys) * test::norm(dbag), 1e-7L,
                       floor));
    CHECK(test::agrees(test::inner(hetero.values, dval), fv, test::norm(hetero.values) * test::norm(dval),
                       1e-7L, floor));
    CHECK(test::agrees(test::inner(hetero.queries, dq), fq, test::norm(hetero.queries) * test::norm(dq),
                       1e-7L, floor));
    CHECK(test::agrees(hetero.beta, fb, std::abs(hetero.beta), 1e-6L, floor));
    CHECK(
        test::agrees(test::inner(own.bag, dbag), fbag, test::norm(own.bag) * test::norm(dbag), 1e-7L, floor));
  }
}

TEST_CASE("attention and pooling VJPs reject bad input", "[gradient]") {
  const matrix_t<double> q = gaussian<double>(3, 2, 1), k = gaussian<double>(4, 2, 2),
                         v = gaussian<double>(4, 5, 3);
  CHECK_THROWS_WITH(
      attention_vjp(q, k, v, 1.0, gaussian<double>(3, 4, 4)),
      Catch::Contains("attention_vjp") && Catch::Contains("'upstream'") && Catch::Contains("3 x 5"));
  CHECK_THROWS_WITH(attention_vjp(q, k, v, 1.0, bool_matrix::Constant(3, 3, true), gaussian<double>(3, 5, 4)),
                    Catch::Contains("'mask'"));
  matrix_t<double> g = gaussian<double>(3, 5, 4);
  g(0, 0) = std::nan("");
  CHECK_THROWS_WITH(attention_vjp(q, k, v, 1.0, g),
                    Catch::Contains("'upstream'") && Catch::Contains("finite"));
  CHECK_THROWS_WITH(attention_vjp(q, k, v, -1.0, gaussian<double>(3, 5, 4)), Catch::Contains("'scale'"));
  const matrix_t<double> bag = gaussian<double>(3, 6, 5);
  CHECK_THROWS_WITH(hopfield_pooling_vjp(bag, q, gaussian<double>(3, 3, 6)),
                    Catch::Contains("hopfield_pooling_vjp") && Catch::Contains("'upstream'"));
  CHECK_THROWS_WITH(hopfield_pooling_vjp(bag, gaussian<double>(2, 6, 1), gaussian<double>(2, 2, 6),
                                         gaussian<double>(2, 2, 7)),
                    Catch::Contains("'queries'"));
  CHECK_THROWS_WITH(hopfield_pooling_vjp(bag, q.leftCols(1), gaussian<double>(3, 1, 6), {.beta = 0.0}),
                    Catch::Contains("'beta'"));
}

TEST_CASE("attention and pooling VJPs in float agree with double; a hetero memory's VJP", "[gradient]") {
  const matrix_t<double> q = gaussian<double>(6, 4, 1, 0.7), k = gaussian<double>(30, 4, 2, 0.7);
  const matrix_t<double> v = gaussian<double>(30, 3, 3), g = gaussian<double>(6, 3, 4);
  const auto d = attention_vjp(q, k, v, 0.5, g);
  const auto f = attention_vjp(q.cast<float>(), k.cast<float>(), v.cast<float>(), 0.5f, g.cast<float>());
  CHECK((f.keys.cast<double>() - d.keys).norm() <= 1e-5 * d.keys.norm());
  CHECK((f.queries.cast<double>() - d.queries).norm() <= 1e-5 * d.queries.norm());
  const matrix_t<double> bag = gaussian<double>(4, 50, 5), qs = gaussian<double>(4, 2, 6),
                         u = gaussian<double>(4, 2, 7);
  const auto pd = hopfield_pooling_vjp(bag, qs, u);
  const auto pf = hopfield_pooling_vjp(bag.cast<float>(), qs.cast<float>(), u.cast<float>());
  CHECK((pf.bag.cast<double>() - pd.bag).norm() <= 1e-5 * pd.bag.norm());
  // A hetero-associative memory's VJP is the free function's on its keys and values.
  const matrix_t<double> values = gaussian<double>(3, 50, 8), uv = gaussian<double>(3, 2, 9);
  const modern_hopfield<double> memory(bag, values, {.beta = 0.8, .block_size = 9, .threads = 2});
  const auto m = hetero_update_vjp(memory, qs, uv);
  const auto free = hetero_update_vjp(bag, values, qs, 0.8, uv);
  CHECK((m.keys - free.keys).norm() <= 1e-12 * free.keys.norm());
  CHECK((m.values - free.values).norm() <= 1e-12 * free.values.norm());
  CHECK((m.queries - free.queries).norm() <= 1e-12 * free.queries.norm());
  CHECK((hetero_update_vjp(memory, qs, uv, memory.partial(qs)).keys - free.keys).norm() <=
        1e-12 * free.keys.norm());
}
