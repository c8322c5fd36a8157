#pragma once
/// @file alpha-entmax with inverse temperature (Peters, Niculae & Martins 2019; THEORY.md
/// section 7): p = entmax_alpha(beta z) = argmax_(p in simplex) p.theta + H_alpha(p), theta = beta z,
///   p_i = [(alpha - 1) theta_i - tau]_+^(1/(alpha - 1)),  tau the threshold with sum p = 1.
/// alpha -> 1 is softmax, alpha = 2 is sparsemax (sparsemax.hpp), alpha = 1.5 the exact
/// 1.5-entmax. For alpha > 1 the result is exactly sparse: one-hot at i iff
/// z_i - max_(j != i) z_j >= 1/((alpha - 1) beta) (the gap is 2/beta for 1.5-entmax).
///
/// entmax15 is exact and linear time, without sorting (kernels/detail/support_search.hpp): a safeguarded
/// Newton iteration from below with a closed-form finish. entmax for other alpha bisects on tau
/// until tau is exact to the wide type's precision and renormalises, so sum p = 1; it dispatches
/// to the exact kernels at alpha == 1.5 and alpha == 2. Sums run in double for float.
///
/// Special values, as in sparsemax.hpp: -inf weighs zero, a fully masked or empty column gives
/// zeros (support 0), +inf entries share the mass equally, a NaN score is rejected.
#include <cmath>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/wide.hpp"
#include "hopfield/kernels/detail/support_search.hpp"
#include "hopfield/kernels/sparse_workspace.hpp"

