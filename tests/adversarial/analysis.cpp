// Adversarial suite, room analysis/: every public entry point (capacity formulas, pattern
// generators and corruption, overlap, separation, the one-step retrieval bound, the fixed-point
// classification and Lemma A3's condition) against bad arguments (NaN, infinities, signed zeros,
// empty and mis-shaped inputs, out-of-range options), the extremes of every scalar (0, subnormals,
// the largest double, the largest int and index), and odd layouts (row-major, strided blocks,
// expressions). Defects 3, 4, 9 and 10 of issue 14 are pinned in tests/unit (test_capacity.cpp,
// test_analysis_modern.cpp) and exercised again here at the edges.
#include "adversarial_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace hopfield;
using adversarial::require_throws;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double qnan = std::numeric_limits<double>::quiet_NaN();
constexpr double dmax = std::numeric_limits<double>::max();
constexpr double dmin = std::numeric_limits<double>::min();
constexpr double denorm = std::numeric_limits<double>::denorm_min();
constexpr int int_max = std::numeric_limits<int>::max();
constexpr int int_min = std::numeric_limits<int>::min();

/// A number (finite, +inf or 0), never NaN, never negative: what every capacity formula returns.
bool is_count(double value) {
  return !std::isnan(value) && value >= 0.0;
}

