// The general continuous-time network proven by the library's memories (Krotov & Hopfield 2021,
// models A, B, C): model A retrieves what dense_associative_memory retrieves, model C settles on
// the stored direction with the spherical zero mode, a three-layer network settles; the adiabatic
// effective theory gives the modern and dense energies and the CCCP step; the energy never rises
// over thousands of seeded networks of PSD Lagrangians with either integrator; a non-convex
// Lagrangian is outside the guarantee; damped CCCP with eta > 2 can raise the energy.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <tuple>
#include <type_traits>

#include <hopfield/hopfield.hpp>

#include "gaussian.hpp"

using namespace hopfield;
using test::gaussian;

namespace {
// The unoptimised sanitizer build runs each seeded loop over fewer instances.
#ifdef HOPFIELD_SANITIZE
constexpr std::uint64_t seeded_networks = 4;
#else
constexpr std::uint64_t seeded_networks = 20;
#endif
template <class Scalar>
Scalar worst_relative_rise(const std::vector<Scalar>& trace) {
  Scalar worst = -std::numeric_limits<Scalar>::infinity();
  for (std::size_t k = 1; k < trace.size(); ++k)
    worst = std::max(worst, (trace[k] - trace[k - 1]) / std::max(Scalar(1), std::abs(trace[k - 1])));
  return worst;
}

// The stacked state of a two-layer network with features v and memory currents at rest.
template <class Net>
vector_t<typename Net::scalar_type> at_rest(const Net& net, const vector_t<typename Net::scalar_type>& v) {
  return adiabatic_network<Net>(net).lift(v).col(0);
}
}  // namespace

TEMPLATE_TEST_CASE(
    "models: model A (smooth sign, rectified cube) retrieves like the dense associative memory",
    "[network][model_a]", float, double) {
  // N = 40, K = 60 (above the classical 0.14 N, below the dense n = 3 capacity), 8 flipped bits.
  // Feature Lagrangian log-cosh with beta = 4: g = tanh(4 v), a smooth stand-in for the sign;
  // memory Lagrangian max(h, 0)^3 / 3, f = max(h, 0)^2. Synapses xi / sqrt(N): with xi / N the
  // loop gain at the start is below 1 and every state decays to v = 0 (the trivial fixed point).
  using S = TestType;
  using net_t = two_layer_network<S, log_cosh_lagrangian<S>, rectified_power_lagrangian<S>>;
  const index_t n = 40, k = 60;
  int agreed = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const matrix_t<S> patterns = random_binary_patterns<S>(n, k, seed);
    const net_t net({patterns.transpose() / std::sqrt(S(n))}, {S(1), S(0.1)},
                    {log_cosh_lagrangian<S>(S(4)), rectified_power_lagrangian<S>(3)});
    const vector_t<S> corrupted = flip_bits(patterns.col(3), 8, seed + 10).col(0);
    const auto run =
        integrate(net, bogacki_shampine_integrator{.relative_tolerance = 1e-6, .absolute_tolerance = 1e-8},
                  at_rest(net, corrupted), {.max_time = 200, .tolerance = 1e-3, .record_trace = true});
    const dense_associative_memory<S, rectified_polynomial> dam(patterns, {.degree = 3});
    const auto dense = dam.retrieve(corrupted);
    const vector_t<S> recalled = run.outputs.col(0).head(n).array().sign().matrix();
    INFO("seed " << seed << ", reason " << to_string(run.reports[0].reason));
    CHECK(run.reports[0].converged);
    CHECK(worst_relative_rise(run.reports[0].energy_trace) <= S(1e-5));
    CHECK(dense.state == patterns.col(3));
    if (recalled == dense.state) ++agreed;
  }
  CHECK(agreed == 6);
}

