#pragma once
// The experiments of hopfield-capacity: for one memory, criterion and trial, whether M random
// patterns of dimension N are "stored". Each predicate builds the memory from the first M columns
// of one seeded pattern stream, so a trial's patterns are nested as M grows (common random numbers:
// the predicate is close to monotone in M, which the search assumes).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>

#include <hopfield/hopfield.hpp>

namespace capacity {

using hopfield::index_t;
using matrix = hopfield::matrix_t<float>;

enum class criterion {
  fixed_point,  ///< every stored pattern is unchanged by one synchronous step (continuous: cosine >=
                ///< threshold)
  recall,  ///< from rho N flipped bits (Gaussian noise for continuous patterns), a fraction >= 1 - epsilon is
           ///< recalled
  ags,     ///< from each stored pattern, asynchronous dynamics end with overlap >= 0.97 for a fraction >= 1 -
           ///< epsilon
};

inline std::string to_string(criterion c) {
  switch (c) {
    case criterion::fixed_point:
      return "fixed_point";
    case criterion::recall:
      return "recall";
    case criterion::ags:
      return "ags";
  }
  return "?";
}

/// Settings shared by every predicate (command-line options).
struct criterion_settings {
  double rho = 0.1;     ///< recall: fraction of flipped bits
  double noise = 0.5;   ///< recall (continuous): Gaussian sigma per coordinate, patterns of norm sqrt(N - 1)
  double epsilon = -1;  ///< allowed fraction of failed queries; < 0: the criterion's default
  double min_overlap = -1;    ///< success threshold; < 0: the criterion's default
  index_t max_queries = 256;  ///< recall / ags: at most this many stored patterns are queried
  index_t max_steps = 100;    ///< sweeps or CCCP steps per query
  index_t chunk = 256;        ///< fixed_point: patterns checked per batch (early exit between batches)
  double beta = 1.0;          ///< modern: inverse temperature
};

/// The ranges of the settings (hopfield-capacity checks its options against them before any run):
/// beyond them a trial cannot be computed (beta or noise that overflow float) or means nothing.
struct setting_limits {
  static constexpr double min_beta = 1e-6, max_beta = 1e6;
  static constexpr double max_noise = 1e3;
  static constexpr index_t max_queries = 1000000;
};

/// Why the settings cannot be run, naming the command-line option; empty when they can.
inline std::string invalid_setting(const criterion_settings& s) {
  using L = setting_limits;
  const auto bad = [](const std::string& option, const std::string& expected, double got) {
    std::ostringstream out;
    out << "option --" << option << ": expected " << expected << ", got " << got;
    return out.str();
  };
  if (!(s.rho >= 0 && s.rho < 0.5)) return bad("rho", "a fraction in [0, 0.5)", s.rho);
  if (!(s.noise >= 0 && s.noise <= L::max_noise)) return bad("noise", "a number in [0, 1000]", s.noise);
  if (!(s.epsilon < 1) || std::isnan(s.epsilon)) return bad("epsilon", "a fraction in [0, 1)", s.epsilon);
  if (!(s.min_overlap <= 1) || std::isnan(s.min_overlap) || s.min_overlap == 0) {
    return bad("min-overlap", "a number in (0, 1]", s.min_overlap);
  }
  if (s.max_queries < 1 || s.max_queries > L::max_queries) {
    return bad("queries", "an integer in [1, 1000000]", static_cast<double>(s.max_queries));
  }
  if (!(s.beta >= L::min_beta && s.beta <= L::max_beta)) {
    return bad("beta", "a number in [1e-06, 1e+06]", s.beta);
  }
  if (s.max_steps < 1 || s.chunk < 1) return "max_steps and chunk must be >= 1";
  return {};
}

inline double default_epsilon(criterion c) {
  return c == criterion::ags ? 0.5 : 0.05;
}

/// The overlap a query must reach: binary recall exact, AGS 0.97, continuous cosines 0.99 / 0.999.
inline double default_min_overlap(criterion c, bool continuous) {
  switch (c) {
    case criterion::fixed_point:
      return continuous ? 0.999 : 1.0;
    case criterion::recall:
      return continuous ? 0.99 : 1.0;
    case criterion::ags:
      return 0.97;
  }
  return 1.0;
}

namespace detail {

inline double cosine(const Eigen::Ref<const hopfield::vector_t<float>>& a,
                     const Eigen::Ref<const hopfield::vector_t<float>>& b) {
  const double na = a.cast<double>().norm();
  const double nb = b.cast<double>().norm();
  if (na == 0 || nb == 0) return 0;
  return a.cast<double>().dot(b.cast<double>()) / (na * nb);
}

/// Fraction of columns j whose overlap with the target column reaches `threshold`.
template <class States, class Targets>
double success_rate(const States& states, const Targets& targets, double threshold, bool continuous) {
  index_t hits = 0;
  for (index_t j = 0; j < states.cols(); ++j) {
    const double m = continuous ? cosine(states.col(j), targets.col(j))
                                : static_cast<double>(states.col(j).dot(targets.col(j))) /
                                      static_cast<double>(states.rows());
    hits += m >= threshold - 1e-9 ? 1 : 0;
  }
  return static_cast<double>(hits) / static_cast<double>(states.cols());
}

/// Every stored pattern unchanged by one synchronous step of a binary energy, checked in
/// batches (columns as queries) and stopping at the first batch with a change.
template <class Energy>
bool binary_fixed_points(const Energy& energy, const matrix& patterns, index_t chunk) {
  matrix next;
  for (index_t start = 0; start < patterns.cols(); start += chunk) {
    const index_t width = std::min(chunk, patterns.cols() - start);
    next.resize(patterns.rows(), width);
    hopfield::synchronous_update{}.step(energy, patterns.middleCols(start, width), next);
    if (next != patterns.middleCols(start, width)) return false;
  }
  return true;
}

}  // namespace detail

/// One trial of a binary memory: `make(X)` builds the memory from the N x M patterns.
template <class Make>
bool binary_trial(const Make& make, criterion c, const criterion_settings& s, index_t n, index_t m,
                  std::uint64_t seed) {
  const matrix x = hopfield::random_binary_patterns<float>(n, m, seed);
  const auto memory = make(x);
  if (c == criterion::fixed_point) return detail::binary_fixed_points(memory.energy_policy(), x, s.chunk);
  const index_t q = std::min(m, s.max_queries);
  const double eps = s.epsilon >= 0 ? s.epsilon : default_epsilon(c);
  const double threshold = s.min_overlap >= 0 ? s.min_overlap : default_min_overlap(c, false);
  hopfield::retrieval_options options;
  options.max_steps = s.max_steps;
  options.seed = hopfield::derive_seed(seed, 1);
  const matrix start = c == criterion::recall
                           ? hopfield::corrupt(x.leftCols(q), s.rho, hopfield::derive_seed(seed, 2))
                           : matrix(x.leftCols(q));
  const auto result = memory.retrieve(start, options);  // asynchronous, the memories' default
  return detail::success_rate(result.states, x.leftCols(q), threshold, false) >= 1.0 - eps - 1e-12;
}

/// One trial of the modern Hopfield network: random patterns on the sphere of radius sqrt(N - 1)
/// (Ramsauer et al.'s K = 1), beta from the settings.
inline bool modern_trial(criterion c, const criterion_settings& s, index_t n, index_t m, std::uint64_t seed) {
  const float radius = std::sqrt(static_cast<float>(n - 1));
  const matrix x = hopfield::random_sphere_patterns<float>(n, m, seed, radius);
  hopfield::modern_options<float> options;
  options.beta = static_cast<float>(s.beta);
  options.threads = 1;  // trials run in parallel already
  const hopfield::modern_hopfield<float> memory(x, options);
  const double threshold = s.min_overlap >= 0 ? s.min_overlap : default_min_overlap(c, true);
  if (c == criterion::fixed_point) {
    matrix next;
    for (index_t start = 0; start < m; start += s.chunk) {
      const index_t width = std::min(s.chunk, m - start);
      next = memory.update(x.middleCols(start, width));
      if (detail::success_rate(next, x.middleCols(start, width), threshold, true) < 1.0) return false;
    }
    return true;
  }
  const index_t q = std::min(m, s.max_queries);
  const double eps = s.epsilon >= 0 ? s.epsilon : default_epsilon(c);
  const matrix start = hopfield::add_gaussian_noise(x.leftCols(q), static_cast<float>(s.noise),
                                                    hopfield::derive_seed(seed, 2));
  hopfield::retrieval_options steps;
  steps.max_steps = s.max_steps;
  const auto result = memory.retrieve(start, steps);
  return detail::success_rate(result.states, x.leftCols(q), threshold, true) >= 1.0 - eps - 1e-12;
}

/// A predicate (n, m, seed) -> stored? for one memory kind and option, by name:
/// classical: hebbian | storkey | pseudo_inverse; dense: polynomial | rectified | exponential
/// (with degree); modern.
inline std::function<bool(index_t, index_t, std::uint64_t)> make_predicate(const std::string& memory,
                                                                           const std::string& option,
                                                                           int degree, criterion c,
                                                                           const criterion_settings& s) {
  // Settings out of range fail here, before any trial, rather than mid-run.
  if (const std::string why = invalid_setting(s); !why.empty()) throw std::invalid_argument(why);
  using namespace hopfield;
  if (memory == "classical") {
    if (option == "hebbian") {
      return [=](index_t n, index_t m, std::uint64_t seed) {
        return binary_trial([](const matrix& x) { return classical_hopfield<float, hebbian>(x); }, c, s, n, m,
                            seed);
      };
    }
    if (option == "storkey") {
      return [=](index_t n, index_t m, std::uint64_t seed) {
        return binary_trial([](const matrix& x) { return classical_hopfield<float, storkey>(x); }, c, s, n, m,
                            seed);
      };
    }
    return [=](index_t n, index_t m, std::uint64_t seed) {
      return binary_trial([](const matrix& x) { return classical_hopfield<float, pseudo_inverse>(x); }, c, s,
                          n, m, seed);
    };
  }
  if (memory == "dense") {
    if (option == "polynomial") {
      return [=](index_t n, index_t m, std::uint64_t seed) {
        return binary_trial(
            [degree](const matrix& x) {
              return dense_associative_memory<float, polynomial>(x, {.degree = degree});
            },
            c, s, n, m, seed);
      };
    }
    if (option == "rectified") {
      return [=](index_t n, index_t m, std::uint64_t seed) {
        return binary_trial(
            [degree](const matrix& x) {
              return dense_associative_memory<float, rectified_polynomial>(x, {.degree = degree});
            },
            c, s, n, m, seed);
      };
    }
    return [=](index_t n, index_t m, std::uint64_t seed) {
      return binary_trial([](const matrix& x) { return dense_associative_memory<float, exponential>(x); }, c,
                          s, n, m, seed);
    };
  }
  return [=](index_t n, index_t m, std::uint64_t seed) { return modern_trial(c, s, n, m, seed); };
}

}  // namespace capacity
