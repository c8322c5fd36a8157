#pragma once
/// @file The classical Hopfield network (Hopfield 1982): +-1 patterns stored in a symmetric
/// weight matrix by a learning rule (hebbian, storkey, pseudo_inverse), the quadratic energy
/// E(s) = -1/2 s^T W s + theta^T s, and retrieval by any binary update through the shared engine.
#include <concepts>
#include <string>
#include <utility>

#include <Eigen/Core>

#include "hopfield/core/concepts.hpp"
#include "hopfield/core/results.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/energy/quadratic_energy.hpp"
#include "hopfield/learning/hebbian.hpp"
#include "hopfield/learning/pseudo_inverse.hpp"
#include "hopfield/learning/storkey.hpp"
#include "hopfield/memory/retrieval_engine.hpp"
#include "hopfield/update/asynchronous_update.hpp"

namespace hopfield {

/// How a learning rule plugs into classical_hopfield: a value type with a nested
/// `learner<Scalar>` (constructible from the rule) that builds the stored matrix raw from the
/// patterns (W = raw / denominator(N), symmetric, zero diagonal), adds one pattern in place
/// after `reserve(N)` without allocating or throwing, and says whether raw = X X^T - M I
/// (`has_pattern_form`, which lets the energy take fields from X). Satisfied by hebbian,
/// storkey and pseudo_inverse.
template <class R, class Scalar>
concept LearningRule = std::default_initializable<R> && std::copy_constructible<R> && requires {
  typename R::template learner<Scalar>;
} && std::constructible_from < typename R::template learner<Scalar>,
const R& > &&std::convertible_to<decltype(R::has_pattern_form), bool>&& requires(
               typename R::template learner<Scalar>& learner, index_t n,
               const Eigen::Ref<const matrix_t<Scalar>>& patterns,
               const Eigen::Ref<const vector_t<Scalar>>& pattern, matrix_t<Scalar>& raw) {
  { R::template learner<Scalar>::denominator(n) } -> std::convertible_to<Scalar>;
  learner.build(patterns, raw);
  learner.reserve(n);
  learner.add(pattern, raw);
};

/// Options of classical_hopfield; every member has a default.
template <Real Scalar, class Rule = hebbian>
struct classical_options {
  vector_t<Scalar> thresholds{};              ///< theta, length N; empty means zero
  field_mode fields = field_mode::automatic;  ///< force W or X fields (tests, measurements)
  Rule rule{};                                ///< the rule's own settings (pseudo_inverse::tolerance)
};

/// A classical Hopfield network over N neurons storing M patterns (the columns of X).
template <Real Scalar, class Rule = hebbian>
class classical_hopfield {
  static_assert(hopfield::LearningRule<Rule, Scalar>,
                "classical_hopfield: the learning rule must satisfy hopfield::LearningRule");

 public:
  using scalar_type = Scalar;
  using rule_type = Rule;
  using energy_type = quadratic_energy<Scalar>;
  using options_type = classical_options<Scalar, Rule>;

  /// Stores the +-1 patterns given as the columns of an N x M matrix.
  /// @throws std::invalid_argument (naming "classical_hopfield") when X is empty, has an entry
  ///         other than +-1, the thresholds are not of size N or not finite, or
  ///         field_mode::patterns is asked of a rule without a pattern form.
  template <class Derived>
  explicit classical_hopfield(const Eigen::MatrixBase<Derived>& patterns, const options_type& options = {})
      : rule_(options.rule), learner_(options.rule), mode_(options.fields) {
    constexpr std::string_view fn = "classical_hopfield";
    detail::require_non_empty(fn, "patterns", patterns.rows(), patterns.cols());
    detail::require_binary(fn, "patterns", patterns);
    const index_t n = patterns.rows();
    if (options.thresholds.size() != 0) {
      detail::require_size(fn, "options.thresholds", "size", n, options.thresholds.size());
      detail::require_finite(fn, "options.thresholds", options.thresholds);
    }
    if (mode_ == field_mode::patterns && !Rule::has_pattern_form) {
      detail::throw_invalid(fn, "options.fields", "automatic or weights for a rule without a pattern form",
                            "field_mode::patterns");
    }
    patterns_ = patterns.template cast<Scalar>();
    learner_.build(patterns_, energy_.raw_);
    energy_.denominator_ = decltype(learner_)::denominator(n);
    energy_.thresholds_ = options.thresholds.size() != 0 ? options.thresholds : vector_t<Scalar>::Zero(n);
    energy_.finish_thresholds();
    if constexpr (Rule::has_pattern_form) {
      if (mode_ != field_mode::weights) energy_.pattern_rows_ = patterns_;
    }
    energy_.choose(mode_);
  }