TEMPLATE_TEST_CASE("models: model C (spherical features) settles on the stored direction",
                   "[network][model_c]", float, double) {
  // Feature Lagrangian |v| (g = v / |v|), memory Lagrangian lse(beta): the feature output is a unit
  // vector, and the Hessian of |v| annihilates v itself (the radial zero mode, eq. 20).
  using S = TestType;
  using net_t = two_layer_network<S, spherical_lagrangian<S>, log_sum_exp_lagrangian<S>>;
  const index_t n = 24, m = 8;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const matrix_t<S> patterns = random_sphere_patterns<S>(n, m, seed);  // unit columns
    const S beta = 20;
    const net_t net({patterns.transpose()}, {S(1), S(0.2)},
                    {spherical_lagrangian<S>(), log_sum_exp_lagrangian<S>(beta)});
    const vector_t<S> start = patterns.col(2) + gaussian<S>(n, 1, seed + 5, S(0.08));
    const auto run = integrate(net, bogacki_shampine_integrator{}, at_rest(net, start),
                               {.max_time = 500, .tolerance = 1e-4, .record_trace = true});
    INFO("seed " << seed);
    CHECK(run.reports[0].converged);
    CHECK(worst_relative_rise(run.reports[0].energy_trace) <= S(1e-5));
    const vector_t<S> direction = run.outputs.col(0).head(n);
    CHECK(direction.norm() == Approx(1).epsilon(1e-5));
    CHECK(direction.dot(patterns.col(2)) > S(0.99));
    const vector_t<S> v = run.states.col(0).head(n);
    const vector_t<S> zero_mode = lagrangian_hessian_vector(spherical_lagrangian<S>(), v, v);
    CHECK(zero_mode.cwiseAbs().maxCoeff() <= S(16) * std::numeric_limits<S>::epsilon());
  }
}

TEMPLATE_TEST_CASE("models: model B in float and double ends at the modern fixed point", "[network][model_b]",
                   float, double) {
  // N_f = 16, N_h = 10, beta = 2, tau_f = 1, tau_h = 0.2 (double: tests/unit/test_integration.cpp
  // and test_network.cpp hold it to 1e-8). In float Euler stalls where dt |dx/dt| falls below half
  // an ulp of x: |dx/dt| levels off near ulp(|x|) / dt (about 5e-5 here), so it settles at the
  // float default 1e-3 and lands within 2e-3 of the fixed point.
  using S = TestType;
  using net_t = two_layer_network<S, quadratic_lagrangian<S>, log_sum_exp_lagrangian<S>>;
  const S tolerance = std::is_same_v<S, float> ? S(2e-3) : S(1e-8);
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const matrix_t<S> patterns = random_sphere_patterns<S>(16, 10, seed, S(2));
    const net_t net({patterns.transpose()}, {S(1), S(0.2)},
                    {quadratic_lagrangian<S>{}, log_sum_exp_lagrangian<S>(S(2))});
    const vector_t<S> start = patterns.col(0) + gaussian<S>(16, 1, seed + 50, S(0.3));
    const auto run = integrate(
        net, euler_integrator{.dt = 0.01}, at_rest(net, start),
        {.tolerance = std::is_same_v<S, float> ? std::optional<double>{} : 1e-10, .record_trace = true});
    const modern_hopfield<S> modern(patterns, {.beta = S(2)});
    const auto fixed = modern.retrieve(start, {.max_steps = 10000});
    INFO("seed " << seed);
    CHECK(run.reports[0].converged);
    CHECK((run.states.col(0).head(16) - fixed.state).cwiseAbs().maxCoeff() < tolerance);
    CHECK(worst_relative_rise(run.reports[0].energy_trace) <=
          (std::is_same_v<S, float> ? S(1e-6) : S(1e-12)));
  }
}

TEST_CASE("models: a three-layer network (identity - softplus - softmax) settles, energy monotone",
          "[network][three_layer]") {
  using net_t = hierarchical_network<double, quadratic_lagrangian<double>, softplus_lagrangian<double>,
                                     log_sum_exp_lagrangian<double>>;
  for (std::uint64_t seed = 1; seed <= seeded_networks; ++seed) {
    const index_t n0 = 20, n1 = 12, n2 = 6;
    const net_t net(
        {gaussian<double>(n1, n0, seed, 0.8 / std::sqrt(20.0)), gaussian<double>(n2, n1, seed + 1, 1.0)},
        {1.0, 0.5, 0.2},
        {quadratic_lagrangian<double>{}, softplus_lagrangian<double>(2.0),
         log_sum_exp_lagrangian<double>(4.0)},
        gaussian<double>(n0, 1, seed + 2));
    const vector_t<double> x0 = gaussian<double>(net.dimension(), 1, seed + 3);
    for (const bool adaptive : {false, true}) {
      const integration_options options{.max_steps = 200000, .tolerance = 1e-6, .record_trace = true};
      const auto run =
          adaptive ? integrate(net, bogacki_shampine_integrator{.relative_tolerance = 1e-9}, x0, options)
                   : integrate(net, euler_integrator{.dt = 0.01}, x0, options);
      INFO("seed " << seed << ", adaptive " << adaptive);
      CHECK(run.reports[0].converged);
      CHECK(worst_relative_rise(run.reports[0].energy_trace) <= 1e-12);
      matrix_t<double> rate(net.dimension(), 1);
      net.time_derivative(run.states, rate);
      CHECK(rate.cwiseAbs().maxCoeff() <= 1e-6);  // settled: |dx/dt| below the tolerance
    }
  }
}

