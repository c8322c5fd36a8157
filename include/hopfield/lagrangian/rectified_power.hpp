#pragma once
/// @file The rectified power Lagrangian L(x) = (1/n) sum_i max(x_i, 0)^n, n >= 2, whose activation
/// max(x, 0)^(n-1) is the rectified polynomial of the dense associative memory (Krotov & Hopfield
/// 2016; 2021 §3.1 as the memory layer's Lagrangian). Rectifying keeps the Hessian PSD for odd n,
/// where sum_i x_i^n is not convex (THEORY.md §6).
#include <algorithm>

#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/lagrangian/detail/arguments.hpp"
#include "hopfield/lagrangian/lagrangian.hpp"

namespace hopfield {

namespace detail {
/// t^n by squaring, n >= 0 (t^0 = 1): exact for the small n used in practice, and cheaper than
/// std::pow, which also takes a real exponent.
template <class Scalar>
Scalar power_by_squaring(Scalar t, int n) {
  Scalar result = 1;
  for (; n > 0; n >>= 1) {
    if ((n & 1) != 0) result *= t;
    t *= t;
  }
  return result;
}
}  // namespace detail

/// L = (1/n) sum_i [x_i]_+^n, g = [x]_+^(n-1), Hessian diag((n-1) [x]_+^(n-2)) (0 where x_i <= 0,
/// also at the kink x_i = 0 for n = 2): PSD; units with x_i <= 0 are dead (flat energy there).
/// Legendre term: x.g - L = (1 - 1/n) sum_i [x_i]_+^n = (n-1) L, no cancellation.
/// Large currents overflow to +inf once [x]_+^n does (x > max^(1/n)).
template <Real Scalar>
class rectified_power_lagrangian {
 public:
  using scalar_type = Scalar;
  static constexpr bool hessian_psd = true;

  /// @throws std::invalid_argument when degree < 2.
  explicit rectified_power_lagrangian(int degree = 2) : degree_(degree) {
    if (degree < 2) detail::throw_invalid("rectified_power_lagrangian", "degree", "an integer >= 2", degree);
  }

  [[nodiscard]] int degree() const { return degree_; }

  void value(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("rectified_power_lagrangian::value", x, out);
    out = x.unaryExpr(power(degree_)).colwise().sum() / static_cast<Scalar>(degree_);
  }

  void activation(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<matrix_t<Scalar>> g) const {
    detail::require_shape_of_x("rectified_power_lagrangian::activation", "g", x, g);
    g = x.unaryExpr(power(degree_ - 1));
  }

  void legendre(const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_values("rectified_power_lagrangian::legendre", x, out);
    const Scalar n = static_cast<Scalar>(degree_);
    out = x.unaryExpr(power(degree_)).colwise().sum() * ((n - Scalar(1)) / n);
  }

  void hessian_vector(const Eigen::Ref<const matrix_t<Scalar>>& x,
                      const Eigen::Ref<const matrix_t<Scalar>>& v, Eigen::Ref<matrix_t<Scalar>> out) const {
    detail::require_shape_of_x("rectified_power_lagrangian::hessian_vector", "v", x, v);
    detail::require_shape_of_x("rectified_power_lagrangian::hessian_vector", "out", x, out);
    const int n = degree_;
    // (n-1) t^(n-2) for t > 0 and 0 otherwise: t^0 = 1 would wrongly switch on dead units at n = 2.
    const auto curvature = [n](Scalar t) {
      return t > Scalar(0) ? static_cast<Scalar>(n - 1) * detail::power_by_squaring(t, n - 2) : Scalar(0);
    };
    out = x.unaryExpr(curvature).cwiseProduct(v);
  }

 private:
  /// t -> [t]_+^k as an elementwise functor (k >= 1, so [t]_+ = 0 gives 0).
  static auto power(int k) {
    return [k](Scalar t) { return detail::power_by_squaring(std::max(t, Scalar(0)), k); };
  }

  int degree_;
};

}  // namespace hopfield
