// Dense Associative Memory numerics: sign decisions where the raw values overflow (degree 20 and
// 30 at N = 784 in float, the exponential at N >= 1000 in float and double) against long-double
// references, the representable log-energy, and retrieval at those sizes.
#include <catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include <hopfield/hopfield.hpp>

#include "test_dense_reference.hpp"

using namespace hopfield;
using dense_ref::kind;
using dense_ref::ld;

namespace {

/// A decision is checked when the reference sum is further from a tie than the scalar's rounding
/// of its terms could move it.
template <class Scalar>
ld tie_band() {
  return std::is_same_v<Scalar, float> ? ld(1e-4) : ld(1e-10);
}

/// Compares every neuron's decision (and the gap's magnitude in the log domain) with the
/// long-double reference for the given states. Returns how many raw gaps overflow the scalar.
template <class Scalar, class Memory>
index_t check_decisions(const Memory& dam, const matrix_t<Scalar>& x, const matrix_t<Scalar>& states,
                        const dense_ref::interaction& ref) {
  const auto& energy = dam.energy_policy();
  typename std::remove_cvref_t<decltype(energy)>::context_type ctx;
  index_t checked = 0;
  index_t near_ties = 0;
  index_t positive = 0;
  index_t overflowing = 0;
  for (index_t b = 0; b < states.cols(); ++b) {
    energy.init_context(ctx, states.col(b));
    const auto expected = dense_ref::all_gaps(x, states.col(b), ref);
    for (index_t i = 0; i < x.rows(); ++i) {
      const auto [sum, magnitude] = expected[static_cast<std::size_t>(i)];
      if (magnitude > static_cast<ld>(std::numeric_limits<Scalar>::max())) ++overflowing;
      const auto g = energy.gap(ctx, states.col(b), i);
      REQUIRE(std::isfinite(g.value));
      REQUIRE(std::isfinite(g.log_scale));
      if (std::abs(sum) <= tie_band<Scalar>() * magnitude) {
        ++near_ties;
        continue;
      }
      ++checked;
      if (sum > 0) ++positive;
      INFO("state " << b << " neuron " << i << " reference " << static_cast<double>(std::log(std::abs(sum))));
      REQUIRE((g.value > 0) == (sum > 0));
      REQUIRE((g.value < 0) == (sum < 0));
      // The magnitude too, as a log: log|value| + log_scale = log|sum|.
      const double log_ours =
          std::log(std::abs(static_cast<double>(g.value))) + static_cast<double>(g.log_scale);
      REQUIRE(log_ours == Approx(static_cast<double>(std::log(std::abs(sum)))).margin(1e-3));
    }
  }
  // Both signs decided, and near-ties are rare, so the comparison is not vacuous.
  REQUIRE(positive > 0);
  REQUIRE(positive < checked);
  REQUIRE(near_ties * 100 <= checked);
  return overflowing;
}

template <class Scalar>
matrix_t<Scalar> test_states(const matrix_t<Scalar>& x, std::uint64_t seed) {
  matrix_t<Scalar> states(x.rows(), 4);
  states << corrupt(x.col(0), 0.05, seed), corrupt(x.col(1), 0.2, seed + 1), corrupt(x.col(2), 0.4, seed + 2),
      random_binary_patterns<Scalar>(x.rows(), 1, seed + 3);
  return states;
}

}  // namespace

TEMPLATE_TEST_CASE("dense numerics: degree 20 and 30 decide right at N = 784", "[dense][numerics]", float,
                   double) {
#ifdef HOPFIELD_SANITIZE
  constexpr index_t n = 196;  // the same overflow in float: 197^30 > FLT_MAX
#else
  constexpr index_t n = 784;
#endif
  const auto x = random_binary_patterns<TestType>(n, 30, 11);
  const auto states = test_states(x, 12);
  for (const int degree : {20, 30}) {
    const dense_ref::interaction plain{kind::polynomial, degree};
    const dense_ref::interaction rect{kind::rectified, degree};
    const index_t overflow_plain = check_decisions<TestType>(
        dense_associative_memory<TestType>(x, {.degree = degree}), x, states, plain);
    const index_t overflow_rect = check_decisions<TestType>(
        dense_associative_memory<TestType, rectified_polynomial>(x, {.degree = degree}), x, states, rect);
    // In float the raw differences do not fit (785^30 ~ 1e87): the scaling is what decides.
    if (std::is_same_v<TestType, float>) {
      REQUIRE(overflow_plain > 0);
      REQUIRE(overflow_rect > 0);
    }
  }
}