TEST_CASE("models: the adiabatic energy is the full energy at rest, and gives the three memories",
          "[network][adiabatic]") {
  const index_t n = 12, m = 7;
  SECTION("model B: the modern energy up to a constant, and the CCCP step") {
    using net_t = two_layer_network<double, quadratic_lagrangian<double>, log_sum_exp_lagrangian<double>>;
    const matrix_t<double> patterns = random_sphere_patterns<double>(n, m, 3, 2.0);
    const adiabatic_network<net_t> eff(
        net_t({patterns.transpose()}, {1.0, 0.1},
              {quadratic_lagrangian<double>{}, log_sum_exp_lagrangian<double>(3.0)}));
    const modern_hopfield<double> modern(patterns, {.beta = 3.0});
    const matrix_t<double> v = gaussian<double>(n, 5, 4);
    row_vector_t<double> e(5);
    eff.energies(v, e);
    const row_vector_t<double> offset = modern.energies(v) - e;
    for (index_t j = 0; j < 5; ++j) CHECK(offset(j) == Approx(offset(0)).epsilon(1e-13));
    matrix_t<double> step(n, 5), cccp(n, 5);
    eff.cccp_step(v, step);
    modern.energy_policy().cccp_step(v, cccp);
    CHECK(step.isApprox(cccp, 1e-13));
    // So the modern memory's updates run on it: retrieve ends at the modern fixed point.
    const auto a = retrieve(eff, damped_cccp_update{.eta = 0.5}, v.col(0).eval(),
                            {.max_steps = 2000, .tolerance = 1e-13});
    const auto b = modern.retrieve(v.col(0), {.max_steps = 2000, .tolerance = 1e-13});
    CHECK((a.state - b.state).cwiseAbs().maxCoeff() < 1e-10);
    static_assert(adiabatic_network<net_t>::has_cccp_step);
  }
  SECTION("model A: a third of the rectified-cube dense energy at sign states") {
    using net_t =
        two_layer_network<double, absolute_value_lagrangian<double>, rectified_power_lagrangian<double>>;
    const matrix_t<double> patterns = random_binary_patterns<double>(n, m, 5);
    const adiabatic_network<net_t> eff(
        net_t({patterns.transpose()}, {1.0, 0.1},
              {absolute_value_lagrangian<double>{}, rectified_power_lagrangian<double>(3)}));
    const dense_associative_memory<double, rectified_polynomial> dam(patterns, {.degree = 3});
    const matrix_t<double> states = flip_bits(patterns.leftCols(4), 3, 6);
    row_vector_t<double> e(4);
    eff.energies(states, e);
    const row_vector_t<double> dense = dam.energies(states);
    for (index_t j = 0; j < 4; ++j) CHECK(e(j) == Approx(dense(j) / 3).epsilon(1e-13));
    static_assert(!adiabatic_network<net_t>::has_cccp_step);
  }
  SECTION("every Lagrangian pair: E_eff(v) = E(v, xi g(v))") {
    using net_t = two_layer_network<double, softplus_lagrangian<double>, log_cosh_lagrangian<double>>;
    const net_t net({gaussian<double>(m, n, 7)}, {1.0, 0.3},
                    {softplus_lagrangian<double>(1.5), log_cosh_lagrangian<double>(2.0)},
                    gaussian<double>(n, 1, 8));
    const adiabatic_network<net_t> eff(net);
    const matrix_t<double> v = gaussian<double>(n, 6, 9);
    row_vector_t<double> reduced(6), full(6);
    eff.energies(v, reduced);
    net.energies(eff.lift(v), full);
    CHECK(reduced.isApprox(full, 1e-13));
  }
  SECTION("tau_h -> 0: the full network's features follow the effective dynamics") {
    using net_t = two_layer_network<double, quadratic_lagrangian<double>, log_sum_exp_lagrangian<double>>;
    const matrix_t<double> patterns = random_sphere_patterns<double>(n, m, 11, 2.0);
    const vector_t<double> v0 = gaussian<double>(n, 1, 12);
    double previous_gap = std::numeric_limits<double>::infinity();
    for (const double tau_h : {1e-1, 1e-2, 1e-3}) {
      const net_t net({patterns.transpose()}, {1.0, tau_h},
                      {quadratic_lagrangian<double>{}, log_sum_exp_lagrangian<double>(2.0)});
      const adiabatic_network<net_t> eff(net);
      const auto full = integrate(
          net, bogacki_shampine_integrator{.relative_tolerance = 1e-10, .absolute_tolerance = 1e-12},
          eff.lift(v0), {.max_time = 1.0, .tolerance = 0.0});
      vector_t<double> v = v0;  // the effective flow, by hand: RK4 with 1000 steps
      const double h = 1e-3;
      matrix_t<double> k1(n, 1), k2(n, 1), k3(n, 1), k4(n, 1);
      for (int step = 0; step < 1000; ++step) {
        eff.time_derivative(v, k1);
        eff.time_derivative(v + h / 2 * k1, k2);
        eff.time_derivative(v + h / 2 * k2, k3);
        eff.time_derivative(v + h * k3, k4);
        v += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
      }
      const double gap = (full.states.col(0).head(n) - v).cwiseAbs().maxCoeff();
      INFO("tau_h " << tau_h << ": gap " << gap);
      CHECK(gap < 10 * tau_h);  // O(tau_h): the memory lags the features by about tau_h
      CHECK(gap < previous_gap);
      previous_gap = gap;
    }
  }
}

