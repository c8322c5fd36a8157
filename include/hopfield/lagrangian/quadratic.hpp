#pragma once
/// @file The quadratic Lagrangian L(x) = 1/2 |x|^2, whose activation is the identity: the feature
/// layer of model B (Krotov & Hopfield 2021, §3.2), and the reference Lagrangian policy: every
/// member of the Lagrangian concept is documented here (copy its shape when writing your own).
#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/lagrangian/detail/arguments.hpp"
#include "hopfield/lagrangian/lagrangian.hpp"

namespace hopfield {

/// L = 1/2 sum_i x_i^2, g = x, Hessian I (positive definite), Legendre term x.g - L = 1/2 |x|^2.
template <Real Scalar>
class quadratic_lagrangian {
 public:
  /// Optional: the scalar the policy is written for (the concept takes the scalar separately).
  using scalar_type = Scalar;
  /// Required: the Hessian is PSD for every x (here it is the identity).
  static constexpr bool hessian_psd = true;

  /// Required: out(j) = L(x.col(j)). x is N x B, out has B entries.
  /// @throws std::invalid_argument when x has no rows or out has the wrong length.
  void value(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("quadratic_lagrangian::value", x, out);
    out = Scalar(0.5) * x.colwise().squaredNorm();
  }

  /// Required: g.col(j) = grad L(x.col(j)); g has the shape of x and does not overlap it.
  /// @throws std::invalid_argument when x has no rows or g has another shape.
  void activation(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<matrix_t<Scalar>> g) const {
    detail::require_shape_of_x("quadratic_lagrangian::activation", "g", x, g);
    g = x;
  }

  /// Required: out(j) = x_j . g(x_j) - L(x_j), written so that it does not cancel.
  /// @throws std::invalid_argument when x has no rows or out has the wrong length.
  void legendre(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("quadratic_lagrangian::legendre", x, out);
    out = Scalar(0.5) * x.colwise().squaredNorm();
  }

  /// Required: out.col(j) = H(x.col(j)) v.col(j), H = d^2 L / dx^2; v and out have the shape of x,
  /// and out overlaps neither x nor v.
  /// @throws std::invalid_argument when x has no rows or v or out has another shape.
  void hessian_vector(const Eigen::Ref<const matrix_t<Scalar>>& x,
                      const Eigen::Ref<const matrix_t<Scalar>>& v, Eigen::Ref<matrix_t<Scalar>> out) const {
    detail::require_shape_of_x("quadratic_lagrangian::hessian_vector", "v", x, v);
    detail::require_shape_of_x("quadratic_lagrangian::hessian_vector", "out", x, out);
    out = v;
  }
};

}  // namespace hopfield