/// A row-major copy and a strided view (every other column of a wider matrix) of `x`.
template <class Scalar>
struct layouts {
  explicit layouts(const matrix_t<Scalar>& x) : row_major(x), wide(x.rows(), 2 * x.cols()) {
    wide.setConstant(Scalar(7));
    for (index_t j = 0; j < x.cols(); ++j) wide.col(2 * j) = x.col(j);
  }
  [[nodiscard]] auto strided() const {
    return Eigen::Map<const matrix_t<Scalar>, 0, Eigen::OuterStride<>>(
        wide.data(), wide.rows(), wide.cols() / 2, Eigen::OuterStride<>(2 * wide.rows()));
  }
  row_major_matrix_t<Scalar> row_major;
  matrix_t<Scalar> wide;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// capacity.hpp
// ---------------------------------------------------------------------------------------------

TEST_CASE("analysis: every capacity formula rejects a bad n with its own name", "[adversarial][analysis]") {
  for (const double n : {qnan, inf, -inf, 0.0, -0.0, 1.0, 1.9999999999999998, -2.0, denorm}) {
    CAPTURE(n);
    require_throws<std::invalid_argument>([&] { (void)ags_capacity(n); },
                                          "hopfield::ags_capacity: argument 'n'",
                                          "a finite number of neurons >= 2");
    require_throws<std::invalid_argument>([&] { (void)mceliece_capacity(n); }, "mceliece_capacity", "'n'");
    require_throws<std::invalid_argument>([&] { (void)storkey_capacity(n); }, "storkey_capacity", "'n'");
    require_throws<std::invalid_argument>([&] { (void)pseudo_inverse_capacity(n); },
                                          "pseudo_inverse_capacity", "'n'");
    require_throws<std::invalid_argument>([&] { (void)krotov_hopfield_capacity(n, 3); },
                                          "krotov_hopfield_capacity", "'n'");
    require_throws<std::invalid_argument>([&] { (void)krotov_hopfield_capacity_with_errors(n, 3, 0.01); },
                                          "krotov_hopfield_capacity_with_errors", "'n'");
    require_throws<std::invalid_argument>([&] { (void)demircigil_capacity(n); }, "demircigil_capacity",
                                          "'n'");
  }
}

TEST_CASE("analysis: capacity formulas at the extremes of n give numbers, +inf at worst",
          "[adversarial][analysis]") {
  for (const double n : {2.0, 2.0000000000000004, 1e6, 1e300, dmax}) {
    CAPTURE(n);
    CHECK(is_count(ags_capacity(n)));
    CHECK(std::isfinite(ags_capacity(n)));
    CHECK(std::isfinite(mceliece_capacity(n, mceliece_requirement::each_pattern, 0.4999999999999999)));
    CHECK(std::isfinite(storkey_capacity(n)));
    CHECK(pseudo_inverse_capacity(n) == n);
    for (const int degree : {2, 3, 50, 1000, int_max}) {
      CAPTURE(degree);
      CHECK(is_count(krotov_hopfield_capacity(n, degree)));
      for (const double rate : {denorm, 1e-300, 0.01, 0.49999999999999994}) {
        CHECK(is_count(krotov_hopfield_capacity_with_errors(n, degree, rate)));
      }
    }
    CHECK(is_count(demircigil_capacity(n, 0.4999999999999999)));
  }
  CHECK(demircigil_capacity(dmax) == inf);  // documented: +inf beyond double's range
  CHECK(krotov_hopfield_capacity(dmax, 3) == inf);
  CHECK(krotov_hopfield_capacity(2, int_max) == 0.0);
  // n = 2 has ln ln n < 0: still a positive count.
  CHECK(krotov_hopfield_capacity(2, 2) == Approx(2.0 / (2.0 * std::log(2.0))));
}

TEST_CASE("analysis: degree, error rate, rho, a and the requirement are range-checked",
          "[adversarial][analysis]") {
  for (const int degree : {int_min, -1, 0, 1}) {
    CAPTURE(degree);
    require_throws<std::invalid_argument>([&] { (void)krotov_hopfield_capacity(100, degree); },
                                          "krotov_hopfield_capacity: argument 'degree'",
                                          "an interaction degree >= 2", "got " + std::to_string(degree));
    require_throws<std::invalid_argument>([&] { (void)krotov_hopfield_alpha(degree, 0.01); },
                                          "krotov_hopfield_alpha", "'degree'");
    require_throws<std::invalid_argument>(
        [&] { (void)krotov_hopfield_capacity_with_errors(100, degree, 0.01); },
        "krotov_hopfield_capacity_with_errors", "'degree'");
  }
  for (const double rate : {qnan, inf, -inf, 0.0, -0.0, -denorm, 0.5, 0.50000000000000011, 1.0}) {
    CAPTURE(rate);
    require_throws<std::invalid_argument>([&] { (void)krotov_hopfield_alpha(3, rate); },
                                          "krotov_hopfield_alpha: argument 'error_rate'", "(0, 0.5)");
    require_throws<std::invalid_argument>([&] { (void)krotov_hopfield_capacity_with_errors(100, 3, rate); },
                                          "krotov_hopfield_capacity_with_errors", "'error_rate'");
  }
  for (const double rho : {qnan, inf, -denorm, -0.1, 0.5, 1.0}) {
    CAPTURE(rho);
    require_throws<std::invalid_argument>(
        [&] { (void)mceliece_capacity(100, mceliece_requirement::all_patterns, rho); },
        "mceliece_capacity: argument 'rho'", "[0, 0.5)");
    require_throws<std::invalid_argument>([&] { (void)demircigil_rate(rho); }, "demircigil_rate", "'rho'");
    require_throws<std::invalid_argument>([&] { (void)demircigil_capacity(100, rho); }, "demircigil_capacity",
                                          "'rho'");
  }
  for (const double a : {qnan, inf, -inf, 1.0000000000000002, -1.0000000000000002}) {
    CAPTURE(a);
    require_throws<std::invalid_argument>([&] { (void)cramer_rate(a); }, "cramer_rate: argument 'a'",
                                          "[-1, 1]");
  }
  require_throws<std::invalid_argument>(
      [] { (void)mceliece_capacity(100, static_cast<mceliece_requirement>(7)); },
      "mceliece_capacity: argument 'requirement'", "got 7");
}

TEST_CASE("analysis: rate functions at the ends of their domains", "[adversarial][analysis]") {
  CHECK(cramer_rate(1.0) == Approx(std::log(2.0)));
  CHECK(cramer_rate(-1.0) == Approx(std::log(2.0)));
  CHECK(cramer_rate(-0.0) == 0.0);
  CHECK(cramer_rate(denorm) == 0.0);  // a^2 / 2 underflows
  CHECK(demircigil_rate(0.0) == Approx(std::log(2.0) / 2));
  CHECK(demircigil_rate(0.4999999999999999) > 0.0);
  CHECK(demircigil_rate(0.4999999999999999) < 1e-30);
  CHECK(demircigil_rate(denorm) == Approx(std::log(2.0) / 2));
  // alpha_n through the whole error-rate range: positive, finite, decreasing with the degree.
  for (const double rate : {denorm, dmin, 1e-300, 1e-17, 0.01, 0.49999999999999994}) {
    CAPTURE(rate);
    const double a2 = krotov_hopfield_alpha(2, rate);
    CHECK(std::isfinite(a2));
    CHECK(a2 > 0.0);
    CHECK(krotov_hopfield_alpha(3, rate) == Approx(a2 / 3));
    CHECK(krotov_hopfield_alpha(int_max, rate) == 0.0);  // underflows, no NaN and no 2^30 loop
  }
}

TEST_CASE("analysis: ramsauer_capacity rejects bad arguments and stays finite in log space",
          "[adversarial][analysis]") {
  for (const double d : {qnan, inf, -inf, 0.0, 1.0, 1.9999999999999998, ramsauer_max_dimension * 2, dmax}) {
    CAPTURE(d);
    require_throws<std::invalid_argument>([&] { (void)ramsauer_capacity(d, 1, 1, 0.01); },
                                          "ramsauer_capacity: argument 'dimension'", "[2, 2^53]");
  }
  for (const double v : {qnan, inf, -inf, 0.0, -0.0, -1.0}) {
    CAPTURE(v);
    require_throws<std::invalid_argument>([&] { (void)ramsauer_capacity(10, v, 1, 0.01); }, "argument 'beta'",
                                          "a finite value > 0");
    require_throws<std::invalid_argument>([&] { (void)ramsauer_capacity(10, 1, v, 0.01); },
                                          "argument 'radius_factor'", "a finite value > 0");
  }
  for (const double p : {qnan, inf, 0.0, -0.0, -denorm, 1.0000000000000002}) {
    CAPTURE(p);
    require_throws<std::invalid_argument>([&] { (void)ramsauer_capacity(10, 1, 1, p); },
                                          "argument 'failure_probability'", "(0, 1]");
  }
  // Defect 10: accepted extremes never give NaN; c and capacity may be +inf (or 0) where the true
  // value is out of range, their logarithms are always finite, and `valid` is the theorem's test.
  for (const double d : {2.0, 20.0, 1e9, ramsauer_max_dimension}) {
    for (const double beta : {denorm, dmin, 1.0, dmax}) {
      for (const double k : {denorm, 1e-160, 1.0, 1e160, dmax}) {
        for (const double p : {denorm, 1e-10, 1.0}) {
          CAPTURE(d, beta, k, p);
          const auto r = ramsauer_capacity(d, beta, k, p);
          REQUIRE(std::isfinite(r.a));
          REQUIRE(std::isfinite(r.log_c));
          REQUIRE(std::isfinite(r.log_capacity));
          REQUIRE(is_count(r.b));
          REQUIRE(is_count(r.c));
          REQUIRE(is_count(r.capacity));
          if (std::isfinite(r.c) && r.c > dmin) REQUIRE(std::log(r.c) == Approx(r.log_c).margin(1e-12));
          REQUIRE(r.valid == (r.log_c >= 4.0 / (d - 1.0) * (std::log(2.0) - 0.5 * std::log(p))));
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// patterns.hpp
// ---------------------------------------------------------------------------------------------

TEST_CASE("analysis: pattern generators reject bad sizes and radii", "[adversarial][analysis]") {
  for (const auto& size : std::vector<std::pair<index_t, index_t>>{
           {0, 3}, {3, 0}, {-1, 3}, {3, -1}, {0, 0}, {std::numeric_limits<index_t>::min(), 1}}) {
    const index_t n = size.first, m = size.second;
    CAPTURE(n, m);
    require_throws<std::invalid_argument>([&] { (void)random_binary_patterns<double>(n, m, 1); },
                                          "random_binary_patterns: argument 'N, M'", "sizes > 0");
    require_throws<std::invalid_argument>([&] { (void)random_sphere_patterns<float>(n, m, 1); },
                                          "random_sphere_patterns: argument 'N, M'");
  }
  for (const double radius : {qnan, inf, -inf, 0.0, -0.0, -1.0}) {
    CAPTURE(radius);
    require_throws<std::invalid_argument>([&] { (void)random_sphere_patterns<double>(4, 2, 1, radius); },
                                          "random_sphere_patterns: argument 'radius'", "a finite value > 0");
  }
}

TEST_CASE("analysis: sizes that cannot be allocated throw std::bad_alloc, nothing else",
          "[adversarial][analysis]") {
  // N M overflows the index type: Eigen refuses before allocating.
  const index_t half = index_t{1} << 32;
  CHECK_THROWS_AS(random_binary_patterns<double>(half, half, 0), std::bad_alloc);
  adversarial::address_space_cap cap(std::uint64_t{1} << 30);
  if (!cap.active()) return;
  CHECK_THROWS_AS(random_sphere_patterns<double>(index_t{1} << 20, index_t{1} << 12, 0), std::bad_alloc);
}

TEST_CASE("analysis: random patterns are seeded, exact and finite at every radius",
          "[adversarial][analysis]") {
  const auto a = random_binary_patterns<float>(70, 5, 9);
  CHECK(a == random_binary_patterns<float>(70, 5, 9));
  CHECK(a != random_binary_patterns<float>(70, 5, 10));
  CHECK((a.array().abs() == 1.0f).all());
  CHECK(random_binary_patterns<double>(1, 1, std::numeric_limits<std::uint64_t>::max()).cwiseAbs()(0, 0) ==
        1.0);
  for (const double radius : {denorm, dmin, 1e-300, 1.0, 1e300, dmax}) {
    for (const index_t n : {index_t{1}, index_t{2}, index_t{50}}) {
      CAPTURE(radius, n);
      const auto x = random_sphere_patterns<double>(n, 20, 4, radius);
      REQUIRE(x.allFinite());
      if (radius >= 1e-300) {
        for (index_t j = 0; j < x.cols(); ++j)
          REQUIRE((x.col(j) / radius).norm() == Approx(1.0).epsilon(1e-12));
      }
      REQUIRE(x == random_sphere_patterns<double>(n, 20, 4, radius));
    }
  }
  const float fmax = std::numeric_limits<float>::max();
  const auto xf = random_sphere_patterns<float>(3, 40, 2, fmax);
  CHECK(xf.allFinite());
  // N = 1: every pattern is +-radius.
  const auto line = random_sphere_patterns<double>(1, 64, 5, 2.5);
  CHECK((line.array().abs() - 2.5).abs().maxCoeff() < 1e-15);
}

TEST_CASE("analysis: flip_bits and corrupt check their counts and layouts", "[adversarial][analysis]") {
  const auto x = random_binary_patterns<double>(10, 4, 1);
  for (const index_t flips :
       {index_t{-1}, index_t{11}, std::numeric_limits<index_t>::max(), std::numeric_limits<index_t>::min()}) {
    CAPTURE(flips);
    require_throws<std::invalid_argument>([&] { (void)flip_bits(x, flips, 1); },
                                          "flip_bits: argument 'flips'", "a count in [0, 10]");
  }
  CHECK(flip_bits(x, 0, 1) == x);
  CHECK(flip_bits(x, 10, 1) == -x);
  const matrix_t<double> three = flip_bits(x, 3, 8);
  for (index_t j = 0; j < x.cols(); ++j) CHECK((three.col(j).array() != x.col(j).array()).count() == 3);
  CHECK(three == flip_bits(x, 3, 8));
  // Row-major and strided inputs give the same draws.
  const layouts<double> l(x);
  CHECK(flip_bits(l.row_major, 3, 8) == three);
  CHECK(flip_bits(l.strided(), 3, 8) == three);
  CHECK(flip_bits(x.transpose().transpose(), 3, 8) == three);
  // Empty states: zero rows allow only zero flips; zero columns are a no-op.
  CHECK(flip_bits(matrix_t<double>(0, 3), 0, 1).size() == 0);
  CHECK(flip_bits(matrix_t<double>(5, 0), 5, 1).size() == 0);
  require_throws<std::invalid_argument>([] { (void)flip_bits(matrix_t<double>(0, 3), 1, 1); }, "'flips'",
                                        "[0, 0]");
  for (const double rho : {qnan, inf, -inf, -denorm, 1.0000000000000002}) {
    CAPTURE(rho);
    require_throws<std::invalid_argument>([&] { (void)corrupt(x, rho, 1); }, "corrupt: argument 'rho'",
                                          "[0, 1]");
  }
  CHECK(corrupt(x, 0.0, 1) == x);
  CHECK(corrupt(x, denorm, 1) == x);
  CHECK(corrupt(x, 1.0, 1) == -x);
  CHECK(corrupt(x, 0.3, 8) == three);
}

TEST_CASE("analysis: add_gaussian_noise checks sigma and never invents a NaN", "[adversarial][analysis]") {
  const auto x = random_binary_patterns<double>(6, 3, 1);
  for (const double sigma : {qnan, inf, -inf, -denorm, -1.0}) {
    CAPTURE(sigma);
    require_throws<std::invalid_argument>([&] { (void)add_gaussian_noise(x, sigma, 1); },
                                          "add_gaussian_noise: argument 'sigma'", "a finite value >= 0");
  }
  CHECK(add_gaussian_noise(x, 0.0, 1) == x);
  CHECK(add_gaussian_noise(x, -0.0, 1) == x);
  CHECK(add_gaussian_noise(matrix_t<double>(0, 4), 1.0, 1).size() == 0);
  // The largest sigma: entries may overflow to +-inf (documented), never NaN.
  const auto loud = add_gaussian_noise(x, dmax, 2);
  CHECK(!loud.hasNaN());
  const layouts<double> l(x);
  CHECK(add_gaussian_noise(l.row_major, 0.5, 3) == add_gaussian_noise(x, 0.5, 3));
  CHECK(add_gaussian_noise(l.strided(), 0.5, 3) == add_gaussian_noise(x, 0.5, 3));
}

TEST_CASE("analysis: overlap rejects bad states and survives huge entries", "[adversarial][analysis]") {
  const vector_t<double> a = vector_t<double>::Ones(4);
  require_throws<std::invalid_argument>([&] { (void)overlap(a, vector_t<double>::Ones(5)); },
                                        "overlap: argument 'b'", "size = 4", "size = 5");
  require_throws<std::invalid_argument>([] { (void)overlap(vector_t<double>(0), vector_t<double>(0)); },
                                        "overlap: argument 'a'", "a non-empty state");
  vector_t<double> with_nan = a;
  with_nan(2) = qnan;
  require_throws<std::invalid_argument>([&] { (void)overlap(with_nan, a); }, "overlap: argument 'a'",
                                        "finite entries", "at (2, 0)");
  vector_t<double> with_inf = a;
  with_inf(1) = -inf;
  require_throws<std::invalid_argument>([&] { (void)overlap(a, with_inf); }, "overlap: argument 'b'", "-inf");
  // Products that overflow: (1e300, 1e300) . (1e300, -1e300) is inf - inf in the plain sum.
  vector_t<double> p(2), q(2);
  p << 1e300, 1e300;
  q << 1e300, -1e300;
  // The true overlap is 0; the rounding error of the (scaled) products, about 1e-16 of 1e600,
  // lies beyond the range itself, so any value is within rounding: it must just not be NaN.
  CHECK(!std::isnan(overlap(p, q)));
  CHECK(overlap(p, p) == inf);  // 1e600: beyond the range, honestly +inf
  // Each product overflows, the overlap does not: (1e309 - 0.999999e309) / 2 = 5e302.
  p << 1e300, -1e300;
  q << 1e9, 0.999999e9;
  const long double expected = (1e300L * 1e9L - 1e300L * 0.999999e9L) / 2;
  CHECK(overlap(p, q) == Approx(static_cast<double>(expected)).epsilon(1e-9));
  // Shapes do not matter, only the length: a row and a 2 x 2 block against a column.
  const vector_t<double> c = vector_t<double>::LinSpaced(4, 1, 4);
  const row_vector_t<double> r = c.transpose();
  const matrix_t<double> square = c.reshaped(2, 2);
  CHECK(overlap(c, c) == Approx(30.0 / 4));
  CHECK(overlap(r, c.transpose()) == Approx(30.0 / 4));
  CHECK(overlap(square, c.reshaped(2, 2)) == Approx(30.0 / 4));
  const vector_t<float> f = vector_t<float>::Ones(3);
  CHECK(overlap(f, f) == 1.0f);
}

// ---------------------------------------------------------------------------------------------
// separation.hpp
// ---------------------------------------------------------------------------------------------

TEST_CASE("analysis: separation rejects empty, single and non-finite pattern sets",
          "[adversarial][analysis]") {
  require_throws<std::invalid_argument>([] { (void)separation(matrix_t<double>(0, 3)); },
                                        "separation: argument 'patterns'", "a non-empty matrix", "0 x 3");
  require_throws<std::invalid_argument>([] { (void)separation(matrix_t<double>(3, 0)); }, "'patterns'",
                                        "3 x 0");
  require_throws<std::invalid_argument>([] { (void)separation(matrix_t<double>::Ones(3, 1)); },
                                        "at least 2 columns", "got 1");
  for (const double bad : {qnan, inf, -inf}) {
    matrix_t<double> x = matrix_t<double>::Ones(3, 4);
    x(1, 2) = bad;
    require_throws<std::invalid_argument>([&] { (void)separation(x); }, "separation: argument 'patterns'",
                                          "finite entries", "at (1, 2)");
  }
}

TEST_CASE("analysis: separation at every magnitude and layout", "[adversarial][analysis]") {
  const auto x = adversarial::gaussian<double>(5, 300, 3);  // crosses a 256-column block
  const vector_t<double> plain = separation(x);
  const layouts<double> l(x);
  CHECK(separation(l.row_major).isApprox(plain, 1e-13));
  CHECK(separation(l.strided()).isApprox(plain, 1e-13));
  CHECK(separation(x * 2.0).isApprox(4.0 * plain, 1e-13));  // an expression
  // Powers of two scale Delta by their square, exactly or to +-inf: never NaN.
  for (const int e : {-1074, -1000, -600, -540, -200, 0, 200, 500, 510, 520, 1000}) {
    CAPTURE(e);
    const matrix_t<double> scaled = x * std::ldexp(1.0, e);
    const vector_t<double> delta = separation(scaled);
    REQUIRE(!delta.hasNaN());
    for (index_t i = 0; i < delta.size(); ++i) {
      const double expected = std::ldexp(plain(i), 2 * e);
      if (std::isinf(expected) || e >= -500) {
        REQUIRE(delta(i) == Approx(expected).epsilon(1e-12));
      } else {
        REQUIRE(std::abs(delta(i) - expected) <= std::ldexp(std::abs(plain(i)), 2 * e) * 1e-12 + 1e-300);
      }
    }
  }
  // Duplicated columns: Delta = 0 up to rounding, which at the largest magnitude is scaled up
  // with it (possibly to +-inf), but never NaN.
  matrix_t<double> same(3, 2);
  same.col(0) << 0.5, -1.0 / 3, 0.2;
  same.col(1) = same.col(0);
  CHECK(separation(same).cwiseAbs().maxCoeff() < 1e-15);
  CHECK(!separation(matrix_t<double>(same * dmax)).hasNaN());
  // float and long double take the same path.
  const matrix_t<float> xf = (x.leftCols(10) * 1e19).cast<float>();
  CHECK(!separation(xf).hasNaN());
  const matrix_t<long double> xl = x.leftCols(10).cast<long double>() * 1e2467L;
  const vector_t<long double> dl = separation(xl);
  CHECK(!dl.hasNaN());
}

// ---------------------------------------------------------------------------------------------
// retrieval_bound.hpp
// ---------------------------------------------------------------------------------------------

TEST_CASE("analysis: the scalar one-step bound checks every ingredient", "[adversarial][analysis]") {
  const std::string f = "retrieval_error_bound";
  for (const index_t m : {index_t{0}, index_t{-1}, std::numeric_limits<index_t>::min()}) {
    require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound<double>(m, 1, 1, 0, 1); },
                                          f + ": argument 'patterns'", "a count >= 1");
  }
  for (const double v : {qnan, inf, -inf, 0.0, -0.0, -1.0}) {
    CAPTURE(v);
    require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound<double>(3, v, 1, 0, 1); },
                                          "'beta'");
  }
  for (const double v : {qnan, inf, -inf}) {
    require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound<double>(3, 1, v, 0, 1); },
                                          "'separation'", "a finite value");
  }
  for (const double v : {qnan, inf, -inf, -denorm, -1.0}) {
    CAPTURE(v);
    require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound<double>(3, 1, 1, v, 1); },
                                          "'radius'", "a finite value >= 0");
    require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound<double>(3, 1, 1, 0, v); },
                                          "'largest_norm'", "a finite value >= 0");
  }
  // Extremes: a number (0, finite or +inf), never NaN, in every scalar type.
  const auto sweep = []<class Scalar>(Scalar) {
    using limits = std::numeric_limits<Scalar>;
    const Scalar top = limits::max(), low = limits::denorm_min();
    for (const index_t m : {index_t{1}, index_t{2}, std::numeric_limits<index_t>::max()}) {
      for (const Scalar beta : {low, Scalar(1), top}) {
        for (const Scalar sep : {-top, Scalar(-1), Scalar(0), Scalar(1), top}) {
          for (const Scalar radius : {Scalar(0), low, Scalar(1), top}) {
            for (const Scalar norm : {Scalar(0), low, Scalar(1), top}) {
              CAPTURE(m, beta, sep, radius, norm);
              const Scalar b = retrieval_error_bound<Scalar>(m, beta, sep, radius, norm);
              REQUIRE(!std::isnan(b));
              REQUIRE(b >= Scalar(0));
              if (m == 1 || norm == Scalar(0)) REQUIRE(b == Scalar(0));
            }
          }
        }
      }
    }
  };
  sweep(0.0f);
  sweep(0.0);
  sweep(0.0L);
  CHECK(retrieval_error_bound<double>(2, dmax, -dmax, 0, 1) == inf);
  CHECK(retrieval_error_bound<double>(2, dmax, dmax, 0, dmax) == 0.0);
}

