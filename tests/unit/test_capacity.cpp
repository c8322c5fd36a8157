// Theory formulas of analysis/capacity.hpp against the numbers printed in the papers, against
// independent references (long double iterations, direct Monte Carlo of the signal-to-noise
// argument), and bad input.
#include <catch.hpp>

#include <cmath>
#include <numbers>

#include <hopfield/hopfield.hpp>

using namespace hopfield;

TEST_CASE("capacity: Lambert W0 solves w e^w = x on the upper branch", "[capacity]") {
  // Known values: W0(0) = 0, W0(e) = 1, W0(-1/e) = -1, W0(1) = Omega, W0(2 ln 2) = ln 2.
  CHECK(detail::lambert_w0(0.0) == 0.0);
  CHECK(detail::lambert_w0(std::numbers::e) == Approx(1.0).epsilon(1e-15));
  CHECK(detail::lambert_w0(-1.0 / std::numbers::e) == Approx(-1.0));
  CHECK(detail::lambert_w0(1.0) == Approx(0.56714329040978387299996866221035555).epsilon(1e-15));
  CHECK(detail::lambert_w0(2.0 * std::numbers::ln2) == Approx(std::numbers::ln2).epsilon(1e-15));
  // The defining identity, and w >= -1, over 14 decades and close to the branch point.
  for (double x = -1.0 / std::numbers::e + 1e-12; x < 1e12; x = x < 0 ? x * 0.5 + 1e-3 : x * 1.7 + 1e-3) {
    const double w = detail::lambert_w0(x);
    REQUIRE(w >= -1.0);
    const long double back = static_cast<long double>(w) * std::exp(static_cast<long double>(w));
    REQUIRE(static_cast<double>(back) == Approx(x).epsilon(1e-12).margin(1e-12));
  }
  // Monotone increasing (it is the inverse of an increasing function on w >= -1).
  double previous = -1.0;
  for (double x = -0.36; x < 100.0; x += 0.01) {
    const double w = detail::lambert_w0(x);
    REQUIRE(w > previous);
    previous = w;
  }
}

TEST_CASE("capacity: the normal quantile inverts erfc", "[capacity]") {
  CHECK(detail::normal_quantile(0.5) == Approx(0.0).margin(1e-15));
  CHECK(detail::normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-13));
  CHECK(detail::normal_quantile(0.025) == Approx(-1.959963984540054).epsilon(1e-13));
  for (double q : {1e-300, 1e-12, 1e-6, 0.001, 0.1, 0.3, 0.7, 0.9, 0.999, 1.0 - 1e-9}) {
    const double z = detail::normal_quantile(q);
    const double back = 0.5 * std::erfc(-z / std::numbers::sqrt2);
    REQUIRE(back == Approx(q).epsilon(1e-10));
  }
  CHECK(detail::double_factorial(-1) == 1.0);
  CHECK(detail::double_factorial(5) == 15.0);
  CHECK(detail::double_factorial(6) == 48.0);
}

TEST_CASE("capacity: Krotov & Hopfield appendix B numbers at N = 100", "[capacity]") {
  // "about 11, 360 and 7240" patterns for n = 2, 3, 4 without errors.
  CHECK(std::round(krotov_hopfield_capacity(100, 2)) == 11.0);
  CHECK(krotov_hopfield_capacity(100, 3) == Approx(360).epsilon(0.01));
  CHECK(krotov_hopfield_capacity(100, 4) == Approx(7240).epsilon(0.001));
  // n = 2 is the classical N / (2 ln N) (McEliece, each pattern).
  for (double n : {10.0, 100.0, 1000.0, 12345.0}) {
    REQUIRE(krotov_hopfield_capacity(n, 2) ==
            Approx(mceliece_capacity(n, mceliece_requirement::each_pattern)));
  }
}

