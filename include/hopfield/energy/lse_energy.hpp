#pragma once
/// @file The log-sum-exp energy of the continuous modern Hopfield network (Ramsauer et al. 2020,
/// eq. 2), with its constants:
///   E(xi) = -lse(beta, X^T xi) + 1/2 xi^T xi + beta^-1 ln M + 1/2 L^2,   L = max_i ||x_i||,
/// so that 0 <= E, and E <= 2 L^2 on the convex hull of the patterns. Its CCCP step is the
/// update xi <- X softmax(beta X^T xi). The score x_i . xi is a similarity policy (the dot product
/// by default, similarity/): with another similarity the update is X softmax(beta sim(X, xi)),
/// and the energy exists when the similarity supplies its terms (HasSimilarityEnergy).
///
/// Every pass over the patterns is the one streaming path (kernels/attention_partial.hpp):
/// memory O((N + block) B) beyond X, whatever M. Every member is const and allocates its
/// workspaces per call, so one energy may serve concurrent callers.
///
/// Satisfies ContinuousEnergyPolicy; run it with cccp_update through hopfield::retrieve.
#include <cmath>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/kernels/attention_partial.hpp"
#include "hopfield/kernels/streaming_softmax.hpp"
#include "hopfield/similarity/dot_product.hpp"
#include "hopfield/similarity/similarity.hpp"

namespace hopfield {

template <Real Scalar, class Sim = dot_product>
requires Similarity<Sim, Scalar>
class lse_energy {
 public:
  using scalar_type = Scalar;
  using similarity_type = Sim;

  /// Stores a copy of the patterns (columns of an N x M matrix).
  /// @throws std::invalid_argument for an empty or non-finite pattern matrix, beta not finite
  ///         and > 0, or bad streaming options.
  template <class Derived>
  lse_energy(const Eigen::MatrixBase<Derived>& patterns, Scalar beta, streaming_options options = {},
             Sim similarity = {})
      : patterns_(patterns.template cast<Scalar>()), beta_(beta), options_(options), similarity_(similarity) {
    detail::require_non_empty("lse_energy", "patterns", patterns_.rows(), patterns_.cols());
    detail::require_finite("lse_energy", "patterns", patterns_);
    detail::require_positive_finite("lse_energy", "beta", beta);
    detail::validate_streaming("lse_energy", options);
    largest_norm_ = patterns_.colwise().norm().maxCoeff();
    constant_ = static_cast<Scalar>(std::log(static_cast<double>(patterns_.cols()))) / beta_;
    if constexpr (HasSimilarityEnergy<Sim, Scalar>) constant_ += similarity_.constant_term(patterns_);
  }

  /// State dimension N.
  [[nodiscard]] index_t dimension() const { return patterns_.rows(); }
  /// Number of stored patterns M.
  [[nodiscard]] index_t size() const { return patterns_.cols(); }
  [[nodiscard]] Scalar beta() const { return beta_; }
  /// L = max_i ||x_i||.
  [[nodiscard]] Scalar largest_norm() const { return largest_norm_; }
  [[nodiscard]] const matrix_t<Scalar>& patterns() const { return patterns_; }
  [[nodiscard]] const streaming_options& options() const { return options_; }
  [[nodiscard]] const Sim& similarity() const { return similarity_; }

  /// The engine's default tolerance for this energy: a query has converged when
  /// max|change| <= tolerance * max(1, max|state|); a few hundred ulps of the scalar.
  [[nodiscard]] static constexpr double default_tolerance() {
    return std::is_same_v<Scalar, float> ? 1e-5 : 1e-10;
  }

