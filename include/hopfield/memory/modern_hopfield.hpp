#pragma once
/// @file The continuous modern Hopfield network (Ramsauer et al. 2020): the log-sum-exp energy
/// run by the CCCP update (or any continuous update) through the shared retrieval engine.
///
///   modern_hopfield<float> mhn(X, {.beta = 8.0f});         // auto-association, X is N x M
///   Eigen::MatrixXf next = mhn.update(Q);                  // one step for a batch (columns)
///   auto r = mhn.retrieve(q);                              // to a fixed point, with a report
///   auto part = mhn.partial(Q);                            // (max, sum, weighted values) per query
///   modern_hopfield<float> assoc(K, V, {.beta = 0.125f});  // hetero-association, K N_k x M, V N_v x M
///
/// Hetero-association: update(Q) = V softmax(beta K^T Q) (Transformer attention with queries as
/// columns); retrieve(q) iterates the query in key space, q <- K softmax(beta K^T q), to its
/// fixed point (the energy lives there), and update(r.state) reads out the associated values.
/// The score K^T q is the similarity policy `Sim` (the dot product by default, similarity/), and
/// softmax the separation policy `Sep` (sep::softmax by default, separation/): every step is
/// V sep(beta sim(K, Q)) (Millidge et al. 2022), e.g.
///
///   modern_hopfield<float, euclidean, sep::sparsemax> sparse(X, {.beta = 4.0f});
///
/// The softmax streams over blocks of patterns (lse_energy); any other separation needs a query's
/// M scores at once and runs over blocks of queries (fenchel_young_energy, memory bounded by
/// options.memory_budget).
#include <cmath>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/results.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/energy/fenchel_young_energy.hpp"
#include "hopfield/energy/lse_energy.hpp"
#include "hopfield/kernels/attention_partial.hpp"
#include "hopfield/kernels/streaming_softmax.hpp"
#include "hopfield/memory/memory_interface.hpp"
#include "hopfield/memory/retrieval_engine.hpp"
#include "hopfield/separation/separation.hpp"
#include "hopfield/separation/softmax.hpp"
#include "hopfield/similarity/dot_product.hpp"
#include "hopfield/similarity/similarity.hpp"
#include "hopfield/update/cccp_update.hpp"

namespace hopfield {

/// Options of modern_hopfield; every field has a default. How a retrieval runs (steps,
/// tolerance, trace) is per call: retrieval_options.
template <Real Scalar>
struct modern_options {
  /// Inverse temperature, > 0; unset means 1/sqrt(N_k) (the Transformer's scaling).
  std::optional<Scalar> beta{};
  /// Bytes the score blocks of all threads may take together (see streaming_options).
  std::size_t memory_budget = std::size_t{64} << 20;
  /// Patterns per block; 0 = automatic, cache-sized.
  index_t block_size = 0;
  /// Threads over pattern blocks; 0 = OpenMP's default for large work, 1 = serial.
  int threads = 0;
};

/// retrieve (CCCP steps by default, any continuous update such as damped_cccp_update), energy
/// (E(xi) = -lse(beta, X^T xi) + 1/2 xi^T xi + beta^-1 ln M + 1/2 L^2, on the keys for
/// hetero-association) and energies come from memory_interface; energy, energies and retrieve
/// exist when the similarity defines an energy (HasSimilarityEnergy: the dot product and the
/// Euclidean distance do) and the separation too (HasFenchelYoungEnergy: softmax, sparsemax and
/// entmax do; hard max, top-k and polynomial do not, and have update() only).
template <Real Scalar, class Sim = dot_product, class Sep = sep::softmax>
requires Similarity<Sim, Scalar> && Separation<Sep, Scalar>
class modern_hopfield : public memory_interface<modern_hopfield<Scalar, Sim, Sep>, cccp_update> {
 public:
  using scalar_type = Scalar;
  using similarity_type = Sim;
  using separation_type = Sep;
  using options_type = modern_options<Scalar>;
  /// lse_energy for the softmax (streaming), fenchel_young_energy for every other separation.
  using energy_type = std::conditional_t<StreamingSeparation<Sep>, lse_energy<Scalar, Sim>,
                                         fenchel_young_energy<Scalar, Sim, Sep>>;
  static constexpr std::string_view name = "modern_hopfield";

