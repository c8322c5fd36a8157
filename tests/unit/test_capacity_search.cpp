// The search and the statistics of the hopfield-capacity program (bench/programs), on
// predicates and samples whose answers are known.
#include <catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>

#include "../../bench/programs/capacity_search.hpp"

TEST_CASE("capacity search: finds every threshold exactly at resolution 0", "[capacity]") {
  for (std::int64_t threshold = 0; threshold <= 300; ++threshold) {
    for (std::int64_t start : {std::int64_t{1}, std::int64_t{7}, std::int64_t{64}, std::int64_t{1000}}) {
      std::int64_t calls = 0;
      const auto r = capacity::find_threshold(
          [&](std::int64_t m) {
            ++calls;
            REQUIRE(m >= 1);
            REQUIRE(m <= 500);
            return m <= threshold;
          },
          {.start = start, .max_patterns = 500, .resolution = 0.0});
      REQUIRE(r.passed == threshold);
      REQUIRE(r.failed == threshold + 1);
      REQUIRE(r.estimate() == static_cast<double>(threshold));
      REQUIRE(r.evaluations == calls);
      // Galloping plus bisection: logarithmic in the threshold and in the distance from the start.
      REQUIRE(calls <= 2 * static_cast<int>(std::log2(static_cast<double>(threshold + start + 2))) + 4);
    }
  }
}

TEST_CASE("capacity search: caps, resolution and zero capacity", "[capacity]") {
  const auto always = [](std::int64_t) { return true; };
  const auto capped = capacity::find_threshold(always, {.start = 3, .max_patterns = 100, .resolution = 0});
  CHECK(capped.passed == 100);
  CHECK(capped.failed == 101);
  const auto never =
      capacity::find_threshold([](std::int64_t) { return false; }, {.start = 50, .max_patterns = 100});
  CHECK(never.passed == 0);
  CHECK(never.failed == 1);
  // A relative resolution brackets the threshold within the tolerance, with fewer calls.
  for (std::int64_t threshold : {1000, 12345, 99999}) {
    const auto r = capacity::find_threshold([&](std::int64_t m) { return m <= threshold; },
                                            {.start = 10, .max_patterns = 1 << 20, .resolution = 0.02});
    REQUIRE(r.passed <= threshold);
    REQUIRE(r.failed > threshold);
    REQUIRE(static_cast<double>(r.failed - r.passed) <= 0.02 * static_cast<double>(r.passed) + 1);
    REQUIRE(std::abs(r.estimate() - static_cast<double>(threshold)) <= 0.02 * static_cast<double>(threshold));
  }
  CHECK_THROWS_AS(capacity::find_threshold(always, {.start = 0, .max_patterns = 5}), std::invalid_argument);
  CHECK_THROWS_AS(capacity::find_threshold(always, {.start = 1, .max_patterns = 5, .resolution = -1}),
                  std::invalid_argument);
}

TEST_CASE("capacity statistics: intervals have their stated coverage", "[capacity]") {
  CHECK(capacity::student_t_975(1) == Approx(12.7062));
  CHECK(capacity::student_t_975(30) == Approx(2.0423).margin(1e-3));
  CHECK(capacity::student_t_975(100) == Approx(1.9840).margin(1e-3));
  CHECK(capacity::binomial_half_cdf(4, 4) == Approx(1.0));
  CHECK(capacity::binomial_half_cdf(4, 1) == Approx(5.0 / 16));
  // Repeated samples of a normal(100, 10): the mean interval holds the truth ~95% of the time,
  // the median interval at least its exact coverage.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(100.0, 10.0);
  int mean_hits = 0, median_hits = 0;
  const int repeats = 2000;
  double coverage = 0;
  for (int k = 0; k < repeats; ++k) {
    std::vector<double> sample(16);
    for (auto& v : sample) v = normal(rng);
    const auto s = capacity::summarize(sample);
    REQUIRE(s.trials == 16);
    REQUIRE(s.min <= s.median_low);
    REQUIRE(s.median_low <= s.median);
    REQUIRE(s.median <= s.median_high);
    REQUIRE(s.median_high <= s.max);
    REQUIRE(s.mean_low < s.mean);
    mean_hits += s.mean_low <= 100.0 && 100.0 <= s.mean_high ? 1 : 0;
    median_hits += s.median_low <= 100.0 && 100.0 <= s.median_high ? 1 : 0;
    coverage = s.median_coverage;
  }
  CHECK(coverage >= 0.95);
  CHECK(coverage == Approx(1 - 2 * capacity::binomial_half_cdf(16, 3)));  // [x_(4), x_(13)]
  CHECK(static_cast<double>(mean_hits) / repeats == Approx(0.95).margin(0.015));
  CHECK(static_cast<double>(median_hits) / repeats >= coverage - 0.015);
  // Small samples fall back to [min, max].
  const auto tiny = capacity::summarize({3, 1, 2});
  CHECK(tiny.median == 2);
  CHECK(tiny.median_low == 1);
  CHECK(tiny.median_high == 3);
  CHECK(tiny.median_coverage == Approx(0.75));
}

TEST_CASE("capacity statistics: line fits", "[capacity]") {
  const auto f = capacity::fit_line({1, 2, 3, 4}, {3, 5, 7, 9});
  CHECK(f.slope == Approx(2));
  CHECK(f.intercept == Approx(1));
  CHECK(f.r2 == Approx(1));
  const auto g = capacity::fit_line({1, 2, 3, 4}, {1, 3, 2, 4});
  CHECK(g.slope == Approx(0.8));
  CHECK(g.r2 == Approx(0.64));
}
