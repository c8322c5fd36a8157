// The sparse separations (sparsemax, 1.5-entmax, alpha-entmax, top-k softmax, hard max) and the
// entmax VJP: hand-checked values, the margin rule, the sort-based long-double references of
// THEORY.md section 7 on thousands of seeded random vectors, the bisection path, the softmax limit,
// finite differences, special values, the no-allocation proof and the input checks.
#include <no_malloc.hpp>  // first: makes Eigen allocations throw inside a no_malloc_scope

#include <catch.hpp>

#include <hopfield/core/random.hpp>
#include <hopfield/gradient/entmax_vjp.hpp>
#include <hopfield/kernels/entmax.hpp>
#include <hopfield/kernels/hard_max.hpp>
#include <hopfield/kernels/softmax.hpp>
#include <hopfield/kernels/sparsemax.hpp>
#include <hopfield/kernels/top_k.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

using namespace hopfield;

namespace {

using ld = long double;

// The unoptimised sanitizer build checks fewer random vectors and one 65536-score distribution
// (the flat one, where most scores are candidates).
#ifdef HOPFIELD_SANITIZE
constexpr int reference_trials = 300;
constexpr int large_kinds = 1;
#else
constexpr int reference_trials = 1500;
constexpr int large_kinds = 3;
#endif

template <class Scalar>
struct tolerance;
template <>
struct tolerance<float> {
  static constexpr ld entry = 1e-6L, total = 1e-5L, bisection = 2e-6L;
};
template <>
struct tolerance<double> {
  static constexpr ld entry = 1e-12L, total = 1e-12L, bisection = 1e-11L;
};

template <class Scalar>
vector_t<Scalar> make(std::initializer_list<double> values) {
  vector_t<Scalar> v(static_cast<index_t>(values.size()));
  index_t i = 0;
  for (const double x : values) v(i++) = static_cast<Scalar>(x);
  return v;
}

// theta - max theta in long double, -inf for masked entries.
template <class Scalar>
std::vector<ld> shifted_theta(const vector_t<Scalar>& z, ld beta) {
  ld top = -std::numeric_limits<ld>::infinity();
  for (index_t i = 0; i < z.size(); ++i) top = std::max(top, static_cast<ld>(z(i)));
  std::vector<ld> theta(static_cast<std::size_t>(z.size()));
  for (index_t i = 0; i < z.size(); ++i) {
    const ld v = static_cast<ld>(z(i));
    theta[static_cast<std::size_t>(i)] = v == -std::numeric_limits<ld>::infinity() ? v : beta * (v - top);
  }
  return theta;
}

// Sparsemax by sorting (THEORY.md): k* = max{k : 1 + k t_(k) > sum_(j<=k) t_(j)},
// tau = (sum_(j<=k*) t_(j) - 1)/k*, p = [t - tau]_+.
template <class Scalar>
std::vector<ld> sparsemax_reference(const vector_t<Scalar>& z, ld beta) {
  const std::vector<ld> theta = shifted_theta(z, beta);
  std::vector<ld> sorted = theta;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  ld cumulative = 0, tau = 0;
  for (std::size_t k = 1; k <= sorted.size(); ++k) {
    if (sorted[k - 1] == -std::numeric_limits<ld>::infinity()) break;
    cumulative += sorted[k - 1];
    if (1 + static_cast<ld>(k) * sorted[k - 1] > cumulative) tau = (cumulative - 1) / static_cast<ld>(k);
  }
  std::vector<ld> p(theta.size());
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = std::max(theta[i] - tau, 0.0L);
  return p;
}

// 1.5-entmax by sorting (THEORY.md): y = theta/2 sorted descending, mu_k, ss_k,
// tau_k = mu_k - sqrt(max((1 - ss_k)/k, 0)), k* = #{k : tau_k <= y_(k)}, p = [y - tau_k*]_+^2.
template <class Scalar>
std::vector<ld> entmax15_reference(const vector_t<Scalar>& z, ld beta) {
  std::vector<ld> y = shifted_theta(z, beta);
  for (ld& v : y) v /= 2;
  std::vector<ld> sorted = y;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  std::vector<ld> taus;
  ld sum = 0, sumsq = 0;
  std::size_t support = 0;
  for (std::size_t k = 1; k <= sorted.size(); ++k) {
    if (sorted[k - 1] == -std::numeric_limits<ld>::infinity()) break;
    sum += sorted[k - 1];
    sumsq += sorted[k - 1] * sorted[k - 1];
    const ld kk = static_cast<ld>(k), mu = sum / kk, ss = sumsq - kk * mu * mu;
    taus.push_back(mu - std::sqrt(std::max((1 - ss) / kk, 0.0L)));
    if (taus.back() <= sorted[k - 1]) ++support;
  }
  const ld tau = taus[support - 1];
  std::vector<ld> p(y.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    const ld u = std::max(y[i] - tau, 0.0L);
    p[i] = u * u;
  }
  return p;
}

// Compares a kernel's output with a reference: every entry within `tol`, a weight the reference
// puts clearly inside the support is nonzero, the count is the number of nonzero entries, sum 1.
template <class Scalar>
void check_against(const vector_t<Scalar>& p, index_t count, const std::vector<ld>& ref, ld tol,
                   ld total_tol) {
  ld worst = 0, total = 0;
  index_t nonzero = 0;
  bool support_ok = true;
  for (index_t i = 0; i < p.size(); ++i) {
    const ld r = ref[static_cast<std::size_t>(i)];
    worst = std::max(worst, std::abs(static_cast<ld>(p(i)) - r));
    total += p(i);
    nonzero += p(i) > 0 ? 1 : 0;
    if (r > tol && !(p(i) > 0)) support_ok = false;
    if (p(i) < 0) support_ok = false;
  }
  INFO("worst = " << static_cast<double>(worst) << ", sum - 1 = " << static_cast<double>(total - 1));
  REQUIRE(worst <= tol);
  REQUIRE(support_ok);
  REQUIRE(count == nonzero);
  // The threshold carries the rounding of a sum over the support into every weight.
  REQUIRE(std::abs(total - 1) <= total_tol * std::max<ld>(1, static_cast<ld>(nonzero) / 1000));
}

// Seeded random scores of several kinds; `kind` picks the distribution.
template <class Scalar>
vector_t<Scalar> random_scores(index_t n, int kind, random_engine& rng) {
  vector_t<Scalar> z(n);
  for (index_t i = 0; i < n; ++i) {
    const double u = uniform_unit(rng);
    double v = 0;
    switch (kind) {
      case 0:
        v = 20 * u - 10;
        break;  // wide
      case 1:
        v = 1e-3 * u;
        break;  // narrow
      case 2:
        v = std::round(8 * u) / 4;
        break;  // heavy ties
      case 3:
        v = 1000 + 0.5 * u;
        break;  // large offset, narrow
      case 4:
        v = std::tan(3.1 * (u - 0.5));
        break;  // heavy tails
      default:
        v = uniform_unit(rng) < 0.2 ? -1e300 : 4 * u;
        break;  // some masked below
    }
    z(i) = kind == 5 && v == -1e300 ? -std::numeric_limits<Scalar>::infinity() : static_cast<Scalar>(v);
  }
  return z;
}

const std::vector<double> random_betas{1e-3, 0.1, 1.0, 10.0, 1e3, 1e6};

}  // namespace

