// Implicit gradients through a converged modern retrieval against the unrolled gradient and
// against fourth-order central finite differences through a long unrolled retrieval (400
// updates of the library's forward pass), about 1e-6 relative in double, over seeded memories;
// the unrolled VJP of a few steps against finite differences (query included); the report of a
// failed adjoint solve (a singular and an indefinite I - J, an iteration limit, states that are
// not a fixed point); bad input.
#include <catch.hpp>

#include <cmath>
#include <cstdint>

#include <hopfield/gradient/implicit_gradient.hpp>
#include <hopfield/gradient/unrolled_gradient.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

#include "test_gradient_support.hpp"

using namespace hopfield;
using test::gaussian;

namespace {

constexpr index_t long_run = 400;

// <U, xi_K> after K updates of the library's forward pass from q.
long double unrolled_loss(const matrix_t<double>& x, double beta, const matrix_t<double>& q, index_t steps,
                          const matrix_t<double>& u) {
  const modern_hopfield<double> memory(x, {.beta = beta});
  matrix_t<double> state = q;
  for (index_t k = 0; k < steps; ++k) state = memory.update(state);
  return test::inner(u, state);
}

}  // namespace

TEST_CASE("implicit gradient equals the unrolled one and finite differences through a long retrieval",
          "[gradient]") {
  for (std::uint64_t seed = 0; seed < 12; ++seed) {
    const index_t n = 4 + static_cast<index_t>(seed % 5), m = 1 + static_cast<index_t>(seed % 6);
    const index_t b = 1 + static_cast<index_t>(seed % 3);
    const double beta = 1.0 + 0.5 * static_cast<double>(seed % 4);
    const matrix_t<double> x = random_sphere_patterns<double>(n, m, seed, 2.0);
    // Queries near patterns: each retrieval settles on a stable fixed point near one of them.
    matrix_t<double> q(n, b);
    for (index_t j = 0; j < b; ++j) q.col(j) = x.col(j % m);
    q += gaussian<double>(n, b, seed + 1, 0.3);
    const matrix_t<double> u = gaussian<double>(n, b, seed + 2);
    const modern_hopfield<double> memory(x, {.beta = beta});
    const auto unrolled = unrolled_retrieval_vjp(memory, q, long_run, u);
    const auto implicit = implicit_retrieval_vjp(memory, unrolled.state, u);
    INFO("seed " << seed << " n " << n << " m " << m << " beta " << beta);
    REQUIRE(implicit.converged);
    REQUIRE(implicit.reason == adjoint_stop::converged);
    CHECK(implicit.iterations >= 1);
    CHECK(implicit.iterations <= 2 * n + 20);
    CHECK(implicit.residual <= 4e-13);
    CHECK(implicit.fixed_point_residual <= 1e-13);
    CHECK((implicit.patterns - unrolled.patterns).norm() <= 1e-6 * unrolled.patterns.norm());
    CHECK(std::abs(implicit.beta - unrolled.beta) <= 1e-6 * (std::abs(unrolled.beta) + 1e-3));
    // The converged state does not depend on the start: the unrolled query gradient has decayed.
    CHECK(unrolled.queries.norm() <= 1e-8 * u.norm());
    // Finite differences through the long unrolled retrieval.
    const matrix_t<double> dx = gaussian<double>(n, m, seed + 3);
    const long double h = 1e-4L;
    const long double fx = test::directional_fd(
        [&](long double t) { return unrolled_loss(x + double(t) * dx, beta, q, long_run, u); }, h);
    const long double fb = test::directional_fd(
        [&](long double t) { return unrolled_loss(x, beta + double(t), q, long_run, u); }, h);
    const long double floor = test::fd_floor<double>(unrolled_loss(x, beta, q, long_run, u), h);
    CHECK(test::agrees(test::inner(implicit.patterns, dx), fx, test::norm(implicit.patterns) * test::norm(dx),
                       1e-6L, floor));
    CHECK(test::agrees(implicit.beta, fb, std::abs(implicit.beta), 1e-6L, floor));
  }
}

TEST_CASE("unrolled VJP of a few steps matches finite differences, query included", "[gradient]") {
  for (std::uint64_t seed = 0; seed < 12; ++seed) {
    const index_t n = 3 + static_cast<index_t>(seed % 4), m = 1 + static_cast<index_t>(seed % 7), b = 2;
    const index_t steps = static_cast<index_t>(seed % 4);  // 0 steps included: the identity
    const double beta = 0.5 + static_cast<double>(seed % 5);
    const matrix_t<double> x = gaussian<double>(n, m, seed);
    const matrix_t<double> q = gaussian<double>(n, b, seed + 1);
    const matrix_t<double> u = gaussian<double>(n, b, seed + 2);
    const modern_hopfield<double> memory(x, {.beta = beta});
    const auto g = unrolled_retrieval_vjp(memory, q, steps, u);
    const matrix_t<double> dx = gaussian<double>(n, m, seed + 3), dq = gaussian<double>(n, b, seed + 4);
    const long double h = 1e-4L / beta;
    const long double fx = test::directional_fd(
        [&](long double t) { return unrolled_loss(x + double(t) * dx, beta, q, steps, u); }, h);
    const long double fq = test::directional_fd(
        [&](long double t) { return unrolled_loss(x, beta, q + double(t) * dq, steps, u); }, h);
    const long double fb = test::directional_fd(
        [&](long double t) { return unrolled_loss(x, beta + double(t), q, steps, u); }, h);
    const long double floor = test::fd_floor<double>(unrolled_loss(x, beta, q, steps, u), h);
    INFO("seed " << seed << " steps " << steps);
    CHECK(
        test::agrees(test::inner(g.patterns, dx), fx, test::norm(g.patterns) * test::norm(dx), 1e-7L, floor));
    CHECK(test::agrees(test::inner(g.queries, dq), fq, test::norm(g.queries) * test::norm(dq), 1e-7L, floor));
    CHECK(test::agrees(g.beta, fb, std::abs(g.beta), 1e-6L, floor));
    if (steps == 0) CHECK(g.queries == u);
  }
}