  /// Auto-association over the columns of `patterns` (N x M), stored as a copy.
  /// @throws std::invalid_argument for an empty or non-finite pattern matrix, beta not finite
  ///         and > 0, a zero memory budget, a negative block size or thread count, or separation
  ///         parameters out of range (entmax alpha <= 1, top-k k < 1, polynomial degree < 1).
  template <class Derived>
  explicit modern_hopfield(const Eigen::MatrixBase<Derived>& patterns, options_type options = {},
                           Sim similarity = {}, Sep separation = {})
      : options_(validated(options, patterns.rows(), patterns.cols(), separation)),
        energy_(make_energy(patterns, options_, similarity, separation)) {}

  /// Hetero-association: keys K (N_k x M) and values V (N_v x M), column i of V belonging to
  /// column i of K.
  /// @throws std::invalid_argument as above, and when V is not N_v x M or has non-finite entries.
  template <class KeysDerived, class ValuesDerived>
  modern_hopfield(const Eigen::MatrixBase<KeysDerived>& keys, const Eigen::MatrixBase<ValuesDerived>& values,
                  options_type options = {}, Sim similarity = {}, Sep separation = {})
      : options_(validated(options, keys.rows(), keys.cols(), separation)),
        energy_(make_energy(keys, options_, similarity, separation)),
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
  /// The stored patterns (auto-association) or keys, N x M: what retrieval runs over.
  [[nodiscard]] const matrix_t<Scalar>& patterns() const { return energy_.patterns(); }
  /// The same as patterns(), under the attention name.
  [[nodiscard]] const matrix_t<Scalar>& keys() const { return energy_.patterns(); }
  /// The values (hetero-association) or the patterns.
  [[nodiscard]] const matrix_t<Scalar>& values() const { return hetero_ ? values_ : energy_.patterns(); }
  /// The energy policy, for hopfield::retrieve with other updates or options.
  [[nodiscard]] const energy_type& energy_policy() const { return energy_; }

  /// One CCCP step for a batch of queries (columns): X sep(beta sim(X, Q)), or
  /// V sep(beta sim(K, Q)) (X softmax(beta X^T Q) by default). A vector gives a vector.
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

  /// The online-softmax partial of update(queries) over this memory's patterns: per query (column)
  /// the max score, the sum of exp(beta (score - max)) and the weighted sum of the values. Two
  /// memories holding disjoint sets of patterns (same beta) give, after a.merge(b), the partial
  /// of one memory holding all of them; weighted_sum() finishes it into update(queries). This is
  /// the reduction a sharded memory and a backward pass use. Softmax separation only.
  /// @throws std::invalid_argument for queries of the wrong dimension or with non-finite entries.
  template <class Derived>
  [[nodiscard]] softmax_partial<Scalar> partial(const Eigen::MatrixBase<Derived>& queries) const requires
      StreamingSeparation<Sep> {
    detail::require_size("modern_hopfield::partial", "queries", "rows", dimension(), queries.rows());
    return energy_.partial(values(), queries.template cast<Scalar>(), "modern_hopfield::partial", "queries");
  }

 private:
  static options_type validated(options_type options, index_t rows, index_t cols, const Sep& separation) {
    detail::require_non_empty("modern_hopfield", "patterns", rows, cols);
    detail::validate_separation(separation, "modern_hopfield");
    if (!options.beta) options.beta = Scalar(1) / std::sqrt(static_cast<Scalar>(rows));
    detail::require_positive_finite("modern_hopfield", "options.beta", *options.beta);
    detail::validate_streaming("modern_hopfield", streaming(options));
    return options;
  }

  template <class Derived>
  static energy_type make_energy(const Eigen::MatrixBase<Derived>& patterns, const options_type& options,
                                 const Sim& similarity, const Sep& separation) {
    if constexpr (StreamingSeparation<Sep>) {
      return energy_type(patterns, *options.beta, streaming(options), similarity);
    } else {
      return energy_type(patterns, *options.beta, streaming(options), similarity, separation);
    }
  }

  static streaming_options streaming(const options_type& options) {
    return {options.memory_budget, options.block_size, options.threads};
  }

  options_type options_;
  energy_type energy_;
  matrix_t<Scalar> values_;  // empty for auto-association
  bool hetero_ = false;
};

}  // namespace hopfield
