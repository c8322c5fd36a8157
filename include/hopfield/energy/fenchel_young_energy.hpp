#pragma once
/// @file The Hopfield-Fenchel-Young energy (Santos, Niculae, McNamee & Martins 2024) and the
/// single steps of every separation that needs all of a query's scores (sparsemax, entmax, hard
/// max, top-k, polynomial: everything but the softmax, which streams, energy/lse_energy.hpp):
///   E(q) = -beta^-1 Omega*(beta sim(X, q)) + state_term(q) + beta^-1 H(u_M) + constant(X),
///   Omega*(theta) = max_{p in simplex} p.theta + H(p) = p.theta + H(p) at p = sep(theta).
/// With the dot product (state term |q|^2 / 2, constant L^2 / 2) and alpha-entmax this is the
/// paper's energy; at alpha = 1 (sep::softmax, Shannon H) it is the log-sum-exp energy exactly.
/// It is >= 0: Omega*(theta) <= max theta + H(u_M) (p.theta <= max theta, H <= H(u_M)). Its CCCP
/// step q <- X sep(beta sim(X, q)) never raises it (Omega* is convex with gradient sep, and the
/// similarity's energy terms split -Omega* + state term into concave + convex, as for the lse).
///
/// Memory: the scores of a block of queries, M x B_q with B_q = max(1, memory_budget /
/// (M sizeof(Scalar))), plus one column of M weights and one sparse_workspace of M scores per
/// thread; never O(M x B) for the whole batch. Each block is one product (the similarity's
/// scores) and one product V P; the separation runs per query, over threads when there are several.
///
/// energy() and energies() exist when the similarity has energy terms (HasSimilarityEnergy) and
/// the separation an entropy (HasFenchelYoungEnergy); hard max, top-k and polynomial define none,
/// and calling energy() with them does not compile. Every member is const and allocates its
/// workspaces per call, so one energy may serve concurrent callers.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/parallel_errors.hpp"
#include "hopfield/kernels/attention_partial.hpp"
#include "hopfield/kernels/sparse_workspace.hpp"
#include "hopfield/separation/separation.hpp"
#include "hopfield/separation/sparsemax.hpp"
#include "hopfield/similarity/dot_product.hpp"
#include "hopfield/similarity/similarity.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace hopfield {

template <Real Scalar, class Sim = dot_product, class Sep = sep::sparsemax>
requires Similarity<Sim, Scalar> && Separation<Sep, Scalar>
class fenchel_young_energy {
 public:
  using scalar_type = Scalar;
  using similarity_type = Sim;
  using separation_type = Sep;

  /// Stores a copy of the patterns (columns of an N x M matrix). Of the streaming options, the
  /// memory budget bounds the score block and `threads` the workers over queries (block_size is
  /// not used: a sparse separation needs a query's scores for every pattern at once).
  /// @throws std::invalid_argument for an empty or non-finite pattern matrix, beta not finite
  ///         and > 0, bad streaming options, or a separation that rejects its parameters.
  template <class Derived>
  fenchel_young_energy(const Eigen::MatrixBase<Derived>& patterns, Scalar beta,
                       streaming_options options = {}, Sim similarity = {}, Sep separation = {})
      : patterns_(patterns.template cast<Scalar>()),
        beta_(beta),
        options_(options),
        similarity_(similarity),
        separation_(separation) {
    detail::require_non_empty("fenchel_young_energy", "patterns", patterns_.rows(), patterns_.cols());
    detail::require_finite("fenchel_young_energy", "patterns", patterns_);
    detail::require_positive_finite("fenchel_young_energy", "beta", beta);
    detail::validate_streaming("fenchel_young_energy", options);
    detail::validate_separation(separation_, "fenchel_young_energy");
    if constexpr (HasSimilarityEnergy<Sim, Scalar>) constant_ = similarity_.constant_term(patterns_);
    if constexpr (HasFenchelYoungEnergy<Sep, Scalar>)
      uniform_entropy_ = static_cast<Scalar>(separation_.uniform_entropy(size()));
  }

  /// State dimension N.
  [[nodiscard]] index_t dimension() const { return patterns_.rows(); }
  /// Number of stored patterns M.
  [[nodiscard]] index_t size() const { return patterns_.cols(); }
  [[nodiscard]] Scalar beta() const { return beta_; }
  [[nodiscard]] const matrix_t<Scalar>& patterns() const { return patterns_; }
  [[nodiscard]] const streaming_options& options() const { return options_; }
  [[nodiscard]] const Sim& similarity() const { return similarity_; }
  [[nodiscard]] const Sep& separation() const { return separation_; }