TEMPLATE_TEST_CASE("sparsemax: hand-checked values", "[sparse]", float, double) {
  using S = TestType;
  // [1, 0.5, -1]: k = 2 (1 + 2 * 0.5 > 1.5, 1 + 3 * (-1) < 0.5), tau = (1.5 - 1)/2 = 0.25.
  const vector_t<S> p = sparsemax(make<S>({1, 0.5, -1}));
  REQUIRE(p(0) == Approx(0.75));
  REQUIRE(p(1) == Approx(0.25));
  REQUIRE(p(2) == 0);
  // [0.3, 0.1]: both in the support, tau = (0.4 - 1)/2 = -0.3.
  const vector_t<S> q = sparsemax(make<S>({0.3, 0.1}));
  REQUIRE(q(0) == Approx(0.6));
  REQUIRE(q(1) == Approx(0.4));
  // beta = 2 makes [1, 0.5, -1] into [2, 1, -2]: gap exactly 1, one-hot.
  const vector_t<S> r = sparsemax(make<S>({1, 0.5, -1}), S(2));
  REQUIRE(r == make<S>({1, 0, 0}));
  // Ties share: [c, c, c] -> 1/3 each; a constant shift changes nothing.
  const vector_t<S> t = sparsemax(make<S>({7, 7, 7}));
  REQUIRE(t.isApproxToConstant(S(1) / 3));
  // An exactly representable answer: [0, -0.25, -1.5] -> k = 2 (1 + 2(-0.25) = 0.5 > -0.25;
  // 1 + 3(-1.5) = -3.5 > -1.75 is false), tau = (-0.25 - 1)/2 = -0.625, p = [0.625, 0.375, 0].
  // And [0, -0.25, -0.5] has all three: 1 + 3(-0.5) = -0.5 > -0.75, tau = -1.75/3.
  sparse_workspace<S> workspace;
  vector_t<S> out(3);
  REQUIRE(sparsemax_into<S>(make<S>({0, -0.25, -0.5}), S(1), out, workspace) == 3);
  REQUIRE(out(2) == Approx(1.0 / 12));
  REQUIRE(sparsemax_into<S>(make<S>({0, -0.25, -1.5}), S(1), out, workspace) == 2);
  REQUIRE(out == make<S>({0.625, 0.375, 0}));
}

TEMPLATE_TEST_CASE("entmax15: hand-checked values", "[sparse]", float, double) {
  using S = TestType;
  // [1, 0]: y = [0, -0.5], tau solves tau^2 + (-0.5 - tau)^2 = 1, 2 tau^2 + tau - 0.75 = 0,
  // tau = -(1 + sqrt 7)/4 < -0.5, p = tau^2 = (4 + sqrt 7)/8 and (4 - sqrt 7)/8.
  const vector_t<S> p = entmax15(make<S>({1, 0}));
  REQUIRE(p(0) == Approx((4 + std::sqrt(7.0)) / 8));
  REQUIRE(p(1) == Approx((4 - std::sqrt(7.0)) / 8));
  // [0, 0, -1]: y = [0, 0, -0.5], mean -1/6, ss = 1/4 - 3/36 = 1/6,
  // tau = -1/6 - sqrt(5/18) = -(1 + sqrt 10)/6 < -0.5, p = (11 + 2 sqrt 10)/36 twice and (14 - 4 sqrt 10)/36.
  const vector_t<S> q = entmax15(make<S>({0, 0, -1}));
  const double r10 = std::sqrt(10.0);
  REQUIRE(q(0) == Approx((11 + 2 * r10) / 36));
  REQUIRE(q(1) == Approx((11 + 2 * r10) / 36));
  REQUIRE(q(2) == Approx((14 - 4 * r10) / 36));
  // [3, 1, 0, -5]: y = [0, -1, -1.5, -4]; gap 2 exactly: one-hot.
  REQUIRE(entmax15(make<S>({3, 1, 0, -5})) == make<S>({1, 0, 0, 0}));
  // Equal scores: uniform; [0, 0] -> 1/2 each (tau = -sqrt(1/2)).
  REQUIRE(entmax15(make<S>({0, 0})).isApproxToConstant(S(0.5)));
  // beta scales theta: entmax15([0.5, 0], beta = 2) = entmax15([1, 0]).
  REQUIRE(entmax15(make<S>({0.5, 0}), S(2)).isApprox(p));
}

