#pragma once
/// @file The exponential Lagrangian L(x) = beta^-1 sum_i exp(beta x_i), whose activation exp(beta x)
/// is the exponential interaction of Demircigil et al. 2017 as a memory layer (Krotov & Hopfield
/// 2021, §3.1 with F = exp).
///
/// Overflow, chosen and documented: value, activation, Legendre term and Hessian-vector product
/// follow IEEE arithmetic and saturate to +inf once exp(beta x_i) overflows (beta x_i above
/// log(max): about 88.7 in float, 709.8 in double); they never throw for it and never give NaN
/// from finite x, except a Hessian-vector product whose v is 0 where exp(beta x_i) is +inf
/// (inf * 0). log_value() gives log L for every finite x, through the stable log-sum-exp kernel:
/// use it (or compare activations in log space, beta x) where the currents are large.
#include <cmath>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/kernels/logsumexp.hpp"
#include "hopfield/lagrangian/detail/arguments.hpp"
#include "hopfield/lagrangian/lagrangian.hpp"

namespace hopfield {

/// L = beta^-1 sum_i e^(beta x_i), g = e^(beta x), Hessian diag(beta e^(beta x)) (positive
/// definite). Legendre term: x.g - L = sum_i (x_i - 1/beta) e^(beta x_i); each term is >= -1/beta,
/// so the sum never cancels catastrophically.
template <Real Scalar>
class exponential_lagrangian {
 public:
  using scalar_type = Scalar;
  static constexpr bool hessian_psd = true;

  /// @throws std::invalid_argument when beta is not finite and > 0.
  explicit exponential_lagrangian(Scalar beta = 1) : beta_(beta) {
    detail::require_positive_finite("exponential_lagrangian", "beta", beta);
  }

  [[nodiscard]] Scalar beta() const { return beta_; }

  void value(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("exponential_lagrangian::value", x, out);
    out = (beta_ * x.array()).exp().matrix().colwise().sum() / beta_;
  }

  /// out(j) = log L(x.col(j)) = beta lse(beta, x_j) - log beta: finite for every finite x (L > 0).
  /// @throws std::invalid_argument when x has no rows or out has the wrong length.
  void log_value(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("exponential_lagrangian::log_value", x, out);
    logsumexp_into(x, beta_, out);
    out = beta_ * out.array() - std::log(beta_);
  }

  void activation(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<matrix_t<Scalar>> g) const {
    detail::require_shape_of_x("exponential_lagrangian::activation", "g", x, g);
    g = (beta_ * x.array()).exp().matrix();
  }

  void legendre(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("exponential_lagrangian::legendre", x, out);
    out = ((x.array() - Scalar(1) / beta_) * (beta_ * x.array()).exp()).matrix().colwise().sum();
  }

  void hessian_vector(const Eigen::Ref<const matrix_t<Scalar>>& x,
                      const Eigen::Ref<const matrix_t<Scalar>>& v, Eigen::Ref<matrix_t<Scalar>> out) const {
    detail::require_shape_of_x("exponential_lagrangian::hessian_vector", "v", x, v);
    detail::require_shape_of_x("exponential_lagrangian::hessian_vector", "out", x, out);
    out = (beta_ * (beta_ * x.array()).exp() * v.array()).matrix();
  }

 private:
  Scalar beta_;
};

}  // namespace hopfield
