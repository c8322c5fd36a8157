#pragma once
/// @file The continuous modern Hopfield network (Ramsauer et al. 2020): the log-sum-exp energy
/// run by the CCCP update through the shared retrieval engine.
///
///   modern_hopfield<float> mhn(X, {.beta = 8.0f});         // auto-association, X is N x M
///   Eigen::MatrixXf next = mhn.update(Q);                  // one step for a batch (columns)
///   auto r = mhn.retrieve(q);                              // to a fixed point, with a report
///   modern_hopfield<float> assoc(K, V, {.beta = 0.125f});  // hetero-association, K N_k x M, V N_v x M
///
/// Hetero-association: update(Q) = V softmax(beta K^T Q) (Transformer attention with queries as
/// columns); retrieve(q) iterates the query in key space, q <- K softmax(beta K^T q), to its
/// fixed point (the energy lives there), and update(r.state) reads out the associated values.
#include <cmath>
#include <cstddef>
#include <optional>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/results.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/energy/lse_energy.hpp"
#include "hopfield/memory/retrieval_engine.hpp"
#include "hopfield/update/cccp_update.hpp"

namespace hopfield {

/// Options of modern_hopfield; every field has a default.
template <Real Scalar>
struct modern_hopfield_options {
  /// Inverse temperature, > 0; unset means 1/sqrt(N_k) (the Transformer's scaling).
  std::optional<Scalar> beta;
  /// Update steps per query at most.
  index_t max_steps = 100;
  /// A query stops when max|change| <= tolerance * max(1, max|state|) (the engine's rule).
  double tolerance = std::is_same_v<Scalar, float> ? 1e-5 : 1e-10;
  /// Keep every query's energy before the first and after each step.
  bool record_trace = false;
  /// Bytes the score blocks of all threads may take together (see streaming_options).
  std::size_t memory_budget = std::size_t{64} << 20;
  /// Patterns per block; 0 = automatic, cache-sized.
  index_t block_size = 0;
  /// Threads over pattern blocks; 0 = OpenMP's default for large work, 1 = serial.
  int threads = 0;
};

template <Real Scalar>
class modern_hopfield {
 public:
  using scalar_type = Scalar;
  using options_type = modern_hopfield_options<Scalar>;

  /// Auto-association over the columns of `patterns` (N x M), stored as a copy.
  /// @throws std::invalid_argument for an empty or non-finite pattern matrix, beta not finite
  ///         and > 0, max_steps <= 0, a negative or non-finite tolerance, a zero memory budget,
  ///         or a negative block size or thread count.
  template <class Derived>
  explicit modern_hopfield(const Eigen::MatrixBase<Derived>& patterns, options_type options = {})
      : options_(validated(options, patterns.rows(), patterns.cols())),
        energy_(patterns, *options_.beta, streaming(options_)) {}

  /// Hetero-association: keys K (N_k x M) and values V (N_v x M), column i of V belonging to
  /// column i of K.
  /// @throws std::invalid_argument as above, and when V is not N_v x M or has non-finite entries.
  template <class KeysDerived, class ValuesDerived>
  modern_hopfield(const Eigen::MatrixBase<KeysDerived>& keys, const Eigen::MatrixBase<ValuesDerived>& values,
                  options_type options = {})
      : options_(validated(options, keys.rows(), keys.cols())),
        energy_(keys, *options_.beta, streaming(options_)),
        values_(values.template cast<Scalar>()),
        hetero_(true) {
    detail::require_size("modern_hopfield", "values", "cols (one value per key)", keys.cols(),
                         values_.cols());
    if (values_.rows() <= 0)
      detail::throw_invalid("modern_hopfield", "values", "at least one row", values_.rows());
    detail::require_finite("modern_hopfield", "values", values_);
  }

  /// Dimension of a query (N, or N_k).
  [[nodiscard]] index_t dimension() const { return energy_.dimension(); }
  /// Dimension of update's output (N, or N_v).
  [[nodiscard]] index_t value_dimension() const { return hetero_ ? values_.rows() : dimension(); }
  /// Number of stored patterns M.
  [[nodiscard]] index_t size() const { return energy_.size(); }
  [[nodiscard]] Scalar beta() const { return energy_.beta(); }
  [[nodiscard]] bool is_heteroassociative() const { return hetero_; }
  [[nodiscard]] const options_type& options() const { return options_; }
  /// The patterns (auto-association) or keys.
  [[nodiscard]] const matrix_t<Scalar>& keys() const { return energy_.patterns(); }
  /// The values (hetero-association) or the patterns.
  [[nodiscard]] const matrix_t<Scalar>& values() const { return hetero_ ? values_ : energy_.patterns(); }
  /// The energy policy, for hopfield::retrieve with other updates or options.
  [[nodiscard]] const lse_energy<Scalar>& energy_policy() const { return energy_; }