TEMPLATE_TEST_CASE("margin rule: one-hot iff the gap reaches 1/((alpha - 1) beta)", "[sparse]", float,
                   double) {
  using S = TestType;
  struct family {
    double alpha;
    std::function<vector_t<S>(const vector_t<S>&, S)> apply;
  };
  const std::vector<family> families{
      {2.0, [](const vector_t<S>& z, S beta) { return vector_t<S>(sparsemax(z, beta)); }},
      {1.5, [](const vector_t<S>& z, S beta) { return vector_t<S>(entmax15(z, beta)); }},
      {3.0, [](const vector_t<S>& z, S beta) { return vector_t<S>(entmax(z, S(3), beta)); }},
      {1.25, [](const vector_t<S>& z, S beta) { return vector_t<S>(entmax(z, S(1.25), beta)); }},
  };
  for (const auto& fam : families) {
    for (const double beta : {1.0, 0.5, 4.0}) {
      const double gap = 1 / ((fam.alpha - 1) * beta);  // exactly representable for these
      INFO("alpha = " << fam.alpha << ", beta = " << beta);
      for (const index_t winner : {index_t(0), index_t(2)}) {
        for (const double delta : {0.0, 1e-3, -1e-3}) {
          vector_t<S> z = make<S>({0.25, 0.25 - gap * 1.5, 0.25, -3 * gap});
          z(2 - winner) = S(0.25);
          z(winner) = static_cast<S>(0.25 + gap + delta * gap);
          const vector_t<S> p = fam.apply(z, static_cast<S>(beta));
          const bool one_hot = p(winner) == S(1) && (p.array() == S(0)).count() == 3;
          REQUIRE(one_hot == (delta >= 0));
          REQUIRE(p.sum() == Approx(1));
        }
      }
    }
  }
  // softmax-like limit is never exactly one-hot at a finite gap, the sparse ones are
  REQUIRE(sparsemax(make<S>({1, 0}), S(1)) == make<S>({1, 0}));
}

TEMPLATE_TEST_CASE("sparsemax and entmax15 match the sort-based references", "[sparse][reference]", float,
                   double) {
  using S = TestType;
  random_engine rng(20260);
  sparse_workspace<S> workspace;  // grown by the first calls, reused after
  int cases = 0;
  for (int trial = 0; trial < reference_trials; ++trial) {
    const index_t n = 1 + static_cast<index_t>(uniform_below(rng, trial < reference_trials / 5 ? 20 : 2000));
    const int kind = static_cast<int>(uniform_below(rng, 6));
    const double beta = random_betas[uniform_below(rng, random_betas.size())];
    const vector_t<S> z = random_scores<S>(n, kind, rng);
    if (!(z.maxCoeff() > -std::numeric_limits<S>::infinity())) continue;
    INFO("trial " << trial << ", n = " << n << ", kind = " << kind << ", beta = " << beta);
    vector_t<S> p(n);
    const index_t count = sparsemax_into<S>(z, static_cast<S>(beta), p, workspace);
    check_against(p, count, sparsemax_reference(z, static_cast<ld>(static_cast<S>(beta))),
                  tolerance<S>::entry, tolerance<S>::total);
    const index_t count15 = entmax15_into<S>(z, static_cast<S>(beta), p, workspace);
    check_against(p, count15, entmax15_reference(z, static_cast<ld>(static_cast<S>(beta))),
                  tolerance<S>::entry, tolerance<S>::total);
    cases += 2;
  }
  REQUIRE(cases > reference_trials * 2 * 9 / 10);
}

TEMPLATE_TEST_CASE("adversarial orders: sorted, reversed, all candidates, one candidate",
                   "[sparse][reference]", float, double) {
  using S = TestType;
  sparse_workspace<S> workspace(5000);
  for (const index_t n :
       {index_t(1), index_t(16), index_t(17), index_t(255), index_t(256), index_t(257), index_t(4099)}) {
    vector_t<S> ascending(n);
    for (index_t i = 0; i < n; ++i)
      ascending(i) = static_cast<S>(i) / static_cast<S>(n);  // all within 1 of the top
    const vector_t<S> descending = ascending.reverse();
    vector_t<S> single = vector_t<S>::Constant(n, S(-5));
    single(n / 2) = S(3);
    for (const vector_t<S>* z : std::vector<const vector_t<S>*>{&ascending, &descending, &single}) {
      for (const double beta : {1.0, 30.0, 1e-2}) {
        INFO("n = " << n << ", beta = " << beta);
        vector_t<S> p(n);
        index_t count = sparsemax_into<S>(*z, static_cast<S>(beta), p, workspace);
        check_against(p, count, sparsemax_reference(*z, static_cast<ld>(static_cast<S>(beta))),
                      tolerance<S>::entry, tolerance<S>::total);
        count = entmax15_into<S>(*z, static_cast<S>(beta), p, workspace);
        check_against(p, count, entmax15_reference(*z, static_cast<ld>(static_cast<S>(beta))),
                      tolerance<S>::entry, tolerance<S>::total);
      }
    }
  }
}

