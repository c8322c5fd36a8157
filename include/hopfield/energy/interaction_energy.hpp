#pragma once
/// @file The energy of a Dense Associative Memory, E(s) = -sum_mu F(x^mu . s) over +-1 patterns
/// (columns of X), as a BinaryEnergyPolicy with cached overlaps (Krotov & Hopfield 2016; the gap
/// and batch formulas below are derived in docs/dense.md, "The update").
///
/// The context keeps the overlaps m = X^T s, their largest value and largest magnitude, and the
/// interaction's scale for them. The gap of neuron i is
///   E(s_i = -1) - E(s_i = +1) = sum_mu x_i^mu g(a_mu),  g(a) = F(a + 1) - F(a - 1),
///   a_mu = m_mu - x_i^mu s_i,
/// one vectorised pass over row i of a row-major copy of X: O(M) per neuron, O(N M) per sweep.
/// A flip is m += 2 s_i(new) x_i (O(M), fused with refreshing the maxima and the scale).
/// Batches (synchronous updates) take one product for the overlaps and one for the gaps:
///   P = (g(m - 1) + g(m + 1)) / 2, Q = (g(m - 1) - g(m + 1)) / 2 (elementwise, M x B),
///   gaps = X P + S .* (1 colsum(Q)),
/// because g(m - x s) = P + x s Q for x s = +-1 and x^2 = 1.
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "hopfield/core/concepts.hpp"
#include "hopfield/core/energy_gap.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/wide.hpp"
#include "hopfield/energy/interactions.hpp"

namespace hopfield {

namespace detail {

/// The scale used when an interaction has none: the raw differences.
template <Real Scalar>
struct unit_scale {
  Scalar log_scale = 0;
};

template <class I, Real Scalar>
struct scale_type_of {
  using type = unit_scale<Scalar>;
};
template <class I, Real Scalar>
requires HasScaledDifference<I, Scalar>
struct scale_type_of<I, Scalar> {
  using type = std::remove_cvref_t<decltype(std::declval<const I&>().scale(Scalar(0), Scalar(0)))>;
};

/// Runs an interaction's optional validation, naming `function` in the error.
template <Real Scalar, class I>
void validate_interaction(std::string_view function, const I& interaction) {
  if constexpr (requires { interaction.template validate<Scalar>(function); }) {
    interaction.template validate<Scalar>(function);
  } else if constexpr (requires { interaction.validate(); }) {
    interaction.validate();
  }
}

/// Patterns: non-empty, every entry +-1.
template <class Derived>
void validate_dense_patterns(std::string_view function, const Eigen::MatrixBase<Derived>& patterns) {
  require_non_empty(function, "patterns", patterns.rows(), patterns.cols());
  require_binary(function, "patterns", patterns);
}

}  // namespace detail

/// E(s) = -sum_mu F(x^mu . s) for +-1 patterns X (N x M, one pattern per column) and an
/// interaction F (see energy/interactions.hpp). Satisfies BinaryEnergyPolicy and HasBatchGaps.
template <Real Scalar, class Interaction = polynomial>
requires InteractionFunction<Interaction, Scalar>
class interaction_energy {
 public:
  using scalar_type = Scalar;
  using interaction_type = Interaction;
  using scale_type = typename detail::scale_type_of<Interaction, Scalar>::type;

  /// What single-neuron decisions read: overlaps and the current scale, refreshed on each flip.
  struct context_type {
    vector_t<Scalar> overlaps;   ///< m = X^T s
    Scalar max_overlap = 0;      ///< max_mu m_mu
    Scalar max_abs_overlap = 0;  ///< max_mu |m_mu|
    scale_type scale{};
  };

  /// Copies the patterns once, row-major (row i = neuron i across all memories, contiguous).
  /// @throws std::invalid_argument when the patterns are empty or hold an entry other than +-1,
  ///         or when the interaction rejects its settings (degree < 2 for the polynomials).
  template <class Derived>
  explicit interaction_energy(const Eigen::MatrixBase<Derived>& patterns, Interaction interaction = {})
      : interaction_(std::move(interaction)) {
    detail::validate_interaction<Scalar>("interaction_energy", interaction_);
    detail::validate_dense_patterns("interaction_energy", patterns);
    rows_ = patterns.template cast<Scalar>();
  }

  /// N, the number of neurons.
  [[nodiscard]] index_t dimension() const { return rows_.rows(); }
  /// M, the number of stored patterns.
  [[nodiscard]] index_t size() const { return rows_.cols(); }
  /// The patterns (N x M, one per column; stored row-major).
  [[nodiscard]] const row_major_matrix_t<Scalar>& patterns() const { return rows_; }
  [[nodiscard]] const Interaction& interaction() const { return interaction_; }

  /// -sum_mu F(x^mu . s), saturating to -inf / +inf where it is not representable in Scalar (the
  /// exponential at N in the hundreds in float, about 710 in double); log_energy() always is.
  /// @throws std::invalid_argument when s has the wrong length or an entry other than +-1.
  [[nodiscard]] Scalar energy(const Eigen::Ref<const vector_t<Scalar>>& s) const {
    return saturate(log_energy_wide("interaction_energy::energy", s));
  }

