#pragma once
/// @file Seeded pattern generators, corruption and overlap: the helpers every experiment needs.
/// Every random choice takes a seed, and the same seed gives the same result on every run. The
/// binary draws (patterns, flipped positions) are bit-identical on every platform; the Gaussian
/// ones go through std::log/std::cos and may differ in the last bits between compilers or flags.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "hopfield/analysis/detail/scaling.hpp"
#include "hopfield/core/random.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield {

namespace detail {
inline void require_shape(std::string_view function, index_t rows, index_t cols) {
  if (rows <= 0 || cols <= 0) {
    throw_invalid(function, "N, M", "sizes > 0", std::to_string(rows) + ", " + std::to_string(cols));
  }
}

/// Standard normal draw (Box-Muller on our own uniform stream, so it is portable).
inline double standard_normal(random_engine& rng) {
  const double u1 = 1.0 - uniform_unit(rng);  // (0, 1]
  const double u2 = uniform_unit(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}
}  // namespace detail

/// N x M matrix of independent, equiprobable +-1 entries (one pattern per column).
/// @throws std::invalid_argument when N or M is not positive.
template <Real Scalar>
matrix_t<Scalar> random_binary_patterns(index_t n, index_t m, std::uint64_t seed) {
  detail::require_shape("random_binary_patterns", n, m);
  random_engine rng(seed);
  matrix_t<Scalar> x(n, m);
  for (index_t j = 0; j < m; ++j) {
    for (index_t i = 0; i < n; i += 64) {
      std::uint64_t bits = rng();
      for (index_t k = i; k < std::min<index_t>(i + 64, n); ++k, bits >>= 1) {
        x(k, j) = (bits & 1U) != 0 ? Scalar(1) : Scalar(-1);
      }
    }
  }
  return x;
}

/// N x M matrix of patterns drawn uniformly on the sphere of the given radius. Every column is
/// finite for every accepted radius, the largest double included (a column whose Gaussian draw is
/// exactly 0, possible for N = 1, is drawn again rather than divided by its zero norm).
/// @throws std::invalid_argument when N or M is not positive or the radius is not finite and > 0.
template <Real Scalar>
matrix_t<Scalar> random_sphere_patterns(index_t n, index_t m, std::uint64_t seed, Scalar radius = 1) {
  detail::require_shape("random_sphere_patterns", n, m);
  detail::require_positive_finite("random_sphere_patterns", "radius", radius);
  random_engine rng(seed);
  matrix_t<Scalar> x(n, m);
  for (index_t j = 0; j < m; ++j) {
    Scalar norm = 0;
    while (norm == Scalar(0)) {
      for (index_t i = 0; i < n; ++i) x(i, j) = static_cast<Scalar>(detail::standard_normal(rng));
      norm = x.col(j).norm();
    }
    const Scalar factor = radius / norm;
    if (std::isfinite(factor)) {
      x.col(j) *= factor;
    } else {  // radius near the largest value and norm < 1: normalise first, then scale
      x.col(j) /= norm;
      x.col(j) *= radius;
    }
  }
  return x;
}

/// A copy of `states` with exactly `flips` distinct entries of each column negated (chosen
/// uniformly, independently per column).
/// @throws std::invalid_argument when flips is negative or larger than the number of rows.
template <class Derived>
matrix_t<typename Derived::Scalar> flip_bits(const Eigen::MatrixBase<Derived>& states, index_t flips,
                                             std::uint64_t seed) {
  if (flips < 0 || flips > states.rows()) {
    detail::throw_invalid("flip_bits", "flips", "a count in [0, " + std::to_string(states.rows()) + "]",
                          flips);
  }
  random_engine rng(seed);
  matrix_t<typename Derived::Scalar> out = states;
  std::vector<index_t> order;
  for (index_t j = 0; j < out.cols(); ++j) {
    // A partial Fisher-Yates shuffle picks `flips` distinct positions.
    order.resize(static_cast<std::size_t>(out.rows()));
    for (index_t i = 0; i < out.rows(); ++i) order[static_cast<std::size_t>(i)] = i;
    for (index_t k = 0; k < flips; ++k) {
      const auto pick = static_cast<std::size_t>(k) + static_cast<std::size_t>(uniform_below(
                                                          rng, static_cast<std::uint64_t>(out.rows() - k)));
      std::swap(order[static_cast<std::size_t>(k)], order[pick]);
      out(order[static_cast<std::size_t>(k)], j) = -out(order[static_cast<std::size_t>(k)], j);
    }
  }
  return out;
}

/// flip_bits with a fraction rho in [0, 1] of each column's entries (rounded to nearest).
/// @throws std::invalid_argument when rho is outside [0, 1].
template <class Derived>
matrix_t<typename Derived::Scalar> corrupt(const Eigen::MatrixBase<Derived>& states, double rho,
                                           std::uint64_t seed) {
  if (!(rho >= 0.0 && rho <= 1.0)) detail::throw_invalid("corrupt", "rho", "a fraction in [0, 1]", rho);
  const auto flips = static_cast<index_t>(std::llround(rho * static_cast<double>(states.rows())));
  return flip_bits(states, flips, seed);
}

/// A copy of `states` plus independent Gaussian noise of standard deviation sigma. The entries
/// are not checked: a non-finite entry stays non-finite, and an entry whose sum overflows (sigma
/// near the largest value) becomes +-inf.
/// @throws std::invalid_argument when sigma is negative or not finite.
template <class Derived>
matrix_t<typename Derived::Scalar> add_gaussian_noise(const Eigen::MatrixBase<Derived>& states,
                                                      typename Derived::Scalar sigma, std::uint64_t seed) {
  using Scalar = typename Derived::Scalar;
  detail::require_non_negative_finite("add_gaussian_noise", "sigma", sigma);
  random_engine rng(seed);
  matrix_t<Scalar> out = states;
  for (index_t j = 0; j < out.cols(); ++j) {
    for (index_t i = 0; i < out.rows(); ++i)
      out(i, j) += sigma * static_cast<Scalar>(detail::standard_normal(rng));
  }
  return out;
}

/// Normalised overlap m = a . b / N of two states of equal length, in [-1, 1] for +-1 states.
/// The states' shapes do not matter, only their lengths (entries are taken in storage order).
/// Finite for finite entries of any magnitude: where the plain dot product overflows, it is
/// recomputed on the states scaled by powers of two (exactly), and the result is +-inf only when
/// m itself exceeds the scalar's range.
/// @throws std::invalid_argument when the lengths differ or are zero, or when the dot product is
///         not finite because an entry is NaN or infinite.
template <class A, class B>
typename A::Scalar overlap(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b) {
  using Scalar = typename A::Scalar;
  detail::require_size("overlap", "b", "size", a.size(), b.size());
  if (a.size() == 0) detail::throw_invalid("overlap", "a", "a non-empty state", a.size());
  const auto n = static_cast<Scalar>(a.size());
  const Scalar plain = a.reshaped().dot(b.reshaped()) / n;
  if (std::isfinite(plain)) return plain;
  // Only reached on overflow or non-finite input, so the checks cost nothing on the usual path.
  detail::require_finite("overlap", "a", a);
  detail::require_finite("overlap", "b", b);
  const int ka = detail::scale_exponent(static_cast<Scalar>(a.cwiseAbs().maxCoeff()));
  const int kb = detail::scale_exponent(static_cast<Scalar>(b.cwiseAbs().maxCoeff()));
  const Scalar scaled =
      (a.reshaped() * std::ldexp(Scalar(1), -ka)).dot(b.reshaped() * std::ldexp(Scalar(1), -kb));
  return std::ldexp(scaled / n, ka + kb);
}

}  // namespace hopfield