TEMPLATE_TEST_CASE("65536 scores: Gaussian, dense (all candidates) and flat (support of half or all)",
                   "[sparse][reference]", float, double) {
  using S = TestType;
  constexpr index_t n = 65536;
  random_engine rng(4242);
  sparse_workspace<S> workspace(n);
  vector_t<S> p(n);
  for (int kind = 3 - large_kinds; kind < 3; ++kind) {  // the sanitizers: the flat kind, most candidates
    vector_t<S> z(n);
    for (index_t i = 0; i < n; ++i) {
      const double u = uniform_unit(rng);
      z(i) = static_cast<S>(
          kind == 0 ? std::sqrt(-2 * std::log(1 - u)) * std::cos(6.283185307179586 * uniform_unit(rng)) : u);
    }
    for (const double beta_value : {1.0, 1e-4, 30.0}) {
      const auto beta = static_cast<S>(beta_value);
      INFO("kind = " << kind << ", beta = " << beta_value);
      index_t count = sparsemax_into<S>(z, beta, p, workspace);
      check_against(p, count, sparsemax_reference(z, static_cast<ld>(beta)), tolerance<S>::entry,
                    tolerance<S>::total);
      count = entmax15_into<S>(z, beta, p, workspace);
      check_against(p, count, entmax15_reference(z, static_cast<ld>(beta)), tolerance<S>::entry,
                    tolerance<S>::total);
    }
  }
}

TEMPLATE_TEST_CASE("entmax: exact dispatch at 1.5 and 2, bisection agrees with the exact kernels", "[sparse]",
                   float, double) {
  using S = TestType;
  random_engine rng(77);
  sparse_workspace<S> workspace;
  for (int trial = 0; trial < 300; ++trial) {
    const index_t n = 1 + static_cast<index_t>(uniform_below(rng, 600));
    const int kind = static_cast<int>(uniform_below(rng, 6));
    const auto beta = static_cast<S>(random_betas[uniform_below(rng, random_betas.size())]);
    const vector_t<S> z = random_scores<S>(n, kind, rng);
    INFO("trial " << trial << ", n = " << n << ", kind = " << kind);
    vector_t<S> exact(n), via(n), bisected(n);
    // Dispatch: bit-identical to the dedicated kernels.
    REQUIRE(entmax_into<S>(z, S(2), beta, via, workspace) == sparsemax_into<S>(z, beta, exact, workspace));
    REQUIRE(via == exact);
    REQUIRE(entmax_into<S>(z, S(1.5), beta, via, workspace) == entmax15_into<S>(z, beta, exact, workspace));
    REQUIRE(via == exact);
    // The bisection path at the same alpha: equal to the tolerance.
    for (const S alpha : {S(1.5), S(2)}) {
      if (alpha == S(2)) sparsemax_into<S>(z, beta, exact, workspace);
      if (alpha == S(1.5)) entmax15_into<S>(z, beta, exact, workspace);
      detail::entmax_bisect_into<S>("test", z, alpha, beta, bisected, workspace);
      REQUIRE((bisected - exact).cwiseAbs().maxCoeff() <= static_cast<S>(tolerance<S>::bisection));
      if (z.maxCoeff() > -std::numeric_limits<S>::infinity()) {
        REQUIRE(std::abs(static_cast<ld>(bisected.template cast<ld>().sum()) - 1) <= tolerance<S>::total);
      }
    }
  }
}

TEMPLATE_TEST_CASE("entmax: general alpha is continuous in alpha and tends to softmax", "[sparse]", float,
                   double) {
  using S = TestType;
  random_engine rng(5);
  for (int trial = 0; trial < 40; ++trial) {
    const index_t n = 1 + static_cast<index_t>(uniform_below(rng, 300));
    vector_t<S> z(n);
    for (index_t i = 0; i < n; ++i) z(i) = static_cast<S>(4 * uniform_unit(rng) - 2);
    // alpha -> 1: the difference from softmax is O(alpha - 1) for scores of order 1.
    const vector_t<S> soft = hopfield::softmax(z, S(1));
    REQUIRE((entmax(z, S(1.001)) - soft).cwiseAbs().maxCoeff() <= S(2e-3));
    REQUIRE((entmax(z, S(1.0001)) - soft).cwiseAbs().maxCoeff() <= S(2e-4));
    // Near the exact kernels.
    REQUIRE((entmax(z, S(1.5) + S(1e-3)) - entmax15(z)).cwiseAbs().maxCoeff() <= S(1e-2));
    REQUIRE((entmax(z, S(2) - S(1e-3)) - sparsemax(z)).cwiseAbs().maxCoeff() <= S(1e-2));
    for (const S alpha : {S(1.1), S(1.7), S(3), S(8)}) {
      const vector_t<S> p = entmax(z, alpha, S(2));
      REQUIRE(p.minCoeff() >= 0);
      REQUIRE(p.template cast<double>().sum() == Approx(1).epsilon(1e-5));
    }
  }
}

