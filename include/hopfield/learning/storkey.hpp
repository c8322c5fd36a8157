#pragma once
/// @file The Storkey rule (Storkey 1997): patterns are added one at a time,
///   w_ij <- w_ij + (1/N) (x_i x_j - x_i h_ji - h_ij x_j),   h_ij = sum_{k != i, j} w_ik x_k,
/// for i != j (the local field excludes both i and j), zero diagonal. Its capacity grows as
/// N / sqrt(2 ln N), above Hebbian's 0.14 N.
///
/// Far beyond capacity the weights grow geometrically (each pattern multiplies W by about
/// 1 + 2/N and adds fields that grow with it) and leave the scalar's range, in float after about
/// 90 N patterns. The rule then throws std::overflow_error rather than store inf and NaN weights
/// (whose gaps would read as ties and report a "converged" retrieval that never ran).
#include <cmath>
#include <stdexcept>
#include <string>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/learning/detail/symmetric.hpp"

namespace hopfield {

/// Learning rule for classical_hopfield. O(N^2) per pattern (one matrix-vector product and a
/// rank-2 update), both when storing and when adding.
struct storkey {
  static constexpr bool has_pattern_form = false;

  template <Real Scalar>
  class learner {
   public:
    learner() = default;
    explicit learner(const storkey& /*rule*/) {}

    /// W = raw (the weights are stored as they are).
    static Scalar denominator(index_t /*n*/) { return Scalar(1); }

    /// raw <- the Storkey weights of the patterns, added in column order.
    void build(const Eigen::Ref<const matrix_t<Scalar>>& patterns, matrix_t<Scalar>& raw) {
      const index_t n = patterns.rows();
      raw.setZero(n, n);
      reserve(n);
      added_ = 0;
      for (index_t k = 0; k < patterns.cols(); ++k) add(patterns.col(k), raw);
    }

    /// Sizes the workspaces add() needs for dimension n.
    void reserve(index_t n) {
      field_.resize(n);
      u_.resize(n);
    }

    /// Adds one +-1 pattern. With the zero diagonal, h_ij = g_i - w_ij x_j where g = W x, so
    /// the update is (1/N) (x x^T - x g^T - g x^T) + (2/N) W = (1/N) (u x^T + x u^T) + (2/N) W
    /// with u = x/2 - g. Allocates nothing after reserve().
    /// @throws std::overflow_error when the weights leave the scalar's range (`raw` is then
    ///         partly updated: callers work on a copy, so nothing is half-stored).
    void add(const Eigen::Ref<const vector_t<Scalar>>& x, matrix_t<Scalar>& raw) {
      const index_t n = raw.rows();
      const Scalar inv_n = Scalar(1) / static_cast<Scalar>(n);
      const Scalar keep = Scalar(1) + Scalar(2) * inv_n;
      field_.noalias() = raw * x;
      u_ = Scalar(0.5) * x - field_;
      // Finite fields keep every new weight finite unless it overflows, which the columns' check
      // below catches; a non-finite field means the weights are already beyond the range.
      if (!field_.allFinite()) throw_overflow(n);
      for (index_t j = 0; j < n; ++j) {
        const index_t len = n - j;  // the lower triangle, diagonal included
        raw.col(j).tail(len) =
            keep * raw.col(j).tail(len) + (inv_n * x(j)) * u_.tail(len) + (inv_n * u_(j)) * x.tail(len);
        if (!raw.col(j).tail(len).allFinite()) throw_overflow(n);
      }
      detail::mirror_lower_zero_diagonal(raw);
      ++added_;
    }

   private:
    [[noreturn]] void throw_overflow(index_t n) const {
      throw std::overflow_error("hopfield::storkey: pattern " + std::to_string(added_ + 1) +
                                " over N = " + std::to_string(n) +
                                " neurons makes the Storkey weights overflow the scalar type (far beyond "
                                "the rule's capacity of about N / sqrt(2 ln N) patterns; use double, or "
                                "store fewer patterns)");
    }

    index_t added_ = 0;  // patterns added so far, for the message
    vector_t<Scalar> field_;
    vector_t<Scalar> u_;
  };
};

}  // namespace hopfield