  /// energy() of every state of a batch (columns) into out, the overlaps from one product.
  /// @throws std::invalid_argument when the states do not have N rows, an entry is not +-1, or
  ///         out's length differs from the number of states.
  void energies(const Eigen::Ref<const matrix_t<Scalar>>& states,
                Eigen::Ref<row_vector_t<Scalar>> out) const {
    constexpr std::string_view function = "interaction_energy::energies";
    detail::require_size(function, "states", "rows", dimension(), states.rows());
    detail::require_size(function, "out", "size", states.cols(), out.size());
    detail::require_binary(function, "states", states);
    const matrix_t<Scalar> m = rows_.transpose() * states;
    for (index_t b = 0; b < states.cols(); ++b) out(b) = saturate(log_energy_of(m.col(b)));
  }

  /// The energy as sign * exp(log_abs): sign = -sign(sum_mu F(m_mu)), log_abs = log|sum_mu F(m_mu)|.
  /// Representable at every N (for the exponential, log_abs is logsumexp of the overlaps).
  /// @throws std::invalid_argument when s has the wrong length or an entry other than +-1.
  [[nodiscard]] signed_log<Scalar> log_energy(const Eigen::Ref<const vector_t<Scalar>>& s) const {
    const auto log_e = log_energy_wide("interaction_energy::log_energy", s);
    return {static_cast<Scalar>(log_e.sign), static_cast<Scalar>(log_e.log_abs)};
  }

  /// Computes the overlaps of s and their scale. Precondition: s has N entries in {-1, +1}
  /// (the retrieval engine checks queries).
  void init_context(context_type& ctx, const Eigen::Ref<const vector_t<Scalar>>& s) const {
    ctx.overlaps.resize(size());
    ctx.overlaps.noalias() = rows_.transpose() * s;
    ctx.max_overlap = ctx.overlaps.maxCoeff();
    ctx.max_abs_overlap = std::max(ctx.max_overlap, -ctx.overlaps.minCoeff());
    ctx.scale = make_scale(ctx.max_overlap, ctx.max_abs_overlap);
  }

  /// E(s_i = -1) - E(s_i = +1) = sum_mu x_i^mu g(m_mu - x_i^mu s_i), as value * exp(log_scale).
  /// O(M), no allocation.
  [[nodiscard]] energy_gap<Scalar> gap(const context_type& ctx, const Eigen::Ref<const vector_t<Scalar>>& s,
                                       index_t i) const {
    using array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
    alignas(64) Scalar a[detail::difference_block];
    alignas(64) Scalar g[detail::difference_block];
    const Scalar s_i = s(i);
    const Scalar* x = rows_.row(i).data();
    const Scalar* m = ctx.overlaps.data();
    const index_t count = size();
    wide sum = 0;
    for (index_t start = 0; start < count; start += detail::difference_block) {
      const index_t len = std::min(detail::difference_block, count - start);
      const Eigen::Map<const array> x_block(x + start, len);
      Eigen::Map<array>(a, len) = Eigen::Map<const array>(m + start, len) - s_i * x_block;
      differences(a, len, ctx.scale, g);
      sum += static_cast<wide>((x_block * Eigen::Map<const array>(g, len)).sum());
    }
    return {static_cast<Scalar>(sum), ctx.scale.log_scale};
  }

  /// Negates s_i and updates the overlaps (m += 2 s_i(new) x_i), their maxima and the scale. O(M).
  void flip(context_type& ctx, Eigen::Ref<vector_t<Scalar>> s, index_t i) const {
    using array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
    s(i) = -s(i);
    const Scalar step = Scalar(2) * s(i);
    const Scalar* x = rows_.row(i).data();
    Scalar* m = ctx.overlaps.data();
    const index_t count = size();
    Scalar top = -std::numeric_limits<Scalar>::infinity();
    Scalar bottom = std::numeric_limits<Scalar>::infinity();
    for (index_t start = 0; start < count; start += detail::difference_block) {
      const index_t len = std::min(detail::difference_block, count - start);
      Eigen::Map<array> block(m + start, len);
      block += step * Eigen::Map<const array>(x + start, len);
      top = std::max(top, block.maxCoeff());
      bottom = std::min(bottom, block.minCoeff());
    }
    ctx.max_overlap = top;
    ctx.max_abs_overlap = std::max(top, -bottom);
    ctx.scale = make_scale(ctx.max_overlap, ctx.max_abs_overlap);
  }

