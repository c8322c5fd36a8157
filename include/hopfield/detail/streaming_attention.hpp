#pragma once
/// @file The blocked, streaming core of the modern Hopfield update: out = V softmax(beta K^T Q)
/// and lse(beta, K^T Q), computed over blocks of stored patterns with mergeable online-softmax
/// partials (max, sum, acc), so the M x B score matrix never exists.
///
/// - Batches (B > 1): per block, S_b = K_b^T Q is one small matrix product whose result stays in
///   cache, its columns are folded into the running (max, sum) and acc += V_b W_b is a second
///   small product. Extra memory per thread is O((N_v + block) B), independent of M.
/// - One query (B = 1): per block of about 32 KiB of patterns, the per-pattern dot products are
///   followed at once by acc += V_b w while the block is still in L1, so X is read from memory
///   once (not X^T q, then X p).
/// - Threads (OpenMP): the blocks are cut into 4 contiguous chunks per thread, taken dynamically,
///   each with its own partial; partials merge exactly, in chunk order, at the end. Workspaces are
///   allocated per call (per thread), outside the block loop, so concurrent calls on one memory
///   are safe.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <Eigen/Core>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "hopfield/core/types.hpp"
#include "hopfield/detail/column_kernel.hpp"
#include "hopfield/detail/partial_merge.hpp"
#include "hopfield/detail/wide.hpp"

namespace hopfield::detail {

/// Bytes of patterns per block for one query: the block is re-read from L1 by the accumulation
/// (32 KiB measured best on Zen 5, 48 KiB L1d: about 80% of one streaming read of X).
inline constexpr std::size_t single_query_block_bytes = std::size_t{32} * 1024;
/// Bytes per block for batches: the block's keys, values and scores together stay in L2
/// (384 KiB, 256 patterns at N = 128 and B = 256, measured best on Zen 5 with 1 MiB L2).
inline constexpr std::size_t batch_block_bytes = std::size_t{384} * 1024;
/// Below this many multiply-adds (M N_k B) threads cost more than they save.
inline constexpr double parallel_work_threshold = 1 << 20;

/// How the patterns are cut: `block` patterns per block, `threads` workers.
struct stream_plan {
  index_t block = 1;
  int threads = 1;
};

/// Settings a caller validated: a byte budget for score blocks (all threads together), a block
/// length (0: automatic), a thread count (0: OpenMP's default).
struct stream_settings {
  std::size_t memory_budget = std::size_t{64} << 20;
  index_t block_size = 0;
  int threads = 0;
};

inline int available_threads() {
#if defined(_OPENMP)
  return omp_get_max_threads();
#else
  return 1;
#endif
}

/// Chooses block length and thread count for M patterns, key and (extra) value rows, B queries.
inline stream_plan plan_stream(index_t patterns, index_t key_rows, index_t extra_value_rows, index_t queries,
                               std::size_t scalar_bytes, const stream_settings& settings) {
  stream_plan plan;
  const auto sz = static_cast<double>(scalar_bytes);
  const auto b = static_cast<double>(std::max<index_t>(queries, 1));
  double block = 0;
  if (settings.block_size > 0) {
    block = static_cast<double>(settings.block_size);
  } else if (queries <= 1) {
    block = static_cast<double>(single_query_block_bytes) /
            (static_cast<double>(key_rows + extra_value_rows) * sz);
  } else {
    block = static_cast<double>(batch_block_bytes) /
            (static_cast<double>(key_rows + extra_value_rows + queries) * sz);
    block = std::max(block, 16.0);
  }
  block = std::clamp(block, 1.0, static_cast<double>(patterns));
  const double work = static_cast<double>(patterns) * static_cast<double>(key_rows) * b;
  int threads = settings.threads > 0 ? settings.threads : available_threads();
  if (settings.threads == 0 && work < parallel_work_threshold) threads = 1;
#if !defined(_OPENMP)
  threads = 1;  // built without OpenMP: one worker whatever was asked
#endif
  // The budget bounds every thread's score block together.
  const double budget_block =
      static_cast<double>(settings.memory_budget) / (b * sz * static_cast<double>(threads));
  block = std::max(1.0, std::min(block, std::floor(budget_block)));
  plan.block = static_cast<index_t>(block);
  const index_t blocks = (patterns + plan.block - 1) / plan.block;
  plan.threads = static_cast<int>(std::min<index_t>(threads, blocks));
  return plan;
}

/// The online-softmax partial of one contiguous range of blocks.
template <class Scalar>
struct stream_partial {
  using wide = wide_t<Scalar>;
  row_vector_t<Scalar> max;
  Eigen::Matrix<wide, 1, Eigen::Dynamic> sum;
  matrix_t<Scalar> acc;  // value rows x B; 0 rows when only normalisers are wanted

