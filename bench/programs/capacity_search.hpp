#pragma once
// The statistics of hopfield-capacity: the search for one trial's capacity (galloping, then
// bisection) and the confidence intervals over trials. Independent of the memories, so
// tests/unit/test_capacity_search.cpp can check it on predicates with known answers.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace capacity {

/// How one trial's threshold is searched for.
struct search_settings {
  std::int64_t start = 1;         ///< first M tried (a theory guess saves steps), >= 1
  std::int64_t max_patterns = 1;  ///< M is never tried above this; reaching it reports it
  double resolution = 0.0;        ///< stop bisecting when hi - lo <= max(1, resolution * lo)
};

/// The outcome of one trial: the largest M that passed, the smallest that failed above it
/// (max_patterns + 1 when none did), and the number of predicate evaluations.
struct search_result {
  std::int64_t passed = 0;
  std::int64_t failed = 0;
  int evaluations = 0;
  /// The estimate: exact when failed = passed + 1, else the middle of the bracket.
  [[nodiscard]] double estimate() const {
    if (failed <= passed + 1) return static_cast<double>(passed);
    return static_cast<double>(passed) + 0.5 * static_cast<double>(failed - passed - 1);
  }
};

/// Largest M in [0, max_patterns] with ok(M), assuming ok is monotone (true up to a threshold,
/// false above it; M = 0 always passes). Gallops from `start` (doubling up, or halving down),
/// then bisects the bracket. For a non-monotone ok it returns some M with ok(M) and !ok(failed).
inline search_result find_threshold(const std::function<bool(std::int64_t)>& ok,
                                    const search_settings& settings) {
  if (settings.start < 1 || settings.max_patterns < 1 || !(settings.resolution >= 0.0)) {
    throw std::invalid_argument(
        "capacity::find_threshold: start and max_patterns must be >= 1, resolution >= 0");
  }
  search_result r;
  const auto test = [&](std::int64_t m) {
    ++r.evaluations;
    return ok(m);
  };
  std::int64_t m = std::min(settings.start, settings.max_patterns);
  if (test(m)) {
    r.passed = m;
    r.failed = settings.max_patterns + 1;
    while (r.passed < settings.max_patterns) {
      const std::int64_t next = std::min(2 * r.passed, settings.max_patterns);
      if (test(next)) {
        r.passed = next;
      } else {
        r.failed = next;
        break;
      }
    }
  } else {
    r.failed = m;
    r.passed = 0;
    while (m > 1) {
      m /= 2;
      if (test(m)) {
        r.passed = m;
        break;
      }
      r.failed = m;
    }
  }
  while (r.failed - r.passed >
         std::max<std::int64_t>(
             1, static_cast<std::int64_t>(settings.resolution * static_cast<double>(r.passed)))) {
    const std::int64_t mid = r.passed + (r.failed - r.passed) / 2;
    if (test(mid)) {
      r.passed = mid;
    } else {
      r.failed = mid;
    }
  }
  return r;
}

/// Two-sided 97.5% quantile of Student's t with `df` degrees of freedom: the table for small df,
/// the Cornish-Fisher expansion around the normal quantile beyond (error < 1e-3).
inline double student_t_975(int df) {
  static constexpr double table[] = {12.7062, 4.3027, 3.1824, 2.7764, 2.5706,
                                     2.4469,  2.3646, 2.3060, 2.2622, 2.2281};
  if (df < 1) return INFINITY;
  if (df <= 10) return table[df - 1];
  const double z = 1.959963984540054;
  const double v = static_cast<double>(df);
  return z + (z * z * z + z) / (4 * v) + (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v);
}

/// P(Binomial(n, 1/2) <= k).
inline double binomial_half_cdf(int n, int k) {
  double total = 0;
  for (int i = 0; i <= k; ++i) {
    total +=
        std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - n * std::log(2.0));
  }
  return total;
}

/// Summary of the per-trial capacities.
struct interval_estimate {
  int trials = 0;
  double mean = 0, mean_low = 0, mean_high = 0;        ///< mean and its 95% t interval
  double median = 0, median_low = 0, median_high = 0;  ///< median and a distribution-free interval
  double median_coverage = 0;  ///< that interval's exact coverage (>= 0.95 when trials >= 6)
  double min = 0, max = 0;
};

/// Mean with a Student t interval, and the median with the order-statistic interval
/// [x_(j), x_(n+1-j)] for the largest j whose coverage 1 - 2 P(Bin(n, 1/2) < j) is >= 95%
/// (min and max, with their smaller coverage, when n < 6).
inline interval_estimate summarize(std::vector<double> values) {
  interval_estimate s;
  s.trials = static_cast<int>(values.size());
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  s.min = values.front();
  s.max = values.back();
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  double ss = 0;
  for (const double v : values) ss += (v - s.mean) * (v - s.mean);
  const double half = n > 1
                          ? student_t_975(static_cast<int>(n) - 1) *
                                std::sqrt(ss / static_cast<double>(n - 1)) / std::sqrt(static_cast<double>(n))
                          : INFINITY;
  s.mean_low = std::max(0.0, s.mean - half);
  s.mean_high = s.mean + half;
  s.median = n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  int j = 1;  // 1-based rank of the lower end
  while (j + 1 <= static_cast<int>(n + 1) / 2 &&
         1.0 - 2.0 * binomial_half_cdf(static_cast<int>(n), j) >= 0.95) {
    ++j;
  }
  s.median_coverage = 1.0 - 2.0 * binomial_half_cdf(static_cast<int>(n), j - 1);
  s.median_low = values[static_cast<std::size_t>(j - 1)];
  s.median_high = values[n - static_cast<std::size_t>(j)];
  return s;
}

/// Least-squares slope and intercept of y on x, and R^2.
struct line_fit {
  double slope = 0, intercept = 0, r2 = 0;
};

inline line_fit fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  line_fit f;
  const auto n = static_cast<double>(x.size());
  if (x.size() < 2 || x.size() != y.size()) return f;
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) * (y[i] - my);
  }
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  f.r2 = syy > 0 ? sxy * sxy / (sxx * syy) : 1.0;
  return f;
}

}  // namespace capacity
