#pragma once
/// @file Hard max: the one-hot separation at the argmax (Millidge et al.'s "max"; the beta -> inf
/// limit of softmax, sparsemax and entmax, reached exactly by the sparse ones at a finite margin).
/// Ties go to the lowest index, so the result is always exactly one-hot. -inf entries are
/// ordinary (smallest) scores, but an all -inf (fully masked) or empty column gives zeros, as in
/// softmax; +inf is the largest score. NaN scores are rejected.
#include <limits>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield {

namespace detail {
/// One column: the first index of the max, or -1 when the column is empty or all -inf.
/// @throws std::invalid_argument naming `function` and "scores" on a NaN (with its position).
template <class Column>
index_t argmax_lowest(std::string_view function, const Column& z, index_t column) {
  using Scalar = typename Column::Scalar;
  index_t best = -1;
  Scalar top = -std::numeric_limits<Scalar>::infinity();
  for (index_t i = 0; i < z.size(); ++i) {
    const Scalar v = z(i);
    if (v != v) {
      throw_invalid(function, "scores", "no NaN entries",
                    "NaN at (" + std::to_string(i) + ", " + std::to_string(column) + ")");
    }
    if (v > top) {  // strictly greater: the first of equal maxima stays
      top = v;
      best = i;
    }
  }
  return best;
}
}  // namespace detail

/// One-hot at the argmax of each column of `scores` (a vector is one column) into `out` (same
/// shape); ties go to the lowest index; an all -inf column gives zeros. `out` may be `scores`.
/// Allocates nothing.
/// @throws std::invalid_argument naming "out" when its shape differs from the scores', "scores"
///         when a score is NaN (every column is checked before anything is written).
template <class Derived>
void hard_max_into(const Eigen::DenseBase<Derived>& scores,
                   Eigen::Ref<matrix_t<typename Derived::Scalar>> out) {
  using Scalar = typename Derived::Scalar;
  static_assert(Real<Scalar>, "hopfield::hard_max_into: scores must hold float, double or long double");
  constexpr std::string_view f = "hard_max_into";
  detail::require_size(f, "out", "rows", scores.rows(), out.rows());
  detail::require_size(f, "out", "cols", scores.cols(), out.cols());
  const auto& z = detail::as_matrix(scores);
  for (index_t j = 0; j < z.cols(); ++j) detail::argmax_lowest(f, z.col(j), j);  // reject NaN first
  for (index_t j = 0; j < z.cols(); ++j) {
    const index_t best = detail::argmax_lowest(f, z.col(j), j);
    out.col(j).setZero();  // after the argmax is known: `out` may alias `scores`
    if (best >= 0) out(best, j) = Scalar(1);
  }
}

/// One-hot at the argmax of a vector (a vector), or of each column of a matrix (a matrix).
/// @throws std::invalid_argument naming "scores" when a score is NaN.
template <class Derived>
auto hard_max(const Eigen::DenseBase<Derived>& scores) {
  using Scalar = typename Derived::Scalar;
  static_assert(Real<Scalar>, "hopfield::hard_max: scores must hold float, double or long double");
  constexpr std::string_view f = "hard_max";
  if constexpr (Derived::IsVectorAtCompileTime) {
    const vector_t<Scalar> z = detail::as_matrix(scores);
    vector_t<Scalar> out = vector_t<Scalar>::Zero(z.size());
    const index_t best = detail::argmax_lowest(f, z, 0);
    if (best >= 0) out(best) = Scalar(1);
    return out;
  } else {
    const auto& z = detail::as_matrix(scores);
    for (index_t j = 0; j < z.cols(); ++j) detail::argmax_lowest(f, z.col(j), j);
    matrix_t<Scalar> out = matrix_t<Scalar>::Zero(z.rows(), z.cols());
    for (index_t j = 0; j < z.cols(); ++j) {
      const index_t best = detail::argmax_lowest(f, z.col(j), j);
      if (best >= 0) out(best, j) = Scalar(1);
    }
    return out;
  }
}

}  // namespace hopfield