TEST_CASE("analysis: the matrix one-step bound checks shapes, indices and entries",
          "[adversarial][analysis]") {
  const auto x = random_sphere_patterns<double>(6, 4, 1);
  const vector_t<double> s = x.col(2);
  const std::string f = "retrieval_error_bound: argument ";
  require_throws<std::invalid_argument>(
      [&] { (void)retrieval_error_bound(matrix_t<double>(0, 4), 1.0, 0, s, s); }, f + "'patterns'",
      "a non-empty matrix", "0 x 4");
  require_throws<std::invalid_argument>(
      [&] { (void)retrieval_error_bound(matrix_t<double>(6, 0), 1.0, 0, s, s); }, f + "'patterns'", "6 x 0");
  for (const index_t i : {index_t{-1}, index_t{4}, std::numeric_limits<index_t>::max()}) {
    require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound(x, 1.0, i, s, s); }, f + "'i'",
                                          "an index in [0, 4)");
  }
  for (const double beta : {qnan, inf, 0.0, -1.0}) {
    require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound(x, beta, 0, s, s); },
                                          f + "'beta'");
  }
  // Defect 4: size 6 but another shape, and other sizes.
  const row_vector_t<double> row = s.transpose();
  require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound(x, 1.0, 0, row, s); },
                                        f + "'state'", "a column vector of size 6", "got 1 x 6");
  require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound(x, 1.0, 0, s.reshaped(2, 3), s); },
                                        f + "'state'", "got 2 x 3");
  require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound(x, 1.0, 0, s, s.reshaped(3, 2)); },
                                        f + "'fixed_point'", "got 3 x 2");
  require_throws<std::invalid_argument>(
      [&] { (void)retrieval_error_bound(x, 1.0, 0, vector_t<double>(0), s); }, f + "'state'", "got 0 x 1");
  require_throws<std::invalid_argument>(
      [&] { (void)retrieval_error_bound(x, 1.0, 0, s, vector_t<double>::Ones(7)); }, f + "'fixed_point'",
      "7 x 1");
  for (const double bad : {qnan, inf, -inf}) {
    vector_t<double> t = s;
    t(3) = bad;
    require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound(x, 1.0, 0, t, s); },
                                          f + "'state'", "finite entries", "at (3, 0)");
    require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound(x, 1.0, 0, s, t); },
                                          f + "'fixed_point'", "at (3, 0)");
    matrix_t<double> y = x;
    y(5, 1) = bad;
    require_throws<std::invalid_argument>([&] { (void)retrieval_error_bound(y, 1.0, 0, s, s); },
                                          f + "'patterns'", "at (5, 1)");
  }
}