  /// Queries per score block: the most whose M scores fit the memory budget, at least 1.
  [[nodiscard]] index_t query_block() const {
    const std::size_t column = static_cast<std::size_t>(size()) * sizeof(Scalar);
    return std::max<index_t>(1, static_cast<index_t>(options_.memory_budget / column));
  }

  /// The engine's default tolerance (as lse_energy's): a few hundred ulps of the scalar.
  [[nodiscard]] static constexpr double default_tolerance() {
    return std::is_same_v<Scalar, float> ? 1e-5 : 1e-10;
  }

  /// E(q) with its constants (see the file comment).
  /// @throws std::invalid_argument for a state of the wrong length or with non-finite entries;
  ///         std::overflow_error when a score or the energy leaves the scalar's range.
  [[nodiscard]] Scalar energy(const Eigen::Ref<const vector_t<Scalar>>& state) const
      requires(HasSimilarityEnergy<Sim, Scalar>&& HasFenchelYoungEnergy<Sep, Scalar>) {
    detail::require_size("fenchel_young_energy::energy", "state", "rows", dimension(), state.rows());
    detail::require_finite("fenchel_young_energy::energy", "state", state);
    row_vector_t<Scalar> out(1);
    energies_unchecked(Eigen::Map<const matrix_t<Scalar>>(state.data(), state.rows(), 1), out,
                       "fenchel_young_energy::energy");
    return out(0);
  }

  /// E of every column of `states`, into `out`.
  /// @throws std::invalid_argument for a wrong shape or non-finite entries; std::overflow_error as
  ///         energy().
  void energies(const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<row_vector_t<Scalar>> out) const
      requires(HasSimilarityEnergy<Sim, Scalar>&& HasFenchelYoungEnergy<Sep, Scalar>) {
    detail::require_size("fenchel_young_energy::energies", "states", "rows", dimension(), states.rows());
    detail::require_size("fenchel_young_energy::energies", "out", "size", states.cols(), out.size());
    detail::require_finite("fenchel_young_energy::energies", "states", states);
    energies_unchecked(states, out, "fenchel_young_energy::energies");
  }

  /// The CCCP step for a batch: out = X sep(beta sim(X, states)). `out` may be `states`.
  /// @throws std::invalid_argument for a wrong shape or non-finite states; std::overflow_error
  ///         when a score is not finite.
  void cccp_step(const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<matrix_t<Scalar>> out) const {
    attend(patterns_, states, out, "fenchel_young_energy::cccp_step");
  }

  /// Hetero-association with these patterns as keys: out = V sep(beta sim(X, states)), V with one
  /// column per pattern (N_v x M). `out` may be `states`.
  /// @throws std::invalid_argument for mismatched shapes or non-finite states; std::overflow_error
  ///         when a score is not finite.
  void attend(const Eigen::Ref<const matrix_t<Scalar>>& values,
              const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<matrix_t<Scalar>> out,
              std::string_view function = "fenchel_young_energy::attend",
              std::string_view argument = "states") const {
    detail::require_size(function, "values", "cols", size(), values.cols());
    detail::require_size(function, argument, "rows", dimension(), states.rows());
    detail::require_size(function, "out", "rows", values.rows(), out.rows());
    detail::require_size(function, "out", "cols", states.cols(), out.cols());
    detail::require_finite(function, argument, states);
    for_each_block(states, [&](index_t first, const auto& weights, const auto& /*scores*/) {
      out.middleCols(first, weights.cols()).noalias() = values * weights;
    });
  }

  /// The weights sep(beta sim(X, states)) themselves, M x B (for analysis and tests; this forms
  /// the whole M x B matrix).
  /// @throws std::invalid_argument for a wrong shape or non-finite states.
  [[nodiscard]] matrix_t<Scalar> weights(const Eigen::Ref<const matrix_t<Scalar>>& states) const {
    detail::require_size("fenchel_young_energy::weights", "states", "rows", dimension(), states.rows());
    detail::require_finite("fenchel_young_energy::weights", "states", states);
    matrix_t<Scalar> all(size(), states.cols());
    for_each_block(states, [&](index_t first, const auto& weights, const auto& /*scores*/) {
      all.middleCols(first, weights.cols()) = weights;
    });
    return all;
  }

