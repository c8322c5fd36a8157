#pragma once
/// @file The spherical Lagrangian L(x) = |x| = sqrt(sum_i x_i^2), whose activation x / |x| is
/// divisive normalisation onto the unit sphere: the feature layer of model C (Krotov & Hopfield
/// 2021, §3.3, eqs. 17-22). An optional eps >= 0 smooths the origin: L = r = sqrt(|x|^2 + eps).
///
/// Hessian (|x|^2 = r^2 at eps = 0): (r^2 I - x x^T) / r^3 = (I - g g^T) / r with g = x / r. At
/// eps = 0 it annihilates x (eq. 20): PSD, with the radial zero mode; at eps > 0 it is positive
/// definite. L is homogeneous of degree one at eps = 0, so the Legendre term x.g - L vanishes
/// there; in general it is |x|^2 / r - r = -eps / r, computed in that form.
///
/// At x = 0 with eps = 0 (no gradient there) the activation and the Hessian-vector product are 0,
/// the subgradient of least norm. |x| is computed with Eigen's stableNorm, so no square overflows.
#include <cmath>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/lagrangian/detail/arguments.hpp"
#include "hopfield/lagrangian/lagrangian.hpp"

namespace hopfield {

/// L = sqrt(|x|^2 + eps) (eps = 0 by default: L = |x|), g = x / r, Hessian-vector product
/// (v - g (g.v)) / r, Legendre term -eps / r.
template <Real Scalar>
class spherical_lagrangian {
 public:
  using scalar_type = Scalar;
  static constexpr bool hessian_psd = true;

  /// @throws std::invalid_argument when eps is not finite and >= 0.
  explicit spherical_lagrangian(Scalar eps = 0) : eps_(eps) {
    detail::require_non_negative_finite("spherical_lagrangian", "eps", eps);
  }

  [[nodiscard]] Scalar eps() const { return eps_; }

  void value(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("spherical_lagrangian::value", x, out);
    for (index_t j = 0; j < x.cols(); ++j) out(j) = radius(x.col(j));
  }

  void activation(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<matrix_t<Scalar>> g) const {
    detail::require_shape_of_x("spherical_lagrangian::activation", "g", x, g);
    for (index_t j = 0; j < x.cols(); ++j) {
      const Scalar r = radius(x.col(j));
      if (r > Scalar(0)) {
        g.col(j) = x.col(j) / r;
      } else {
        g.col(j).setZero();
      }
    }
  }

  void legendre(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("spherical_lagrangian::legendre", x, out);
    for (index_t j = 0; j < x.cols(); ++j) {
      const Scalar r = radius(x.col(j));
      out(j) = r > Scalar(0) ? -eps_ / r : Scalar(0);  // r = 0 only when eps = 0 and x = 0
    }
  }

  void hessian_vector(const Eigen::Ref<const matrix_t<Scalar>>& x,
                      const Eigen::Ref<const matrix_t<Scalar>>& v, Eigen::Ref<matrix_t<Scalar>> out) const {
    detail::require_shape_of_x("spherical_lagrangian::hessian_vector", "v", x, v);
    detail::require_shape_of_x("spherical_lagrangian::hessian_vector", "out", x, out);
    for (index_t j = 0; j < x.cols(); ++j) {
      const Scalar r = radius(x.col(j));
      if (!(r > Scalar(0))) {
        out.col(j).setZero();
        continue;
      }
      // (v - g (g.v)) / r with g = x / r: v without its radial part, over r. Written with g, not
      // x x^T / r^2, so that nothing is squared.
      const Scalar radial = (x.col(j) / r).dot(v.col(j));
      out.col(j) = (v.col(j) - (x.col(j) / r) * radial) / r;
    }
  }

 private:
  template <class Column>
  Scalar radius(const Column& column) const {
    const Scalar norm = column.stableNorm();
    return eps_ == Scalar(0) ? norm : std::hypot(norm, std::sqrt(eps_));
  }

  Scalar eps_;
};

}  // namespace hopfield