TEST_CASE("analysis: the matrix one-step bound at every magnitude and layout", "[adversarial][analysis]") {
  const auto x = random_sphere_patterns<double>(6, 5, 1);
  const vector_t<double> xi = add_gaussian_noise(x.col(2), 0.05, 3);
  const vector_t<double> star = x.col(2);
  const double plain = retrieval_error_bound(x, 2.0, 2, xi, star);
  // It is the scalar formula on Delta_i, the radius and L.
  const double radius = std::max((xi - x.col(2)).norm(), (star - x.col(2)).norm());
  CHECK(plain ==
        Approx(retrieval_error_bound<double>(5, 2.0, separation(x)(2), radius, x.colwise().norm().maxCoeff()))
            .epsilon(1e-12));
  const layouts<double> l(x);
  CHECK(retrieval_error_bound(l.row_major, 2.0, 2, xi, star) == Approx(plain).epsilon(1e-12));
  CHECK(retrieval_error_bound(l.strided(), 2.0, 2, xi, star) == Approx(plain).epsilon(1e-12));
  const row_major_matrix_t<double> states = xi.transpose().replicate(3, 1).transpose();
  CHECK(retrieval_error_bound(x, 2.0, 2, states.col(1), star) == Approx(plain).epsilon(1e-12));
  CHECK(retrieval_error_bound(x, 2.0, 2, xi * 1.0, star + vector_t<double>::Zero(6)) ==
        Approx(plain).epsilon(1e-12));
  // One pattern, or all patterns 0: the update returns x_i exactly.
  CHECK(retrieval_error_bound(matrix_t<double>(x.leftCols(1)), 2.0, 0, xi, star) == 0.0);
  CHECK(retrieval_error_bound(matrix_t<double>::Zero(6, 5), 2.0, 1, xi, star) == 0.0);
  // Scaling the patterns and states by 2^e and beta by 2^-2e leaves the exponent as it was and
  // multiplies the bound by 2^e (while beta stays a normal double).
  for (const int e : {-510, -300, -1, 0, 1, 300, 510}) {
    CAPTURE(e);
    const double s = std::ldexp(1.0, e);
    const matrix_t<double> xs = x * s;
    const double b = retrieval_error_bound(xs, std::ldexp(2.0, -2 * e), 2, vector_t<double>(xi * s),
                                           vector_t<double>(star * s));
    REQUIRE(b == Approx(std::ldexp(plain, e)).epsilon(1e-12));
  }
  // beta = 1 at every magnitude, the state at the pattern: finite or 0, never NaN; 8 L while
  // beta Delta is negligible, 0 once it is huge.
  for (const int e : {-1074, -1070, -1000, -540, -300, 0, 300, 511, 512, 1000, 1023}) {
    CAPTURE(e);
    const double s = std::ldexp(1.0, e);
    const matrix_t<double> xs = x * s;
    const vector_t<double> at = star * s;
    const double b = retrieval_error_bound(xs, 1.0, 2, at, at);
    REQUIRE(!std::isnan(b));
    REQUIRE(b >= 0.0);
    if (e > -1000 && e <= -300) REQUIRE(b == Approx(8.0 * x.colwise().norm().maxCoeff() * s).epsilon(1e-6));
    if (e >= 300) REQUIRE(b == 0.0);  // exp(-beta Delta) with Delta ~ 2^600
  }
  // The largest magnitude, beta tiny and the state opposite the pattern: Delta - 2 r L ~ -dmax^2,
  // -beta times it is 5e-324 x 1e616, and the bound is +inf, honestly.
  const matrix_t<double> big = x * (dmax / 4);
  const vector_t<double> far = -big.col(2);
  CHECK(retrieval_error_bound(big, denorm, 2, far, vector_t<double>(big.col(2))) == inf);
  CHECK(retrieval_error_bound(big, 1.0, 2, vector_t<double>(big.col(2)), vector_t<double>(big.col(2))) ==
        0.0);
  // float, and long double up to its largest value (where L itself overflows and the bound is
  // formed in log space).
  const matrix_t<float> xf = x.cast<float>() * 1e20f;  // Delta ~ 1e40 overflows float
  const float bf = retrieval_error_bound(xf, std::numeric_limits<float>::denorm_min(), 2,
                                         vector_t<float>(xf.col(2)), vector_t<float>(xf.col(2)));
  CHECK(bf == Approx(8 * 1e20 * x.colwise().norm().maxCoeff()).epsilon(1e-3));  // beta Delta ~ 1e-5
  const long double lmax = std::numeric_limits<long double>::max();
  matrix_t<long double> xl(4, 2);
  xl.col(0).setConstant(lmax * 0.9L);
  xl.col(1) << lmax * 0.9L, -lmax * 0.9L, lmax * 0.9L, -lmax * 0.9L;
  const vector_t<long double> near = xl.col(0);
  const vector_t<long double> opposite = -xl.col(0);
  const long double ltiny = std::numeric_limits<long double>::denorm_min();
  CHECK(retrieval_error_bound(xl, ltiny, 0, near, near) == 0.0L);
  CHECK(retrieval_error_bound(xl, ltiny, 0, opposite, near) == std::numeric_limits<long double>::infinity());
  CHECK(retrieval_error_bound(xl, 1.0L, 0, opposite, near) == std::numeric_limits<long double>::infinity());
}

