#pragma once
/// @file The Lagrangian policy of one layer of the general continuous-time network (Krotov &
/// Hopfield 2021, eqs. 1-4; docs/lagrangian.md): for the layer's currents x it gives the value
/// L(x), the activation g = dL/dx (which may depend on the whole layer), the Legendre term
/// x.g - L computed stably, and the Hessian-vector product (d^2 L/dx^2) v. Whether the Hessian is
/// positive semi-definite everywhere is a compile-time property: it is what makes dE/dt <= 0.
///
/// Every member works on a batch: x is N x B (a column per state; a vector is the case B = 1) and
/// writes into a caller-provided output, so a batch costs no allocation beyond the outputs.
/// The concept is assembled from small named requirements so that a compiler error names the
/// missing piece. quadratic_lagrangian (lagrangian/quadratic.hpp) is the reference policy: every
/// member documented; docs/lagrangian.md writes a user Lagrangian from scratch.
#include <concepts>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"

namespace hopfield {

/// The value of every column: `l.value(x, out)`, out(j) = L(x.col(j)).
template <class L, class Scalar>
concept HasLagrangianValue = Real<Scalar> &&
    requires(const L& l, const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) {
  l.value(x, out);
};

/// The activation of every column: `l.activation(x, g)`, g.col(j) = grad L(x.col(j)).
template <class L, class Scalar>
concept HasLagrangianActivation = Real<Scalar> &&
    requires(const L& l, const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<matrix_t<Scalar>> g) {
  l.activation(x, g);
};

/// The Legendre term of every column: `l.legendre(x, out)`, out(j) = x_j . g(x_j) - L(x_j), in a
/// form that does not cancel (it is the layer's bracket in the energy, eq. 2).
template <class L, class Scalar>
concept HasLegendreTerm = Real<Scalar> &&
    requires(const L& l, const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<row_vector_t<Scalar>> out) {
  l.legendre(x, out);
};

/// The Hessian-vector product of every column: `l.hessian_vector(x, v, out)`,
/// out.col(j) = (d^2 L / dx^2 at x.col(j)) v.col(j). dE/dt is -tau (dx/dt)^T H (dx/dt) (eq. 4).
template <class L, class Scalar>
concept HasHessianVectorProduct = Real<Scalar> &&
    requires(const L& l, const Eigen::Ref<const matrix_t<Scalar>>& x,
             const Eigen::Ref<const matrix_t<Scalar>>& v, Eigen::Ref<matrix_t<Scalar>> out) {
  l.hessian_vector(x, v, out);
};

/// Optional: the activation and the Legendre term in one pass, `l.activation_and_legendre(x, g,
/// out)`, for a Lagrangian whose two members share their expensive part (log-sum-exp: the
/// exponentials). The network's evaluate and energies use it when present; results must equal
/// activation() and legendre() to rounding.
template <class L, class Scalar>
concept HasFusedActivationLegendre = Real<Scalar> &&
    requires(const L& l, const Eigen::Ref<const matrix_t<Scalar>>& x, Eigen::Ref<matrix_t<Scalar>> g,
             Eigen::Ref<row_vector_t<Scalar>> out) {
  l.activation_and_legendre(x, g, out);
};

/// States at compile time whether the Hessian is positive semi-definite at every x and for every
/// valid parameter: `static constexpr bool hessian_psd`. false means "not guaranteed" (the energy
/// may then rise); a PSD Hessian is what makes dE/dt <= 0.
template <class L>
concept DeclaresHessianPsd = requires {
  typename std::bool_constant<L::hessian_psd>;
}
&&std::same_as<std::remove_cv_t<decltype(L::hessian_psd)>, bool>;

/// A layer Lagrangian for states of Scalar: a copyable value type with the four batch members and
/// the compile-time PSD flag. Satisfied by every policy in lagrangian/ (for its scalar_type) and by
/// user types (docs/lagrangian.md).
template <class L, class Scalar>
concept Lagrangian =
    Real<Scalar> && std::copy_constructible<L> && DeclaresHessianPsd<L> && HasLagrangianValue<L, Scalar> &&
    HasLagrangianActivation<L, Scalar> && HasLegendreTerm<L, Scalar> && HasHessianVectorProduct<L, Scalar>;

/// L::hessian_psd for a Lagrangian: its Hessian is PSD everywhere.
template <DeclaresHessianPsd L>
inline constexpr bool hessian_psd_v = L::hessian_psd;

// ---------------------------------------------------------------------------------------------
// Conveniences over the batch members: a vector gives a Scalar (or a vector), a matrix gives a
// row vector (or a matrix). The scalar results allocate nothing; the others allocate their result.
// ---------------------------------------------------------------------------------------------

namespace detail {
/// A per-column result of a Lagrangian (its value or its Legendre term) through `member`: a Scalar
/// for a vector (no allocation), a row vector for a matrix.
template <class Scalar, class Derived, class Member>
auto per_column(const Eigen::MatrixBase<Derived>& x, const Member& member) {
  if constexpr (is_column_vector_v<Derived>) {
    Scalar result = 0;
    member(Eigen::Map<row_vector_t<Scalar>>(&result, 1));
    return result;
  } else {
    row_vector_t<Scalar> result(x.cols());
    member(Eigen::Ref<row_vector_t<Scalar>>(result));
    return result;
  }
}
}  // namespace detail

/// L(x): a Scalar for a vector, one value per column (row vector) for a matrix.
template <class L, class Derived>
requires Lagrangian<L, typename Derived::Scalar>
auto lagrangian_value(const L& lagrangian, const Eigen::MatrixBase<Derived>& x) {
  return detail::per_column<typename Derived::Scalar>(x, [&](auto out) { lagrangian.value(x, out); });
}

/// x.g - L: a Scalar for a vector, one value per column (row vector) for a matrix.
template <class L, class Derived>
requires Lagrangian<L, typename Derived::Scalar>
auto lagrangian_legendre(const L& lagrangian, const Eigen::MatrixBase<Derived>& x) {
  return detail::per_column<typename Derived::Scalar>(x, [&](auto out) { lagrangian.legendre(x, out); });
}

/// g = grad L(x), the shape of x (a vector for a vector).
template <class L, class Derived>
requires Lagrangian<L, typename Derived::Scalar>
auto lagrangian_activation(const L& lagrangian, const Eigen::MatrixBase<Derived>& x) {
  using Scalar = typename Derived::Scalar;
  using result_t = std::conditional_t<is_column_vector_v<Derived>, vector_t<Scalar>, matrix_t<Scalar>>;
  result_t g(x.rows(), x.cols());
  lagrangian.activation(x, g);
  return g;
}

/// (d^2 L / dx^2) v, column by column, the shape of x.
template <class L, class Derived, class DerivedV>
requires Lagrangian<L, typename Derived::Scalar>
auto lagrangian_hessian_vector(const L& lagrangian, const Eigen::MatrixBase<Derived>& x,
                               const Eigen::MatrixBase<DerivedV>& v) {
  using Scalar = typename Derived::Scalar;
  using result_t = std::conditional_t<is_column_vector_v<Derived>, vector_t<Scalar>, matrix_t<Scalar>>;
  result_t out(x.rows(), x.cols());
  lagrangian.hessian_vector(x, v, out);
  return out;
}

}  // namespace hopfield