TEST_CASE("capacity: Ramsauer et al. Theorem 3 constants", "[capacity]") {
  const auto first = ramsauer_capacity(20, 1.0, 3.0, 0.001);
  // The paper states "c >= 3.1546" and "c >= 1.3718": the values truncated to four decimals.
  CHECK(first.c >= 3.1546);
  CHECK(first.c < 3.1547);
  CHECK(first.a + std::log(first.b) > 1.27);  // as the paper states for this case
  CHECK(first.valid);
  const auto second = ramsauer_capacity(75, 1.0, 1.0, 0.001);
  CHECK(second.c >= 1.3718);
  CHECK(second.c < 1.3719);
  CHECK(second.a + std::log(second.b) < -0.94);
  CHECK(second.valid);
  // The capacity is sqrt(p) c^((d-1)/4), and c solves c = b / W0(exp(a) b) <=> ln c + c e^a / ... :
  // b / c = W0(y) means (b / c) exp(b / c) = y = exp(a + ln b).
  for (const auto& r : {first, second}) {
    const long double u = static_cast<long double>(r.b) / static_cast<long double>(r.c);
    REQUIRE(static_cast<double>(u * std::exp(u)) == Approx(std::exp(r.a + std::log(r.b))).epsilon(1e-12));
  }
  CHECK(first.capacity == Approx(std::sqrt(0.001) * std::pow(first.c, 19.0 / 4.0)));
  // The bound grows exponentially with d for fixed beta and K.
  double last = 0;
  for (double d = 40; d <= 400; d += 40) {
    const double m = ramsauer_capacity(d, 1.0, 1.0, 0.001).capacity;
    REQUIRE(m > last);
    last = m;
  }
  CHECK(std::log(ramsauer_capacity(400, 1, 1, 0.001).capacity) /
            std::log(ramsauer_capacity(200, 1, 1, 0.001).capacity) >
        1.9);
}

TEST_CASE("capacity: classical formulas", "[capacity]") {
  CHECK(ags_capacity(1000) == Approx(138));
  CHECK(mceliece_capacity(1000) == Approx(1000 / (4 * std::log(1000.0))));
  CHECK(mceliece_capacity(1000, mceliece_requirement::each_pattern) == Approx(2 * mceliece_capacity(1000)));
  CHECK(mceliece_capacity(1000, mceliece_requirement::all_patterns, 0.25) ==
        Approx(0.25 * mceliece_capacity(1000)));
  CHECK(storkey_capacity(1000) == Approx(1000 / std::sqrt(2 * std::log(1000.0))));
  CHECK(pseudo_inverse_capacity(1000) == 1000);
  // Storkey's rule beats Hebb's N / (2 ln N) for every N where ln N > 1/2.
  for (double n = 4; n < 1e6; n *= 3)
    REQUIRE(storkey_capacity(n) > mceliece_capacity(n, mceliece_requirement::each_pattern));
}

TEST_CASE("capacity: Demircigil et al. rate", "[capacity]") {
  CHECK(cramer_rate(1.0) == Approx(std::numbers::ln2));
  CHECK(cramer_rate(0.0) == 0.0);
  CHECK(demircigil_rate(0.0) == Approx(std::numbers::ln2 / 2));
  CHECK(demircigil_capacity(20) == Approx(1024.0));  // 2^(N/2)
  // I(a) against its series a^2/2 + a^4/12 + a^6/30 + ... (sum a^(2k) / (2k (2k - 1))).
  for (double a = -0.9; a <= 0.9; a += 0.05) {
    long double series = 0;
    long double power = 1;
    for (int k = 1; k < 400; ++k) {
      power *= static_cast<long double>(a) * a;
      series += power / (2.0L * k * (2.0L * k - 1.0L));
    }
    REQUIRE(cramer_rate(a) == Approx(static_cast<double>(series)).epsilon(1e-12).margin(1e-15));
  }
  // Fewer patterns are recoverable from more flipped bits.
  for (double rho = 0.0; rho < 0.45; rho += 0.05) REQUIRE(demircigil_rate(rho + 0.05) < demircigil_rate(rho));
}