// ---------------------------------------------------------------------------------------------
// fixed_points.hpp
// ---------------------------------------------------------------------------------------------

TEST_CASE("analysis: every fixed-point kind has a name", "[adversarial][analysis]") {
  CHECK(to_string(fixed_point_kind::single_pattern) == "single pattern");
  CHECK(to_string(fixed_point_kind::metastable) == "metastable");
  CHECK(to_string(fixed_point_kind::global) == "global");
  CHECK(to_string(static_cast<fixed_point_kind>(9)) == "unknown");
}

TEST_CASE("analysis: classify_fixed_point checks patterns, beta, state and options",
          "[adversarial][analysis]") {
  const auto x = random_sphere_patterns<double>(5, 4, 1);
  const vector_t<double> s = x.col(0);
  const std::string f = "classify_fixed_point: argument ";
  require_throws<std::invalid_argument>([&] { (void)classify_fixed_point(matrix_t<double>(0, 4), 1.0, s); },
                                        f + "'patterns'", "0 x 4");
  require_throws<std::invalid_argument>([&] { (void)classify_fixed_point(matrix_t<double>(5, 0), 1.0, s); },
                                        f + "'patterns'", "5 x 0");
  for (const double bad : {qnan, inf, -inf}) {
    matrix_t<double> y = x;
    y(4, 3) = bad;
    require_throws<std::invalid_argument>([&] { (void)classify_fixed_point(y, 1.0, s); }, f + "'patterns'",
                                          "at (4, 3)");
    vector_t<double> t = s;
    t(1) = bad;
    require_throws<std::invalid_argument>([&] { (void)classify_fixed_point(x, 1.0, t); }, f + "'state'",
                                          "at (1, 0)");
  }
  for (const double beta : {qnan, inf, -inf, 0.0, -0.0, -1.0}) {
    require_throws<std::invalid_argument>([&] { (void)classify_fixed_point(x, beta, s); }, f + "'beta'");
  }
  require_throws<std::invalid_argument>([&] { (void)classify_fixed_point(x, 1.0, vector_t<double>(0)); },
                                        f + "'state'", "a column vector of size 5", "got 0 x 1");
  require_throws<std::invalid_argument>([&] { (void)classify_fixed_point(x, 1.0, row_vector_t<double>(s)); },
                                        f + "'state'", "got 1 x 5");
  require_throws<std::invalid_argument>(
      [&] { (void)classify_fixed_point(x, 1.0, matrix_t<double>::Ones(5, 2)); }, f + "'state'", "got 5 x 2");
  for (const double v : {qnan, inf, -inf, 0.0, -0.0, -0.5, 1.0000000000000002, 2.0}) {
    CAPTURE(v);
    require_throws<std::invalid_argument>(
        [&] { (void)classify_fixed_point(x, 1.0, s, {.single_weight = v}); }, f + "'options.single_weight'",
        "a value in (0, 1]");
    require_throws<std::invalid_argument>(
        [&] { (void)classify_fixed_point(x, 1.0, s, {.global_fraction = v}); },
        f + "'options.global_fraction'");
    require_throws<std::invalid_argument>([&] { (void)classify_fixed_point(x, 1.0, s, {.member_mass = v}); },
                                          f + "'options.member_mass'");
  }
}

