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
/// The lse and the beta^-1 ln M term are combined, -(max + beta^-1 ln(sum / M)), so that a tiny
/// beta (1e-38 in float), where each alone overflows, still gives a finite energy. Where the
/// softmax is nearly uniform (ln(sum / M) > -1/100, a small beta) that form cancels: sum / M is 1
/// to within its rounding, divided by beta. There the term is taken about the mean score instead,
///   beta^-1 ln mean_i exp(beta z_i) = mean(z) + beta^-1 log1p(mean_i expm1(beta (z_i - mean(z)))),
/// whose rounding stays relative to the scores however small beta is (two more passes over the
/// patterns, only in that regime).
///
/// Satisfies ContinuousEnergyPolicy; run it with cccp_update through hopfield::retrieve.
#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
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
    largest_norm_ = patterns_.colwise().stableNorm().maxCoeff();  // no overflow for entries > 1e19
    if constexpr (HasSimilarityEnergy<Sim, Scalar>) constant_ = similarity_.constant_term(patterns_);
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
  /// @throws std::invalid_argument for a state of the wrong length or with non-finite entries;
  ///         std::overflow_error when the energy (or a score) leaves the scalar's range.
  [[nodiscard]] Scalar energy(const Eigen::Ref<const vector_t<Scalar>>& state) const requires
      HasSimilarityEnergy<Sim, Scalar> {
    detail::require_size("lse_energy::energy", "state", "rows", dimension(), state.rows());
    detail::require_finite("lse_energy::energy", "state", state);
    const Eigen::Map<const matrix_t<Scalar>> as_batch(state.data(), state.rows(), 1);
    return checked_energy("lse_energy::energy", 0, normalisers(as_batch), state);
  }

  /// E of every column of `states`, into `out` (one pass over the patterns for the whole batch).
  /// @throws std::invalid_argument for a wrong shape or non-finite entries; std::overflow_error as
  ///         energy().
  void energies(const Eigen::Ref<const matrix_t<Scalar>>& states,
                Eigen::Ref<row_vector_t<Scalar>> out) const requires HasSimilarityEnergy<Sim, Scalar> {
    detail::require_size("lse_energy::energies", "states", "rows", dimension(), states.rows());
    detail::require_size("lse_energy::energies", "out", "size", states.cols(), out.size());
    detail::require_finite("lse_energy::energies", "states", states);
    const auto part = normalisers(states);
    for (index_t j = 0; j < states.cols(); ++j) {
      out(j) = checked_energy("lse_energy::energies", j, part, states.col(j));
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
  // -(lse - beta^-1 ln M) + state term + constant for column j of the normalisers, or
  // std::overflow_error naming the function when it is not finite.
  Scalar checked_energy(std::string_view function, index_t j, const softmax_partial<Scalar>& part,
                        const Eigen::Ref<const vector_t<Scalar>>& state) const {
    using wide = typename softmax_partial<Scalar>::wide;
    const wide mean_log = std::log(part.sum()(j) / static_cast<wide>(size()));  // ln(sum / M)
    Scalar centred = part.max()(j) + static_cast<Scalar>(mean_log / static_cast<wide>(beta_));
    if (mean_log > wide(-0.01)) centred = centred_lse_near_uniform(state, part.max()(j)).value_or(centred);
    const Scalar e = -centred + similarity_.state_term(state) + constant_;
    if (!std::isfinite(e)) {
      throw std::overflow_error("hopfield::" + std::string(function) + ": the energy of state " +
                                std::to_string(j) +
                                " is not finite: the patterns or the state are too large for the scalar "
                                "type (scale them down, or use double)");
    }
    return e;
  }

  // beta^-1 ln mean_i exp(beta z_i) about the mean score (see the file comment); empty when
  // beta (max - mean) > 1, where exp(beta (z - mean)) could overflow and the max form is accurate.
  [[nodiscard]] std::optional<Scalar> centred_lse_near_uniform(
      const Eigen::Ref<const vector_t<Scalar>>& state, Scalar max) const {
    using wide = typename softmax_partial<Scalar>::wide;
    constexpr index_t block = 256;
    vector_t<Scalar> scores(std::min(block, size()));
    const auto for_each_block = [&](auto&& use) {
      for (index_t start = 0; start < size(); start += block) {
        const index_t m = std::min(block, size() - start);
        auto z = scores.head(m);
        similarity_.scores(Eigen::Ref<const matrix_t<Scalar>>(patterns_.middleCols(start, m)),
                           Eigen::Ref<const matrix_t<Scalar>>(state), Eigen::Ref<matrix_t<Scalar>>(z));
        use(z);
      }
    };
    wide total = 0;
    for_each_block([&](const auto& z) { total += z.template cast<wide>().sum(); });
    const wide mean = total / static_cast<wide>(size());
    const auto beta = static_cast<wide>(beta_);
    if (!(beta * (static_cast<wide>(max) - mean) <= 1)) return std::nullopt;
    wide excess = 0;  // sum_i expm1(beta (z_i - mean))
    for_each_block([&](const auto& z) {
      for (index_t i = 0; i < z.size(); ++i) excess += std::expm1(beta * (static_cast<wide>(z(i)) - mean));
    });
    return static_cast<Scalar>(mean + std::log1p(excess / static_cast<wide>(size())) / beta);
  }

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
  Scalar constant_ = 0;  // the similarity's constant: L^2 / 2 for the dot product
};

}  // namespace hopfield
