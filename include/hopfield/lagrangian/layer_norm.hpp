#pragma once
/// @file The layer-norm Lagrangian (Krotov & Hopfield's convention, as in the Energy Transformer,
/// Hoover et al. 2023): for one column of D units,
///   L(x) = D gamma sqrt(V + eps) + delta sum_i x_i,  V = (1/D) sum_i (x_i - mean)^2,
/// whose activation is layer normalisation g = gamma (x - mean) / sqrt(V + eps) + delta.
///
/// gamma, delta and eps are scalars: a per-unit gamma would make g no gradient of any L (THEORY.md
/// §6), so it is not offered. With u = x - mean and s = sqrt(V + eps), the Hessian is
///   H = (gamma / s) [I - 1 1^T / D - u u^T / (D s^2)],
/// with eigenvalue 0 along 1, gamma eps / s^3 along u and gamma / s on the other D - 2 directions:
/// PSD for gamma > 0 and eps > 0.
#include <cmath>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/lagrangian/detail/arguments.hpp"
#include "hopfield/lagrangian/lagrangian.hpp"

namespace hopfield {

/// Layer norm as a Lagrangian (see the file comment). Legendre term: since sum_i u_i = 0,
/// x.g - L = gamma (D V / s - D s) = -gamma D eps / s exactly; it is computed in that form, in
/// (-gamma D sqrt(eps), 0), where the naive form subtracts two numbers of size D gamma s.
template <Real Scalar>
class layer_norm_lagrangian {
 public:
  using scalar_type = Scalar;
  static constexpr bool hessian_psd = true;

  /// @throws std::invalid_argument when gamma or eps is not finite and > 0, or delta is not finite.
  explicit layer_norm_lagrangian(Scalar gamma = 1, Scalar delta = 0, Scalar eps = Scalar(1e-5))
      : gamma_(gamma), delta_(delta), eps_(eps) {
    detail::require_positive_finite("layer_norm_lagrangian", "gamma", gamma);
    if (!std::isfinite(delta))
      detail::throw_invalid("layer_norm_lagrangian", "delta", "a finite value", delta);
    detail::require_positive_finite("layer_norm_lagrangian", "eps", eps);
  }

  [[nodiscard]] Scalar gamma() const { return gamma_; }
  [[nodiscard]] Scalar delta() const { return delta_; }
  [[nodiscard]] Scalar eps() const { return eps_; }

  void value(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("layer_norm_lagrangian::value", x, out);
    const Scalar d = static_cast<Scalar>(x.rows());
    for (index_t j = 0; j < x.cols(); ++j) {
      const auto [mean, s] = moments(x.col(j));
      out(j) = d * gamma_ * s + delta_ * d * mean;  // delta sum_i x_i = delta D mean
    }
  }

  void activation(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<matrix_t<Scalar>> g) const {
    detail::require_shape_of_x("layer_norm_lagrangian::activation", "g", x, g);
    for (index_t j = 0; j < x.cols(); ++j) {
      const auto [mean, s] = moments(x.col(j));
      g.col(j) = ((x.col(j).array() - mean) * (gamma_ / s) + delta_).matrix();
    }
  }

  void legendre(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("layer_norm_lagrangian::legendre", x, out);
    const Scalar d = static_cast<Scalar>(x.rows());
    for (index_t j = 0; j < x.cols(); ++j) out(j) = -gamma_ * d * eps_ / moments(x.col(j)).s;
  }

  /// (gamma / s) [v - mean(v) - u (u.v) / (D s^2)], from the Hessian in the file comment.
  void hessian_vector(const Eigen::Ref<const matrix_t<Scalar>>& x,
                      const Eigen::Ref<const matrix_t<Scalar>>& v, Eigen::Ref<matrix_t<Scalar>> out) const {
    detail::require_shape_of_x("layer_norm_lagrangian::hessian_vector", "v", x, v);
    detail::require_shape_of_x("layer_norm_lagrangian::hessian_vector", "out", x, out);
    const Scalar d = static_cast<Scalar>(x.rows());
    for (index_t j = 0; j < x.cols(); ++j) {
      const auto [mean, s] = moments(x.col(j));
      const auto u = x.col(j).array() - mean;
      const Scalar v_mean = v.col(j).mean();
      const Scalar uv = (u * v.col(j).array()).sum();
      out.col(j) = ((gamma_ / s) * (v.col(j).array() - v_mean - u * (uv / (d * s * s)))).matrix();
    }
  }

 private:
  struct column_moments {
    Scalar mean;
    Scalar s;  ///< sqrt(V + eps)
  };

  /// The mean, then V from the centred values (two passes: the one-pass E[x^2] - mean^2 cancels
  /// when the mean is large against the spread).
  template <class Column>
  column_moments moments(const Column& column) const {
    const Scalar mean = column.mean();
    const Scalar variance = (column.array() - mean).square().mean();
    return {mean, std::sqrt(variance + eps_)};
  }

  Scalar gamma_;
  Scalar delta_;
  Scalar eps_;
};

}  // namespace hopfield