TEMPLATE_TEST_CASE("dense numerics: the exponential decides right at N = 1000 and 2000", "[dense][numerics]",
                   float, double) {
  if constexpr (!dense_ref::wide_long_double) {
    WARN("long double does not reach exp(2000) here");
    return;
  } else {
#ifdef HOPFIELD_SANITIZE
    const std::vector<index_t> sizes = {1000};
#else
    const std::vector<index_t> sizes = {1000, 2000};
#endif
    for (const index_t n : sizes) {
      const auto x = random_binary_patterns<TestType>(n, 24, static_cast<std::uint64_t>(n));
      const auto states = test_states(x, 5);
      const index_t overflowing =
          check_decisions<TestType>(dense_associative_memory<TestType, exponential>(x), x, states,
                                    dense_ref::interaction{kind::exponential, 0});
      REQUIRE(overflowing > 0);  // exp(1000) overflows float and double
    }
  }
}

TEMPLATE_TEST_CASE("dense numerics: retrieval and log-energy where the energy overflows", "[dense][numerics]",
                   float, double) {
  if constexpr (!dense_ref::wide_long_double) {
    WARN("long double does not reach exp(1000) here");
    return;
  } else {
    constexpr index_t n = 1000;
    const auto x = random_binary_patterns<TestType>(n, 50, 21);
    const dense_associative_memory<TestType, exponential> edam(x);
    const auto queries = corrupt(x.leftCols(4), 0.35, 22);
    retrieval_options options;
    options.record_trace = true;
    const auto r = edam.retrieve(queries, options);
    for (index_t j = 0; j < queries.cols(); ++j) {
      REQUIRE(r.reports[static_cast<std::size_t>(j)].converged);
      REQUIRE(overlap(r.states.col(j), x.col(j)) == TestType(1));
      // -exp(1000) is not representable: energy() saturates, log_energy() is exact.
      REQUIRE(edam.energy(r.states.col(j)) == -std::numeric_limits<TestType>::infinity());
      const auto log_e = edam.log_energy(r.states.col(j));
      const ld expected =
          -dense_ref::energy(x, r.states.col(j), dense_ref::interaction{kind::exponential, 0});
      REQUIRE(log_e.sign == TestType(-1));
      REQUIRE(static_cast<double>(log_e.log_abs) ==
              Approx(static_cast<double>(std::log(expected))).epsilon(1e-6));
      REQUIRE(log_e.value() == -std::numeric_limits<TestType>::infinity());
    }
    // Glauber dynamics reads the exact gap through its log: at a low temperature it recalls too.
    const auto cold = edam.retrieve(queries, options, stochastic_update{.temperature = 1.0});
    for (index_t j = 0; j < queries.cols(); ++j)
      REQUIRE(overlap(cold.states.col(j), x.col(j)) == TestType(1));
  }
}

TEMPLATE_TEST_CASE("dense numerics: log-energy of degree 30 at N = 784", "[dense][numerics]", float, double) {
  const auto x = random_binary_patterns<TestType>(784, 20, 31);
  const auto states = test_states(x, 32);
  for (const auto type : {kind::polynomial, kind::rectified}) {
    const dense_ref::interaction ref{type, 30};
    for (index_t j = 0; j < states.cols(); ++j) {
      const ld expected = dense_ref::energy(x, states.col(j), ref);
      const auto log_e = type == kind::polynomial
                             ? dense_associative_memory<TestType>(x, {.degree = 30}).log_energy(states.col(j))
                             : dense_associative_memory<TestType, rectified_polynomial>(x, {.degree = 30})
                                   .log_energy(states.col(j));
      REQUIRE(log_e.sign == TestType(-1));  // even degree, and the rectified form: -sum F < 0
      REQUIRE(static_cast<double>(log_e.log_abs) ==
              Approx(static_cast<double>(std::log(-expected))).epsilon(1e-6));
    }
  }
  // The odd degree 29 has energies of either sign.
  const dense_associative_memory<TestType> odd(x, {.degree = 29});
  const vector_t<TestType> negated = -x.col(0);
  const dense_ref::interaction ref{kind::polynomial, 29};
  REQUIRE(odd.log_energy(x.col(0)).sign == TestType(-1));
  REQUIRE(odd.log_energy(negated).sign == TestType(1));
  REQUIRE(static_cast<double>(odd.log_energy(negated).log_abs) ==
          Approx(static_cast<double>(std::log(dense_ref::energy(x, negated, ref)))).epsilon(1e-6));
}

TEST_CASE("dense numerics: the exact gap saturates instead of overflowing", "[dense][numerics]") {
  const auto x = random_binary_patterns<float>(784, 10, 41);
  const dense_associative_memory<float> dam(x, {.degree = 30});
  const auto& energy = dam.energy_policy();
  interaction_energy<float>::context_type ctx;
  const vector_t<float> s = corrupt(x.col(0), 0.1, 42);
  energy.init_context(ctx, s);
  const auto g = energy.gap(ctx, s, 0);
  REQUIRE(std::isfinite(g.value));
  REQUIRE(std::abs(g.exact()) == std::numeric_limits<float>::infinity());
  REQUIRE(g.log_scale > std::log(std::numeric_limits<float>::max()));
}
