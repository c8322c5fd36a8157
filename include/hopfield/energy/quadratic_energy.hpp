#pragma once
/// @file The classical Hopfield energy E(s) = -1/2 s^T W s + theta^T s (Hopfield 1982), with W
/// symmetric and zero on the diagonal.
///
/// W is kept as an unscaled matrix and a denominator, W = raw / d: the Hebbian rule stores the
/// integer matrix raw = X X^T - M I with d = N, so every field is an exact integer in floating
/// point (while N M < 2^24 in float, 2^53 in double) and the two ways of computing it agree
/// bit for bit:
///   - weights mode:  the context caches h = raw s; a flip of s_i adds 2 s_i raw(:, i)   O(N)
///   - patterns mode: the context caches m = X^T s; h_i = x_i . m - M s_i, a flip adds
///                    2 s_i x_i to m (x_i = row i of X, kept row-major)                  O(M)
/// Both feed the same expression gap_i = 2 (h_i - d theta_i) / d. The patterns mode exists
/// only for the Hebbian form; field_mode::automatic picks it when M is small against N.
#include <string>
#include <utility>

#include <Eigen/Core>

#include "hopfield/core/concepts.hpp"
#include "hopfield/core/energy_gap.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/wide.hpp"

namespace hopfield {

/// Where a quadratic energy takes its fields from.
enum class field_mode {
  automatic,  ///< the patterns when the Hebbian form is available and cheaper, else W
  patterns,   ///< always X (X^T s): needs the Hebbian form
  weights,    ///< always W s
};

/// The quadratic energy policy. Satisfies BinaryEnergyPolicy and HasBatchGaps.
template <Real Scalar>
class quadratic_energy {
 public:
  using scalar_type = Scalar;

  /// What a sweep carries between neurons: the fields (weights mode) or the overlaps (patterns
  /// mode), both unscaled. Sized by init_context and reused.
  struct context_type {
    vector_t<Scalar> fields;    ///< raw s, length N
    vector_t<Scalar> overlaps;  ///< X^T s, length M
  };

  /// An empty energy (N = 0); assign a real one before use.
  quadratic_energy() = default;

  /// The energy of a given symmetric weight matrix with zero diagonal, and optional thresholds
  /// (empty: zero). The fields come from W.
  /// @throws std::invalid_argument when W is empty, not square, not finite, not exactly
  ///         symmetric or not zero on the diagonal, or the thresholds are not finite or not of
  ///         size N.
  template <class DW>
  explicit quadratic_energy(const Eigen::MatrixBase<DW>& weights,
                            const Eigen::Ref<const vector_t<Scalar>>& thresholds = vector_t<Scalar>()) {
    constexpr std::string_view fn = "quadratic_energy";
    check_weights(fn, weights);
    set_thresholds(fn, thresholds, weights.rows());
    raw_ = weights.template cast<Scalar>();
    denominator_ = Scalar(1);
    finish_thresholds();
    choose(field_mode::weights);
  }

  /// The energy of what a learning rule stored: W = raw / denominator (raw symmetric with zero
  /// diagonal, kept unscaled so that Hebbian fields stay exact integers), thresholds theta
  /// (empty: zero) and, when raw = X X^T - M I (the Hebbian form), the patterns X row-major, so
  /// that fields may come from X as `mode` says (empty: fields from W). This is how
  /// classical_hopfield builds its energy, and how any other rule can.
  /// @throws std::invalid_argument as the weight constructor, and when the denominator is not
  ///         finite and > 0 or the pattern rows are not N long.
  [[nodiscard]] static quadratic_energy from_stored(matrix_t<Scalar> raw, Scalar denominator,
                                                    const Eigen::Ref<const vector_t<Scalar>>& thresholds,
                                                    row_major_matrix_t<Scalar> pattern_rows = {},
                                                    field_mode mode = field_mode::automatic) {
    constexpr std::string_view fn = "quadratic_energy::from_stored";
    check_weights(fn, raw);
    detail::require_positive_finite(fn, "denominator", denominator);
    if (pattern_rows.size() != 0) {
      detail::require_size(fn, "pattern_rows", "rows", raw.rows(), pattern_rows.rows());
    }
    quadratic_energy energy;
    energy.set_thresholds(fn, thresholds, raw.rows());
    energy.raw_ = std::move(raw);
    energy.denominator_ = denominator;
    energy.pattern_rows_ = std::move(pattern_rows);
    energy.finish_thresholds();
    energy.choose(mode);
    return energy;
  }

