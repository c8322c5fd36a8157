#pragma once
// Shared helpers of the gradient tests: seeded Gaussian matrices and the independent reference,
// a fourth-order central finite difference of a loss along a direction. The loss is evaluated
// with the library's forward passes only, never with a gradient formula, so a wrong VJP cannot
// agree with it by construction.
#include <cmath>
#include <cstdint>
#include <limits>

#include <Eigen/Core>

#include <hopfield/core/types.hpp>

#include "gaussian.hpp"  // test::gaussian

namespace test {

/// d/dt loss(t) at t = 0, from loss(+-h) and loss(+-2h) (error O(h^4)).
template <class Loss>
long double directional_fd(Loss&& loss, long double h) {
  const long double one = static_cast<long double>(loss(h)) - static_cast<long double>(loss(-h));
  const long double two = static_cast<long double>(loss(2 * h)) - static_cast<long double>(loss(-2 * h));
  return (8 * one - two) / (12 * h);
}

/// <A, B> in long double.
template <class A, class B>
long double inner(const A& a, const B& b) {
  long double total = 0;
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i)
      total += static_cast<long double>(a(i, j)) * static_cast<long double>(b(i, j));
  }
  return total;
}

/// Frobenius norm in long double.
template <class A>
long double norm(const A& a) {
  return std::sqrt(inner(a, a));
}

/// True when the analytic directional derivative <G, D> matches the finite difference to `tol`
/// relative to ||G|| ||D|| (the Cauchy-Schwarz bound of <G, D>; a wrong entry of G moves <G, D>
/// by about ||error|| ||D|| / sqrt(size), far above tol ||G|| ||D||).
/// `floor` is an absolute allowance: the rounding of the difference itself (fd_floor).
inline bool agrees(long double analytic, long double numeric, long double scale, long double tol,
                   long double floor = 0) {
  return std::abs(analytic - numeric) <= tol * scale + floor;
}

/// What rounding the loss (eps |L| per evaluation, a few evaluations) does to a difference with
/// step h: the smallest disagreement a correct gradient may show.
template <class Scalar>
long double fd_floor(long double loss, long double h) {
  return 16 * static_cast<long double>(std::numeric_limits<Scalar>::epsilon()) * (1 + std::abs(loss)) / h;
}

}  // namespace test