namespace {
// A user Lagrangian L = sum x^3 / 3 (odd power, not rectified): g = x^2, Hessian diag(2x), which is
// indefinite; it says so (hessian_psd = false) and is outside the monotone-energy guarantee.
struct cubic_lagrangian {
  static constexpr bool hessian_psd = false;
  using M = matrix_t<double>;
  using R = row_vector_t<double>;
  void value(const Eigen::Ref<const M>& x, Eigen::Ref<R> out) const {
    out = x.array().cube().colwise().sum() / 3;
  }
  void activation(const Eigen::Ref<const M>& x, Eigen::Ref<M> g) const { g = x.array().square().matrix(); }
  void legendre(const Eigen::Ref<const M>& x, Eigen::Ref<R> out) const {
    out = 2 * x.array().cube().colwise().sum() / 3;
  }
  void hessian_vector(const Eigen::Ref<const M>& x, const Eigen::Ref<const M>& v, Eigen::Ref<M> out) const {
    out = (2 * x.array() * v.array()).matrix();
  }
};
}  // namespace

TEST_CASE("models: a non-convex Lagrangian is outside the guarantee, and says so", "[network][psd]") {
  using cubic_net = two_layer_network<double, quadratic_lagrangian<double>, cubic_lagrangian>;
  static_assert(!cubic_net::energy_monotone);
  static_assert(two_layer_network<double, quadratic_lagrangian<double>,
                                  log_sum_exp_lagrangian<double>>::energy_monotone);
  const cubic_net net({gaussian<double>(4, 5, 1)}, {1.0, 0.5});
  const matrix_t<double> states = gaussian<double>(net.dimension(), 200, 2, 2.0);
  row_vector_t<double> rates(200);
  net.energy_rates(states, rates);
  CHECK(rates.maxCoeff() > 0);  // the energy rises along the flow somewhere
}

TEST_CASE("models: damped CCCP with eta > 2 can raise the energy", "[network][update]") {
  // One memory: p = 1 and v <- (1 - eta) v + eta x, so the distance to x is multiplied by |1 - eta|
  // and the energy |v - x|^2 / 2 + const rises for eta > 2 (the bound in update/damped_cccp_update.hpp).
  const matrix_t<double> one = random_sphere_patterns<double>(6, 1, 1, 2.0);
  const modern_hopfield<double> mhn(one, {.beta = 1.0});
  const vector_t<double> start = one.col(0) + gaussian<double>(6, 1, 2, 0.5);
  for (const double eta : {2.5, 3.0}) {
    const auto run =
        mhn.retrieve(start, {.max_steps = 3, .record_trace = true}, damped_cccp_update{.eta = eta});
    INFO("eta " << eta);
    CHECK(run.energy_trace[1] > run.energy_trace[0]);
  }
  const auto two =
      mhn.retrieve(start, {.max_steps = 3, .record_trace = true}, damped_cccp_update{.eta = 2.0});
  CHECK(two.energy_trace[1] <= two.energy_trace[0] + 1e-12);  // the edge: |1 - eta| = 1 keeps it
}