  /// E(xi), Ramsauer et al. eq. (2) with its constants.
  /// @throws std::invalid_argument for a state of the wrong length or with non-finite entries.
  [[nodiscard]] Scalar energy(const Eigen::Ref<const vector_t<Scalar>>& state) const requires
      HasSimilarityEnergy<Sim, Scalar> {
    detail::require_size("lse_energy::energy", "state", "rows", dimension(), state.rows());
    detail::require_finite("lse_energy::energy", "state", state);
    const Eigen::Map<const matrix_t<Scalar>> as_batch(state.data(), state.rows(), 1);
    return -normalisers(as_batch).logsumexp(0) + similarity_.state_term(state) + constant_;
  }

  /// E of every column of `states`, into `out` (one pass over the patterns for the whole batch).
  /// @throws std::invalid_argument for a wrong shape or non-finite entries.
  void energies(const Eigen::Ref<const matrix_t<Scalar>>& states,
                Eigen::Ref<row_vector_t<Scalar>> out) const requires HasSimilarityEnergy<Sim, Scalar> {
    detail::require_size("lse_energy::energies", "states", "rows", dimension(), states.rows());
    detail::require_size("lse_energy::energies", "out", "size", states.cols(), out.size());
    detail::require_finite("lse_energy::energies", "states", states);
    const auto part = normalisers(states);
    for (index_t j = 0; j < states.cols(); ++j) {
      out(j) = -part.logsumexp(j) +
               similarity_.state_term(Eigen::Ref<const vector_t<Scalar>>(states.col(j))) + constant_;
    }
  }

  /// The CCCP step for a batch: out = X softmax(beta sim(X, states)). `out` may be `states`.
  /// @throws std::invalid_argument for a wrong shape or non-finite states.
  void cccp_step(const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<matrix_t<Scalar>> out) const {
    attend(patterns_, states, out, "lse_energy::cccp_step");
  }

  /// Hetero-association with these patterns as keys: out = V softmax(beta sim(X, states)), V with
  /// one column per pattern (N_v x M). `out` may be `states`.
  /// @throws std::invalid_argument for mismatched shapes or non-finite states.
  void attend(const matrix_t<Scalar>& values, const Eigen::Ref<const matrix_t<Scalar>>& states,
              Eigen::Ref<matrix_t<Scalar>> out, std::string_view function = "lse_energy::attend",
              std::string_view argument = "states") const {
    detail::require_size(function, "out", "rows", values.rows(), out.rows());
    detail::require_size(function, "out", "cols", states.cols(), out.cols());
    partial(values, states, function, argument).weighted_sum_into(out);
  }

  /// The online-softmax partial of V softmax(beta sim(X, states)) over every stored pattern:
  /// per query the max score, the sum of exp(beta (score - max)) and the weighted sum of the
  /// values. Partials of memories holding disjoint sets of patterns merge exactly.
  /// @throws std::invalid_argument for mismatched shapes or non-finite states.
  [[nodiscard]] softmax_partial<Scalar> partial(const matrix_t<Scalar>& values,
                                                const Eigen::Ref<const matrix_t<Scalar>>& states,
                                                std::string_view function = "lse_energy::partial",
                                                std::string_view argument = "states") const {
    detail::require_size(function, "values", "cols", size(), values.cols());
    detail::require_size(function, argument, "rows", dimension(), states.rows());
    detail::require_finite(function, argument, states);
    softmax_partial<Scalar> part(values.rows(), states.cols(), beta_);
    fold_attention(part, patterns_, values, states, similarity_, options_);
    return part;
  }

 private:
  // (max, sum) per column of the scores, no values: the energy's log-sum-exp.
  [[nodiscard]] softmax_partial<Scalar> normalisers(const Eigen::Ref<const matrix_t<Scalar>>& states) const {
    softmax_partial<Scalar> part(0, states.cols(), beta_);
    fold_attention(part, patterns_, patterns_, states, similarity_, options_);
    return part;
  }

  matrix_t<Scalar> patterns_;
  Scalar beta_;
  streaming_options options_;
  Sim similarity_{};
  Scalar largest_norm_ = 0;
  Scalar constant_ = 0;  // beta^-1 ln M (+ the similarity's constant: L^2 / 2 for the dot product)
};

}  // namespace hopfield
