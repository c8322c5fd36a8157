// hopfield::attention (rows are tokens) against a naive row-by-row softmax(scale Q K^T) V in
// long double, its equality with the hetero-associative modern Hopfield update, masks (a fully
// masked row gives zeros, never NaN), extreme scales and bad input.
#include <catch.hpp>

#include <cmath>
#include <limits>

#include <hopfield/analysis/patterns.hpp>
#include <hopfield/memory/attention.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

#include "gaussian.hpp"

#include "test_modern_reference.hpp"

using namespace hopfield;
using test::gaussian;

namespace {
using bool_matrix = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>;

/// Row i: sum_j softmax_j(scale q_i . k_j over allowed j) v_j; zeros when no key is allowed.
template <class Scalar>
test::ld_matrix naive_attention(const matrix_t<Scalar>& q, const matrix_t<Scalar>& k,
                                const matrix_t<Scalar>& v, long double scale, const bool_matrix* mask) {
  test::ld_matrix out = test::ld_matrix::Zero(q.rows(), v.cols());
  for (index_t i = 0; i < q.rows(); ++i) {
    long double top = -std::numeric_limits<long double>::infinity();
    std::vector<long double> s(static_cast<std::size_t>(k.rows()), 0);
    for (index_t j = 0; j < k.rows(); ++j) {
      if (mask != nullptr && !(*mask)(i, j)) continue;
      long double dot = 0;
      for (index_t d = 0; d < q.cols(); ++d)
        dot += static_cast<long double>(q(i, d)) * static_cast<long double>(k(j, d));
      s[static_cast<std::size_t>(j)] = scale * dot;
      top = std::max(top, scale * dot);
    }
    if (top == -std::numeric_limits<long double>::infinity()) continue;
    long double sum = 0;
    for (index_t j = 0; j < k.rows(); ++j) {
      if (mask != nullptr && !(*mask)(i, j)) continue;
      sum += std::exp(s[static_cast<std::size_t>(j)] - top);
    }
    for (index_t j = 0; j < k.rows(); ++j) {
      if (mask != nullptr && !(*mask)(i, j)) continue;
      const long double w = std::exp(s[static_cast<std::size_t>(j)] - top) / sum;
      for (index_t d = 0; d < v.cols(); ++d) out(i, d) += w * static_cast<long double>(v(j, d));
    }
  }
  return out;
}

template <class Scalar>
constexpr long double tolerance() {
  return std::is_same_v<Scalar, float> ? 2e-5L : 1e-12L;
}
}  // namespace

TEMPLATE_TEST_CASE("attention: equals a naive softmax(Q K^T / sqrt(d)) V", "[attention]", float, double) {
  random_engine rng(3);
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    const auto nq = static_cast<index_t>(1 + uniform_below(rng, 12));
    const auto nk = static_cast<index_t>(1 + uniform_below(rng, 40));
    const auto dk = static_cast<index_t>(1 + uniform_below(rng, 32));
    const auto dv = static_cast<index_t>(1 + uniform_below(rng, 16));
    const auto q = gaussian<TestType>(nq, dk, seed);
    const auto k = gaussian<TestType>(nk, dk, seed + 100);
    const auto v = gaussian<TestType>(nk, dv, seed + 200);
    const TestType scale =
        TestType(1) / std::sqrt(static_cast<TestType>(dk)) * static_cast<TestType>(1 + seed % 3);
    const matrix_t<TestType> out = attention(q, k, v, scale);
    REQUIRE(out.rows() == nq);
    REQUIRE(out.cols() == dv);
    REQUIRE(test::relative_difference(out, naive_attention(q, k, v, scale, nullptr)) <=
            tolerance<TestType>());
    // The same as the hetero-associative Hopfield update with keys K^T, values V^T, beta = scale.
    const modern_hopfield<TestType> assoc(k.transpose(), v.transpose(), {.beta = scale});
    const matrix_t<TestType> hopfield_out = assoc.update(q.transpose()).transpose();
    REQUIRE(test::relative_difference(hopfield_out, out) <= tolerance<TestType>());
  }
}

