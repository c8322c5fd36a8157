// User-defined interactions plug into the Dense Associative Memory without touching the library:
// F alone (a struct or a captureless lambda), F with a safe difference, F with a scaled form for
// values that overflow, and a user validate().
#include <catch.hpp>

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include <hopfield/hopfield.hpp>

#include "test_dense_reference.hpp"

using namespace hopfield;
using dense_ref::ld;

namespace {

/// F(x) = max(x, 0)^3 with nothing but F: the memory subtracts F(a + 1) - F(a - 1) itself.
struct cube_relu {
  template <class T>
  T operator()(T x) const {
    return x > 0 ? x * x * x : T(0);
  }
};

/// F(x) = 2^x. F(a + 1) - F(a - 1) = 1.5 * 2^a exactly (the difference member), and the scaled form
/// 2^(a - c) with c the largest overlap and log_scale = c ln 2 + ln 1.5, which never overflows.
struct power_of_two {
  template <class T>
  T operator()(T x) const {
    return std::exp2(x);
  }
  template <class T>
  T difference(T a) const {
    return T(1.5) * std::exp2(a);
  }
  template <class T>
  struct shift {
    T top;
    T log_scale;
  };
  template <class T>
  shift<T> scale(T max_overlap, T /*max_abs_overlap*/) const {
    return {max_overlap, max_overlap * std::numbers::ln2_v<T> + std::log(T(1.5))};
  }
  template <class T>
  T scaled_difference(T a, const shift<T>& s) const {
    return std::exp2(a - s.top);
  }
};

/// The same F with only the difference: fine while 2^N fits the scalar.
struct power_of_two_unscaled {
  template <class T>
  T operator()(T x) const {
    return std::exp2(x);
  }
  template <class T>
  T difference(T a) const {
    return T(1.5) * std::exp2(a);
  }
};

/// A user setting checked by the memory through validate().
struct shifted_cube {
  double offset = 0;  ///< F(x) = (x + offset)^3, offset must be finite
  void validate() const {
    if (!std::isfinite(offset)) throw std::invalid_argument("shifted_cube: offset must be finite");
  }
  template <class T>
  T operator()(T x) const {
    const T y = x + static_cast<T>(offset);
    return y * y * y;
  }
};

constexpr auto cube_lambda = [](auto x) { return x * x * x; };
using cube_lambda_t = std::remove_const_t<decltype(cube_lambda)>;

}  // namespace

TEMPLATE_TEST_CASE("dense custom: F alone gives the shipped interaction's trajectories", "[dense][custom]",
                   float, double) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const auto x = random_binary_patterns<TestType>(48, 30, seed);
    matrix_t<TestType> queries(48, 4);
    queries << corrupt(x.leftCols(3), 0.2, seed + 1), random_binary_patterns<TestType>(48, 1, seed + 2);
    retrieval_options options;
    options.seed = seed;
    const dense_associative_memory<TestType, rectified_polynomial> rect(x, {.degree = 3});
    const dense_associative_memory<TestType, cube_relu> custom(x);
    REQUIRE(custom.retrieve(queries, options).states == rect.retrieve(queries, options).states);
    REQUIRE(custom.retrieve(queries, options, synchronous_update{}).states ==
            rect.retrieve(queries, options, synchronous_update{}).states);
    const dense_associative_memory<TestType> cubic(x, {.degree = 3});
    const dense_associative_memory<TestType, cube_lambda_t> lambda(x);
    REQUIRE(lambda.retrieve(queries, options).states == cubic.retrieve(queries, options).states);
    for (index_t j = 0; j < queries.cols(); ++j) {
      REQUIRE(custom.energy(queries.col(j)) == Approx(rect.energy(queries.col(j))));
      REQUIRE(lambda.energy(queries.col(j)) == Approx(cubic.energy(queries.col(j))));
    }
  }
}

TEMPLATE_TEST_CASE("dense custom: a scaled form keeps decisions right where F overflows", "[dense][custom]",
                   float, double) {
  // Small N: F alone, the difference and the scaled form all agree.
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    const auto x = random_binary_patterns<TestType>(40, 60, seed);
    const auto queries = corrupt(x.leftCols(5), 0.1, seed + 1);
    retrieval_options options;
    options.seed = seed;
    const auto scaled = dense_associative_memory<TestType, power_of_two>(x).retrieve(queries, options);
    const auto unscaled =
        dense_associative_memory<TestType, power_of_two_unscaled>(x).retrieve(queries, options);
    REQUIRE(scaled.states == unscaled.states);
    for (index_t j = 0; j < 5; ++j) REQUIRE(overlap(scaled.states.col(j), x.col(j)) == TestType(1));
  }
  if constexpr (!dense_ref::wide_long_double) {
    WARN("long double does not reach 2^1200 here");
    return;
  } else {
    // N = 1200: 2^1200 overflows float and double; the scaled form decides as long double does.
    constexpr index_t n = 1200;
    const auto x = random_binary_patterns<TestType>(n, 20, 3);
    const dense_associative_memory<TestType, power_of_two> dam(x);
    const auto& energy = dam.energy_policy();
    typename std::remove_cvref_t<decltype(energy)>::context_type ctx;
    const auto reference = [](ld v) { return std::exp2(v); };
    const vector_t<TestType> s = corrupt(x.col(0), 0.05, 4);  // overlap 1080: 2^1080 overflows double
    energy.init_context(ctx, s);
    const auto expected = dense_ref::all_gaps(x, s, reference);
    index_t positive = 0;
    for (index_t i = 0; i < n; ++i) {
      const auto [sum, magnitude] = expected[static_cast<std::size_t>(i)];
      REQUIRE(std::abs(sum) > ld(1e-3) * magnitude);  // the dominant pattern decides: no near-ties
      const auto g = energy.gap(ctx, s, i);
      REQUIRE((g.value > 0) == (sum > 0));
      if (sum > 0) ++positive;
    }
    REQUIRE(positive > 0);
    REQUIRE(positive < n);
    // Without the scaled form the raw differences are not finite: that is what the scale is for.
    const dense_associative_memory<TestType, power_of_two_unscaled> raw(x);
    typename interaction_energy<TestType, power_of_two_unscaled>::context_type raw_ctx;
    raw.energy_policy().init_context(raw_ctx, s);
    REQUIRE_FALSE(std::isfinite(raw.energy_policy().gap(raw_ctx, s, 0).value));
    // Retrieval works, and the energy is reported through its log (long double fallback).
    const auto r = dam.retrieve(s);
    REQUIRE(overlap(r.state, x.col(0)) == TestType(1));
    REQUIRE(dam.energy(r.state) == -std::numeric_limits<TestType>::infinity());
    const auto log_e = dam.log_energy(r.state);
    REQUIRE(log_e.sign == TestType(-1));
    REQUIRE(static_cast<double>(log_e.log_abs) ==
            Approx(static_cast<double>(std::log(-dense_ref::energy(x, r.state, reference)))).epsilon(1e-6));
  }
}

TEST_CASE("dense custom: the memory runs the interaction's validate()", "[dense][custom]") {
  const auto x = random_binary_patterns<double>(10, 3, 1);
  REQUIRE_NOTHROW(dense_associative_memory<double, shifted_cube>(x, {.offset = 0.5}));
  REQUIRE_THROWS_WITH((dense_associative_memory<double, shifted_cube>(x, {.offset = INFINITY})),
                      test::contains("offset must be finite"));
  REQUIRE_THROWS_AS((interaction_energy<double, shifted_cube>(x, {.offset = NAN})), std::invalid_argument);
}