TEST_CASE("analysis: classify_fixed_point at the ends of its options and magnitudes",
          "[adversarial][analysis]") {
  const auto x = random_sphere_patterns<double>(8, 6, 2);
  const vector_t<double> s = x.col(3);
  // The extreme thresholds: everything single at the smallest single_weight; one member at the
  // smallest member_mass; every pattern a member at member_mass = 1 when the weights are uniform.
  const auto loose = classify_fixed_point(x, 1.0, s, {.single_weight = denorm});
  CHECK(loose.kind == fixed_point_kind::single_pattern);
  CHECK(classify_fixed_point(x, 1.0, s, {.member_mass = denorm}).members.size() == 1);
  const auto uniform = classify_fixed_point(x, denorm, s, {.member_mass = 1.0});
  CHECK(uniform.kind == fixed_point_kind::global);
  CHECK(uniform.effective_count == Approx(6.0));
  CHECK(uniform.members.size() == 6);
  // beta at the largest double: one-hot on the nearest pattern, without NaN.
  const auto sharp = classify_fixed_point(x, dmax, s);
  CHECK(sharp.kind == fixed_point_kind::single_pattern);
  CHECK(sharp.nearest == 3);
  CHECK(sharp.effective_count == 1.0);
  // Entries whose scores overflow (1e300 squared) used to be inf or inf - inf = NaN: the weights
  // are now those of the unit problem at beta 1e600, one-hot; small entries average.
  for (const double scale : {denorm, 1e-300, 1e-160, 1e160, 1e300, dmax / 8}) {
    CAPTURE(scale);
    const matrix_t<double> xs = x * scale;
    const vector_t<double> ss = xs.col(3);
    const auto info = classify_fixed_point(xs, 1.0, ss);
    for (const double w : info.weights) REQUIRE(!std::isnan(w));
    REQUIRE(!std::isnan(info.effective_count));
    REQUIRE(!std::isnan(info.distance_to_nearest));
    REQUIRE(!std::isnan(info.distance_to_mean));
    REQUIRE(info.distance_to_mean <= 2 * scale * std::sqrt(8.0) + 1e-300);
    if (scale >= 1e160) {
      REQUIRE(info.kind == fixed_point_kind::single_pattern);
      REQUIRE(info.nearest == 3);
      REQUIRE(info.distance_to_nearest == 0.0);
    } else {
      REQUIRE(info.kind == fixed_point_kind::global);
    }
  }
  // Layouts and mixed scalar types: the same classification.
  const layouts<double> l(x);
  const vector_t<double> noisy = add_gaussian_noise(s, 0.1, 4);
  const auto reference = classify_fixed_point(x, 5.0, noisy);
  const row_major_matrix_t<double> noisy_rows = noisy.replicate(1, 3);
  for (const auto& other :
       {classify_fixed_point(l.row_major, 5.0, noisy), classify_fixed_point(l.strided(), 5.0, noisy),
        classify_fixed_point(x, 5.0, noisy * 1.0), classify_fixed_point(x, 5.0, noisy_rows.col(1)),
        classify_fixed_point(x, 5.0, vector_t<float>(noisy.cast<float>()))}) {
    CHECK(other.kind == reference.kind);
    CHECK(!other.members.empty());
  }
  CHECK(classify_fixed_point(l.row_major, 5.0, noisy).members == reference.members);
  CHECK(classify_fixed_point(l.strided(), 5.0, noisy).members == reference.members);
  CHECK(classify_fixed_point(l.strided(), 5.0, noisy).effective_count == Approx(reference.effective_count));
  // A strided column of a wider matrix as the state.
  CHECK(classify_fixed_point(x, 5.0, l.wide.col(6)).nearest ==
        classify_fixed_point(x, 5.0, x.col(3)).nearest);
  // float and long double at their own extremes.
  const matrix_t<float> xf = x.cast<float>() * 1e30f;
  const auto info_f = classify_fixed_point(xf, 1.0f, vector_t<float>(xf.col(3)));
  CHECK(info_f.nearest == 3);
  CHECK(!std::isnan(info_f.effective_count));
  const matrix_t<long double> xl = x.cast<long double>() * 1e3000L;
  const auto info_l = classify_fixed_point(xl, 1.0L, vector_t<long double>(xl.col(3)));
  CHECK(info_l.nearest == 3);
  CHECK(info_l.kind == fixed_point_kind::single_pattern);
}