TEST_CASE("entmax: general alpha matches a long-double bisection", "[sparse][reference]") {
  random_engine rng(99);
  sparse_workspace<double> workspace;
  for (int trial = 0; trial < 100; ++trial) {
    const index_t n = 1 + static_cast<index_t>(uniform_below(rng, 200));
    const vector_t<double> z = random_scores<double>(n, static_cast<int>(uniform_below(rng, 5)), rng);
    const double alpha = 1.05 + 3 * uniform_unit(rng);
    vector_t<double> p(n);
    entmax_into<double>(z, alpha, 1.0, p, workspace);
    // Reference: bisection in long double on [-1, 0] for p = [x - tau]_+^(1/(alpha-1)), 200 halvings.
    const std::vector<ld> theta = shifted_theta(z, 1.0L);
    const ld a1 = static_cast<ld>(alpha) - 1;
    const auto mass = [&](ld tau) {
      ld s = 0;
      for (const ld t : theta) s += a1 * t > tau ? std::pow(a1 * t - tau, 1 / a1) : 0.0L;
      return s;
    };
    ld lo = -1, hi = 0;
    for (int i = 0; i < 200; ++i) (mass((lo + hi) / 2) >= 1 ? lo : hi) = (lo + hi) / 2;
    const ld norm = mass(lo);
    ld worst = 0;
    for (index_t i = 0; i < n; ++i) {
      const ld t = a1 * theta[static_cast<std::size_t>(i)];
      const ld expected = t > lo ? std::pow(t - lo, 1 / a1) / norm : 0.0L;
      worst = std::max(worst, std::abs(expected - static_cast<ld>(p(i))));
    }
    INFO("alpha = " << alpha << ", n = " << n);
    REQUIRE(worst <= 1e-9L);
  }
}

TEMPLATE_TEST_CASE("special values, in place, matrices and arrays", "[sparse]", float, double) {
  using S = TestType;
  constexpr S inf = std::numeric_limits<S>::infinity();
  sparse_workspace<S> workspace;
  vector_t<S> out(4);
  // -inf weighs zero.
  REQUIRE(sparsemax_into<S>(make<S>({0.3, -inf, 0.1, -inf}), S(1), out, workspace) == 2);
  REQUIRE(out(0) == Approx(0.6));
  REQUIRE(out(1) == 0);
  REQUIRE(out(2) == Approx(0.4));
  // All -inf: zeros, support 0 (as softmax).
  const vector_t<S> masked = vector_t<S>::Constant(4, -inf);
  REQUIRE(sparsemax_into<S>(masked, S(1), out, workspace) == 0);
  REQUIRE(out.isZero());
  REQUIRE(entmax15_into<S>(masked, S(1), out, workspace) == 0);
  REQUIRE(out.isZero());
  REQUIRE(entmax_into<S>(masked, S(3), S(1), out, workspace) == 0);
  REQUIRE(top_k_softmax_into<S>(masked, 2, S(1), out, workspace) == 0);
  REQUIRE(out.isZero());
  // +inf entries share the mass.
  REQUIRE(entmax15_into<S>(make<S>({inf, 1e30, inf, -inf}), S(1), out, workspace) == 2);
  REQUIRE(out == make<S>({0.5, 0, 0.5, 0}));
  // Huge finite magnitudes and beta: no overflow, one-hot.
  REQUIRE(sparsemax(make<S>({S(1e30), S(-1e30), S(9.9e29)}), S(1e3)) == make<S>({1, 0, 0}));
  const vector_t<S> tied = entmax(make<S>({1, 1, 0}), S(3), std::numeric_limits<S>::max());
  REQUIRE(tied.isApprox(make<S>({0.5, 0.5, 0})));
  REQUIRE(tied(2) == 0);
  // Empty input.
  vector_t<S> empty(0);
  REQUIRE(sparsemax_into<S>(empty, S(1), empty, workspace) == 0);
  // In place: out may be the scores.
  vector_t<S> z = make<S>({1, 0.5, -1, 0.75});
  const vector_t<S> expected = sparsemax(z);
  REQUIRE(sparsemax_into<S>(z, S(1), z, workspace) == 3);
  REQUIRE(z == expected);
  z = make<S>({1, 0.5, -1, 0.75});
  const vector_t<S> expected15 = entmax15(z, S(3));
  entmax15_into<S>(z, S(3), z, workspace);
  REQUIRE(z == expected15);
  z = make<S>({1, 0.5, -1, 0.75});
  const vector_t<S> expected_top = top_k_softmax(z, 2);
  top_k_softmax_into<S>(z, 2, S(1), z, workspace);
  REQUIRE(z == expected_top);
  // Matrices column by column; arrays accepted; row vectors are vectors.
  random_engine rng(3);
  matrix_t<S> m(300, 5);
  for (index_t j = 0; j < m.cols(); ++j) m.col(j) = random_scores<S>(300, static_cast<int>(j), rng);
  const matrix_t<S> ps = sparsemax(m, S(2)), pe = entmax15(m, S(2)), pa = entmax(m, S(1.3), S(2));
  const matrix_t<S> pk = top_k_softmax(m, 7, S(2)), ph = hard_max(m);
  for (index_t j = 0; j < m.cols(); ++j) {
    const vector_t<S> c = m.col(j);
    REQUIRE(ps.col(j) == sparsemax(c, S(2)));
    REQUIRE(pe.col(j) == entmax15(c, S(2)));
    REQUIRE(pa.col(j) == entmax(c, S(1.3), S(2)));
    REQUIRE(pk.col(j) == top_k_softmax(c, 7, S(2)));
    REQUIRE(ph.col(j) == hard_max(c));
  }
  REQUIRE(sparsemax(m.array(), S(2)) == ps);
  const row_vector_t<S> row = m.col(0).transpose();
  REQUIRE(vector_t<S>(sparsemax(row, S(2))) == ps.col(0));
}

