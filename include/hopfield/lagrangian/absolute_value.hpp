#pragma once
/// @file The absolute-value Lagrangian L(x) = sum_i |x_i|, whose activation is sign(x): the feature
/// layer of model A, the dense associative memory (Krotov & Hopfield 2021, §3.1).
#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/lagrangian/detail/arguments.hpp"
#include "hopfield/lagrangian/lagrangian.hpp"

namespace hopfield {

/// L = sum_i |x_i|, g = sign(x) (the subgradient 0 at x_i = 0), Hessian 0 wherever it exists
/// (everywhere but the hyperplanes x_i = 0): convex, so PSD, but degenerate: this layer dissipates
/// no energy and dE/dt comes from the other layer alone. L is homogeneous of degree one, so the
/// Legendre term x.g - L is exactly 0.
template <Real Scalar>
class absolute_value_lagrangian {
 public:
  using scalar_type = Scalar;
  static constexpr bool hessian_psd = true;

  void value(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("absolute_value_lagrangian::value", x, out);
    out = x.cwiseAbs().colwise().sum();
  }

  void activation(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<matrix_t<Scalar>> g) const {
    detail::require_shape_of_x("absolute_value_lagrangian::activation", "g", x, g);
    g = x.cwiseSign();  // 0 at 0: the subgradient of least norm, so a silent unit stays silent
  }

  /// x.sign(x) - |x|_1 = 0 exactly; not computed, so no rounding either.
  void legendre(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("absolute_value_lagrangian::legendre", x, out);
    out.setZero();
  }

  /// 0: sign(x) is constant away from x_i = 0 (and the kink itself has measure zero).
  void hessian_vector(const Eigen::Ref<const matrix_t<Scalar>>& x,
                      const Eigen::Ref<const matrix_t<Scalar>>& v, Eigen::Ref<matrix_t<Scalar>> out) const {
    detail::require_shape_of_x("absolute_value_lagrangian::hessian_vector", "v", x, v);
    detail::require_shape_of_x("absolute_value_lagrangian::hessian_vector", "out", x, out);
    out.setZero();
  }
};

}  // namespace hopfield
