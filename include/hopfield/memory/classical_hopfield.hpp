#pragma once
/// @file The classical Hopfield network (Hopfield 1982): +-1 patterns stored in a symmetric
/// weight matrix by a learning rule (hebbian, storkey, pseudo_inverse), the quadratic energy
/// E(s) = -1/2 s^T W s + theta^T s, and retrieval by any binary update through the shared engine.
#include <string>
#include <utility>

#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/concepts.hpp"
#include "hopfield/core/results.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/energy/quadratic_energy.hpp"
#include "hopfield/learning/hebbian.hpp"
#include "hopfield/learning/learning_rule.hpp"
#include "hopfield/learning/pseudo_inverse.hpp"
#include "hopfield/learning/storkey.hpp"
#include "hopfield/memory/memory_interface.hpp"
#include "hopfield/memory/retrieval_engine.hpp"
#include "hopfield/update/asynchronous_update.hpp"

namespace hopfield {

/// Options of classical_hopfield; every member has a default.
template <Real Scalar, class Rule = hebbian>
struct classical_options {
  vector_t<Scalar> thresholds{};              ///< theta, length N; empty means zero
  field_mode fields = field_mode::automatic;  ///< force W or X fields (tests, measurements)
  Rule rule{};                                ///< the rule's own settings (pseudo_inverse::tolerance)
};

/// A classical Hopfield network over N neurons storing M patterns (the columns of X). retrieve
/// (asynchronous updates by default), energy and energies come from memory_interface.
template <Real Scalar, class Rule = hebbian>
class classical_hopfield : public memory_interface<classical_hopfield<Scalar, Rule>, asynchronous_update> {
  static_assert(hopfield::LearningRule<Rule, Scalar>,
                "classical_hopfield: the learning rule must satisfy hopfield::LearningRule");

 public:
  using scalar_type = Scalar;
  using rule_type = Rule;
  using energy_type = quadratic_energy<Scalar>;
  using options_type = classical_options<Scalar, Rule>;
  static constexpr std::string_view name = "classical_hopfield";

  /// Stores the +-1 patterns given as the columns of an N x M matrix.
  /// @throws std::invalid_argument (naming "classical_hopfield") when X is empty, has an entry
  ///         other than +-1, the thresholds are not of size N or not finite, or
  ///         field_mode::patterns is asked of a rule without a pattern form, or the rule rejects
  ///         its settings (pseudo_inverse: "options.rule.tolerance" outside [0, 1));
  ///         std::overflow_error when the rule's weights leave the scalar's range (storkey far
  ///         beyond capacity).
  template <class Derived>
  explicit classical_hopfield(const Eigen::MatrixBase<Derived>& patterns, options_type options = {})
      : options_(std::move(options)), learner_(options_.rule) {
    constexpr std::string_view fn = "classical_hopfield";
    detail::require_non_empty(fn, "patterns", patterns.rows(), patterns.cols());
    detail::require_binary(fn, "patterns", patterns);
    const index_t n = patterns.rows();
    if (options_.thresholds.size() != 0) {
      detail::require_size(fn, "options.thresholds", "size", n, options_.thresholds.size());
      detail::require_finite(fn, "options.thresholds", options_.thresholds);
    }
    if (options_.fields == field_mode::patterns && !Rule::has_pattern_form) {
      detail::throw_invalid(fn, "options.fields", "automatic or weights for a rule without a pattern form",
                            "field_mode::patterns");
    }
    patterns_ = patterns.template cast<Scalar>();
    matrix_t<Scalar> raw;
    learner_.build(patterns_, raw);
    energy_ = build_energy(std::move(raw), patterns_);
  }

  /// Adds the +-1 patterns given as columns (N x K; K = 0 does nothing): O(N^2) per pattern and
  /// one O(N^2) copy of the stored matrix, no rebuild. Nothing changes when it throws.
  /// @throws std::invalid_argument (naming "classical_hopfield::add_patterns") when the rows
  ///         differ from N or an entry is not +-1; std::overflow_error as the constructor.
  template <class Derived>
  void add_patterns(const Eigen::MatrixBase<Derived>& more) {
    constexpr std::string_view fn = "classical_hopfield::add_patterns";
    detail::require_size(fn, "patterns", "rows", dimension(), more.rows());
    detail::require_binary(fn, "patterns", more);
    if (more.cols() == 0) return;
    // Everything that can throw (allocation) happens on copies; the commit below cannot throw.
    matrix_t<Scalar> grown(dimension(), size() + more.cols());
    grown.leftCols(size()) = patterns_;
    grown.rightCols(more.cols()) = more.template cast<Scalar>();
    auto learner = learner_;
    learner.reserve(dimension());
    matrix_t<Scalar> raw = energy_.raw_weights();
    for (index_t k = size(); k < grown.cols(); ++k) learner.add(grown.col(k), raw);
    auto energy = build_energy(std::move(raw), grown);
    patterns_.swap(grown);
    learner_ = std::move(learner);
    energy_ = std::move(energy);
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
  [[nodiscard]] const energy_type& energy_policy() const { return energy_; }
  /// The options the memory was built with.
  [[nodiscard]] const options_type& options() const { return options_; }
  [[nodiscard]] const Rule& rule() const { return options_.rule; }
  /// The rule's state (e.g. pseudo_inverse's rank()).
  [[nodiscard]] const typename Rule::template learner<Scalar>& learner() const { return learner_; }

 private:
  // What the rule learned, as an energy: fields from X when the rule has the Hebbian form and
  // the options allow it.
  energy_type build_energy(matrix_t<Scalar> raw, const matrix_t<Scalar>& patterns) const {
    row_major_matrix_t<Scalar> rows;
    if (Rule::has_pattern_form && options_.fields != field_mode::weights) rows = patterns;
    return energy_type::from_stored(std::move(raw), decltype(learner_)::denominator(patterns.rows()),
                                    options_.thresholds, std::move(rows), options_.fields);
  }

  options_type options_;
  typename Rule::template learner<Scalar> learner_;
  matrix_t<Scalar> patterns_;
  energy_type energy_;
};

}  // namespace hopfield
