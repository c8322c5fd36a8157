#pragma once
/// @file The backward pass of the one streaming path: the vector-Jacobian product of
/// F = V softmax(beta K^T Q) (with an optional score mask) in the same bounded memory as the
/// forward pass. Every public VJP of an attention-shaped forward pass (the modern update, its
/// hetero-associative form, attention, Hopfield pooling) runs here.
///
/// With P = softmax(beta K^T Q) column by column, upstream U (N_v x B), A = V^T U and
/// d_j = sum_i P_ij A_ij = u_j . f_j (read off the forward result, no extra pass):
///   S' = P .* (A - 1 d^T),  S = beta S',
///   dQ = K S,  dK = Q S^T,  dV = U P^T,  dbeta = sum_ij S'_ij (Z_ij - max_j),
/// the last because sum_i S'_ij = 0, so any per-column shift of the scores Z = K^T Q leaves it
/// unchanged, and shifting by the column's max keeps the terms small.
///
/// Blocks of patterns are walked as in the forward pass; each block's weights are recomputed
/// from the forward partial's saved (max, sum) per query, so the M x B weights never exist.
/// Extra memory: per worker three score-sized blocks (block x tile) and, for workers after the
/// first, one N_k x B accumulator for dQ. Threads take contiguous ranges of pattern blocks (dK and
/// dV columns are disjoint between them); the dQ and dbeta partials are added in worker order, so
/// the bits depend on the thread count, never on scheduling. The fused auto-associative variant
/// (`combine`) takes two blocks of block x 2 tile instead, and 4 N B for [Q U] and [U Q] per tile.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/detail/parallel_errors.hpp"
#include "hopfield/detail/wide.hpp"
#include "hopfield/kernels/attention_partial.hpp"
#include "hopfield/kernels/streaming_softmax.hpp"

