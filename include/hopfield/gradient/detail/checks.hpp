#pragma once
/// @file Input checks shared by the gradient room: upstream gradients of the right shape and
/// finite, scores that are finite or masked (-inf). Each throws std::invalid_argument through
/// detail::throw_invalid, naming the function and the argument.
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield::detail {

/// An upstream gradient must have the shape of the forward result and finite entries: a NaN
/// would otherwise spread silently into every gradient.
template <class Derived>
void require_upstream(std::string_view function, std::string_view argument,
                      const Eigen::MatrixBase<Derived>& upstream, index_t rows, index_t cols) {
  if (upstream.rows() != rows || upstream.cols() != cols) {
    throw_invalid(function, argument,
                  "the forward result's shape " + std::to_string(rows) + " x " + std::to_string(cols),
                  std::to_string(upstream.rows()) + " x " + std::to_string(upstream.cols()));
  }
  require_finite(function, argument, upstream);
}

/// Scores may be finite or -inf (a masked entry, weight zero); NaN and +inf have no gradient.
template <class Derived>
void require_finite_or_masked(std::string_view function, std::string_view argument,
                              const Eigen::MatrixBase<Derived>& scores) {
  for (index_t j = 0; j < scores.cols(); ++j) {
    for (index_t i = 0; i < scores.rows(); ++i) {
      const auto v = scores(i, j);
      if (std::isnan(v) || (std::isinf(v) && v > 0)) {
        throw_invalid(function, argument, "finite or -inf (masked) entries",
                      describe(v) + " at (" + std::to_string(i) + ", " + std::to_string(j) + ")");
      }
    }
  }
}

/// A gradient of finite inputs that is not finite left the scalar's range (huge upstream
/// gradients or values): std::overflow_error naming the function, never a silent inf or NaN.
template <class Derived>
void require_finite_result(std::string_view function, std::string_view what,
                           const Eigen::MatrixBase<Derived>& result) {
  if (result.allFinite()) return;
  throw std::overflow_error("hopfield::" + std::string(function) + ": the gradient with respect to " +
                            std::string(what) +
                            " is not finite although the inputs are: they are too large for the scalar "
                            "type (scale them down, or use double)");
}

}  // namespace hopfield::detail
