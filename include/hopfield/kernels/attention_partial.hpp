#pragma once
/// @file The one streaming path of the library: the softmax_partial of V softmax(beta sim(K, Q))
/// over M stored patterns, computed block by block so that the M x B score matrix never exists.
/// The modern memory's update, energy and partial, attention and Hopfield pooling all run here.
///
///   plan  -> the patterns cut into blocks (cache-sized), the blocks into chunks (4 per thread),
///            the queries into tiles (at most 512 columns at once);
///   fold  -> per block: S_b = sim(K_b, Q_tile) (one small product for a batch; for one query the
///            per-pattern scores are followed at once by acc += V_b w while the block is still in
///            L1, so K is read from memory once), then softmax_partial::fold_in_place;
///   merge -> each chunk's partial merges into the result in chunk order, so the bits depend on
///            the thread count only through the chunk boundaries (never on which thread ran what);
///   finish-> by the caller: weighted_sum_into (the update), logsumexp (the energy), or the partial
///            itself (modern_hopfield::partial, for sharded memories and backward passes).
///
/// Extra memory per thread: one score block (block x tile) and one tile partial (value rows x
/// tile), independent of M; with many tiles the threads take whole tiles (no merge at all).
/// Workspaces are allocated before the parallel region and never inside the block loop; whatever
/// a worker throws (std::bad_alloc from Eigen's packing buffers, a similarity's own exception,
/// the overflow check below) is rethrown on the calling thread after the region.
///
/// Every block's scores are checked: a score that is not finite although keys and queries are
/// (x . q of entries near 1e20 in float overflows) throws std::overflow_error instead of turning
/// the result into NaN. Masked entries (-inf) are set after the check.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/parallel_errors.hpp"
#include "hopfield/kernels/streaming_softmax.hpp"

