// Theory formulas of analysis/capacity.hpp against the numbers printed in the papers, against
// independent references (long double iterations, direct Monte Carlo of the signal-to-noise
// argument), and bad input.
#include <catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
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

namespace {
// ln((2n - 3)!!) by summing logarithms in long double: the reference for the log-space formulas.
long double log_odd_double_factorial(int degree) {
  long double sum = 0;
  for (long long j = 3; j <= 2LL * degree - 3; j += 2) sum += std::log(static_cast<long double>(j));
  return sum;
}
// The Krotov-Hopfield no-error capacity's logarithm in long double.
long double reference_log_krotov(long double n, int degree) {
  return static_cast<long double>(degree - 1) * std::log(n) - std::log(2.0L) -
         log_odd_double_factorial(degree) - std::log(std::log(n));
}
// Q^-1(tail) by bisection in long double (an independent reference: no Newton, no rational start,
// 64-bit mantissa): on erfc in the tails, on erf near the centre, where Q(z) > tail <=>
// erf(z / sqrt 2) / 2 < 1/2 - tail keeps the relative accuracy of small z.
long double reference_upper_quantile(long double tail) {
  const bool centre = tail > 0.25L && tail < 0.75L;
  long double lo = -40, hi = 40;
  for (int iteration = 0; iteration < 200; ++iteration) {
    const long double mid = (lo + hi) / 2;
    const bool above = centre ? 0.5L * std::erf(mid / std::sqrt(2.0L)) < 0.5L - tail
                              : 0.5L * std::erfc(mid / std::sqrt(2.0L)) > tail;
    if (above) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return (lo + hi) / 2;
}
}  // namespace

TEST_CASE("defect 3: Krotov-Hopfield capacity is finite, 0 or +inf for every degree, never NaN",
          "[capacity]") {
  // Around degree 150 at N = 100 the old N^(n-1) / (2 (2n-3)!! ln N) was inf / inf = NaN.
  for (int degree : {2, 3, 10, 100, 149, 150, 151, 152, 200, 300, 500}) {
    const double k = krotov_hopfield_capacity(100, degree);
    CAPTURE(degree, k);
    REQUIRE(std::isfinite(k));
    REQUIRE(std::log(k) == Approx(static_cast<double>(reference_log_krotov(100.0L, degree))).epsilon(1e-13));
  }
  // Beyond double's range: +inf, not NaN (ln K = 4528 at N = 1e4, n = 2999; ln K > 709.8 from n = 162).
  CHECK(krotov_hopfield_capacity(1e4, 161) < std::numeric_limits<double>::infinity());
  CHECK(krotov_hopfield_capacity(1e4, 162) == std::numeric_limits<double>::infinity());
  CHECK(krotov_hopfield_capacity(1e4, 1000) == std::numeric_limits<double>::infinity());
  CHECK(krotov_hopfield_capacity(1e10, 38) == std::numeric_limits<double>::infinity());
  // Below it: 0 ((2n-3)!! outgrows N^(n-1) at N = 100 from n = 540 on).
  CHECK(krotov_hopfield_capacity(100, 539) > 0.0);
  CHECK(krotov_hopfield_capacity(100, 540) == 0.0);
  // The largest int: 2 n - 3 overflowed int (undefined behaviour) and the factorial looped 2^30
  // times; now O(1) and 0 (the log of the double factorial is about 4.5e10).
  CHECK(krotov_hopfield_capacity(100, std::numeric_limits<int>::max()) == 0.0);
  CHECK(krotov_hopfield_capacity(std::numeric_limits<double>::max(), std::numeric_limits<int>::max()) ==
        std::numeric_limits<double>::infinity());
  // With errors allowed the old alpha_n (0 beyond n ~ 150) times N^(n-1) (inf) was 0 * inf = NaN.
  const double with_errors = krotov_hopfield_capacity_with_errors(1000, 200, 0.01);
  CHECK(std::isfinite(with_errors));
  const long double z = reference_upper_quantile(0.01L);
  CHECK(std::log(with_errors) == Approx(static_cast<double>(-log_odd_double_factorial(200) - 2 * std::log(z) +
                                                            199 * std::log(1000.0L)))
                                     .epsilon(1e-13));
  CHECK(krotov_hopfield_alpha(std::numeric_limits<int>::max(), 0.01) == 0.0);
  CHECK(krotov_hopfield_capacity_with_errors(2, std::numeric_limits<int>::max(), 0.49) == 0.0);
  CHECK(krotov_hopfield_capacity_with_errors(1e300, std::numeric_limits<int>::max(), 1e-300) ==
        std::numeric_limits<double>::infinity());
}

TEST_CASE("defect 9: krotov_hopfield_alpha is accurate for error rates down to the smallest double",
          "[capacity]") {
  // z = Q^-1(rate), the upper-tail normal quantile, for the exact double nearest each rate: roots of
  // erfc(z / sqrt 2) / 2 = rate computed with 50-digit arithmetic (mpmath), checked below against
  // a long double bisection.
  struct reference {
    double rate;
    long double z;
  };
  const reference table[] = {
      {0.4, 0.2533471031357997413247L},
      {0.05, 1.644853626951472687952L},
      {0.025, 1.95996398454005421178L},
      {0.001, 3.090232306167813535358L},
      {1e-12, 7.034483825301131932614L},
      {1e-17, 8.493793224109598066134L},  // 1 - rate == 1: the old z was NaN
      {1e-30, 11.46402468844361571977L},
      {1e-100, 21.27345356096532429418L},
      {1e-200, 30.20559417957964306312L},
      {1e-300, 37.04709629936119923655L},
      {std::numeric_limits<double>::min(), 37.51937934714449982068L},
      {std::numeric_limits<double>::denorm_min(), 38.46740561714434625078L},
      {0.49999999999999994, 1.391458212335883461117e-16L},
  };
  for (const auto& [rate, z] : table) {
    CAPTURE(rate);
    REQUIRE(static_cast<double>(reference_upper_quantile(rate)) ==
            Approx(static_cast<double>(z)).epsilon(1e-15).margin(1e-30));
    // alpha_n = 1 / ((2n - 3)!! z^2): relative accuracy near double's epsilon (the old
    // Phi^-1(1 - rate) lost 1e-6 at 1e-12 and was NaN below 5.6e-17).
    for (const int degree : {2, 3, 5}) {
      const long double expected = 1.0L / (static_cast<long double>(degree == 2   ? 1
                                                                    : degree == 3 ? 3
                                                                                  : 105) *
                                           z * z);
      REQUIRE(krotov_hopfield_alpha(degree, rate) == Approx(static_cast<double>(expected)).epsilon(1e-14));
    }
  }
  // Monotone: fewer allowed errors, fewer patterns.
  double previous = 0;
  for (double rate = 1e-320; rate < 0.5; rate *= 7) {
    const double alpha = krotov_hopfield_alpha(2, rate);
    REQUIRE(alpha > previous);
    previous = alpha;
  }
}

TEST_CASE("defect 10: ramsauer_capacity is never NaN and `valid` is honest at extreme arguments",
          "[capacity]") {
  // ln c, ln capacity and the condition from the theorem's formulas in 50-digit arithmetic
  // (mpmath, W0 of exp(a + ln b) evaluated exactly).
  struct reference {
    double d, beta, k, p;
    double log_c, log_capacity;
    bool valid;
  };
  const reference table[] = {
      {20, 1, 3, 0.001, 1.1488651190623302908, 2.0032316760550003656, true},
      {75, 1, 1, 0.001, 0.31618043584275067894, 2.3954604235998190448, true},
      {20, 1, 1e160, 0.001, 729.21818555590673092, 3460.3325037510659033, true},  // K^2 = inf: was NaN
      {20, 1e300, 1, 0.001, 683.23158497531681242, 3241.8961509932637905, true},
      {20, 1e-300, 1, 0.001, 72.95217863341783752, 343.06897086924365971,
       true},  // exp(a + ln b) = 0: was c = inf
      {20, 1e-300, 1e160, 0.001, 41.308572339303344553, 192.76184097219981811, true},
      {75, 1, 1e-160, 0.001, 19.938858723332774078, 365.41500874216525192, true},
      {2, 1e300, 1e150, 1e-300, 1372.7126309246663564, -2.2096062179402634827, false},
      {2, 5e-324, 1e-160, 5e-324, 4448.0284528405943965, 739.78707724945796796, true},
      {3, std::numeric_limits<double>::max(), std::numeric_limits<double>::max(), 1.0, 2120.076747616984937,
       1060.0383738084924685, true},
  };
  for (const auto& t : table) {
    CAPTURE(t.d, t.beta, t.k, t.p);
    const auto r = ramsauer_capacity(t.d, t.beta, t.k, t.p);
    for (const double v : {r.a, r.b, r.c, r.capacity}) REQUIRE(!std::isnan(v));
    REQUIRE(std::isfinite(r.a));
    // c and capacity: the value where it is within double's range, +inf above, 0 below.
    const auto matches = [](double value, double log_value) {
      if (log_value > 709.79) return value == std::numeric_limits<double>::infinity();
      if (log_value < -745.2) return value == 0.0;
      return std::log(value) == Approx(log_value).epsilon(1e-12).margin(1e-12);
    };
    REQUIRE(matches(r.c, t.log_c));
    REQUIRE(matches(r.capacity, t.log_capacity));
    REQUIRE(r.valid == t.valid);
  }
}

TEST_CASE("capacity: ramsauer_capacity's logarithms are finite for every accepted argument", "[capacity]") {
  const double max = std::numeric_limits<double>::max();
  const double tiny = std::numeric_limits<double>::denorm_min();
  for (const double d : {2.0, 3.0, 1e6, ramsauer_max_dimension}) {
    for (const double beta : {tiny, 1e-300, 1.0, 1e300, max}) {
      for (const double k : {tiny, 1e-160, 1.0, 1e160, max}) {
        for (const double p : {tiny, 1e-300, 0.5, 1.0}) {
          CAPTURE(d, beta, k, p);
          const auto r = ramsauer_capacity(d, beta, k, p);
          REQUIRE(std::isfinite(r.a));
          REQUIRE(std::isfinite(r.log_c));
          REQUIRE(std::isfinite(r.log_capacity));
          REQUIRE(r.valid == (r.log_c >= 4.0 / (d - 1.0) * std::log(2.0 / std::sqrt(p))));
          REQUIRE(!std::isnan(r.b));
        }
      }
    }
  }
  CHECK_THROWS_WITH(ramsauer_capacity(2 * ramsauer_max_dimension, 1, 1, 0.1),
                    test::contains("argument 'dimension' expected a finite dimension d in [2, 2^53]"));
}

TEST_CASE("capacity: the upper-tail quantile and ln k!! against independent references", "[capacity]") {
  // Q^-1 against the long double bisection over the whole range, a few ulp.
  for (double tail = std::numeric_limits<double>::denorm_min(); tail < 1.0; tail = tail * 3.7 + 1e-320) {
    const double z = detail::normal_upper_quantile(tail);
    const auto reference = static_cast<double>(reference_upper_quantile(tail));
    CAPTURE(tail, z, reference);
    REQUIRE(z == Approx(reference).epsilon(8 * std::numeric_limits<double>::epsilon()).margin(1e-300));
  }
  // The centre: Q^-1(1/2 - 2^-54) = 2^-54 sqrt(2 pi) to first order; tails above 1/2 are negative.
  CHECK(detail::normal_upper_quantile(0.5) == 0.0);
  CHECK(detail::normal_upper_quantile(0.49999999999999994) ==
        Approx(1.391458212335883461117e-16).epsilon(1e-15));
  CHECK(detail::normal_upper_quantile(0.975) == Approx(-1.95996398454005421178).epsilon(1e-15));
  CHECK(detail::normal_quantile(std::numeric_limits<double>::denorm_min()) ==
        Approx(-38.46740561714434625078).epsilon(1e-15));
  // ln k!! on both sides of the switch from the product to the Gamma function (k = 256).
  for (const std::int64_t k :
       {-1LL, 0LL, 1LL, 2LL, 7LL, 254LL, 255LL, 256LL, 257LL, 1000LL, 1001LL, 123457LL}) {
    long double sum = 0;
    for (std::int64_t j = k; j > 1; j -= 2) sum += std::log(static_cast<long double>(j));
    CAPTURE(k);
    REQUIRE(detail::log_double_factorial(k) == Approx(static_cast<double>(sum)).epsilon(1e-14).margin(1e-15));
  }
  CHECK(detail::double_factorial(301) == std::numeric_limits<double>::infinity());
  CHECK(detail::double_factorial(std::numeric_limits<int>::max()) == std::numeric_limits<double>::infinity());
  // omega(y) = W0(e^y) solves w + ln w = y without forming e^y.
  for (const double y : {-800.0, -50.0, -40.0, -1.0, 0.0, 1.0, 2.0, 700.0, 710.0, 1e4, 1e300}) {
    const double w = detail::wright_omega(y);
    CAPTURE(y, w);
    REQUIRE(w >= 0.0);
    if (y > -700) REQUIRE(w + std::log(w) == Approx(y).epsilon(1e-15).margin(1e-15));
  }
}
