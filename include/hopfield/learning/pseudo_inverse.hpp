#pragma once
/// @file The pseudo-inverse (projection) rule (Personnaz, Guyon and Dreyfus 1985; Kanter and
/// Sompolinsky 1987): W = P - diag(P), P the orthogonal projector onto span(X) (= X (X^T X)^{-1}
/// X^T when the patterns are independent). P comes from a column-pivoted Householder QR of X, whose
/// rank follows a relative threshold, so correlated and linearly dependent patterns are fine;
/// X^T X is never formed or inverted.
///
/// Why the zero diagonal keeps stored patterns: for x in span(X), P x = x, so
/// (W x)_i = x_i (1 - P_ii) with 0 <= P_ii <= 1: the field never opposes x_i. Where P_ii < 1 it
/// agrees strictly; where P_ii = 1 (e_i lies in the span, e.g. two patterns differ in bit i only)
/// it is zero, a tie, which keeps s_i. Rounding would turn that zero into +-1e-16 noise that can
/// flip a stored bit, so such rows are made exact: P_ii = 1 forces P_ij = 0 for j != i (P is a
/// symmetric idempotent), and rows with 1 - P_ii within the rank tolerance are set to that.
#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Core>
#include <Eigen/QR>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/detail/wide.hpp"
#include "hopfield/learning/detail/symmetric.hpp"

namespace hopfield {

/// Learning rule for classical_hopfield. Storing M patterns costs O(N M^2 + N^2 r) (QR, then
/// P = Q_r Q_r^T for rank r); adding a pattern costs O(N^2): with the residual
/// r = x - P x (orthogonalised twice), P <- P + r r^T / |r|^2, skipped when |r| <= tolerance |x|
/// (x already lies in the span).
struct pseudo_inverse {
  /// Relative size below which a pattern counts as lying in the span of the earlier ones, in
  /// [0, 1); 0 means N times the machine epsilon of the scalar.
  double tolerance = 0;

  static constexpr bool has_pattern_form = false;

  template <Real Scalar>
  class learner {
   public:
    learner() = default;
    /// @throws std::invalid_argument (naming "pseudo_inverse" and "options.rule.tolerance") when
    ///         the tolerance is not in [0, 1): at 1 or more no pattern would be independent and
    ///         the projector would have rank 0; a negative or NaN value is not a tolerance.
    explicit learner(const pseudo_inverse& rule) : tolerance_(rule.tolerance) {
      if (!(tolerance_ >= 0 && tolerance_ < 1)) {
        detail::throw_invalid("pseudo_inverse", "options.rule.tolerance",
                              "a relative tolerance in [0, 1) (0: N times the epsilon)", tolerance_);
      }
    }

    /// W = raw (the projector with its diagonal removed).
    static Scalar denominator(index_t /*n*/) { return Scalar(1); }

    /// raw <- P - diag(P) for the patterns X; the decomposition runs in double for float.
    void build(const Eigen::Ref<const matrix_t<Scalar>>& patterns, matrix_t<Scalar>& raw) {
      using wide = detail::wide_t<Scalar>;
      const index_t n = patterns.rows();
      const matrix_t<wide> x = patterns.template cast<wide>();
      Eigen::ColPivHouseholderQR<matrix_t<wide>> qr(x);
      qr.setThreshold(static_cast<wide>(relative_tolerance<Scalar>(n)));
      rank_ = qr.rank();
      matrix_t<wide> basis = matrix_t<wide>::Identity(n, rank_);
      basis.applyOnTheLeft(qr.householderQ().setLength(rank_));
      matrix_t<wide> projector = matrix_t<wide>::Zero(n, n);
      // A rank-0 projector is zero (only all-zero patterns get there); Eigen's rank update of
      // zero columns would divide by zero in its blocking.
      if (rank_ > 0) projector.template selfadjointView<Eigen::Lower>().rankUpdate(basis);
      diagonal_ = projector.diagonal().template cast<Scalar>();
      raw = projector.template cast<Scalar>();
      detail::mirror_lower_zero_diagonal(raw);
      snap_unit_rows(raw, projector.diagonal(), relative_tolerance<wide>(n));
    }

    /// Sizes the workspaces add() needs for dimension n.
    void reserve(index_t n) {
      projected_.resize(n);
      residual_.resize(n);
    }

    /// Adds one pattern: a rank-1 update of the projector unless x lies in the span already.
    /// Allocates nothing after reserve(); cannot fail.
    void add(const Eigen::Ref<const vector_t<Scalar>>& x, matrix_t<Scalar>& raw) {
      const index_t n = raw.rows();
      residual_ = x;
      for (int pass = 0; pass < 2; ++pass) {  // twice is enough (Kahan, Parlett)
        projected_.noalias() = raw * residual_;
        projected_ += diagonal_.cwiseProduct(residual_);
        residual_ -= projected_;
      }
      const Scalar norm2 = residual_.squaredNorm();
      const auto limit = static_cast<Scalar>(relative_tolerance<Scalar>(n));
      if (!(norm2 > limit * limit * x.squaredNorm())) return;
      const Scalar inv = Scalar(1) / norm2;
      for (index_t j = 0; j < n; ++j) raw.col(j).tail(n - j) += (inv * residual_(j)) * residual_.tail(n - j);
      diagonal_ += inv * residual_.cwiseAbs2();
      detail::mirror_lower_zero_diagonal(raw);
      ++rank_;
      snap_unit_rows(raw, diagonal_, relative_tolerance<Scalar>(n));
    }

    /// The rank of the stored patterns (the dimension of their span).
    [[nodiscard]] index_t rank() const { return rank_; }

   private:
    // The rule's tolerance, or N times the epsilon of the type the decision is computed in.
    template <class Computed>
    [[nodiscard]] double relative_tolerance(index_t n) const {
      if (tolerance_ > 0) return tolerance_;
      return static_cast<double>(n) * static_cast<double>(std::numeric_limits<Computed>::epsilon());
    }

    // Rows whose P_ii is 1 within the tolerance become exactly e_i: zero off the diagonal.
    template <class Diagonal>
    void snap_unit_rows(matrix_t<Scalar>& raw, const Diagonal& diagonal, double limit) {
      for (index_t i = 0; i < raw.rows(); ++i) {
        if (static_cast<double>(diagonal(i)) < 1.0 - limit) continue;
        raw.row(i).setZero();
        raw.col(i).setZero();
        diagonal_(i) = Scalar(1);
      }
    }

    double tolerance_ = 0;
    index_t rank_ = 0;
    vector_t<Scalar> diagonal_;  // diag(P), removed from W but needed to keep P exact
    vector_t<Scalar> projected_;
    vector_t<Scalar> residual_;
  };
};

}  // namespace hopfield