TEMPLATE_TEST_CASE("attention: masks remove keys; a fully masked row is zero, never NaN", "[attention][mask]",
                   float, double) {
  random_engine rng(9);
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const index_t nq = 6, nk = 9, d = 8;
    const auto q = gaussian<TestType>(nq, d, seed);
    const auto k = gaussian<TestType>(nk, d, seed + 1);
    const auto v = gaussian<TestType>(nk, 5, seed + 2);
    bool_matrix mask(nq, nk);
    for (index_t i = 0; i < nq; ++i) {
      for (index_t j = 0; j < nk; ++j) mask(i, j) = uniform_below(rng, 3) != 0;
    }
    mask.row(2).setConstant(false);     // a fully masked query
    for (index_t i = 0; i < nq; ++i) {  // causal-style: row 4 sees only key 0
      if (i == 4) {
        mask.row(4).setConstant(false);
        mask(4, 0) = true;
      }
    }
    const matrix_t<TestType> out = attention(q, k, v, TestType(0.35), mask);
    REQUIRE(out.allFinite());
    REQUIRE(out.row(2).isZero(0));
    REQUIRE(test::relative_difference(out.row(4), v.row(0)) <= tolerance<TestType>());
    REQUIRE(test::relative_difference(out, naive_attention(q, k, v, TestType(0.35), &mask)) <=
            tolerance<TestType>());
    // An all-true mask is no mask; arrays are accepted as masks.
    const Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> all =
        Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(nq, nk, true);
    REQUIRE(attention(q, k, v, TestType(0.35), all) == attention(q, k, v, TestType(0.35)));
  }
}

TEMPLATE_TEST_CASE("attention: huge scales and large scores stay finite", "[attention][extreme]", float,
                   double) {
  const auto k = random_sphere_patterns<TestType>(16, 20, 4, TestType(100)).transpose().eval();
  const auto v = gaussian<TestType>(20, 3, 5);
  const matrix_t<TestType> q = k.topRows(4);
  const matrix_t<TestType> out = attention(q, k, v, TestType(1e4));
  REQUIRE(out.allFinite());
  REQUIRE(test::relative_difference(out, v.topRows(4)) <= tolerance<TestType>());  // one-hot
}

TEST_CASE("attention: bad input throws naming the argument", "[attention][errors]") {
  const matrix_t<double> q = matrix_t<double>::Ones(3, 4), k = matrix_t<double>::Ones(5, 4),
                         v = matrix_t<double>::Ones(5, 2);
  REQUIRE_THROWS_WITH(attention(q, matrix_t<double>::Ones(5, 3), v, 0.5),
                      test::contains("attention") && test::contains("'queries'") && test::contains("= 3") &&
                          test::contains("= 4"));
  REQUIRE_THROWS_WITH(attention(q, k, matrix_t<double>::Ones(4, 2), 0.5),
                      test::contains("'values'") && test::contains("= 5") && test::contains("= 4"));
  REQUIRE_THROWS_WITH(attention(q, k, v, 0.0), test::contains("'scale'") && test::contains("got 0"));
  REQUIRE_THROWS_WITH(attention(q, matrix_t<double>(0, 4), matrix_t<double>(0, 2), 0.5),
                      test::contains("'keys'") && test::contains("non-empty"));
  matrix_t<double> bad = k;
  bad(1, 1) = std::numeric_limits<double>::quiet_NaN();
  REQUIRE_THROWS_WITH(attention(q, bad, v, 0.5), test::contains("'keys'") && test::contains("(1, 1)"));
  REQUIRE_THROWS_WITH(attention(q, k, v, 0.5, bool_matrix::Constant(3, 4, true)),
                      test::contains("'mask'") && test::contains("= 5") && test::contains("= 4"));
}