  /// Required: the state dimension N.
  [[nodiscard]] index_t dimension() const { return raw_.rows(); }

  /// W itself (a scaled copy of the stored matrix), N x N.
  [[nodiscard]] matrix_t<Scalar> weights() const { return raw_ / denominator_; }
  /// The stored matrix: W = raw_weights() / weight_denominator().
  [[nodiscard]] const matrix_t<Scalar>& raw_weights() const { return raw_; }
  [[nodiscard]] Scalar weight_denominator() const { return denominator_; }
  /// theta, length N (zero when none was given).
  [[nodiscard]] const vector_t<Scalar>& thresholds() const { return thresholds_; }
  /// True when single-neuron fields come from the patterns (O(M)) rather than from W.
  [[nodiscard]] bool uses_pattern_fields() const { return sweep_patterns_; }
  /// True when batch gaps come from X (X^T S) rather than W S.
  [[nodiscard]] bool uses_pattern_batch() const { return batch_patterns_; }

  /// Required: E(s) = -1/2 s^T W s + theta^T s, accumulated in double for float.
  /// @throws std::invalid_argument when s does not have N entries.
  [[nodiscard]] Scalar energy(const Eigen::Ref<const vector_t<Scalar>>& s) const {
    using wide = detail::wide_t<Scalar>;
    detail::require_size("quadratic_energy::energy", "state", "rows", dimension(), s.size());
    wide quadratic = 0;  // s^T raw s
    if (batch_patterns_) {
      const vector_t<Scalar> m = pattern_rows_.transpose() * s;
      quadratic = m.template cast<wide>().squaredNorm() -
                  static_cast<wide>(pattern_rows_.cols()) * s.template cast<wide>().squaredNorm();
    } else {
      const vector_t<Scalar> h = raw_ * s;
      quadratic = s.template cast<wide>().dot(h.template cast<wide>());
    }
    const wide bias = thresholds_.template cast<wide>().dot(s.template cast<wide>());
    return static_cast<Scalar>(wide(-0.5) * quadratic / static_cast<wide>(denominator_) + bias);
  }

  /// Required by BinaryEnergyPolicy: (re)computes the cached fields or overlaps for s.
  void init_context(context_type& ctx, const Eigen::Ref<const vector_t<Scalar>>& s) const {
    if (sweep_patterns_) {
      ctx.overlaps.resize(pattern_rows_.cols());
      ctx.overlaps.noalias() = pattern_rows_.transpose() * s;
    } else {
      ctx.fields.resize(dimension());
      ctx.fields.noalias() = raw_ * s;
    }
  }

  /// Required by BinaryEnergyPolicy: E(s_i = -1) - E(s_i = +1) = 2 (h_i - theta_i).
  [[nodiscard]] energy_gap<Scalar> gap(const context_type& ctx, const Eigen::Ref<const vector_t<Scalar>>& s,
                                       index_t i) const {
    const Scalar h = sweep_patterns_ ? pattern_rows_.row(i).dot(ctx.overlaps) -
                                           static_cast<Scalar>(pattern_rows_.cols()) * s(i)
                                     : ctx.fields(i);
    return {gap_of(h, scaled_thresholds_(i)), Scalar(0)};
  }

  /// Required by BinaryEnergyPolicy: negates s_i and updates the cache (O(M) or O(N)).
  void flip(context_type& ctx, Eigen::Ref<vector_t<Scalar>> s, index_t i) const {
    s(i) = -s(i);
    const Scalar step = Scalar(2) * s(i);
    if (sweep_patterns_) {
      ctx.overlaps.noalias() += step * pattern_rows_.row(i).transpose();
    } else {
      ctx.fields.noalias() += step * raw_.col(i);
    }
  }