TEST_CASE("capacity: Krotov-Hopfield alpha_n matches the one-step bit error rate it predicts", "[capacity]") {
  // Independent check of the signal-to-noise formula for n = 2 (Hebbian): store K = alpha N
  // patterns with alpha = krotov_hopfield_alpha(2, 5%) and count, naively, the stored bits a
  // single update would flip. Finite N shifts the signal N to N - 1 and the noise to (K-1)(N-1).
  const double target = 0.05;
  const index_t n = 400;
  const auto k = static_cast<index_t>(std::llround(krotov_hopfield_alpha(2, target) * n));
  const double predicted =
      0.5 * std::erfc(std::sqrt((static_cast<double>(n) - 1.0) / (static_cast<double>(k) - 1.0)) /
                      std::numbers::sqrt2);
  long wrong = 0;
  long total = 0;
  for (std::uint64_t seed = 0; seed < 6; ++seed) {
    const auto x = random_binary_patterns<double>(n, k, seed);
    const matrix_t<double> overlaps = x.transpose() * x;  // K x K
    for (index_t mu = 0; mu < k; ++mu) {
      for (index_t i = 0; i < n; ++i) {
        double h = 0;  // sum_nu x_i^nu (x^nu . x^mu - x_i^nu x_i^mu), no self-coupling
        for (index_t nu = 0; nu < k; ++nu) h += x(i, nu) * (overlaps(nu, mu) - x(i, nu) * x(i, mu));
        wrong += h * x(i, mu) <= 0 ? 1 : 0;
        ++total;
      }
    }
  }
  const double rate = static_cast<double>(wrong) / static_cast<double>(total);
  CHECK(rate == Approx(predicted).margin(0.006));
  CHECK(rate == Approx(target).margin(0.008));
  // z^2 = 2 ln N turns the error-tolerant formula into the no-error one.
  for (int degree = 2; degree <= 6; ++degree) {
    const double n_big = 300;
    const double eps = 0.5 * std::erfc(std::sqrt(2 * std::log(n_big)) / std::numbers::sqrt2);
    REQUIRE(krotov_hopfield_capacity_with_errors(n_big, degree, eps) ==
            Approx(krotov_hopfield_capacity(n_big, degree)));
  }
}

TEST_CASE("capacity: bad arguments are rejected with the function and argument named", "[capacity]") {
  CHECK_THROWS_WITH(ags_capacity(1.0), test::contains("ags_capacity: argument 'n'"));
  CHECK_THROWS_WITH(mceliece_capacity(std::nan("")), test::contains("mceliece_capacity: argument 'n'"));
  CHECK_THROWS_WITH(mceliece_capacity(100, mceliece_requirement::all_patterns, 0.5),
                    test::contains("argument 'rho'"));
  CHECK_THROWS_WITH(storkey_capacity(INFINITY), test::contains("storkey_capacity"));
  CHECK_THROWS_WITH(pseudo_inverse_capacity(-3), test::contains("pseudo_inverse_capacity"));
  CHECK_THROWS_WITH(krotov_hopfield_capacity(100, 1),
                    test::contains("argument 'degree' expected an interaction degree >= 2, got 1"));
  CHECK_THROWS_WITH(krotov_hopfield_alpha(3, 0.0), test::contains("argument 'error_rate'"));
  CHECK_THROWS_WITH(krotov_hopfield_alpha(3, 0.5), test::contains("argument 'error_rate'"));
  CHECK_THROWS_WITH(krotov_hopfield_capacity_with_errors(1, 3, 0.1), test::contains("argument 'n'"));
  CHECK_THROWS_WITH(cramer_rate(1.5), test::contains("cramer_rate: argument 'a'"));
  CHECK_THROWS_WITH(demircigil_rate(-0.1), test::contains("demircigil_rate: argument 'rho'"));
  CHECK_THROWS_WITH(demircigil_capacity(0, 0.1), test::contains("demircigil_capacity: argument 'n'"));
  CHECK_THROWS_WITH(ramsauer_capacity(1, 1, 1, 0.1),
                    test::contains("ramsauer_capacity: argument 'dimension'"));
  CHECK_THROWS_WITH(ramsauer_capacity(10, 0, 1, 0.1), test::contains("argument 'beta'"));
  CHECK_THROWS_WITH(ramsauer_capacity(10, 1, -1, 0.1), test::contains("argument 'radius_factor'"));
  CHECK_THROWS_WITH(ramsauer_capacity(10, 1, 1, 0), test::contains("argument 'failure_probability'"));
  CHECK_THROWS_WITH(ramsauer_capacity(10, 1, 1, 1.5), test::contains("argument 'failure_probability'"));
}
