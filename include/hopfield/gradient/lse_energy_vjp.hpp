#pragma once
/// @file Vector-Jacobian product of the log-sum-exp energy (energy/lse_energy.hpp) with its
/// constants, E(xi) = -lse(beta, X^T xi) + 1/2 xi^T xi + beta^-1 ln M + 1/2 L^2, L = max_i ||x_i||,
/// for a batch of states (columns) and upstream u (one number per state). With p = softmax(beta X^T xi):
///   dE/dxi   = xi - X p            (so xi - dE/dxi = X p: one CCCP step is a unit gradient step)
///   dE/dX    = -xi p^T + x_k e_k^T (k the pattern of largest norm: the gradient of 1/2 L^2; at a
///                                   tie in norms it is a subgradient, the first such pattern)
///   dE/dbeta = (H(p) - ln M) / beta^2   (H the entropy of p, in nats; <= 0)
/// each weighted by u_j and summed over the batch. The entropy is taken as beta sum_i p_i
/// (max - z_i) + ln sum_i exp(beta (z_i - max)), both terms >= 0. Near the uniform softmax (tiny
/// beta) H - ln M cancels: the absolute error is about eps ln M / beta^2.
///
/// Bounded memory, as the energy itself: one pass for X p and the (max, sum) per state (the
/// energy's own streaming partial), then one serial pass over blocks of patterns recomputing the
/// block's weights for dE/dX and H: memory O(N B + block B) beyond X and the result dE/dX.
/// Only the dot-product similarity (the energy the formulas describe) is accepted.
#include <algorithm>
#include <cmath>
#include <string_view>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/wide.hpp"
#include "hopfield/energy/lse_energy.hpp"
#include "hopfield/gradient/detail/checks.hpp"
#include "hopfield/gradient/detail/streaming_backward.hpp"
#include "hopfield/kernels/attention_partial.hpp"
#include "hopfield/similarity/dot_product.hpp"

namespace hopfield {

/// Gradients of sum_j u_j E(xi_j) for the log-sum-exp energy.
template <Real Scalar>
struct lse_energy_gradients {
  matrix_t<Scalar> states;    ///< N x B
  matrix_t<Scalar> patterns;  ///< N x M
  Scalar beta = 0;
};

/// VJP of energy.energies(states) (N x B) for upstream u (1 x B).
/// @throws std::invalid_argument when the states are not N x B or not finite, or u is not 1 x B
///         or not finite; std::overflow_error when a score leaves the scalar's range.
template <Real Scalar, class DS, class DU>
lse_energy_gradients<Scalar> lse_energy_vjp(const lse_energy<Scalar, dot_product>& energy,
                                            const Eigen::MatrixBase<DS>& states,
                                            const Eigen::MatrixBase<DU>& upstream) {
  using wide = detail::wide_t<Scalar>;
  constexpr std::string_view f = "lse_energy_vjp";
  detail::require_size(f, "states", "rows", energy.dimension(), states.rows());
  detail::require_finite(f, "states", states);
  detail::require_upstream(f, "upstream", upstream, 1, states.cols());
  const matrix_t<Scalar> xi = states;
  const row_vector_t<Scalar> u = upstream;
  const matrix_t<Scalar>& x = energy.patterns();
  const index_t count = xi.cols(), size = x.cols();
  const Scalar beta = energy.beta();

  const softmax_partial<Scalar> part = energy.partial(x, xi, f, "states");
  lse_energy_gradients<Scalar> out;
  out.states = (xi - part.weighted_sum()) * u.asDiagonal();
  out.patterns.setZero(x.rows(), size);

  // Blocks of patterns: dE/dX = -xi diag(u) P^T, and sum_i p_i (max - z_i) per state for H.
  const index_t block = std::min<index_t>(size, 256);
  matrix_t<Scalar> z(block, count), p(block, count);
  const matrix_t<Scalar> weighted = -(xi * u.asDiagonal());
  Eigen::Matrix<wide, 1, Eigen::Dynamic> spread = Eigen::Matrix<wide, 1, Eigen::Dynamic>::Zero(count);
  for (index_t start = 0; start < size; start += block) {
    const index_t m = std::min(block, size - start);
    auto zb = z.topRows(m);
    auto pb = p.topRows(m);
    zb.noalias() = x.middleCols(start, m).transpose() * xi;
    detail::weights_from_stats<Scalar>(zb, pb, part.max(), part.sum(), beta);
    out.patterns.middleCols(start, m).noalias() = weighted * pb.transpose();
    for (index_t j = 0; j < count; ++j) {
      for (index_t i = 0; i < m; ++i) {
        spread(j) +=
            static_cast<wide>(pb(i, j)) * (static_cast<wide>(part.max()(j)) - static_cast<wide>(zb(i, j)));
      }
    }
  }
  // 1/2 L^2: the pattern of largest norm, the first at a tie (stableNorm, as the energy takes it).
  index_t largest = 0;
  x.colwise().stableNorm().maxCoeff(&largest);
  out.patterns.col(largest) += x.col(largest) * u.sum();

  const auto b = static_cast<wide>(beta);
  const wide log_m = std::log(static_cast<wide>(size));
  wide d_beta = 0;
  for (index_t j = 0; j < count; ++j) {
    const wide entropy = b * spread(j) + std::log(part.sum()(j));
    d_beta += static_cast<wide>(u(j)) * (entropy - log_m) / (b * b);
  }
  out.beta = static_cast<Scalar>(d_beta);
  detail::require_finite_result(f, "the states", out.states);
  detail::require_finite_result(f, "the patterns", out.patterns);
  detail::require_finite_result(f, "beta", Eigen::Matrix<Scalar, 1, 1>::Constant(out.beta));
  return out;
}

}  // namespace hopfield