namespace hopfield {

namespace detail {

template <Real Scalar>
void require_entmax_alpha(std::string_view function, Scalar alpha) {
  if (!(std::isfinite(alpha) && alpha > Scalar(1)))
    throw_invalid(function, "alpha", "a finite value > 1", alpha);
}

/// entmax_alpha by bisection for any alpha > 1, also at 1.5 and 2 (the reference the exact
/// kernels are tested against). Same contract as entmax_into.
template <Real Scalar>
index_t entmax_bisect_into(std::string_view function,
                           const std::type_identity_t<Eigen::Ref<const vector_t<Scalar>>>& scores,
                           std::type_identity_t<Scalar> alpha, std::type_identity_t<Scalar> beta,
                           std::type_identity_t<Eigen::Ref<vector_t<Scalar>>> out,
                           sparse_workspace<Scalar>& workspace) {
  require_entmax_alpha(function, alpha);
  bisection_policy<Scalar> policy(static_cast<wide_t<Scalar>>(alpha));
  return sparse_separation(function, scores, beta, policy, out, workspace);
}

/// One distribution of the family: the exact kernels at 1.5 and 2, bisection elsewhere.
template <Real Scalar>
index_t entmax_dispatch(std::string_view function, const Eigen::Ref<const vector_t<Scalar>>& scores,
                        Scalar alpha, Scalar beta, Eigen::Ref<vector_t<Scalar>> out,
                        sparse_workspace<Scalar>& workspace) {
  require_entmax_alpha(function, alpha);
  if (alpha == Scalar(2)) {
    sparsemax_policy<Scalar> policy;
    return sparse_separation(function, scores, beta, policy, out, workspace);
  }
  if (alpha == Scalar(1.5)) {
    entmax15_policy<Scalar> policy;
    return sparse_separation(function, scores, beta, policy, out, workspace);
  }
  bisection_policy<Scalar> policy(static_cast<wide_t<Scalar>>(alpha));
  return sparse_separation(function, scores, beta, policy, out, workspace);
}

/// A vector gives a vector, a matrix is done column by column through `one`.
template <class Derived, class One>
auto columnwise(const Eigen::DenseBase<Derived>& scores, One one) {
  using Scalar = typename Derived::Scalar;
  if constexpr (Derived::IsVectorAtCompileTime) {
    const vector_t<Scalar> z = as_matrix(scores);
    sparse_workspace<Scalar> workspace(z.size());
    vector_t<Scalar> out(z.size());
    one(z, out, workspace);
    return out;
  } else {
    const matrix_t<Scalar> z = as_matrix(scores);
    sparse_workspace<Scalar> workspace(z.rows());
    matrix_t<Scalar> out(z.rows(), z.cols());
    for (index_t j = 0; j < z.cols(); ++j) one(z.col(j), out.col(j), workspace);
    return out;
  }
}

}  // namespace detail

/// p = entmax_1.5(beta * scores) written into `out` (same size), exactly; returns the support
/// size (nonzero p_i). `out` may be `scores`. Allocates nothing once `workspace` has room for
/// scores.size() entries. Scalar is deduced from the workspace.
/// @throws std::invalid_argument naming "beta" when beta is not finite and > 0, "out" when its
///         size differs from the scores', "scores" when a score is NaN; `out` is then untouched.
template <Real Scalar>
index_t entmax15_into(const std::type_identity_t<Eigen::Ref<const vector_t<Scalar>>>& scores,
                      std::type_identity_t<Scalar> beta,
                      std::type_identity_t<Eigen::Ref<vector_t<Scalar>>> out,
                      sparse_workspace<Scalar>& workspace) {
  detail::entmax15_policy<Scalar> policy;
  return detail::sparse_separation("entmax15_into", scores, beta, policy, out, workspace);
}

/// 1.5-entmax of a vector, or of each column of a matrix.
/// @throws std::invalid_argument naming "beta" when beta is not finite and > 0, "scores" when a
///         score is NaN.
template <class Derived>
auto entmax15(const Eigen::DenseBase<Derived>& scores, typename Derived::Scalar beta = 1) {
  using Scalar = typename Derived::Scalar;
  static_assert(Real<Scalar>, "hopfield::entmax15: scores must hold float, double or long double");
  detail::require_positive_finite("entmax15", "beta", beta);
  return detail::columnwise(
      scores, [beta](const Eigen::Ref<const vector_t<Scalar>>& z, Eigen::Ref<vector_t<Scalar>> out,
                     sparse_workspace<Scalar>& workspace) {
        detail::entmax15_policy<Scalar> policy;
        detail::sparse_separation("entmax15", z, beta, policy, out, workspace);
      });
}

/// p = entmax_alpha(beta * scores) into `out` for any alpha > 1; returns the support size. Exact
/// kernels at alpha == 1.5 and alpha == 2, otherwise bisection on tau to the precision of the
/// wide type, renormalised to sum 1 (one std::pow per candidate and halving: use 1.5 or 2 where
/// speed matters). `out` may be `scores`; no allocation once the workspace is large enough.
/// @throws std::invalid_argument naming "alpha" when alpha is not finite and > 1 (softmax is
///         hopfield::softmax), "beta" when beta is not finite and > 0, "out" when its size
///         differs from the scores', "scores" when a score is NaN; `out` is then untouched.
template <Real Scalar>
index_t entmax_into(const std::type_identity_t<Eigen::Ref<const vector_t<Scalar>>>& scores,
                    std::type_identity_t<Scalar> alpha, std::type_identity_t<Scalar> beta,
                    std::type_identity_t<Eigen::Ref<vector_t<Scalar>>> out,
                    sparse_workspace<Scalar>& workspace) {
  return detail::entmax_dispatch<Scalar>("entmax_into", scores, alpha, beta, out, workspace);
}

/// alpha-entmax of a vector, or of each column of a matrix.
/// @throws std::invalid_argument naming "alpha" when alpha is not finite and > 1, "beta" when
///         beta is not finite and > 0, "scores" when a score is NaN.
template <class Derived>
auto entmax(const Eigen::DenseBase<Derived>& scores, typename Derived::Scalar alpha,
            typename Derived::Scalar beta = 1) {
  using Scalar = typename Derived::Scalar;
  static_assert(Real<Scalar>, "hopfield::entmax: scores must hold float, double or long double");
  detail::require_entmax_alpha("entmax", alpha);
  detail::require_positive_finite("entmax", "beta", beta);
  return detail::columnwise(
      scores, [alpha, beta](const Eigen::Ref<const vector_t<Scalar>>& z, Eigen::Ref<vector_t<Scalar>> out,
                            sparse_workspace<Scalar>& workspace) {
        detail::entmax_dispatch<Scalar>("entmax", z, alpha, beta, out, workspace);
      });
}

/// Tsallis alpha-entropy H_alpha(p) = sum_j (p_j - p_j^alpha) / (alpha (alpha - 1)), Shannon
/// -sum_j p_j log p_j at alpha == 1 (0 log 0 = 0). Each term is evaluated as
/// -p expm1((alpha - 1) log p), so alpha near 1 loses nothing to cancellation and the value is
/// continuous in alpha; summed in the wide type. A vector gives a scalar, a matrix a row of
/// per-column entropies. p is taken as given (it need not sum to 1).
/// @throws std::invalid_argument naming "alpha" when alpha is not finite and >= 1, "p" when an
///         entry is negative or not finite.
template <class Derived>
auto tsallis_entropy(const Eigen::DenseBase<Derived>& p, typename Derived::Scalar alpha) {
  using Scalar = typename Derived::Scalar;
  using wide = detail::wide_t<Scalar>;
  static_assert(Real<Scalar>, "hopfield::tsallis_entropy: p must hold float, double or long double");
  constexpr std::string_view f = "tsallis_entropy";
  if (!(std::isfinite(alpha) && alpha >= Scalar(1)))
    detail::throw_invalid(f, "alpha", "a finite value >= 1", alpha);
  const auto& m = detail::as_matrix(p);
  for (index_t j = 0; j < m.cols(); ++j) {
    for (index_t i = 0; i < m.rows(); ++i) {
      const Scalar v = m(i, j);
      if (!(std::isfinite(v) && v >= Scalar(0))) {
        detail::throw_invalid(
            f, "p", "finite entries >= 0",
            detail::describe(v) + " at (" + std::to_string(i) + ", " + std::to_string(j) + ")");
      }
    }
  }
  const auto a1 = static_cast<wide>(alpha) - 1;
  const auto term = [a1](Scalar entry) -> wide {  // -(p - p^alpha) / (alpha - 1), or p log p
    const auto v = static_cast<wide>(entry);
    if (!(v > 0)) return 0;
    return a1 == 0 ? v * std::log(v) : v * std::expm1(a1 * std::log(v)) / a1;
  };
  if constexpr (Derived::IsVectorAtCompileTime) {
    wide h = 0;
    for (index_t i = 0; i < m.size(); ++i) h -= term(m(i));
    return static_cast<Scalar>(h / static_cast<wide>(alpha));
  } else {
    row_vector_t<Scalar> out(m.cols());
    for (index_t j = 0; j < m.cols(); ++j) {
      wide h = 0;
      for (index_t i = 0; i < m.rows(); ++i) h -= term(m(i, j));
      out(j) = static_cast<Scalar>(h / static_cast<wide>(alpha));
    }
    return out;
  }
}

}  // namespace hopfield