namespace hopfield {

/// How the streaming path walks the patterns. The defaults are right for nearly everyone.
struct streaming_options {
  /// Upper bound, in bytes, on the score blocks of all threads together. The M x B scores are
  /// never formed when they exceed it; by default blocks are cache-sized, far below it.
  std::size_t memory_budget = std::size_t{64} << 20;
  /// Patterns per block; 0 chooses a cache-sized block (about 32 KiB of patterns for one query,
  /// 384 KiB of keys, values and scores for a batch).
  index_t block_size = 0;
  /// Threads over pattern blocks or query tiles (OpenMP builds); 0 uses omp_get_max_threads()
  /// when the work is large enough, 1 runs serially. At most max_stream_threads() run.
  int threads = 0;
};

/// Bytes of patterns per block for one query: the block is re-read from L1 by the accumulation
/// (32 KiB measured best on Zen 5, 48 KiB L1d: about 80% of one streaming read of X).
inline constexpr std::size_t single_query_block_bytes = std::size_t{32} * 1024;
/// Bytes per block for batches: the block's keys, values and scores together stay in L2
/// (384 KiB, 256 patterns at N = 128 and B = 256, measured best on Zen 5 with 1 MiB L2).
inline constexpr std::size_t batch_block_bytes = std::size_t{384} * 1024;
/// Below this many multiply-adds (M N_k B) threads cost more than they save.
inline constexpr double parallel_work_threshold = 1 << 20;
/// Batches wider than this are cut into tiles of `query_tile_columns` queries, so that a block's
/// scores stay small and cache-resident whatever B is (attention over 65536 tokens).
inline constexpr index_t max_untiled_queries = 512;
inline constexpr index_t query_tile_columns = 256;

/// How the work is cut: `block` patterns per block, `tile` queries per tile, `threads` workers.
struct stream_plan {
  index_t block = 1;
  index_t tile = 1;
  int threads = 1;
};

namespace detail {
/// @throws std::invalid_argument (naming `function`) for a zero budget or a negative block size
///         or thread count.
inline void validate_streaming(std::string_view function, const streaming_options& options) {
  if (options.memory_budget == 0) {
    throw_invalid(function, "options.memory_budget", "a byte count > 0", options.memory_budget);
  }
  if (options.block_size < 0)
    throw_invalid(function, "options.block_size", "a count >= 0", options.block_size);
  if (options.threads < 0) throw_invalid(function, "options.threads", "a count >= 0", options.threads);
}

inline int available_threads() {
#if defined(_OPENMP)
  return omp_get_max_threads();
#else
  return 1;
#endif
}

/// Thrown when a block's scores are not finite for finite inputs.
[[noreturn]] inline void throw_score_overflow(index_t pattern, index_t query) {
  throw std::overflow_error(
      "hopfield::fold_attention: the similarity of pattern " + std::to_string(pattern) + " and query " +
      std::to_string(query) +
      " is not finite although both are: the entries are too large for the scalar type (scale the "
      "patterns and queries down, or use double)");
}

/// Throws std::overflow_error when a block of scores holds an inf or NaN (the inputs are finite).
template <class Block>
void check_scores(const Block& scores, index_t first_pattern, index_t first_query) {
  if (scores.allFinite()) return;
  for (index_t j = 0; j < scores.cols(); ++j) {
    for (index_t i = 0; i < scores.rows(); ++i) {
      if (!std::isfinite(scores(i, j))) throw_score_overflow(first_pattern + i, first_query + j);
    }
  }
}

/// What the streaming loop does to a block of scores before folding it: nothing by default; a
/// mask sets the entries a query may not see to -inf.
struct no_score_mask {
  template <class Block>
  void operator()(index_t /*first_pattern*/, index_t /*first_query*/, Block& /*scores*/) const {}
};
}  // namespace detail

/// The most threads the streaming path starts: four per processor. More never pay, and an absurd
/// request (options.threads = 1'000'000) would otherwise make the OpenMP runtime abort when it
/// cannot create them.
inline int max_stream_threads() {
#if defined(_OPENMP)
  return 4 * std::max(1, omp_get_num_procs());
#else
  return 1;
#endif
}

/// Chooses block length, query tile and thread count for M patterns, key and (extra) value
/// rows, and B queries.
inline stream_plan plan_stream(index_t patterns, index_t key_rows, index_t extra_value_rows, index_t queries,
                               std::size_t scalar_bytes, const streaming_options& options) {
  stream_plan plan;
  plan.tile = queries > max_untiled_queries ? query_tile_columns : std::max<index_t>(queries, 1);
  const auto sz = static_cast<double>(scalar_bytes);
  const auto b = static_cast<double>(plan.tile);
  double block = 0;
  if (options.block_size > 0) {
    block = static_cast<double>(options.block_size);
  } else if (queries <= 1) {
    block = static_cast<double>(single_query_block_bytes) /
            (static_cast<double>(key_rows + extra_value_rows) * sz);
  } else {
    block = static_cast<double>(batch_block_bytes) /
            (static_cast<double>(key_rows + extra_value_rows) * sz + b * sz);
    block = std::max(block, 16.0);
  }
  block = std::clamp(block, 1.0, static_cast<double>(patterns));
  const double work = static_cast<double>(patterns) * static_cast<double>(key_rows) *
                      static_cast<double>(std::max<index_t>(queries, 1));
  int threads =
      std::min(options.threads > 0 ? options.threads : detail::available_threads(), max_stream_threads());
  if (options.threads == 0 && work < parallel_work_threshold) threads = 1;
#if !defined(_OPENMP)
  threads = 1;  // built without OpenMP: one worker whatever was asked
#endif
  // The budget bounds every thread's score block together.
  const double budget_block =
      static_cast<double>(options.memory_budget) / (b * sz * static_cast<double>(threads));
  block = std::max(1.0, std::min(block, std::floor(budget_block)));
  plan.block = static_cast<index_t>(block);
  const index_t blocks = (patterns + plan.block - 1) / plan.block;
  const index_t tiles = (queries + plan.tile - 1) / plan.tile;
  plan.threads = static_cast<int>(std::min<index_t>(threads, std::max(blocks, tiles)));
  return plan;
}

namespace detail {

/// While it lives, Eigen's products on this thread run serially. Eigen threads a product itself
/// when it is not inside an active parallel region, with a blocking that depends on its thread
/// count; inside this path the threads are ours (over chunks or tiles), so every block product is
/// serial and the bits depend on our plan only. omp_set_num_threads changes the calling thread's
/// setting only, so concurrent callers are safe. (A program that fixed Eigen's count with
/// Eigen::setNbThreads overrides this.)
class serial_products {
 public:
#if defined(_OPENMP)
  serial_products() : saved_(omp_get_max_threads()) {
    omp_set_num_threads(1);
  }
  ~serial_products() {
    omp_set_num_threads(saved_);
  }
#else
  serial_products() = default;
#endif
  serial_products(const serial_products&) = delete;
  serial_products& operator=(const serial_products&) = delete;

