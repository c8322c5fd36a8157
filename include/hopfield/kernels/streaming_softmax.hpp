#pragma once
/// @file THE online softmax of the library: mergeable streaming partials of a column-wise
/// softmax. Streaming retrieval, attention, pooling and the modern memory's `partial(Q)` are all
/// built from it (plan -> one partial per chunk of patterns -> exact merge in a fixed order ->
/// finish; kernels/attention_partial.hpp), and so are the reductions that later work needs: a
/// backward pass recomputes a block's weights from the saved (max, sum) with softmax_into, and a
/// sharded memory merges the partials of its shards.
///
/// A partial over some entries z_i (with value vectors v_i) of each column holds
///   max = max_i z_i,  sum = sum_i exp(beta (z_i - max)),  acc = sum_i exp(beta (z_i - max)) v_i.
/// Two partials merge exactly (a = max(a1, a2)):
///   sum = sum1 e^{beta (a1 - a)} + sum2 e^{beta (a2 - a)},  acc likewise.
/// Folding any split of the entries into blocks, in any order, gives the one-shot lse, softmax
/// and softmax-weighted sum up to rounding. -inf entries weigh nothing and an all -inf column
/// finishes as lse = -inf with a zero weighted sum, never NaN.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/column_kernel.hpp"
#include "hopfield/detail/partial_merge.hpp"
#include "hopfield/detail/wide.hpp"

namespace hopfield {

template <Real Scalar>
class softmax_partial {
 public:
  using wide = detail::wide_t<Scalar>;

  softmax_partial() = default;

  /// An empty partial for `columns` distributions whose values have `value_rows` rows
  /// (0 when only the normaliser is wanted).
  /// @throws std::invalid_argument when beta is not finite and > 0 or a size is negative.
  softmax_partial(index_t value_rows, index_t columns, Scalar beta) : beta_(beta) {
    detail::require_positive_finite("softmax_partial", "beta", beta);
    if (value_rows < 0 || columns < 0) {
      detail::throw_invalid("softmax_partial", "value_rows, columns", "sizes >= 0",
                            std::to_string(value_rows) + ", " + std::to_string(columns));
    }
    max_.resize(columns);
    sum_.resize(columns);
    acc_.resize(value_rows, columns);
    reset();
  }

  /// Back to "no entries seen"; keeps every buffer (no allocation).
  void reset() {
    max_.setConstant(-std::numeric_limits<Scalar>::infinity());
    sum_.setZero();
    acc_.setZero();
  }

  /// Folds a block: `scores` (m x columns) with the block's values (value_rows x m).
  /// The block's weights go through an internal workspace that is reused across calls.
  /// @throws std::invalid_argument on a shape mismatch.
  template <class ScoresDerived, class ValuesDerived>
  void fold(const Eigen::MatrixBase<ScoresDerived>& scores, const Eigen::MatrixBase<ValuesDerived>& values) {
    detail::require_size("softmax_partial::fold", "values", "cols", scores.rows(), values.cols());
    detail::require_size("softmax_partial::fold", "values", "rows", acc_.rows(), values.rows());
    detail::require_size("softmax_partial::fold", "scores", "cols", columns(), scores.cols());
    const Eigen::Ref<const matrix_t<Scalar>> z(scores);
    weights_.resize(z.rows(), z.cols());
    fold_block(z.data(), z.rows(), z.outerStride(), weights_.data(), weights_.outerStride());
    acc_.noalias() += values * weights_;
  }

  /// fold(scores, values) without the workspace: the block's scores are overwritten by their
  /// weights (against the merged max), then acc += values * weights. The streaming loops use it:
  /// their score block is scratch anyway.
  /// @throws std::invalid_argument on a shape mismatch.
  template <class ValuesDerived>
  void fold_in_place(Eigen::Ref<matrix_t<Scalar>> scores, const Eigen::MatrixBase<ValuesDerived>& values) {
    detail::require_size("softmax_partial::fold_in_place", "values", "cols", scores.rows(), values.cols());
    detail::require_size("softmax_partial::fold_in_place", "values", "rows", acc_.rows(), values.rows());
    detail::require_size("softmax_partial::fold_in_place", "scores", "cols", columns(), scores.cols());
    fold_block(scores.data(), scores.rows(), scores.outerStride(), scores.data(), scores.outerStride());
    acc_.noalias() += values * scores;
  }