  /// Optional (HasBatchGaps): every gap of a batch of states (columns) with one or two matrix
  /// products, equal entry for entry to gap() on a fresh context.
  void gaps(const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<matrix_t<Scalar>> out) const {
    if (batch_patterns_) {
      const matrix_t<Scalar> overlaps = pattern_rows_.transpose() * states;  // M x B
      out.noalias() = pattern_rows_ * overlaps;
      out -= static_cast<Scalar>(pattern_rows_.cols()) * states;
    } else {
      out.noalias() = raw_ * states;
    }
    for (index_t j = 0; j < out.cols(); ++j) {
      for (index_t i = 0; i < out.rows(); ++i) out(i, j) = gap_of(out(i, j), scaled_thresholds_(i));
    }
  }

 private:
  // A weight matrix an energy can use: non-empty, square, finite, exactly symmetric, zero diagonal.
  template <class DW>
  static void check_weights(std::string_view fn, const Eigen::MatrixBase<DW>& weights) {
    detail::require_non_empty(fn, "weights", weights.rows(), weights.cols());
    detail::require_size(fn, "weights", "cols", weights.rows(), weights.cols());
    detail::require_finite(fn, "weights", weights);
    const index_t n = weights.rows();
    for (index_t j = 0; j < n; ++j) {
      if (weights(j, j) != 0) {
        detail::throw_invalid(
            fn, "weights", "a zero diagonal",
            detail::describe(weights(j, j)) + " at (" + std::to_string(j) + ", " + std::to_string(j) + ")");
      }
      for (index_t i = j + 1; i < n; ++i) {
        if (weights(i, j) != weights(j, i)) {
          detail::throw_invalid(fn, "weights", "a symmetric matrix",
                                "w(" + std::to_string(i) + ", " + std::to_string(j) +
                                    ") = " + detail::describe(weights(i, j)) + " != w(" + std::to_string(j) +
                                    ", " + std::to_string(i) + ") = " + detail::describe(weights(j, i)));
        }
      }
    }
  }

  // The one expression both field modes and the batch path use, so their gaps agree exactly.
  [[nodiscard]] Scalar gap_of(Scalar raw_field, Scalar scaled_threshold) const {
    return Scalar(2) * (raw_field - scaled_threshold) / denominator_;
  }

  void set_thresholds(std::string_view fn, const Eigen::Ref<const vector_t<Scalar>>& thresholds, index_t n) {
    if (thresholds.size() == 0) {
      thresholds_ = vector_t<Scalar>::Zero(n);
      return;
    }
    detail::require_size(fn, "thresholds", "size", n, thresholds.size());
    detail::require_finite(fn, "thresholds", thresholds);
    thresholds_ = thresholds;
  }

  void finish_thresholds() { scaled_thresholds_ = denominator_ * thresholds_; }

  // Resolves the field modes. Sweeps: patterns when 7 M <= N, about the capacity 0.14 N: there
  // a retrieval takes a few sweeps and an O(N M) init plus O(N M) sweeps beat the O(N^2) init;
  // past it retrievals wander for tens of sweeps and W's O(N) flips win (bench_classical,
  // BM_crossover_retrieve: at N = 2048 X wins 13x at M = 64, 2x at M = 256, loses at M = 320).
  // Batch steps: patterns when 2 M < N (two N x M products against one N x N).
  void choose(field_mode mode) {
    const bool available = pattern_rows_.rows() == dimension() && pattern_rows_.cols() > 0;
    const index_t n = dimension();
    const index_t m = pattern_rows_.cols();
    switch (mode) {
      case field_mode::patterns:
        sweep_patterns_ = batch_patterns_ = available;
        break;
      case field_mode::weights:
        sweep_patterns_ = batch_patterns_ = false;
        break;
      case field_mode::automatic:
        sweep_patterns_ = available && 7 * m <= n;
        batch_patterns_ = available && 2 * m < n;
        break;
    }
  }

  matrix_t<Scalar> raw_;  // symmetric, zero diagonal; W = raw_ / denominator_
  Scalar denominator_ = 1;
  vector_t<Scalar> thresholds_;              // theta
  vector_t<Scalar> scaled_thresholds_;       // denominator_ * theta, in the units of raw fields
  row_major_matrix_t<Scalar> pattern_rows_;  // X (N x M, row-major) when raw_ = X X^T - M I
  bool sweep_patterns_ = false;
  bool batch_patterns_ = false;
};

}  // namespace hopfield