 private:
#if defined(_OPENMP)
  int saved_;
#endif
};

/// The stored side of the streaming path: keys (N_k x M) and values (N_v x M, ignored when the
/// partial has no value rows; the keys themselves for auto-association, re-read from cache).
template <class Scalar>
struct memory_view {
  const Eigen::Ref<const matrix_t<Scalar>>& keys;
  const Eigen::Ref<const matrix_t<Scalar>>& values;
};

/// Folds blocks [first, last) of the patterns into `part` for the queries of one tile (columns
/// [first_query, first_query + queries.cols()) of the batch).
template <class Scalar, class Similarity, class ScoreMask>
void fold_block_range(softmax_partial<Scalar>& part, vector_t<Scalar>& scratch,
                      const memory_view<Scalar>& memory,
                      const Eigen::Ref<const matrix_t<std::type_identity_t<Scalar>>>& queries,
                      index_t first_query, const Similarity& similarity, const ScoreMask& mask, index_t block,
                      index_t first, index_t last) {
  const index_t patterns = memory.keys.cols();
  [[maybe_unused]] const serial_products serial;
  for (index_t b = first; b < last; ++b) {
    const index_t start = b * block;
    const index_t m = std::min(block, patterns - start);
    Eigen::Map<matrix_t<Scalar>> scores(scratch.data(), m, queries.cols());
    // Exact Ref types, so that a similarity written for Ref<const matrix_t<S>> deduces S.
    similarity.scores(Eigen::Ref<const matrix_t<Scalar>>(memory.keys.middleCols(start, m)), queries,
                      Eigen::Ref<matrix_t<Scalar>>(scores));
    check_scores(scores, start, first_query);
    mask(start, first_query, scores);
    if (part.value_rows() > 0) {
      part.fold_in_place(scores, memory.values.middleCols(start, m));
    } else {
      part.fold(scores);
    }
  }
}

/// The worker's index in the innermost parallel region this function opened. Only call it inside
/// such a region: outside one, a caller's own parallel region would give its thread number.
inline std::size_t worker() {
#if defined(_OPENMP)
  return static_cast<std::size_t>(omp_get_thread_num());
#else
  return 0;
#endif
}

/// The partial of one tile of queries over every pattern into `result` (fresh): with
/// `threads` > 1, chunks of blocks over threads, merged in chunk order (chunk 0 folds straight
/// into `result`). `scratch` holds one score block per worker; without threads, `slot` is this
/// call's. Allocates only before its parallel region; rethrows a worker's exception after it.
template <class Scalar, class Similarity, class ScoreMask>
void fold_tile(softmax_partial<Scalar>& result, std::vector<vector_t<Scalar>>& scratch,
               const memory_view<Scalar>& memory,
               const Eigen::Ref<const matrix_t<std::type_identity_t<Scalar>>>& queries, index_t first_query,
               const Similarity& similarity, const ScoreMask& mask, index_t block, int threads,
               std::size_t slot) {
  const index_t blocks = (memory.keys.cols() + block - 1) / block;
  const index_t chunks = threads > 1 ? std::min<index_t>(blocks, 4 * index_t{threads}) : 1;
  if (chunks == 1) {
    fold_block_range(result, scratch[slot], memory, queries, first_query, similarity, mask, block, 0, blocks);
    return;
  }
  std::vector<softmax_partial<Scalar>> partials;
  partials.reserve(static_cast<std::size_t>(chunks - 1));
  for (index_t c = 1; c < chunks; ++c)
    partials.emplace_back(result.value_rows(), queries.cols(), result.beta());
  parallel_errors errors;
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
#endif
  for (index_t c = 0; c < chunks; ++c) {
    errors.run([&] {
      auto& part = c == 0 ? result : partials[static_cast<std::size_t>(c - 1)];
      fold_block_range(part, scratch[worker()], memory, queries, first_query, similarity, mask, block,
                       blocks * c / chunks, blocks * (c + 1) / chunks);
    });
  }
  errors.rethrow_if_any();
  for (const auto& p : partials) result.merge(p);
}

}  // namespace detail

/// Folds the partial of V softmax(beta sim(K, Q)) over every stored pattern into `result`, which
/// must be fresh (reset) with columns() = Q's columns and value_rows() = V's rows, or 0 for the
/// normalisers only (then `values` is not read; pass the keys). Its beta is the inverse
/// temperature. `values` may be the keys themselves (auto-association).
/// `mask(first_pattern, first_query, scores)` may set entries of each block's scores to -inf.
/// Inputs are trusted (the callers validate): finite, matching shapes, M > 0.
/// @throws std::overflow_error when a score is not finite (entries too large for the scalar);
///         std::bad_alloc, or what the similarity throws, from any worker, on the calling thread.
///         `result` is then unspecified (reset it before reuse).
template <Real Scalar, class Similarity, class ScoreMask = detail::no_score_mask>
void fold_attention(softmax_partial<Scalar>& result,
                    const Eigen::Ref<const matrix_t<std::type_identity_t<Scalar>>>& keys,
                    const Eigen::Ref<const matrix_t<std::type_identity_t<Scalar>>>& values,
                    const Eigen::Ref<const matrix_t<std::type_identity_t<Scalar>>>& queries,
                    const Similarity& similarity, const streaming_options& options,
                    const ScoreMask& mask = {}) {
  const index_t count = queries.cols();
  if (count == 0) return;
  const detail::memory_view<Scalar> memory{keys, values};
  const bool separate_values = result.value_rows() > 0 && values.data() != keys.data();
  const index_t extra_rows = separate_values ? values.rows() : 0;
  const stream_plan plan = plan_stream(keys.cols(), keys.rows(), extra_rows, count, sizeof(Scalar), options);
  const index_t tiles = (count + plan.tile - 1) / plan.tile;
  // One score block per worker, allocated here, outside every parallel region.
  std::vector<vector_t<Scalar>> scratch(static_cast<std::size_t>(plan.threads),
                                        vector_t<Scalar>(plan.block * std::min(plan.tile, count)));
  if (tiles == 1) {
    detail::fold_tile(result, scratch, memory, queries, 0, similarity, mask, plan.block, plan.threads, 0);
    return;
  }
  // Many tiles: each thread takes whole tiles; a tile's bits do not depend on the thread count.
  std::vector<softmax_partial<Scalar>> parts;
  parts.reserve(static_cast<std::size_t>(tiles));
  for (index_t t = 0; t < tiles; ++t) {
    parts.emplace_back(result.value_rows(), std::min(plan.tile, count - t * plan.tile), result.beta());
  }
  detail::parallel_errors errors;
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic, 1) num_threads(plan.threads) if (plan.threads > 1)
#endif
  for (index_t t = 0; t < tiles; ++t) {
    errors.run([&] {
      auto& part = parts[static_cast<std::size_t>(t)];
      const index_t first = t * plan.tile;
      detail::fold_tile(part, scratch, memory, queries.middleCols(first, part.columns()), first, similarity,
                        mask, plan.block, 1, detail::worker());
    });
  }
  errors.rethrow_if_any();
  for (index_t t = 0; t < tiles; ++t) result.merge(parts[static_cast<std::size_t>(t)], t * plan.tile);
}

}  // namespace hopfield
