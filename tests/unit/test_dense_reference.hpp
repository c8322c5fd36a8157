#pragma once
// Independent long-double references for the Dense Associative Memory tests: F written out,
// overlaps recomputed from scratch for every question, no scaling, no caching.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <hopfield/hopfield.hpp>

namespace dense_ref {

using ld = long double;

/// Which shipped interaction a reference stands for.
enum class kind { polynomial, rectified, exponential };

struct interaction {
  kind type = kind::polynomial;
  int degree = 3;

  [[nodiscard]] ld operator()(ld x) const {
    if (type == kind::exponential) return std::exp(x);
    const ld base = type == kind::rectified ? std::max(x, ld(0)) : x;
    ld result = 1;
    for (int k = 0; k < degree; ++k) result *= base;
    return result;
  }
  [[nodiscard]] std::string name() const {
    switch (type) {
      case kind::polynomial:
        return "polynomial n=" + std::to_string(degree);
      case kind::rectified:
        return "rectified n=" + std::to_string(degree);
      case kind::exponential:
        return "exponential";
    }
    return "?";
  }
};

template <class X, class S>
ld overlap(const X& patterns, const S& s, hopfield::index_t mu) {
  ld m = 0;
  for (hopfield::index_t j = 0; j < patterns.rows(); ++j) {
    m += static_cast<ld>(patterns(j, mu)) * static_cast<ld>(s(j));
  }
  return m;
}

/// -sum_mu F(x^mu . s), from scratch.
template <class F, class X, class S>
ld energy(const X& patterns, const S& s, const F& f) {
  ld sum = 0;
  for (hopfield::index_t mu = 0; mu < patterns.cols(); ++mu) sum += f(overlap(patterns, s, mu));
  return -sum;
}

/// The Krotov-Hopfield rule's sum for neuron i, sum_mu x_i^mu [F(x_i^mu + r_mu) - F(-x_i^mu + r_mu)]
/// with r_mu = sum_{j != i} x_j^mu s_j recomputed, and the sum of the terms' magnitudes (how far
/// from a tie the decision is, relative to rounding).
template <class F, class X, class S>
std::pair<ld, ld> gap(const X& patterns, const S& s, hopfield::index_t i, const F& f) {
  ld total = 0;
  ld magnitude = 0;
  for (hopfield::index_t mu = 0; mu < patterns.cols(); ++mu) {
    const ld x_i = static_cast<ld>(patterns(i, mu));
    const ld rest = overlap(patterns, s, mu) - x_i * static_cast<ld>(s(i));
    const ld term = f(x_i + rest) - f(-x_i + rest);
    total += term;
    magnitude += std::abs(term);
  }
  return {total, magnitude};
}

/// Asynchronous retrieval the naive way: the engine's visiting order (same seed derivation), and
/// each decision from the two energies E(s_i = +1), E(s_i = -1) recomputed from scratch.
/// Returns the final state and the sweeps run.
template <class F, class X, class Scalar>
std::pair<hopfield::vector_t<Scalar>, hopfield::index_t> naive_retrieve(const X& patterns,
                                                                        hopfield::vector_t<Scalar> s,
                                                                        const F& f, std::uint64_t seed,
                                                                        hopfield::index_t max_steps) {
  hopfield::random_engine rng(hopfield::derive_seed(seed, 0));
  std::vector<hopfield::index_t> order;
  for (hopfield::index_t step = 1; step <= max_steps; ++step) {
    hopfield::random_permutation(rng, patterns.rows(), order);
    hopfield::index_t flips = 0;
    for (const auto i : order) {
      const Scalar old = s(i);
      s(i) = Scalar(1);
      const ld up = energy(patterns, s, f);
      s(i) = Scalar(-1);
      const ld down = energy(patterns, s, f);
      s(i) = up < down ? Scalar(1) : (down < up ? Scalar(-1) : old);
      if (s(i) != old) ++flips;
    }
    if (flips == 0) return {s, step};
  }
  return {s, max_steps};
}

/// True when long double covers exp(2000): the exponential references at N >= 1000 need it.
inline constexpr bool wide_long_double = std::numeric_limits<ld>::max_exponent10 > 2000;

}  // namespace dense_ref

namespace dense_ref {

/// Every neuron's Krotov-Hopfield sum (and its terms' magnitude) for one state, with the overlaps
/// computed once from scratch in long double (for the large-N numerics tests).
template <class F, class X, class S>
std::vector<std::pair<ld, ld>> all_gaps(const X& patterns, const S& s, const F& f) {
  std::vector<ld> m(static_cast<std::size_t>(patterns.cols()));
  for (hopfield::index_t mu = 0; mu < patterns.cols(); ++mu)
    m[static_cast<std::size_t>(mu)] = overlap(patterns, s, mu);
  std::vector<std::pair<ld, ld>> out(static_cast<std::size_t>(patterns.rows()));
  for (hopfield::index_t i = 0; i < patterns.rows(); ++i) {
    ld total = 0;
    ld magnitude = 0;
    for (hopfield::index_t mu = 0; mu < patterns.cols(); ++mu) {
      const ld x_i = static_cast<ld>(patterns(i, mu));
      const ld rest = m[static_cast<std::size_t>(mu)] - x_i * static_cast<ld>(s(i));
      const ld term = f(x_i + rest) - f(-x_i + rest);
      total += term;
      magnitude += std::abs(term);
    }
    out[static_cast<std::size_t>(i)] = {total, magnitude};
  }
  return out;
}

}  // namespace dense_ref