TEST_CASE("implicit gradient: a failed adjoint solve is reported", "[gradient]") {
  // X = [e1, -e1] and xi = 0: p = (1/2, 1/2), X p = 0, a fixed point with J = beta e1 e1^T.
  matrix_t<double> x = matrix_t<double>::Zero(3, 2);
  x(0, 0) = 1;
  x(0, 1) = -1;
  const matrix_t<double> origin = matrix_t<double>::Zero(3, 1);
  const matrix_t<double> u = matrix_t<double>::Ones(3, 1);
  // beta = 1: I - J is singular; beta = 2: indefinite (the origin is a saddle, not an attractor).
  for (const double beta : {1.0, 2.0}) {
    const modern_hopfield<double> memory(x, {.beta = beta});
    const auto r = implicit_retrieval_vjp(memory, origin, u);
    CHECK_FALSE(r.converged);
    CHECK(r.reason == adjoint_stop::not_positive_definite);
    CHECK(r.fixed_point_residual == 0);
  }
  // beta = 0.5 is stable: the same solve converges, w = (2, 1, 1).
  const modern_hopfield<double> stable(x, {.beta = 0.5});
  const auto ok = implicit_retrieval_vjp(stable, origin, u);
  CHECK(ok.converged);
  CHECK((ok.adjoint - (vector_t<double>(3) << 2, 1, 1).finished()).norm() <= 1e-13);
  // An iteration limit below what CG needs.
  const matrix_t<double> patterns = random_sphere_patterns<double>(6, 4, 3, 2.0);
  const modern_hopfield<double> memory(patterns, {.beta = 1.0});
  const auto run = unrolled_retrieval_vjp(memory, patterns.col(0) + gaussian<double>(6, 1, 4, 0.3), 300,
                                          gaussian<double>(6, 1, 5));
  const auto limited =
      implicit_retrieval_vjp(memory, run.state, gaussian<double>(6, 1, 5), {.max_iterations = 1});
  CHECK_FALSE(limited.converged);
  CHECK(limited.reason == adjoint_stop::iteration_limit);
  CHECK(limited.iterations == 1);
  CHECK(limited.residual > 1e-13);
  // States that are not a fixed point: the solve runs, the report says how far off they are.
  const auto off = implicit_retrieval_vjp(memory, patterns.col(0) + gaussian<double>(6, 1, 4, 0.3),
                                          gaussian<double>(6, 1, 5));
  CHECK(off.fixed_point_residual > 1e-3);
}

TEST_CASE("implicit and unrolled gradients reject bad input", "[gradient]") {
  const matrix_t<double> x = gaussian<double>(3, 4, 1);
  const modern_hopfield<double> memory(x, {.beta = 1.0});
  const matrix_t<double> s = gaussian<double>(3, 2, 2);
  CHECK_THROWS_WITH(
      implicit_retrieval_vjp(memory, s, gaussian<double>(3, 1, 3)),
      Catch::Contains("implicit_retrieval_vjp") && Catch::Contains("'upstream'") && Catch::Contains("3 x 2"));
  CHECK_THROWS_WITH(implicit_retrieval_vjp(memory, s, s, {.max_iterations = -1}),
                    Catch::Contains("'options.max_iterations'"));
  CHECK_THROWS_WITH(implicit_retrieval_vjp(memory, s, s, {.tolerance = 0.0}),
                    Catch::Contains("'options.tolerance'"));
  matrix_t<double> nan = s;
  nan(1, 0) = std::nan("");
  CHECK_THROWS_WITH(implicit_retrieval_vjp(memory, nan, s), Catch::Contains("'fixed_points'"));
  const modern_hopfield<double> hetero(x, gaussian<double>(2, 4, 4), {.beta = 1.0});
  CHECK_THROWS_WITH(implicit_retrieval_vjp(hetero, s, s), Catch::Contains("'memory'"));
  CHECK_THROWS_WITH(unrolled_retrieval_vjp(hetero, s, 3, s), Catch::Contains("'memory'"));
  CHECK_THROWS_WITH(unrolled_retrieval_vjp(memory, s, -1, s), Catch::Contains("'steps'"));
  CHECK_THROWS_WITH(unrolled_retrieval_vjp(memory, s, 2, nan),
                    Catch::Contains("unrolled_retrieval_vjp") && Catch::Contains("'upstream'"));
}
