#pragma once
/// @file The log-sum-exp energy of the continuous modern Hopfield network (Ramsauer et al. 2020,
/// eq. 2), with its constants:
///   E(xi) = -lse(beta, X^T xi) + 1/2 xi^T xi + beta^-1 ln M + 1/2 L^2,   L = max_i ||x_i||,
/// so that 0 <= E, and E <= 2 L^2 on the convex hull of the patterns. Its CCCP step is the
/// update xi <- X softmax(beta X^T xi), computed block by block with streaming softmax partials
/// (detail/streaming_attention.hpp): memory O((N + block) B) beyond X, whatever M.
///
/// Satisfies ContinuousEnergyPolicy; run it with cccp_update through hopfield::retrieve.
/// Every member is const and allocates its workspaces per call, so one energy may serve
/// concurrent callers.
#include <cmath>
#include <cstddef>
#include <string>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/streaming_attention.hpp"

namespace hopfield {

/// How the update walks the patterns. The defaults are right for nearly everyone.
struct streaming_options {
  /// Upper bound, in bytes, on the score blocks of all threads together. The M x B scores are
  /// never formed when they exceed it; by default blocks are cache-sized, far below it.
  std::size_t memory_budget = std::size_t{64} << 20;
  /// Patterns per block; 0 chooses a cache-sized block (about 32 KiB of patterns for one query,
  /// 384 KiB of keys, values and scores for a batch). M gives the one-shot product.
  index_t block_size = 0;
  /// Threads over pattern blocks (OpenMP builds); 0 uses omp_get_max_threads() when the work is
  /// large enough, 1 runs serially.
  int threads = 0;
};

namespace detail {
inline void validate_streaming(std::string_view function, const streaming_options& options) {
  if (options.memory_budget == 0) {
    throw_invalid(function, "options.memory_budget", "a byte count > 0", options.memory_budget);
  }
  if (options.block_size < 0)
    throw_invalid(function, "options.block_size", "a count >= 0", options.block_size);
  if (options.threads < 0) throw_invalid(function, "options.threads", "a count >= 0", options.threads);
}

inline stream_settings to_settings(const streaming_options& options) {
  return {options.memory_budget, options.block_size, options.threads};
}
}  // namespace detail

template <Real Scalar>
class lse_energy {
 public:
  using scalar_type = Scalar;

  /// Stores a copy of the patterns (columns of an N x M matrix).
  /// @throws std::invalid_argument for an empty or non-finite pattern matrix, beta not finite
  ///         and > 0, or bad streaming options.
  template <class Derived>
  lse_energy(const Eigen::MatrixBase<Derived>& patterns, Scalar beta, streaming_options options = {})
      : patterns_(patterns.template cast<Scalar>()), beta_(beta), options_(options) {
    detail::require_non_empty("lse_energy", "patterns", patterns_.rows(), patterns_.cols());
    detail::require_finite("lse_energy", "patterns", patterns_);
    detail::require_positive_finite("lse_energy", "beta", beta);
    detail::validate_streaming("lse_energy", options);
    largest_norm_ = patterns_.colwise().norm().maxCoeff();
    constant_ = static_cast<Scalar>(std::log(static_cast<double>(patterns_.cols()))) / beta_ +
                Scalar(0.5) * largest_norm_ * largest_norm_;
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

  /// E(xi), Ramsauer et al. eq. (2) with its constants.
  /// @throws std::invalid_argument for a state of the wrong length or with non-finite entries.
  [[nodiscard]] Scalar energy(const Eigen::Ref<const vector_t<Scalar>>& state) const {
    detail::require_size("lse_energy::energy", "state", "rows", dimension(), state.rows());
    detail::require_finite("lse_energy::energy", "state", state);
    const Eigen::Map<const matrix_t<Scalar>> as_batch(state.data(), state.rows(), 1);
    row_vector_t<Scalar> lse(1);
    Eigen::Ref<row_vector_t<Scalar>> lse_ref(lse);
    detail::stream_attend<Scalar>(patterns_, nullptr, as_batch, beta_, detail::to_settings(options_), nullptr,
                                  &lse_ref);
    return -lse(0) + Scalar(0.5) * state.squaredNorm() + constant_;
  }

  /// E of every column of `states`, into `out` (one pass over the patterns for the whole batch).
  /// @throws std::invalid_argument for a wrong shape or non-finite entries.
  void energies(const Eigen::Ref<const matrix_t<Scalar>>& states,
                Eigen::Ref<row_vector_t<Scalar>> out) const {
    detail::require_size("lse_energy::energies", "states", "rows", dimension(), states.rows());
    detail::require_size("lse_energy::energies", "out", "size", states.cols(), out.size());
    detail::require_finite("lse_energy::energies", "states", states);
    detail::stream_attend<Scalar>(patterns_, nullptr, states, beta_, detail::to_settings(options_), nullptr,
                                  &out);
    out = -out + Scalar(0.5) * states.colwise().squaredNorm() +
          row_vector_t<Scalar>::Constant(out.size(), constant_);
  }

  /// The CCCP step for a batch: out = X softmax(beta X^T states). `out` may be `states`.
  /// @throws std::invalid_argument for a wrong shape or non-finite states.
  void cccp_step(const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<matrix_t<Scalar>> out) const {
    attend(patterns_, states, out, "lse_energy::cccp_step");
  }

  /// Hetero-association with these patterns as keys: out = V softmax(beta X^T states), V with
  /// one column per pattern (N_v x M).
  /// @throws std::invalid_argument for mismatched shapes or non-finite states.
  void attend(const matrix_t<Scalar>& values, const Eigen::Ref<const matrix_t<Scalar>>& states,
              Eigen::Ref<matrix_t<Scalar>> out, std::string_view function = "lse_energy::attend",
              std::string_view argument = "states") const {
    detail::require_size(function, "values", "cols", size(), values.cols());
    detail::require_size(function, argument, "rows", dimension(), states.rows());
    detail::require_size(function, "out", "rows", values.rows(), out.rows());
    detail::require_size(function, "out", "cols", states.cols(), out.cols());
    detail::require_finite(function, argument, states);
    detail::stream_attend<Scalar>(patterns_, &values, states, beta_, detail::to_settings(options_), &out,
                                  nullptr);
  }

 private:
  matrix_t<Scalar> patterns_;
  Scalar beta_;
  streaming_options options_;
  Scalar largest_norm_ = 0;
  Scalar constant_ = 0;  // beta^-1 ln M + L^2 / 2
};

}  // namespace hopfield
