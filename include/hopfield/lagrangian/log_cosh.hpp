#pragma once
/// @file The log-cosh Lagrangian L(x) = beta^-1 sum_i log cosh(beta x_i), whose activation is
/// tanh(beta x): a bounded feature activation, which keeps the energy bounded below (Krotov &
/// Hopfield 2021, App. A).
///
/// cosh overflows at |beta x| > 89 in float, so nothing is computed from it: with a = |beta x_i|
/// and e = exp(-2a) in (0, 1], everything is written in e, which cannot overflow:
///   log cosh(beta x_i) = a + log1p(e) - log 2,
///   sech^2(beta x_i)   = 4 e / (1 + e)^2,
///   x_i tanh(beta x_i) - beta^-1 log cosh(beta x_i) = beta^-1 (log 2 - log1p(e) - 2 a e / (1 + e)).
/// The last is the Legendre term, whose naive form subtracts two numbers of size a.
#include <numbers>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/lagrangian/detail/arguments.hpp"
#include "hopfield/lagrangian/lagrangian.hpp"

namespace hopfield {

/// L = beta^-1 sum_i log cosh(beta x_i), g = tanh(beta x), Hessian diag(beta sech^2(beta x))
/// (positive definite). Legendre term per unit in [0, log(2) / beta).
template <Real Scalar>
class log_cosh_lagrangian {
 public:
  using scalar_type = Scalar;
  static constexpr bool hessian_psd = true;

  /// @throws std::invalid_argument when beta is not finite and > 0.
  explicit log_cosh_lagrangian(Scalar beta = 1) : beta_(beta) {
    detail::require_positive_finite("log_cosh_lagrangian", "beta", beta);
  }

  [[nodiscard]] Scalar beta() const { return beta_; }

  void value(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("log_cosh_lagrangian::value", x, out);
    const auto a = (beta_ * x.array()).abs();
    out = (a + (Scalar(-2) * a).exp().log1p() - std::numbers::ln2_v<Scalar>).matrix().colwise().sum() / beta_;
  }

  void activation(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<matrix_t<Scalar>> g) const {
    detail::require_shape_of_x("log_cosh_lagrangian::activation", "g", x, g);
    g = (beta_ * x.array()).tanh().matrix();
  }

  void legendre(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("log_cosh_lagrangian::legendre", x, out);
    const auto a = (beta_ * x.array()).abs();
    const auto e = (Scalar(-2) * a).exp();
    out = (std::numbers::ln2_v<Scalar> - e.log1p() - Scalar(2) * a * e / (Scalar(1) + e))
              .matrix()
              .colwise()
              .sum() /
          beta_;
  }

  void hessian_vector(const Eigen::Ref<const matrix_t<Scalar>>& x,
                      const Eigen::Ref<const matrix_t<Scalar>>& v, Eigen::Ref<matrix_t<Scalar>> out) const {
    detail::require_shape_of_x("log_cosh_lagrangian::hessian_vector", "v", x, v);
    detail::require_shape_of_x("log_cosh_lagrangian::hessian_vector", "out", x, out);
    const auto e = (Scalar(-2) * (beta_ * x.array()).abs()).exp();
    out = (Scalar(4) * beta_ * e / (Scalar(1) + e).square() * v.array()).matrix();
  }

 private:
  Scalar beta_;
};

}  // namespace hopfield
