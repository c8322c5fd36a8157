#pragma once
/// @file The softplus Lagrangian L(x) = beta^-1 sum_i log(1 + exp(beta x_i)), whose activation is
/// the logistic sigmoid s = 1 / (1 + exp(-beta x)): a bounded, non-negative feature activation.
///
/// exp(beta x) overflows at beta x > 89 in float, so nothing is computed from it: with
/// a = |beta x_i| and e = exp(-a) in (0, 1],
///   log(1 + exp(beta x_i)) = max(beta x_i, 0) + log1p(e),
///   s_i = 1 / (1 + e) for x_i >= 0 and e / (1 + e) otherwise (no 1 - s: it loses tiny s),
///   s_i (1 - s_i) = e / (1 + e)^2,
///   x_i s_i - beta^-1 log(1 + exp(beta x_i)) = -beta^-1 (a e / (1 + e) + log1p(e)).
/// The last, the Legendre term, is minus the binary entropy of s_i over beta; its naive form
/// subtracts two numbers of size a for large positive x.
#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/lagrangian/detail/arguments.hpp"
#include "hopfield/lagrangian/lagrangian.hpp"

namespace hopfield {

/// L = beta^-1 sum_i softplus(beta x_i), g = s = sigmoid(beta x), Hessian diag(beta s (1 - s))
/// (positive definite). Legendre term per unit in (-log(2) / beta, 0].
template <Real Scalar>
class softplus_lagrangian {
 public:
  using scalar_type = Scalar;
  static constexpr bool hessian_psd = true;

  /// @throws std::invalid_argument when beta is not finite and > 0.
  explicit softplus_lagrangian(Scalar beta = 1) : beta_(beta) {
    detail::require_positive_finite("softplus_lagrangian", "beta", beta);
  }

  [[nodiscard]] Scalar beta() const { return beta_; }

  void value(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("softplus_lagrangian::value", x, out);
    const auto y = beta_ * x.array();
    out = (y.max(Scalar(0)) + (-y.abs()).exp().log1p()).matrix().colwise().sum() / beta_;
  }

  void activation(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<matrix_t<Scalar>> g) const {
    detail::require_shape_of_x("softplus_lagrangian::activation", "g", x, g);
    const auto e = (-beta_ * x.array().abs()).exp();
    g = (x.array() >= Scalar(0)).select(Scalar(1) / (Scalar(1) + e), e / (Scalar(1) + e)).matrix();
  }

  void legendre(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("softplus_lagrangian::legendre", x, out);
    const auto a = (beta_ * x.array()).abs();
    const auto e = (-a).exp();
    out = -(a * e / (Scalar(1) + e) + e.log1p()).matrix().colwise().sum() / beta_;
  }

  void hessian_vector(const Eigen::Ref<const matrix_t<Scalar>>& x,
                      const Eigen::Ref<const matrix_t<Scalar>>& v, Eigen::Ref<matrix_t<Scalar>> out) const {
    detail::require_shape_of_x("softplus_lagrangian::hessian_vector", "v", x, v);
    detail::require_shape_of_x("softplus_lagrangian::hessian_vector", "out", x, out);
    const auto e = (-beta_ * x.array().abs()).exp();
    out = (beta_ * e / (Scalar(1) + e).square() * v.array()).matrix();
  }

 private:
  Scalar beta_;
};

}  // namespace hopfield