 private:
  using wide = std::conditional_t<std::is_same_v<Scalar, float>, double, Scalar>;

  // For each block of queries: the scores (M x b) and the weights (M x b), passed to
  // use(first_query, weights, scores). Scores are checked finite; the separation runs per query,
  // over threads when asked, each with its own column and workspace.
  template <class Use>
  void for_each_block(const Eigen::Ref<const matrix_t<Scalar>>& states, Use&& use) const {
    const index_t count = states.cols();
    if (count == 0) return;
    const index_t block = std::min(query_block(), count);
    matrix_t<Scalar> scores(size(), block);
    matrix_t<Scalar> weights(size(), block);
    // Threads pay off only when a block holds enough scores (a separation is O(M) per query).
    const int threads = size() * block >= (index_t{1} << 15) ? worker_count(block) : 1;
    std::vector<sparse_workspace<Scalar>> workspaces;
    workspaces.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) workspaces.emplace_back(size());
    for (index_t first = 0; first < count; first += block) {
      const index_t b = std::min(block, count - first);
      auto s = scores.leftCols(b);
      auto w = weights.leftCols(b);
      similarity_.scores(Eigen::Ref<const matrix_t<Scalar>>(patterns_),
                         Eigen::Ref<const matrix_t<Scalar>>(states.middleCols(first, b)),
                         Eigen::Ref<matrix_t<Scalar>>(s));
      detail::check_scores(s, 0, first);
      detail::parallel_errors errors;
#if defined(_OPENMP)
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
#endif
      for (index_t j = 0; j < b; ++j) {
        errors.run([&] {
          separation_.weights(Eigen::Ref<const vector_t<Scalar>>(s.col(j)), beta_,
                              Eigen::Ref<vector_t<Scalar>>(w.col(j)), workspaces[thread_slot()]);
        });
      }
      errors.rethrow_if_any();
      use(first, w, s);
    }
  }

  // -(p.s + H(p) / beta) + state term + H(u_M) / beta + constant per column.
  void energies_unchecked(const Eigen::Ref<const matrix_t<Scalar>>& states,
                          Eigen::Ref<row_vector_t<Scalar>> out, std::string_view function) const {
    for_each_block(states, [&](index_t first, const auto& weights, const auto& scores) {
      for (index_t j = 0; j < weights.cols(); ++j) {
        const wide conjugate =
            weights.col(j).template cast<wide>().dot(scores.col(j).template cast<wide>()) +
            static_cast<wide>(separation_.entropy(Eigen::Ref<const vector_t<Scalar>>(weights.col(j)))) /
                static_cast<wide>(beta_);
        const wide e =
            -conjugate +
            static_cast<wide>(
                similarity_.state_term(Eigen::Ref<const vector_t<Scalar>>(states.col(first + j)))) +
            static_cast<wide>(uniform_entropy_) / static_cast<wide>(beta_) + static_cast<wide>(constant_);
        const auto value = static_cast<Scalar>(e);
        if (!std::isfinite(value)) {
          throw std::overflow_error("hopfield::" + std::string(function) + ": the energy of state " +
                                    std::to_string(first + j) +
                                    " is not finite: the patterns or the state are too large for the scalar "
                                    "type (scale them down, or use double)");
        }
        out(first + j) = value;
      }
    });
  }

  [[nodiscard]] int worker_count(index_t queries) const {
#if defined(_OPENMP)
    const int wanted = options_.threads > 0 ? options_.threads : omp_get_max_threads();
    return static_cast<int>(std::clamp<index_t>(queries, 1, std::max(1, wanted)));
#else
    (void)queries;
    return 1;
#endif
  }

  static std::size_t thread_slot() {
#if defined(_OPENMP)
    return static_cast<std::size_t>(omp_get_thread_num());
#else
    return 0;
#endif
  }

  matrix_t<Scalar> patterns_;
  Scalar beta_;
  streaming_options options_;
  Sim similarity_{};
  Sep separation_{};
  Scalar constant_ = 0;         // the similarity's constant: L^2 / 2 for the dot product
  Scalar uniform_entropy_ = 0;  // H(u_M)
};

}  // namespace hopfield
