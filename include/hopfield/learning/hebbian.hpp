#pragma once
/// @file The Hebbian rule (Hopfield 1982): W = (1/N) sum_mu x^mu (x^mu)^T with zero diagonal.
/// Stored unscaled as the integer matrix X X^T - M I (exact in floating point) over N.
#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/learning/detail/symmetric.hpp"

namespace hopfield {

/// Learning rule for classical_hopfield (the default). Storing costs O(N^2 M) (one symmetric
/// rank-M update); adding a pattern costs O(N^2). The patterns themselves give the fields in
/// O(M) per neuron (has_pattern_form).
struct hebbian {
  /// raw = X X^T - M I is the Hebbian weight matrix times N: the energy may use X directly.
  static constexpr bool has_pattern_form = true;

  template <Real Scalar>
  class learner {
   public:
    learner() = default;
    explicit learner(const hebbian& /*rule*/) {}

    /// W = raw / denominator(N).
    static Scalar denominator(index_t n) { return static_cast<Scalar>(n); }

    /// raw <- X X^T with zero diagonal, for +-1 patterns X (N x M, already validated).
    void build(const Eigen::Ref<const matrix_t<Scalar>>& patterns, matrix_t<Scalar>& raw) {
      const index_t n = patterns.rows();
      raw.setZero(n, n);
      raw.template selfadjointView<Eigen::Lower>().rankUpdate(patterns);
      detail::mirror_lower_zero_diagonal(raw);
    }

    /// Sizes the workspaces add() needs for dimension n (nothing here).
    void reserve(index_t /*n*/) {}

    /// raw <- raw + x x^T off the diagonal (integers: exact and symmetric). Allocates nothing;
    /// cannot fail.
    void add(const Eigen::Ref<const vector_t<Scalar>>& x, matrix_t<Scalar>& raw) {
      for (index_t j = 0; j < raw.cols(); ++j) {
        raw.col(j) += x(j) * x;
        raw(j, j) = 0;
      }
    }
  };
};

}  // namespace hopfield