TEMPLATE_TEST_CASE("top-k softmax and hard max", "[sparse]", float, double) {
  using S = TestType;
  sparse_workspace<S> workspace;
  const vector_t<S> z = make<S>({1, 3, 2, 3, 0});
  // k = 2: the two 3s; softmax over them: 1/2 each.
  REQUIRE(top_k_softmax(z, 2) == make<S>({0, 0.5, 0, 0.5, 0}));
  // k = 1 with a tie: the lowest index wins, like hard_max.
  REQUIRE(top_k_softmax(z, 1) == make<S>({0, 1, 0, 0, 0}));
  REQUIRE(hard_max(z) == make<S>({0, 1, 0, 0, 0}));
  // k = 3: {3, 3, 2} (index 1, 3, 2), weights e^0, e^0, e^-1 over 2 + e^-1.
  const vector_t<S> p3 = top_k_softmax(z, 3);
  const double norm = 2 + std::exp(-1.0);
  REQUIRE(p3(1) == Approx(1 / norm));
  REQUIRE(p3(2) == Approx(std::exp(-1.0) / norm));
  REQUIRE(p3(0) == 0);
  REQUIRE(p3(4) == 0);
  // Ties at the k-th place: [5, 1, 1, 1], k = 2 takes index 1.
  REQUIRE(top_k_softmax(make<S>({5, 1, 1, 1}), 2, S(1)).template head<2>().minCoeff() > 0);
  REQUIRE(top_k_softmax(make<S>({1, 1, 5, 1}), 2, S(1))(0) > 0);
  // k >= M is softmax.
  REQUIRE(top_k_softmax(z, 5).isApprox(hopfield::softmax(z, S(1))));
  REQUIRE(top_k_softmax(z, 50, S(2)).isApprox(hopfield::softmax(z, S(2))));
  // Random: the support is exactly the k largest (ties to low indices), weights are softmax on it.
  random_engine rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    const index_t n = 1 + static_cast<index_t>(uniform_below(rng, 500));
    const vector_t<S> v = random_scores<S>(n, static_cast<int>(uniform_below(rng, 4)), rng);
    const index_t k = 1 + static_cast<index_t>(uniform_below(rng, static_cast<std::uint64_t>(n)));
    vector_t<S> p(n);
    const index_t count = top_k_softmax_into<S>(v, k, S(1), p, workspace);
    std::vector<index_t> order(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
    std::stable_sort(order.begin(), order.end(), [&](index_t a, index_t b) { return v(a) > v(b); });
    const S top = v(order[0]);
    ld total = 0;
    for (index_t r = 0; r < n; ++r) {
      const index_t i = order[static_cast<std::size_t>(r)];
      const ld expected = r < k ? std::exp(static_cast<ld>(v(i)) - static_cast<ld>(top)) : 0.0L;
      total += expected;
      if (r >= k) REQUIRE(p(i) == 0);
      if (r < k) REQUIRE(p(i) > 0);
    }
    for (index_t r = 0; r < k; ++r) {
      const index_t i = order[static_cast<std::size_t>(r)];
      REQUIRE(std::abs(static_cast<ld>(p(i)) - std::exp(static_cast<ld>(v(i)) - static_cast<ld>(top)) /
                                                   total) <= tolerance<S>::entry);
    }
    REQUIRE(count == std::min(k, n));
  }
  // hard max: masked columns give zeros, +inf wins, in place through hard_max_into.
  constexpr S inf = std::numeric_limits<S>::infinity();
  REQUIRE(hard_max(make<S>({-inf, -inf})).isZero());
  REQUIRE(hard_max(make<S>({1, inf, inf})) == make<S>({0, 1, 0}));
  matrix_t<S> m(3, 2);
  m << 1, -inf, 4, -inf, 4, -inf;
  hard_max_into(m, m);
  matrix_t<S> expected(3, 2);
  expected << 0, 0, 1, 0, 0, 0;
  REQUIRE(m == expected);
}