  /// Adds the +-1 patterns given as columns (N x K; K = 0 does nothing): O(N^2) per pattern,
  /// no rebuild. Nothing changes when it throws.
  /// @throws std::invalid_argument (naming "classical_hopfield::add_patterns") when the rows
  ///         differ from N or an entry is not +-1.
  template <class Derived>
  void add_patterns(const Eigen::MatrixBase<Derived>& more) {
    constexpr std::string_view fn = "classical_hopfield::add_patterns";
    detail::require_size(fn, "patterns", "rows", dimension(), more.rows());
    detail::require_binary(fn, "patterns", more);
    if (more.cols() == 0) return;
    // Everything that can throw (allocation) happens before the first change.
    matrix_t<Scalar> grown(dimension(), size() + more.cols());
    grown.leftCols(size()) = patterns_;
    grown.rightCols(more.cols()) = more.template cast<Scalar>();
    row_major_matrix_t<Scalar> rows;
    const bool keep_rows = Rule::has_pattern_form && mode_ != field_mode::weights;
    if (keep_rows) rows = grown;
    learner_.reserve(dimension());
    for (index_t k = size(); k < grown.cols(); ++k) learner_.add(grown.col(k), energy_.raw_);
    patterns_.swap(grown);
    if (keep_rows) energy_.pattern_rows_.swap(rows);
    energy_.choose(mode_);
  }

  /// Retrieves from one query (a vector: retrieval_result) or a batch (columns:
  /// batch_retrieval_result), by asynchronous updates unless another update is given.
  /// @throws std::invalid_argument as hopfield::retrieve: a query of the wrong dimension or with
  ///         an entry other than +-1, max_steps <= 0, a negative temperature ...
  template <class Derived, class Update = asynchronous_update>
  requires UpdatePolicy<Update, quadratic_energy<Scalar>>
  auto retrieve(const Eigen::MatrixBase<Derived>& query, const retrieval_options& options = {},
                const Update& update = {}) const {
    return hopfield::retrieve(energy_, update, query, options);
  }

  /// E(s) = -1/2 s^T W s + theta^T s.
  /// @throws std::invalid_argument (naming "classical_hopfield::energy") when s is not a +-1
  ///         vector of length N.
  template <class Derived>
  [[nodiscard]] Scalar energy(const Eigen::MatrixBase<Derived>& state) const {
    constexpr std::string_view fn = "classical_hopfield::energy";
    detail::require_size(fn, "state", "rows", dimension(), state.rows());
    detail::require_size(fn, "state", "cols", 1, state.cols());
    detail::require_binary(fn, "state", state);
    return energy_.energy(state.template cast<Scalar>());
  }

  /// W = (stored matrix) / denominator, N x N (a copy).
  [[nodiscard]] matrix_t<Scalar> weights() const { return energy_.weights(); }
  /// The stored patterns, N x M.
  [[nodiscard]] const matrix_t<Scalar>& patterns() const { return patterns_; }
  [[nodiscard]] const vector_t<Scalar>& thresholds() const { return energy_.thresholds(); }
  [[nodiscard]] index_t dimension() const { return patterns_.rows(); }
  /// The number of stored patterns M.
  [[nodiscard]] index_t size() const { return patterns_.cols(); }
  /// The energy policy, to combine with any binary update through hopfield::retrieve.
  [[nodiscard]] const quadratic_energy<Scalar>& energy_policy() const { return energy_; }
  [[nodiscard]] const Rule& rule() const { return rule_; }
  /// The rule's state (e.g. pseudo_inverse's rank()).
  [[nodiscard]] const typename Rule::template learner<Scalar>& learner() const { return learner_; }

 private:
  Rule rule_;
  typename Rule::template learner<Scalar> learner_;
  field_mode mode_;
  matrix_t<Scalar> patterns_;
  quadratic_energy<Scalar> energy_;
};

}  // namespace hopfield
