#pragma once
/// @file The log-sum-exp Lagrangian L(x) = lse(beta, x) = beta^-1 log sum_i exp(beta x_i), whose
/// activation is softmax(beta x): the memory layer of model B, the modern Hopfield network and
/// attention (Krotov & Hopfield 2021, §3.2). Value and activation run through the library's stable
/// kernels (kernels/logsumexp.hpp, kernels/softmax.hpp): exact at any magnitude of x.
#include <cmath>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/kernels/logsumexp.hpp"
#include "hopfield/kernels/softmax.hpp"
#include "hopfield/lagrangian/detail/arguments.hpp"
#include "hopfield/lagrangian/lagrangian.hpp"

namespace hopfield {

/// L = lse(beta, x), g = p = softmax(beta x), Hessian beta (diag p - p p^T): PSD with the zero
/// mode 1 (adding a constant to every x_i changes no p). Legendre term:
/// x.p - lse = beta^-1 sum_i p_i log p_i = -H(p) / beta (H the Shannon entropy), in
/// [-log(N) / beta, 0]. It is evaluated around the column's maximum m, as
/// sum_i p_i (x_i - m) - (lse - m), because x.p and lse are each about m and their difference
/// would lose every digit of it.
template <Real Scalar>
class log_sum_exp_lagrangian {
 public:
  using scalar_type = Scalar;
  static constexpr bool hessian_psd = true;

  /// @throws std::invalid_argument when beta is not finite and > 0.
  explicit log_sum_exp_lagrangian(Scalar beta = 1) : beta_(beta) {
    detail::require_positive_finite("log_sum_exp_lagrangian", "beta", beta);
  }

  [[nodiscard]] Scalar beta() const { return beta_; }

  void value(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("log_sum_exp_lagrangian::value", x, out);
    logsumexp_into(x, beta_, out);
  }

  void activation(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<matrix_t<Scalar>> g) const {
    detail::require_shape_of_x("log_sum_exp_lagrangian::activation", "g", x, g);
    softmax_into(x, beta_, g);
  }

  void legendre(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("log_sum_exp_lagrangian::legendre", x, out);
    for (index_t j = 0; j < x.cols(); ++j) {
      const Scalar m = x.col(j).maxCoeff();
      const auto shifted = x.col(j).array() - m;  // <= 0: no exponent overflows, the largest is 1
      const auto weights = (beta_ * shifted).exp();
      const Scalar sum = weights.sum();  // >= 1, so its log never underflows
      out(j) = (weights * shifted).sum() / sum - std::log(sum) / beta_;
    }
  }

  /// The optional fused member (lagrangian.hpp): softmax into g and the Legendre term with one
  /// exponential per entry instead of two. The softmax's largest weight is 1 / sum_i exp(beta
  /// (x_i - m)) (the max entry's own weight is exp(0) = 1), so lse - m = -log(p_max) / beta comes
  /// from g without a second exponential pass; p_max >= 1 / N, so the log never underflows.
  void activation_and_legendre(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<matrix_t<Scalar>> g,
                               Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_shape_of_x("log_sum_exp_lagrangian::activation_and_legendre", "g", x, g);
    detail::require_values("log_sum_exp_lagrangian::activation_and_legendre", x, out);
    softmax_into(x, beta_, g);
    for (index_t j = 0; j < x.cols(); ++j) {
      const Scalar m = x.col(j).maxCoeff();
      out(j) = (g.col(j).array() * (x.col(j).array() - m)).sum() + std::log(g.col(j).maxCoeff()) / beta_;
    }
  }

  /// beta (p o v - p (p.v)): the softmax is written into out, then scaled in place.
  void hessian_vector(const Eigen::Ref<const matrix_t<Scalar>>& x,
                      const Eigen::Ref<const matrix_t<Scalar>>& v, Eigen::Ref<matrix_t<Scalar>> out) const {
    detail::require_shape_of_x("log_sum_exp_lagrangian::hessian_vector", "v", x, v);
    detail::require_shape_of_x("log_sum_exp_lagrangian::hessian_vector", "out", x, out);
    softmax_into(x, beta_, out);
    for (index_t j = 0; j < x.cols(); ++j) {
      const Scalar mean = out.col(j).dot(v.col(j));  // p.v, the softmax-weighted mean of v
      out.col(j).array() *= beta_ * (v.col(j).array() - mean);
    }
  }

 private:
  Scalar beta_;
};

}  // namespace hopfield