TEST_CASE("analysis: unique_fixed_point_condition at the extremes", "[adversarial][analysis]") {
  const std::string f = "unique_fixed_point_condition: argument ";
  require_throws<std::invalid_argument>(
      [&] { (void)unique_fixed_point_condition(matrix_t<double>(0, 2), 1.0); }, f + "'patterns'", "0 x 2");
  matrix_t<double> bad = matrix_t<double>::Ones(2, 2);
  bad(0, 1) = qnan;
  require_throws<std::invalid_argument>([&] { (void)unique_fixed_point_condition(bad, 1.0); },
                                        f + "'patterns'", "at (0, 1)");
  for (const double beta : {qnan, inf, 0.0, -1.0}) {
    require_throws<std::invalid_argument>(
        [&] { (void)unique_fixed_point_condition(matrix_t<double>::Ones(2, 2), beta); }, f + "'beta'");
  }
  // All zero: m_max = 0, value 0, holds at any beta.
  const auto zero = unique_fixed_point_condition(matrix_t<double>::Zero(3, 2), dmax);
  CHECK(zero.largest_norm == 0.0);
  CHECK(zero.value == 0.0);
  CHECK(zero.holds);
  // Subnormal entries: the norm is not lost to underflow of the squares.
  const double small = std::ldexp(1.0, -1060);
  const auto tiny = unique_fixed_point_condition(matrix_t<double>::Constant(4, 2, small), 1.0);
  CHECK(tiny.largest_norm == Approx(2 * small).epsilon(1e-3));
  CHECK(tiny.holds);
  // Large entries: the norm is not lost to overflow of the squares, beta m^2 may be +inf.
  const auto huge = unique_fixed_point_condition(matrix_t<double>::Constant(4, 2, 1e300), 1.0);
  CHECK(huge.largest_norm == Approx(2e300));
  CHECK(huge.value == inf);
  CHECK(!huge.holds);
  // m_max^2 = 4e320 overflows double, beta m_max^2 = 4e20 does not.
  const auto balanced = unique_fixed_point_condition(matrix_t<double>::Constant(4, 2, 1e160), 1e-300);
  CHECK(balanced.value == Approx(4e20).epsilon(1e-12));
  CHECK(!balanced.holds);
  const auto overflowing = unique_fixed_point_condition(matrix_t<double>::Constant(4, 2, dmax), 1.0);
  CHECK(overflowing.largest_norm == inf);  // 2 dmax: beyond the range
  CHECK(!overflowing.holds);
  // Layouts.
  const auto x = adversarial::gaussian<double>(5, 7, 1);
  const layouts<double> l(x);
  const auto plain = unique_fixed_point_condition(x, 0.3);
  CHECK(unique_fixed_point_condition(l.row_major, 0.3).value == Approx(plain.value));
  CHECK(unique_fixed_point_condition(l.strided(), 0.3).value == Approx(plain.value));
  const auto single = unique_fixed_point_condition(matrix_t<float>::Constant(1, 1, 2.0f), 0.25f);
  CHECK(single.value == 1.0f);
  CHECK(!single.holds);  // value < 1 is strict
}