  /// E(xi) = -lse(beta, X^T xi) + 1/2 xi^T xi + beta^-1 ln M + 1/2 L^2 (keys for hetero-association).
  /// @throws std::invalid_argument for a state of the wrong length or with non-finite entries.
  template <class Derived>
  [[nodiscard]] Scalar energy(const Eigen::MatrixBase<Derived>& state) const {
    static_assert(Derived::ColsAtCompileTime == 1 || Derived::ColsAtCompileTime == Eigen::Dynamic,
                  "modern_hopfield::energy takes one state (a column vector); use energies for a batch");
    if constexpr (Derived::ColsAtCompileTime == 1) {
      return energy_.energy(state.template cast<Scalar>());
    } else {
      if (state.cols() != 1)
        detail::throw_invalid("modern_hopfield::energy", "state", "one column", state.cols());
      return energies(state)(0);
    }
  }

  /// The energy of every column of `states`, in one pass over the memory.
  /// @throws std::invalid_argument for a wrong shape or non-finite entries.
  template <class Derived>
  [[nodiscard]] row_vector_t<Scalar> energies(const Eigen::MatrixBase<Derived>& states) const {
    row_vector_t<Scalar> out(states.cols());
    energy_.energies(states.template cast<Scalar>(), out);
    return out;
  }

  /// One CCCP step for a batch of queries (columns): X softmax(beta X^T Q), or
  /// V softmax(beta K^T Q). A vector gives a vector.
  /// @throws std::invalid_argument for queries of the wrong dimension or with non-finite entries.
  template <class Derived>
  [[nodiscard]] auto update(const Eigen::MatrixBase<Derived>& queries) const {
    if constexpr (Derived::ColsAtCompileTime == 1) {
      vector_t<Scalar> out(value_dimension());
      update_into(queries, out);
      return out;
    } else {
      matrix_t<Scalar> out(value_dimension(), queries.cols());
      update_into(queries, out);
      return out;
    }
  }

  /// update(queries) written into `out` (value_dimension() x B); `out` may be the queries.
  /// @throws std::invalid_argument as update, and when out has the wrong shape.
  template <class Derived>
  void update_into(const Eigen::MatrixBase<Derived>& queries, Eigen::Ref<matrix_t<Scalar>> out) const {
    detail::require_size("modern_hopfield::update", "queries", "rows", dimension(), queries.rows());
    energy_.attend(values(), queries.template cast<Scalar>(), out, "modern_hopfield::update", "queries");
  }

  /// Iterates each query (a vector, or the columns of a matrix) to its own fixed point through
  /// the shared engine, with this memory's max_steps, tolerance and record_trace.
  /// @throws std::invalid_argument for queries of the wrong dimension, an empty batch or
  ///         non-finite entries.
  template <class Derived>
  [[nodiscard]] auto retrieve(const Eigen::MatrixBase<Derived>& queries) const {
    return retrieve(queries, retrieval_defaults());
  }

  /// retrieve with explicit engine options.
  template <class Derived>
  [[nodiscard]] auto retrieve(const Eigen::MatrixBase<Derived>& queries,
                              const retrieval_options& options) const {
    return hopfield::retrieve(energy_, cccp_update{}, queries.template cast<Scalar>(), options);
  }

  /// The engine options this memory's retrieve uses.
  [[nodiscard]] retrieval_options retrieval_defaults() const {
    retrieval_options r;
    r.max_steps = options_.max_steps;
    r.tolerance = options_.tolerance;
    r.record_trace = options_.record_trace;
    return r;
  }

 private:
  static options_type validated(options_type options, index_t rows, index_t cols) {
    detail::require_non_empty("modern_hopfield", "patterns", rows, cols);
    if (!options.beta) options.beta = Scalar(1) / std::sqrt(static_cast<Scalar>(rows));
    detail::require_positive_finite("modern_hopfield", "options.beta", *options.beta);
    if (options.max_steps <= 0) {
      detail::throw_invalid("modern_hopfield", "options.max_steps", "a step limit > 0", options.max_steps);
    }
    detail::require_non_negative_finite("modern_hopfield", "options.tolerance", options.tolerance);
    detail::validate_streaming("modern_hopfield", streaming(options));
    return options;
  }

  static streaming_options streaming(const options_type& options) {
    return {options.memory_budget, options.block_size, options.threads};
  }

  options_type options_;
  lse_energy<Scalar> energy_;
  matrix_t<Scalar> values_;  // empty for auto-association
  bool hetero_ = false;
};

}  // namespace hopfield