  /// Folds a block of scores only (normaliser, no values); requires value_rows == 0.
  template <class ScoresDerived>
  void fold(const Eigen::MatrixBase<ScoresDerived>& scores) {
    detail::require_size("softmax_partial::fold", "value_rows", "rows", 0, acc_.rows());
    detail::require_size("softmax_partial::fold", "scores", "cols", columns(), scores.cols());
    const Eigen::Ref<const matrix_t<Scalar>> z(scores);
    fold_block(z.data(), z.rows(), z.outerStride(), nullptr, 0);
  }

  /// Merges another partial over other entries of the same columns into this one, exactly:
  /// the result is the partial of the union of the two sets of entries (up to rounding).
  /// @throws std::invalid_argument when the shapes or beta differ.
  void merge(const softmax_partial& other) {
    detail::require_size("softmax_partial::merge", "other", "columns", columns(), other.columns());
    merge(other, 0);
  }

  /// Merges `other` (other.columns() columns) into columns [first_column, first_column +
  /// other.columns()) of this partial: how a partial of a few queries (a tile) joins the partial
  /// of a whole batch.
  /// @throws std::invalid_argument when the columns do not fit, or the value rows or beta differ.
  void merge(const softmax_partial& other, index_t first_column) {
    if (first_column < 0 || first_column + other.columns() > columns()) {
      detail::throw_invalid("softmax_partial::merge", "first_column",
                            "a column range inside [0, " + std::to_string(columns()) + ")",
                            std::to_string(first_column) + " + " + std::to_string(other.columns()));
    }
    detail::require_size("softmax_partial::merge", "other", "value_rows", acc_.rows(), other.acc_.rows());
    if (other.beta_ != beta_)
      detail::throw_invalid("softmax_partial::merge", "other.beta", detail::describe(beta_), other.beta_);
    for (index_t k = 0; k < other.columns(); ++k) {
      const index_t j = first_column + k;
      const auto scales = detail::merge_column(max_(j), sum_(j), other.max_(k), other.sum_(k), beta_);
      if (acc_.rows() > 0)  // NaN factors poison the column
        acc_.col(j) = acc_.col(j) * scales.mine + other.acc_.col(k) * scales.theirs;
    }
  }

  [[nodiscard]] index_t columns() const { return max_.size(); }
  [[nodiscard]] index_t value_rows() const { return acc_.rows(); }
  [[nodiscard]] Scalar beta() const { return beta_; }
  [[nodiscard]] const row_vector_t<Scalar>& max() const { return max_; }
  [[nodiscard]] const Eigen::Matrix<wide, 1, Eigen::Dynamic>& sum() const { return sum_; }
  [[nodiscard]] const matrix_t<Scalar>& accumulator() const { return acc_; }

  /// lse(beta, z) of each column over every entry folded so far.
  [[nodiscard]] Scalar logsumexp(index_t column) const {
    return detail::lse_from_stats(detail::column_stats<Scalar>{max_(column), sum_(column)}, beta_);
  }
  [[nodiscard]] row_vector_t<Scalar> logsumexp() const {
    row_vector_t<Scalar> out(columns());
    for (index_t j = 0; j < columns(); ++j) out(j) = logsumexp(j);
    return out;
  }