namespace {
// Energy monotonicity over many seeded networks of one Lagrangian combination, both integrators.
template <class Net, class Make>
void check_monotone(const char* name, std::uint64_t first_seed, int count, Make make) {
  int checked = 0;
  for (std::uint64_t seed = first_seed; seed < first_seed + static_cast<std::uint64_t>(count); ++seed) {
    const Net net = make(seed);
    const vector_t<double> x0 = gaussian<double>(net.dimension(), 1, seed + 7777);
    double min_tau = std::numeric_limits<double>::infinity();
    for (const double tau : net.time_constants()) min_tau = std::min(min_tau, tau);
    const auto euler =
        integrate(net, euler_integrator{.dt = 0.005 * min_tau}, x0, {.max_steps = 150, .record_trace = true});
    const auto adaptive =
        integrate(net, bogacki_shampine_integrator{.relative_tolerance = 1e-8, .absolute_tolerance = 1e-10},
                  x0, {.max_steps = 150, .record_trace = true});
    INFO(name << ", seed " << seed);
    REQUIRE(worst_relative_rise(euler.reports[0].energy_trace) <= 1e-12);
    REQUIRE(worst_relative_rise(adaptive.reports[0].energy_trace) <= 1e-12);
    ++checked;
  }
  CHECK(checked == count);
}

template <class Scalar>
std::array<Scalar, 2> two_taus(std::uint64_t seed) {
  return {Scalar(0.5) + Scalar(seed % 7) / 4, Scalar(0.1) + Scalar(seed % 5) / 10};
}

index_t size_of(std::uint64_t seed, index_t base, std::uint64_t mod) {
  return base + static_cast<index_t>(seed % mod);
}
}  // namespace

TEST_CASE("models: the energy never rises over thousands of seeded networks, both integrators",
          "[network][property]") {
  // 5 Lagrangian combinations x 400 networks x 2 integrators: random sizes, synapses, time
  // constants, inverse temperatures and inputs; every Lagrangian PSD. The unoptimised sanitizer
  // build checks a twentieth of them.
#ifdef HOPFIELD_SANITIZE
  const int per_combination = 20;
#else
  const int per_combination = 400;
#endif
  using q = quadratic_lagrangian<double>;
  using lse = log_sum_exp_lagrangian<double>;
  using b_net = two_layer_network<double, q, lse>;
  check_monotone<b_net>("quadratic-lse", 1, per_combination, [](std::uint64_t s) {
    const index_t n = size_of(s, 2, 7), m = size_of(s, 1, 9);
    return b_net({gaussian<double>(m, n, s, 1.0)}, two_taus<double>(s), {q{}, lse(0.5 + double(s % 8))},
                 gaussian<double>(n, 1, s + 1, 0.5));
  });
  using a_net = two_layer_network<double, log_cosh_lagrangian<double>, rectified_power_lagrangian<double>>;
  check_monotone<a_net>("logcosh-rectified", 10000, per_combination, [](std::uint64_t s) {
    const index_t n = size_of(s, 3, 8), m = size_of(s, 2, 10);
    return a_net({gaussian<double>(m, n, s, 0.5)}, two_taus<double>(s),
                 {log_cosh_lagrangian<double>(0.5 + double(s % 4)),
                  rectified_power_lagrangian<double>(2 + int(s % 3))},
                 gaussian<double>(n, 1, s + 1, 0.5));
  });
  using c_net = two_layer_network<double, spherical_lagrangian<double>, lse>;
  check_monotone<c_net>("spherical-lse", 20000, per_combination, [](std::uint64_t s) {
    const index_t n = size_of(s, 2, 6), m = size_of(s, 2, 7);
    return c_net({gaussian<double>(m, n, s, 1.0)}, two_taus<double>(s),
                 {spherical_lagrangian<double>(0.1), lse(2.0)}, gaussian<double>(n, 1, s + 1, 0.5));
  });
  using s_net = two_layer_network<double, softplus_lagrangian<double>, log_cosh_lagrangian<double>>;
  check_monotone<s_net>("softplus-logcosh", 30000, per_combination, [](std::uint64_t s) {
    const index_t n = size_of(s, 2, 6), m = size_of(s, 2, 6);
    return s_net({gaussian<double>(m, n, s, 1.0)}, two_taus<double>(s),
                 {softplus_lagrangian<double>(1.0 + double(s % 3)), log_cosh_lagrangian<double>(1.0)},
                 gaussian<double>(n, 1, s + 1, 0.5));
  });
  using t_net = hierarchical_network<double, q, softplus_lagrangian<double>, lse>;
  check_monotone<t_net>("quadratic-softplus-lse", 40000, per_combination, [](std::uint64_t s) {
    const index_t n0 = size_of(s, 2, 5), n1 = size_of(s, 2, 5), n2 = size_of(s, 1, 5);
    return t_net({gaussian<double>(n1, n0, s, 0.7), gaussian<double>(n2, n1, s + 1, 0.7)},
                 {1.0, 0.2 + double(s % 4) / 5, 0.1 + double(s % 3) / 10},
                 {q{}, softplus_lagrangian<double>(2.0), lse(1.0 + double(s % 5))},
                 gaussian<double>(n0, 1, s + 2, 0.5));
  });
}
