#pragma once
/// @file Shape checks shared by the Lagrangian policies: a batch x (N x B, N >= 1), one value per
/// column, or an output the shape of x. Cheap (a few comparisons per call, never per column), so
/// every member checks; each throws std::invalid_argument through detail::throw_invalid.
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"

namespace hopfield::detail {

/// x holds at least one unit (row): a layer without units has no activation to speak of.
template <class X>
void require_layer(std::string_view function, const X& x) {
  if (x.rows() < 1)
    throw_invalid(function, "x", "at least one row (unit)", std::to_string(x.rows()) + " rows");
}

/// out holds one value per column of x.
template <class X, class Out>
void require_values(std::string_view function, const X& x, const Out& out) {
  require_layer(function, x);
  require_size(function, "out", "size", x.cols(), out.size());
}

/// `argument` (an output or v) has the shape of x.
template <class X, class Y>
void require_shape_of_x(std::string_view function, std::string_view argument, const X& x, const Y& y) {
  require_layer(function, x);
  require_size(function, argument, "rows", x.rows(), y.rows());
  require_size(function, argument, "cols", x.cols(), y.cols());
}

}  // namespace hopfield::detail