TEST_CASE("entmax VJP matches central finite differences", "[sparse][gradient]") {
  random_engine rng(2024);
  int checked = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const index_t n = 2 + static_cast<index_t>(uniform_below(rng, 30));
    vector_t<double> z(n), g(n);
    for (index_t i = 0; i < n; ++i) {
      z(i) = 3 * uniform_unit(rng);
      g(i) = 2 * uniform_unit(rng) - 1;
    }
    const double beta = trial % 3 == 0 ? 2.5 : 1.0;
    for (const double alpha : {1.0, 1.3, 1.5, 2.0, 3.0}) {
      const auto forward = [&](const vector_t<double>& v) -> vector_t<double> {
        if (alpha == 1.0) return hopfield::softmax(v, beta);
        return entmax(v, alpha, beta);
      };
      const vector_t<double> p = forward(z);
      // d/dz <g, entmax(beta z)> = beta J^T g.
      const vector_t<double> grad = beta * entmax_vjp(p, alpha, g);
      const double h = 1e-6;
      for (index_t i = 0; i < n; ++i) {
        vector_t<double> up = z, down = z;
        up(i) += h;
        down(i) -= h;
        const vector_t<double> pu = forward(up), pd = forward(down);
        // Away from support changes only (the Jacobian jumps there).
        if (((pu.array() > 0) != (p.array() > 0)).any() || ((pd.array() > 0) != (p.array() > 0)).any())
          continue;
        const double fd = (g.dot(pu) - g.dot(pd)) / (2 * h);
        INFO("alpha = " << alpha << ", n = " << n << ", i = " << i);
        REQUIRE(std::abs(fd - grad(i)) <= 1e-6 * std::max(1.0, std::abs(fd)));
        ++checked;
      }
      // Off the support the gradient is exactly zero; it sums to zero (J 1 = 0).
      for (index_t i = 0; i < n; ++i) {
        if (p(i) == 0) REQUIRE(grad(i) == 0);
      }
      REQUIRE(std::abs(grad.sum()) <= 1e-12);
    }
  }
  REQUIRE(checked > 3000);
  // Matrices column by column; float instantiates.
  matrix_t<float> pm(3, 2), gm(3, 2);
  pm << 0.5f, 0, 0.5f, 1, 0, 0;
  gm << 1, 2, 3, 4, 5, 6;
  const matrix_t<float> jm = entmax_vjp(pm, 2.0f, gm);
  REQUIRE(jm(0, 0) == Approx(-1));  // s = [1, 1, 0], g = [1, 3, 5]: g - 2 on the support
  REQUIRE(jm(1, 0) == Approx(1));
  REQUIRE(jm(2, 0) == 0);
  REQUIRE(jm.col(1).isZero());  // one-hot: s = e_1, J = 0
}

TEMPLATE_TEST_CASE("Tsallis entropy", "[sparse]", float, double) {
  using S = TestType;
  for (const index_t m : {index_t(1), index_t(4), index_t(1000)}) {
    const vector_t<S> uniform = vector_t<S>::Constant(m, S(1) / static_cast<S>(m));
    REQUIRE(tsallis_entropy(uniform, S(1)) == Approx(std::log(static_cast<double>(m))).margin(1e-6));
    for (const double alpha : {1.5, 2.0, 3.0}) {
      const double expected = (1 - std::pow(static_cast<double>(m), 1 - alpha)) / (alpha * (alpha - 1));
      REQUIRE(tsallis_entropy(uniform, static_cast<S>(alpha)) == Approx(expected).margin(1e-6));
    }
    // Continuous at alpha = 1.
    REQUIRE(tsallis_entropy(uniform, S(1.0001)) ==
            Approx(tsallis_entropy(uniform, S(1))).epsilon(1e-3).margin(1e-6));
  }
  const vector_t<S> one_hot = make<S>({0, 1, 0});
  REQUIRE(tsallis_entropy(one_hot, S(1)) == 0);
  REQUIRE(tsallis_entropy(one_hot, S(2)) == 0);
  matrix_t<S> two(2, 2);
  two << 0.5, 1, 0.5, 0;
  const row_vector_t<S> h = tsallis_entropy(two, S(2));
  REQUIRE(h(0) == Approx(0.25));  // (1 - 0.5) / 2
  REQUIRE(h(1) == 0);
}

TEST_CASE("no allocation once the workspace is large enough", "[sparse]") {
  constexpr index_t capacity = 5000;
  sparse_workspace<float> workspace(capacity);
  random_engine rng(1);
  const vector_t<float> z = random_scores<float>(capacity, 0, rng);
  const vector_t<float> dense = random_scores<float>(3000, 1, rng);
  vector_t<float> out(capacity), out_small(3000);
  matrix_t<float> one_hot(capacity, 1);
  index_t total = 0;
  {
    const test::no_malloc_scope guard;
    total += sparsemax_into<float>(z, 1.0f, out, workspace);
    total += sparsemax_into<float>(dense, 1e3f, out_small, workspace);
    total += entmax15_into<float>(z, 2.0f, out, workspace);
    total += entmax15_into<float>(dense, 1e3f, out_small, workspace);
    total += entmax_into<float>(z, 1.7f, 1.0f, out, workspace);
    total += entmax_into<float>(z, 1.5f, 1.0f, out, workspace);
    total += top_k_softmax_into<float>(z, 10, 1.0f, out, workspace);
    total += top_k_softmax_into<float>(dense, 5000, 1.0f, out_small, workspace);
    total += sparsemax_into<float>(z.head(100), 1.0f, out.head(100), workspace);
    hard_max_into(z, one_hot);
  }
  REQUIRE(total > 0);
  REQUIRE(one_hot.sum() == 1);
  sparse_workspace<float> small(10);
  {  // growing past the capacity allocates through Eigen, so the guard sees the workspace
    const test::no_malloc_scope guard;
    REQUIRE_THROWS(sparsemax_into<float>(z, 1.0f, out, small));
  }
  REQUIRE(small.capacity() == 10);
  sparse_workspace<double> grown;
  vector_t<double> zd = vector_t<double>::LinSpaced(64, 0, 1), od(64);
  sparsemax_into<double>(zd, 1.0, od, grown);
  REQUIRE(grown.capacity() == 64);
  grown.reserve(10);
  REQUIRE(grown.capacity() == 64);  // never shrinks
}