namespace hopfield::detail {

/// Final softmax weights of a block of scores from the finished (max, sum) of each query column:
/// exp(beta (z - max)) / sum; zero where the score is -inf (masked) and in a column that saw no
/// finite score (fully masked: the forward result is zero there, so is every gradient).
template <class Scalar, class MaxRow, class SumRow>
void weights_from_stats(const Eigen::Ref<const matrix_t<Scalar>>& scores, Eigen::Ref<matrix_t<Scalar>> out,
                        const MaxRow& max, const SumRow& sum, Scalar beta) {
  for (index_t j = 0; j < scores.cols(); ++j) {
    const Scalar a = max(j);
    if (!(sum(j) > 0) || !std::isfinite(a)) {
      out.col(j).setZero();
      continue;
    }
    const auto inv = static_cast<Scalar>(1 / sum(j));
    // z <= max, so the exponent is <= 0: no overflow. Eigen's packet exp clamps its argument and
    // returns a subnormal, not 0, for -inf: masked entries are set to 0 explicitly, so that they
    // are skipped by beta_term and carry no gradient.
    constexpr Scalar masked = -std::numeric_limits<Scalar>::infinity();
    out.col(j) = (scores.col(j).array() == masked)
                     .select(Scalar(0), (beta * (scores.col(j).array() - a)).exp() * inv)
                     .matrix();
  }
}

/// sum_ij S'_ij (Z_ij - max_j) over the entries with a non-zero weight (a masked entry has
/// Z = -inf and S' = 0, whose product is NaN, not 0).
template <class Wide, class Scalar, class MaxRow>
Wide beta_term(const Eigen::Ref<const matrix_t<Scalar>>& weighted,
               const Eigen::Ref<const matrix_t<Scalar>>& p, const Eigen::Ref<const matrix_t<Scalar>>& scores,
               const MaxRow& max) {
  Wide total = 0;
  for (index_t j = 0; j < scores.cols(); ++j) {
    for (index_t i = 0; i < scores.rows(); ++i) {
      if (p(i, j) != Scalar(0)) {
        total +=
            static_cast<Wide>(weighted(i, j)) * (static_cast<Wide>(scores(i, j)) - static_cast<Wide>(max(j)));
      }
    }
  }
  return total;
}

/// The VJP of F = V softmax(beta K^T Q) for upstream U, given the forward pass's partial over
/// every pattern (with value rows, so that F = forward.weighted_sum()). Writes dQ, dK, dV (sized
/// here) and returns dbeta. Inputs are trusted (the public entry points validate). `mask` is the
/// forward pass's score hook, applied to the same blocks.
/// @throws std::bad_alloc, or what the mask throws, from any worker, on the calling thread.
template <class Scalar, class ScoreMask>
Scalar stream_backward(const Eigen::Ref<const matrix_t<Scalar>>& keys,
                       const Eigen::Ref<const matrix_t<Scalar>>& values,
                       const Eigen::Ref<const matrix_t<Scalar>>& queries,
                       const Eigen::Ref<const matrix_t<Scalar>>& upstream,
                       const softmax_partial<Scalar>& forward, const streaming_options& options,
                       const ScoreMask& mask, matrix_t<Scalar>& d_queries, matrix_t<Scalar>& d_keys,
                       matrix_t<Scalar>& d_values, bool combine = false) {
  using wide = wide_t<Scalar>;
  const index_t patterns = keys.cols();
  const index_t count = queries.cols();
  const Scalar beta = forward.beta();
  d_queries.setZero(keys.rows(), count);
  d_keys.setZero(keys.rows(), patterns);
  // Auto-association with the patterns' gradient wanted whole (`combine`): the block's scores and
  // A come from one product X_b^T [Q_t U_t], and dX_b from one, [U_t Q_t] [P S]^T = U P^T + Q S^T.
  // The same flops as apart, in products twice as wide; d_values stays empty.
  const bool fused = combine && values.data() == keys.data() && values.rows() == keys.rows();
  if (fused) {
    d_values.resize(0, 0);
  } else {
    d_values.setZero(values.rows(), patterns);
  }
  if (count == 0) return Scalar(0);

  // d_j = u_j . f_j: the weighted mean of A's column j, from the forward result.
  const matrix_t<Scalar> result = forward.weighted_sum();
  row_vector_t<Scalar> d(count);
  for (index_t j = 0; j < count; ++j) {
    d(j) =
        static_cast<Scalar>(upstream.col(j).template cast<wide>().dot(result.col(j).template cast<wide>()));
  }

  const bool separate_values = values.data() != keys.data();
  const stream_plan plan =
      plan_stream(patterns, keys.rows(), separate_values ? values.rows() : 0, count, sizeof(Scalar), options);
  const index_t block = plan.block;
  const index_t tile = std::min(plan.tile, count);
  const index_t blocks = (patterns + block - 1) / block;
  const index_t workers = std::max<index_t>(1, std::min<index_t>(plan.threads, blocks));

  // Allocated here, outside the parallel region: per worker three blocks and (after the first)
  // a dQ accumulator.
  struct workspace {
    matrix_t<Scalar> scores, weights, adjoint, d_queries;
    wide d_beta = 0;
  };
  std::vector<workspace> spaces(static_cast<std::size_t>(workers));
  for (index_t w = 0; w < workers; ++w) {
    auto& s = spaces[static_cast<std::size_t>(w)];
    s.scores.resize(block, fused ? 2 * tile : tile);   // fused: [Z A]
    s.weights.resize(block, fused ? 2 * tile : tile);  // fused: [P S]
    if (!fused) s.adjoint.resize(block, tile);
    if (w > 0) s.d_queries.setZero(keys.rows(), count);
  }
  // Fused: per tile, [Q_t U_t] and [U_t Q_t] side by side (columns 2 first .. 2 first + 2 width).
  matrix_t<Scalar> query_upstream, upstream_query;
  if (fused) {
    query_upstream.resize(keys.rows(), 2 * count);
    upstream_query.resize(keys.rows(), 2 * count);
    for (index_t first = 0; first < count; first += tile) {
      const index_t width = std::min(tile, count - first);
      query_upstream.middleCols(2 * first, width) = queries.middleCols(first, width);
      query_upstream.middleCols(2 * first + width, width) = upstream.middleCols(first, width);
      upstream_query.middleCols(2 * first, width) = upstream.middleCols(first, width);
      upstream_query.middleCols(2 * first + width, width) = queries.middleCols(first, width);
    }
  }

  [[maybe_unused]] const int threads = static_cast<int>(workers);
  parallel_errors errors;
#if defined(_OPENMP)
#pragma omp parallel for schedule(static, 1) num_threads(threads) if (workers > 1)
#endif
  for (index_t w = 0; w < workers; ++w) {
    errors.run([&] {
      [[maybe_unused]] const serial_products serial;
      auto& s = spaces[static_cast<std::size_t>(w)];
      matrix_t<Scalar>& dq = w == 0 ? d_queries : s.d_queries;
      for (index_t b = blocks * w / workers; b < blocks * (w + 1) / workers; ++b) {
        const index_t start = b * block;
        const index_t m = std::min(block, patterns - start);
        const auto kb = keys.middleCols(start, m);
        const auto vb = values.middleCols(start, m);
        for (index_t first = 0; first < count; first += tile) {
          const index_t width = std::min(tile, count - first);
          if (fused) {
            const auto max = forward.max().segment(first, width);
            const auto sum = forward.sum().segment(first, width);
            auto za = s.scores.topLeftCorner(m, 2 * width);
            auto ps = s.weights.topLeftCorner(m, 2 * width);
            za.noalias() = kb.transpose() * query_upstream.middleCols(2 * first, 2 * width);
            auto z = za.leftCols(width);
            auto p = ps.leftCols(width);
            auto sv = ps.rightCols(width);
            mask(start, first, z);
            weights_from_stats<Scalar>(z, p, max, sum, beta);
            sv = (p.array() * (za.rightCols(width).array().rowwise() - d.segment(first, width).array()))
                     .matrix();  // S'
            s.d_beta += beta_term<wide, Scalar>(sv, p, z, max);
            sv *= beta;  // S
            dq.middleCols(first, width).noalias() += kb * sv;
            d_keys.middleCols(start, m).noalias() +=
                upstream_query.middleCols(2 * first, 2 * width) * ps.transpose();
            continue;
          }
          const auto qt = queries.middleCols(first, width);
          const auto ut = upstream.middleCols(first, width);
          const auto max = forward.max().segment(first, width);
          const auto sum = forward.sum().segment(first, width);
          auto z = s.scores.topLeftCorner(m, width);
          auto p = s.weights.topLeftCorner(m, width);
          auto a = s.adjoint.topLeftCorner(m, width);
          z.noalias() = kb.transpose() * qt;
          mask(start, first, z);
          weights_from_stats<Scalar>(z, p, max, sum, beta);
          a.noalias() = vb.transpose() * ut;
          a = (p.array() * (a.array().rowwise() - d.segment(first, width).array())).matrix();  // S'
          s.d_beta += beta_term<wide, Scalar>(a, p, z, max);
          a *= beta;  // S
          dq.middleCols(first, width).noalias() += kb * a;
          d_keys.middleCols(start, m).noalias() += qt * a.transpose();
          d_values.middleCols(start, m).noalias() += ut * p.transpose();
        }
      }
    });
  }
  errors.rethrow_if_any();
  wide d_beta = spaces[0].d_beta;
  for (index_t w = 1; w < workers; ++w) {
    d_queries += spaces[static_cast<std::size_t>(w)].d_queries;
    d_beta += spaces[static_cast<std::size_t>(w)].d_beta;
  }
  return static_cast<Scalar>(d_beta);
}

}  // namespace hopfield::detail
