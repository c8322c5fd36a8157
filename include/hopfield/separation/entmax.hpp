#pragma once
/// @file sep::entmax15 and sep::entmax: alpha-entmax of beta z (Peters, Niculae & Martins 2019),
/// the separations of Hopfield-Fenchel-Young networks (Santos et al. 2024). alpha -> 1 is softmax,
/// alpha = 2 sparsemax; for alpha > 1 the weights are sparse, and exactly one-hot once beta times
/// the score gap to the runner-up is >= 1 / (alpha - 1).
#include <cmath>
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/kernels/entmax.hpp"
#include "hopfield/kernels/sparse_workspace.hpp"
#include "hopfield/separation/separation.hpp"

namespace hopfield::sep {

/// 1.5-entmax of beta z, computed exactly (no bisection); satisfies Separation and
/// HasFenchelYoungEnergy.
struct entmax15 {
  /// out = entmax_1.5(beta * scores); allocates nothing once the workspace holds M scores.
  template <Real Scalar>
  void weights(const Eigen::Ref<const vector_t<Scalar>>& scores, Scalar beta,
               Eigen::Ref<vector_t<Scalar>> out, sparse_workspace<Scalar>& workspace) const {
    entmax15_into(scores, beta, out, workspace);
  }

  /// The score gap (times beta) from which the weights are exactly one-hot: 1 / (alpha - 1) = 2.
  [[nodiscard]] static constexpr double one_hot_gap() { return 2.0; }

  /// The Tsallis entropy at alpha = 1.5: (1 - sum p^1.5) / 0.75.
  template <Real Scalar>
  [[nodiscard]] Scalar entropy(const Eigen::Ref<const vector_t<Scalar>>& p) const {
    return tsallis_entropy(p, Scalar(1.5));
  }

  [[nodiscard]] double uniform_entropy(index_t size) const {
    return detail::uniform_tsallis_entropy(size, 1.5);
  }
};

/// alpha-entmax of beta z for any alpha > 1: exact at alpha = 1.5 and 2, by bisection on the
/// threshold otherwise (to the scalar's precision). Satisfies Separation and HasFenchelYoungEnergy.
///   hopfield::modern_hopfield<double, hopfield::dot_product, hopfield::sep::entmax> m(X, {}, {}, {.alpha
///   = 1.25});
struct entmax {
  /// The entmax parameter, > 1 (1 would be softmax: use sep::softmax).
  double alpha = 1.5;

  /// @throws std::invalid_argument when alpha is not finite and > 1.
  void validate(std::string_view function) const {
    if (!(alpha > 1.0) || !std::isfinite(alpha))
      detail::throw_invalid(function, "separation.alpha", "a finite value > 1 (use sep::softmax for 1)",
                            alpha);
  }

  /// out = entmax_alpha(beta * scores).
  /// @throws std::invalid_argument as validate.
  template <Real Scalar>
  void weights(const Eigen::Ref<const vector_t<Scalar>>& scores, Scalar beta,
               Eigen::Ref<vector_t<Scalar>> out, sparse_workspace<Scalar>& workspace) const {
    entmax_into(scores, static_cast<Scalar>(alpha), beta, out, workspace);
  }

  /// The score gap (times beta) from which the weights are exactly one-hot: 1 / (alpha - 1).
  [[nodiscard]] double one_hot_gap() const { return 1.0 / (alpha - 1.0); }

  /// The Tsallis entropy H_alpha(p) = sum (p - p^alpha) / (alpha (alpha - 1)).
  template <Real Scalar>
  [[nodiscard]] Scalar entropy(const Eigen::Ref<const vector_t<Scalar>>& p) const {
    return tsallis_entropy(p, static_cast<Scalar>(alpha));
  }

  [[nodiscard]] double uniform_entropy(index_t size) const {
    return detail::uniform_tsallis_entropy(size, alpha);
  }
};

}  // namespace hopfield::sep