TEMPLATE_TEST_CASE("bad input throws std::invalid_argument naming the argument", "[sparse][errors]", float,
                   double) {
  using S = TestType;
  constexpr S nan = std::numeric_limits<S>::quiet_NaN();
  constexpr S inf = std::numeric_limits<S>::infinity();
  const vector_t<S> z = make<S>({1, 2, 3});
  sparse_workspace<S> workspace;
  vector_t<S> out(3), wrong(2);
  for (const S bad : {S(0), S(-1), inf, nan}) {
    REQUIRE_THROWS_WITH(sparsemax_into<S>(z, bad, out, workspace),
                        test::contains("hopfield::sparsemax_into") && test::contains("'beta'"));
    REQUIRE_THROWS_WITH(sparsemax(z, bad), test::contains("hopfield::sparsemax") && test::contains("'beta'"));
    REQUIRE_THROWS_WITH(entmax15_into<S>(z, bad, out, workspace), test::contains("'beta'"));
    REQUIRE_THROWS_WITH(entmax15(z, bad), test::contains("'beta'"));
    REQUIRE_THROWS_WITH(entmax(z, S(1.7), bad), test::contains("'beta'"));
    REQUIRE_THROWS_WITH(top_k_softmax(z, 2, bad), test::contains("'beta'"));
  }
  REQUIRE_THROWS_WITH(sparsemax(z, S(-2)), test::contains("got -2") && test::contains("finite value > 0"));
  for (const S bad : {S(1), S(0.5), S(-3), inf, nan}) {
    REQUIRE_THROWS_WITH(entmax_into<S>(z, bad, S(1), out, workspace),
                        test::contains("hopfield::entmax_into") && test::contains("'alpha'") &&
                            test::contains("finite value > 1"));
    REQUIRE_THROWS_WITH(entmax(z, bad), test::contains("'alpha'"));
  }
  REQUIRE_THROWS_WITH(tsallis_entropy(z, S(0.5)),
                      test::contains("hopfield::tsallis_entropy") && test::contains("'alpha'"));
  REQUIRE_THROWS_WITH(tsallis_entropy(make<S>({0.5, -0.1}), S(2)),
                      test::contains("'p'") && test::contains("-0.1"));
  for (const index_t bad : {index_t(0), index_t(-4)}) {
    REQUIRE_THROWS_WITH(top_k_softmax_into<S>(z, bad, S(1), out, workspace),
                        test::contains("hopfield::top_k_softmax_into") && test::contains("'k'") &&
                            test::contains("integer >= 1"));
    REQUIRE_THROWS_WITH(top_k_softmax(z, bad), test::contains("'k'"));
  }
  REQUIRE_THROWS_WITH(sparsemax_into<S>(z, S(1), wrong, workspace),
                      test::contains("'out'") && test::contains("size = 3") && test::contains("size = 2"));
  REQUIRE_THROWS_WITH(entmax15_into<S>(z, S(1), wrong, workspace), test::contains("'out'"));
  REQUIRE_THROWS_WITH(entmax_into<S>(z, S(3), S(1), wrong, workspace), test::contains("'out'"));
  REQUIRE_THROWS_WITH(top_k_softmax_into<S>(z, 1, S(1), wrong, workspace), test::contains("'out'"));
  matrix_t<S> wrong_matrix(3, 2);
  REQUIRE_THROWS_WITH(hard_max_into(z, wrong_matrix), test::contains("hopfield::hard_max_into") &&
                                                          test::contains("'out'") &&
                                                          test::contains("cols = 1"));
  // NaN scores: rejected with the position; `out` untouched.
  const vector_t<S> with_nan = make<S>({1, nan, 3});
  out.setConstant(S(7));
  REQUIRE_THROWS_WITH(sparsemax_into<S>(with_nan, S(1), out, workspace),
                      test::contains("'scores'") && test::contains("NaN at 1"));
  REQUIRE(out.isConstant(S(7)));
  REQUIRE_THROWS_WITH(entmax15_into<S>(with_nan, S(1), out, workspace), test::contains("'scores'"));
  REQUIRE_THROWS_WITH(entmax_into<S>(with_nan, S(1.2), S(1), out, workspace), test::contains("'scores'"));
  REQUIRE_THROWS_WITH(top_k_softmax_into<S>(with_nan, 1, S(1), out, workspace), test::contains("'scores'"));
  REQUIRE_THROWS_WITH(hard_max(with_nan), test::contains("hopfield::hard_max") && test::contains("'scores'"));
  REQUIRE_THROWS_WITH(sparsemax(with_nan), test::contains("hopfield::sparsemax") && test::contains("NaN"));
  // VJP input checks.
  const vector_t<S> p = make<S>({0.5, 0.5, 0});
  REQUIRE_THROWS_WITH(entmax_vjp(p, S(0.5), z),
                      test::contains("hopfield::entmax_vjp") && test::contains("'alpha'"));
  REQUIRE_THROWS_WITH(entmax_vjp(make<S>({0.5, -0.5, 1}), S(2), z), test::contains("'p'"));
  REQUIRE_THROWS_WITH(entmax_vjp(p, S(2), wrong), test::contains("'grad_out'"));
  REQUIRE_THROWS_WITH(entmax_vjp(p, S(2), with_nan), test::contains("'grad_out'"));
  REQUIRE_THROWS_WITH(sparse_workspace<S>(-1), test::contains("'capacity'"));
}

TEST_CASE("long double instantiates", "[sparse]") {
  vector_t<long double> z(3);
  z << 1, 0.5L, -1;
  REQUIRE(static_cast<double>(sparsemax(z)(0)) == Approx(0.75));
  REQUIRE(static_cast<double>(entmax15(z).sum()) == Approx(1));
  REQUIRE(static_cast<double>(entmax(z, 1.3L).sum()) == Approx(1));
}