  /// Every neuron's gap for a batch of states (columns), each column scaled by its own positive
  /// factor (only signs are read): one product for the overlaps, one for the gaps.
  /// Precondition: states has N rows of +-1 entries and out has the same shape.
  void gaps(const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<matrix_t<Scalar>> out) const {
    using array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
    const index_t count = size();
    const index_t batch = states.cols();
    matrix_t<Scalar> p(count, batch);  // overlaps, then P in place
    p.noalias() = rows_.transpose() * states;
    alignas(64) Scalar a[detail::difference_block];
    alignas(64) Scalar g_minus[detail::difference_block];
    alignas(64) Scalar g_plus[detail::difference_block];
    for (index_t b = 0; b < batch; ++b) {
      Scalar* m = p.col(b).data();
      const Scalar top = p.col(b).maxCoeff();
      const scale_type scale = make_scale(top, std::max(top, -p.col(b).minCoeff()));
      wide q_sum = 0;
      for (index_t start = 0; start < count; start += detail::difference_block) {
        const index_t len = std::min(detail::difference_block, count - start);
        Eigen::Map<array> block(m + start, len);
        Eigen::Map<array>(a, len) = block - Scalar(1);
        differences(a, len, scale, g_minus);
        Eigen::Map<array>(a, len) = block + Scalar(1);
        differences(a, len, scale, g_plus);
        const Eigen::Map<const array> gm(g_minus, len);
        const Eigen::Map<const array> gp(g_plus, len);
        q_sum += static_cast<wide>((gm - gp).sum());
        block = Scalar(0.5) * (gm + gp);
      }
      out.col(b).noalias() = rows_ * p.col(b);
      out.col(b) += static_cast<Scalar>(wide(0.5) * q_sum) * states.col(b);
    }
  }

 private:
  using wide = detail::wide_t<Scalar>;

  scale_type make_scale(Scalar max_overlap, Scalar max_abs_overlap) const {
    if constexpr (HasScaledDifference<Interaction, Scalar>) {
      return interaction_.scale(max_overlap, max_abs_overlap);
    } else {
      return {};
    }
  }

  /// g[k] = (F(a_k + 1) - F(a_k - 1)) * exp(-scale.log_scale) for one block, by the most capable
  /// member the interaction has.
  void differences(const Scalar* a, index_t len, const scale_type& scale, Scalar* g) const {
    const auto n = static_cast<std::size_t>(len);
    if constexpr (HasBlockDifferences<Interaction, Scalar>) {
      interaction_.scaled_differences(std::span<const Scalar>(a, n), scale, std::span<Scalar>(g, n));
    } else if constexpr (HasScaledDifference<Interaction, Scalar>) {
      for (std::size_t k = 0; k < n; ++k)
        g[k] = static_cast<Scalar>(interaction_.scaled_difference(a[k], scale));
    } else if constexpr (HasSafeDifference<Interaction, Scalar>) {
      for (std::size_t k = 0; k < n; ++k) g[k] = static_cast<Scalar>(interaction_.difference(a[k]));
    } else {
      for (std::size_t k = 0; k < n; ++k) {
        g[k] = static_cast<Scalar>(interaction_(a[k] + Scalar(1))) -
               static_cast<Scalar>(interaction_(a[k] - Scalar(1)));
      }
    }
  }

  /// The value of a signed log in Scalar, saturating to +-inf.
  static Scalar saturate(const signed_log<wide>& log_e) {
    if (log_e.sign == 0) return Scalar(0);
    if (log_e.log_abs > std::log(static_cast<wide>(std::numeric_limits<Scalar>::max()))) {
      return static_cast<Scalar>(log_e.sign) * std::numeric_limits<Scalar>::infinity();
    }
    return static_cast<Scalar>(log_e.sign * std::exp(log_e.log_abs));
  }

  /// -sum F(x^mu . s) as a signed log in the accumulation type, s checked.
  signed_log<wide> log_energy_wide(std::string_view function,
                                   const Eigen::Ref<const vector_t<Scalar>>& s) const {
    detail::require_size(function, "state", "rows", dimension(), s.rows());
    detail::require_binary(function, "state", s);
    const vector_t<Scalar> m = rows_.transpose() * s;
    return log_energy_of(m);
  }

  /// -sum F(m) as a signed log in the accumulation type, from the overlaps.
  signed_log<wide> log_energy_of(const Eigen::Ref<const vector_t<Scalar>>& m) const {
    signed_log<wide> sum;
    if constexpr (requires { interaction_.template log_sum<wide>(m); }) {
      sum = interaction_.template log_sum<wide>(m);
    } else {
      // Long double reaches exp(11356): enough for most user interactions without a log_sum.
      long double total = 0;
      for (index_t mu = 0; mu < m.size(); ++mu) {
        if constexpr (InteractionFunction<Interaction, long double>) {
          total += static_cast<long double>(interaction_(static_cast<long double>(m(mu))));
        } else {
          total += static_cast<long double>(interaction_(m(mu)));
        }
      }
      if (total != 0) {
        sum = {total > 0 ? wide(1) : wide(-1), static_cast<wide>(std::log(std::abs(total)))};
      }
    }
    sum.sign = -sum.sign;
    return sum;
  }

  Interaction interaction_;
  row_major_matrix_t<Scalar> rows_;
};

}  // namespace hopfield