  void reset(index_t value_rows, index_t columns) {
    max.setConstant(columns, -std::numeric_limits<Scalar>::infinity());
    sum.setZero(columns);
    acc.setZero(value_rows, columns);
  }
};

/// Folds one block's scores (m x B, overwritten by their weights) into the partial's (max, sum)
/// and rescales acc; the caller then adds V_b times the weights. The weights come out of the
/// column kernel already against the merged max, so no extra pass rescales them.
template <class Scalar>
void fold_block_scores(stream_partial<Scalar>& p, Eigen::Map<matrix_t<Scalar>>& s, Scalar beta) {
  const bool with_values = p.acc.rows() > 0;
  const auto merge = [&](index_t j, const column_stats<Scalar>& block) {
    const auto scales = merge_column(p.max(j), p.sum(j), block.max, block.sum, beta);
    if (with_values && scales.mine != Scalar(1)) p.acc.col(j) *= scales.mine;
    return static_cast<wide_t<Scalar>>(scales.theirs);  // NaN for a NaN column: cleared below
  };
  if (!with_values) {
    reduce_columns<false>(s.data(), s.rows(), s.cols(), s.outerStride(), beta, s.data(), s.outerStride(),
                          merge);
    return;
  }
  reduce_columns<true>(s.data(), s.rows(), s.cols(), s.outerStride(), beta, s.data(), s.outerStride(), merge);
  for (index_t j = 0; j < s.cols(); ++j) {
    if (std::isnan(p.max(j))) s.col(j).setZero();  // NaN times 0 would still reach acc
  }
}

/// Exact merge of `other` (other blocks, same columns) into `into`.
template <class Scalar>
void merge_partials(stream_partial<Scalar>& into, const stream_partial<Scalar>& other, Scalar beta) {
  for (index_t j = 0; j < into.max.size(); ++j) {
    const auto scales = merge_column(into.max(j), into.sum(j), other.max(j), other.sum(j), beta);
    if (into.acc.rows() > 0)
      into.acc.col(j) = into.acc.col(j) * scales.mine + other.acc.col(j) * scales.theirs;
  }
}

/// Folds blocks [first, last) of the patterns into `p`. `values` may be null (normalisers only)
/// or equal to `&keys` (auto-association: the block is re-read from cache).
/// `scratch` holds one block's scores (block x B), turned into weights in place.
template <class Scalar>
void fold_block_range(stream_partial<Scalar>& p, vector_t<Scalar>& scratch, const matrix_t<Scalar>& keys,
                      const matrix_t<Scalar>* values, const Eigen::Ref<const matrix_t<Scalar>>& queries,
                      Scalar beta, index_t block, index_t first, index_t last) {
  const index_t patterns = keys.cols();
  const index_t count = queries.cols();
  for (index_t b = first; b < last; ++b) {
    const index_t start = b * block;
    const index_t m = std::min(block, patterns - start);
    Eigen::Map<matrix_t<Scalar>> s(scratch.data(), m, count);
    if (count == 1) {
      // Per-pattern dot products: each pattern comes from memory once and stays in cache for
      // the accumulation below.
      const Eigen::Map<const vector_t<Scalar>> q(queries.data(), queries.rows());
      for (index_t i = 0; i < m; ++i) s(i, 0) = keys.col(start + i).dot(q);
    } else {
      s.noalias() = keys.middleCols(start, m).transpose() * queries;
    }
    fold_block_scores(p, s, beta);
    if (values != nullptr) p.acc.noalias() += values->middleCols(start, m) * s;
  }
}

/// out = V softmax(beta K^T Q) (when `values` is not null; V = K for auto-association) and/or
/// lse = lse(beta, K^T Q) per column (when `lse` is not null). Inputs are trusted: finite,
/// matching shapes, M > 0, beta > 0. `out` may alias `queries`: it is written after the last read.
template <class Scalar>
void stream_attend(const matrix_t<Scalar>& keys, const matrix_t<Scalar>* values,
                   const Eigen::Ref<const matrix_t<Scalar>>& queries, Scalar beta,
                   const stream_settings& settings, Eigen::Ref<matrix_t<Scalar>>* out,
                   Eigen::Ref<row_vector_t<Scalar>>* lse) {
  const index_t patterns = keys.cols();
  const index_t count = queries.cols();
  if (count == 0) return;
  const index_t value_rows = values != nullptr ? values->rows() : 0;
  const index_t extra_rows = values != nullptr && values != &keys ? value_rows : 0;
  const stream_plan plan = plan_stream(patterns, keys.rows(), extra_rows, count, sizeof(Scalar), settings);
  const index_t blocks = (patterns + plan.block - 1) / plan.block;

  // Threads take chunks (contiguous block ranges, 4 per thread) dynamically, so a thread that the
  // OS holds back delays the end by one chunk at most; each chunk has its own partial and they
  // merge in chunk order, so the bits do not depend on which thread did what.
  const index_t chunks = plan.threads == 1 ? 1 : std::min<index_t>(blocks, 4 * index_t{plan.threads});
  std::vector<stream_partial<Scalar>> partials(static_cast<std::size_t>(chunks));
  for (auto& p : partials) p.reset(value_rows, count);
  if (chunks == 1) {
    vector_t<Scalar> scratch(plan.block * count);
    fold_block_range(partials[0], scratch, keys, values, queries, beta, plan.block, 0, blocks);
  } else {
#if defined(_OPENMP)
#pragma omp parallel num_threads(plan.threads)
    {
      vector_t<Scalar> scratch(plan.block * count);  // per thread, outside the block loop
#pragma omp for schedule(dynamic, 1)
      for (index_t c = 0; c < chunks; ++c) {
        fold_block_range(partials[static_cast<std::size_t>(c)], scratch, keys, values, queries, beta,
                         plan.block, blocks * c / chunks, blocks * (c + 1) / chunks);
      }
    }
#endif
  }
  auto& total = partials[0];
  for (std::size_t t = 1; t < partials.size(); ++t) merge_partials(total, partials[t], beta);

  for (index_t j = 0; j < count; ++j) {
    if (lse != nullptr) (*lse)(j) = lse_from_stats(column_stats<Scalar>{total.max(j), total.sum(j)}, beta);
    if (out != nullptr) {
      if (total.sum(j) > 0) {
        out->col(j) = total.acc.col(j) * static_cast<Scalar>(1 / total.sum(j));
      } else {
        out->col(j).setConstant(std::isnan(total.max(j)) ? std::numeric_limits<Scalar>::quiet_NaN()
                                                         : Scalar(0));
      }
    }
  }
}

}  // namespace hopfield::detail
