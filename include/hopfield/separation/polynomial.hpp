#pragma once
/// @file sep::polynomial: the power separation of Millidge et al. 2022 in the rectified form of
/// the Dense Associative Memory (Krotov & Hopfield 2016): w_i = max(z_i, 0)^degree, normalised
/// to sum 1 so that the update stays a convex combination of the stored patterns (beta scales
/// every weight alike and so drops out). A query whose scores are all <= 0 gets all-zero weights
/// (and so a zero update): with a distance similarity (every score <= 0) use another separation.
/// No energy is defined here (calling energy() on a memory using it does not compile).
#include <cmath>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/kernels/sparse_workspace.hpp"
#include "hopfield/separation/separation.hpp"

namespace hopfield::sep {

/// Normalised rectified power; satisfies Separation.
///   hopfield::modern_hopfield<float, hopfield::dot_product, hopfield::sep::polynomial> m(X, {}, {}, {.degree
///   = 3});
struct polynomial {
  /// The power, >= 1.
  int degree = 2;

  /// @throws std::invalid_argument when degree < 1.
  void validate(std::string_view function) const {
    if (degree < 1) detail::throw_invalid(function, "separation.degree", "at least 1", degree);
  }

  /// out = max(z, 0)^degree / sum, accumulated in double for float; all zero where no score is
  /// positive. The largest positive score is factored out first, so no power overflows.
  /// @throws std::invalid_argument as validate.
  template <Real Scalar>
  void weights(const Eigen::Ref<const vector_t<Scalar>>& scores, Scalar /*beta*/,
               Eigen::Ref<vector_t<Scalar>> out, sparse_workspace<Scalar>& /*unused*/) const {
    validate("sep::polynomial::weights");
    using wide = std::conditional_t<std::is_same_v<Scalar, float>, double, Scalar>;
    const Scalar top = scores.size() > 0 ? scores.maxCoeff() : Scalar(0);
    if (!(top > Scalar(0))) {
      out.setZero();
      return;
    }
    wide total = 0;
    for (index_t i = 0; i < scores.size(); ++i) {
      const Scalar r = scores(i) > Scalar(0) ? scores(i) / top : Scalar(0);
      out(i) = static_cast<Scalar>(std::pow(static_cast<wide>(r), degree));
      total += static_cast<wide>(out(i));
    }
    out *= static_cast<Scalar>(wide(1) / total);
  }
};

}  // namespace hopfield::sep
