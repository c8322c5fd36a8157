#pragma once
/// @file Vector-Jacobian product of alpha-entmax (kernels/entmax.hpp, kernels/sparsemax.hpp;
/// softmax at alpha = 1) with respect to its argument theta, computed from the output p alone.
///
/// With s_i = p_i^(2 - alpha) on the support (p_i > 0) and 0 off it, the Jacobian is
///   J = dp/dtheta = diag(s) - s s^T / sum_j s_j
/// (THEORY.md section 7; Peters et al. 2019): symmetric, so J^T g = J g and
///   grad_theta = s .* g - s (s . g) / sum s.
/// alpha = 1 gives s = p, the softmax Jacobian diag(p) - p p^T; alpha = 2 gives the support
/// indicator (sparsemax); alpha = 1.5 gives sqrt(p). Off the support the gradient is exactly 0.
/// For p = entmax(beta z) the gradient with respect to z is beta times this (theta = beta z).
/// At a point where the support changes (some theta_i exactly at the threshold) entmax is not
/// differentiable; this is the one-sided Jacobian that treats p_i = 0 as off the support.
/// Sums run in the wide type (double for float). Cost O(M) per column.
#include <cmath>
#include <string>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/detail/wide.hpp"
#include "hopfield/gradient/detail/checks.hpp"

namespace hopfield {

/// J^T grad_out for p = entmax_alpha(theta), alpha >= 1 (1: softmax). `p` is a vector (giving a
/// vector) or a matrix of column distributions (giving a matrix, column by column); `grad_out`
/// has its shape. A column of zeros (a fully masked distribution) gets a zero gradient.
/// @throws std::invalid_argument naming "alpha" when alpha is not finite and >= 1, "p" when an
///         entry is negative or not finite, "grad_out" when its shape differs from p's or an
///         entry is not finite.
template <class DP, class DG>
auto entmax_vjp(const Eigen::MatrixBase<DP>& p, typename DP::Scalar alpha,
                const Eigen::MatrixBase<DG>& grad_out) {
  using Scalar = typename DP::Scalar;
  using wide = detail::wide_t<Scalar>;
  static_assert(Real<Scalar>, "hopfield::entmax_vjp: p must hold float, double or long double");
  constexpr std::string_view f = "entmax_vjp";
  if (!(std::isfinite(alpha) && alpha >= Scalar(1)))
    detail::throw_invalid(f, "alpha", "a finite value >= 1", alpha);
  for (index_t j = 0; j < p.cols(); ++j) {
    for (index_t i = 0; i < p.rows(); ++i) {
      const Scalar v = p(i, j);
      if (!(std::isfinite(v) && v >= Scalar(0))) {
        detail::throw_invalid(
            f, "p", "finite entries >= 0",
            detail::describe(v) + " at (" + std::to_string(i) + ", " + std::to_string(j) + ")");
      }
    }
  }
  detail::require_upstream(f, "grad_out", grad_out, p.rows(), p.cols());
  const auto exponent = 2 - static_cast<wide>(alpha);
  const auto weight = [exponent](Scalar pi) -> wide {  // s_i
    if (!(pi > Scalar(0))) return 0;
    const auto v = static_cast<wide>(pi);
    return exponent == 0 ? wide(1) : (exponent == wide(0.5) ? std::sqrt(v) : std::pow(v, exponent));
  };
  using result_t = std::conditional_t<DP::ColsAtCompileTime == 1, vector_t<Scalar>, matrix_t<Scalar>>;
  result_t out(p.rows(), p.cols());
  for (index_t j = 0; j < p.cols(); ++j) {
    wide s_sum = 0, s_dot_g = 0;
    for (index_t i = 0; i < p.rows(); ++i) {
      const wide s = weight(p(i, j));
      s_sum += s;
      s_dot_g += s * static_cast<wide>(grad_out(i, j));
    }
    const wide mean = s_sum > 0 ? s_dot_g / s_sum : wide(0);  // weighted mean of g over the support
    for (index_t i = 0; i < p.rows(); ++i) {
      out(i, j) = static_cast<Scalar>(weight(p(i, j)) * (static_cast<wide>(grad_out(i, j)) - mean));
    }
  }
  return out;
}

}  // namespace hopfield