  /// The softmax-weighted sum of the values, acc / sum, per column (zeros for an all -inf column,
  /// NaN for a column that met a NaN score).
  /// @throws std::invalid_argument when out is not value_rows x columns; std::overflow_error when
  ///         a column's weighted sum is not finite although its scores were (values so large
  ///         that their weighted sum leaves the scalar's range).
  void weighted_sum_into(Eigen::Ref<matrix_t<Scalar>> out) const {
    detail::require_size("softmax_partial::weighted_sum_into", "out", "rows", acc_.rows(), out.rows());
    detail::require_size("softmax_partial::weighted_sum_into", "out", "cols", columns(), out.cols());
    for (index_t j = 0; j < columns(); ++j) {
      if (sum_(j) > 0) {
        out.col(j) = acc_.col(j) * static_cast<Scalar>(1 / sum_(j));
        if (!out.col(j).allFinite()) throw_sum_overflow(j);
      } else if (std::isnan(max_(j))) {
        out.col(j).setConstant(std::numeric_limits<Scalar>::quiet_NaN());
      } else {
        out.col(j).setZero();
      }
    }
  }
  [[nodiscard]] matrix_t<Scalar> weighted_sum() const {
    matrix_t<Scalar> out(acc_.rows(), columns());
    weighted_sum_into(out);
    return out;
  }

  /// Final softmax weights of a block of scores (m x columns) under the normaliser of every entry
  /// folded so far: exp(beta (z - max)) / sum. Written into `out` (same shape; may alias scores).
  template <class ScoresDerived>
  void softmax_into(const Eigen::MatrixBase<ScoresDerived>& scores, Eigen::Ref<matrix_t<Scalar>> out) const {
    detail::require_size("softmax_partial::softmax_into", "scores", "cols", columns(), scores.cols());
    detail::require_size("softmax_partial::softmax_into", "out", "rows", scores.rows(), out.rows());
    detail::require_size("softmax_partial::softmax_into", "out", "cols", scores.cols(), out.cols());
    for (index_t j = 0; j < columns(); ++j) {
      const Scalar a = max_(j);
      const Scalar inv = sum_(j) > 0 ? static_cast<Scalar>(1 / sum_(j)) : Scalar(0);
      if (std::isfinite(a) && !detail::differences_may_overflow(beta_)) {
        out.col(j) = (beta_ * (scores.col(j).array() - a)).exp().matrix() * inv;
      } else {
        for (index_t i = 0; i < scores.rows(); ++i) {
          out(i, j) = detail::shifted_weight(static_cast<Scalar>(scores(i, j)), a, beta_) * inv;
        }
      }
    }
  }

 private:
  [[noreturn]] static void throw_sum_overflow(index_t column) {
    throw std::overflow_error("hopfield::softmax_partial::weighted_sum_into: the weighted sum of column " +
                              std::to_string(column) +
                              " is not finite although its scores are: the values are too large for the "
                              "scalar type (scale them down, or use double)");
  }

  // Folds one block of scores (rows x columns(), column j at z + j * z_stride) into (max, sum),
  // rescaling acc; when `w` is not null the block's weights go there against the merged max (w
  // may be z). The weights come out of the column kernel already scaled, so no extra pass.
  void fold_block(const Scalar* z, index_t rows, index_t z_stride, Scalar* w, index_t w_stride) {
    const bool with_values = acc_.rows() > 0;
    const auto merge_block = [&](index_t j, const detail::column_stats<Scalar>& block) {
      const auto scales = detail::merge_column(max_(j), sum_(j), block.max, block.sum, beta_);
      if (with_values && scales.mine != Scalar(1)) acc_.col(j) *= scales.mine;  // NaN poisons it
      return static_cast<wide>(scales.theirs);
    };
    if (w == nullptr) {
      detail::reduce_columns<false>(z, rows, columns(), z_stride, beta_, static_cast<Scalar*>(nullptr), 0,
                                    merge_block);
      return;
    }
    detail::reduce_columns<true>(z, rows, columns(), z_stride, beta_, w, w_stride, merge_block);
    for (index_t j = 0; j < columns(); ++j) {  // NaN times 0 would still reach acc
      if (std::isnan(max_(j))) Eigen::Map<vector_t<Scalar>>(w + j * w_stride, rows).setZero();
    }
  }

  Scalar beta_ = 1;
  row_vector_t<Scalar> max_;
  Eigen::Matrix<wide, 1, Eigen::Dynamic> sum_;
  matrix_t<Scalar> acc_;
  matrix_t<Scalar> weights_;  // the current block's scaled weights (workspace)
};

}  // namespace hopfield
