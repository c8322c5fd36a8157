#pragma once
/// @file Reusable scratch memory for the sparse separation kernels (sparsemax.hpp, entmax.hpp,
/// top_k.hpp): the candidate values of the support search, the per-block maxima of the scores
/// and an index buffer for selection.
///
/// A kernel called with M scores first makes sure the workspace holds room for M; it grows on
/// demand and never shrinks, so a workspace built with `sparse_workspace(M)` (or grown once by a
/// first call) makes every later call with at most M scores allocation free. One workspace serves
/// one call at a time: give each thread its own.
#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/detail/wide.hpp"

namespace hopfield {

namespace detail {
/// Scores per block of the sparse kernels' scans: each block's max is kept, so the candidate
/// search and the output pass skip whole blocks that cannot reach the support, and the maxima
/// themselves give the search its first lower bound.
inline constexpr index_t sparse_block = 256;
}  // namespace detail

template <Real Scalar>
class sparse_workspace {
 public:
  /// The type the support search accumulates in (double for float).
  using wide = detail::wide_t<Scalar>;
  using index_vector = Eigen::Matrix<index_t, Eigen::Dynamic, 1>;

  /// A workspace with room for `capacity` scores: calls with at most that many allocate nothing.
  /// @throws std::invalid_argument when capacity is negative; std::bad_alloc when memory runs out.
  explicit sparse_workspace(index_t capacity = 0) { reserve(capacity); }

  /// Grows the workspace to room for `capacity` scores; never shrinks it. Allocates only when
  /// `capacity` exceeds capacity().
  /// @throws std::invalid_argument when capacity is negative; std::bad_alloc when memory runs out
  ///         (the workspace is then unchanged).
  void reserve(index_t capacity) {
    if (capacity < 0) {
      detail::throw_invalid("sparse_workspace::reserve", "capacity", "a size >= 0", capacity);
    }
    if (capacity <= capacity_) return;
    // New buffers first, then swapped in: if an allocation throws, the workspace is unchanged
    // (Eigen's resize frees before it allocates). The old contents are scratch.
    vector_t<wide> values(capacity);
    index_vector indices(capacity);
    vector_t<Scalar> block_max((capacity + detail::sparse_block - 1) / detail::sparse_block);
    values_.swap(values);
    indices_.swap(indices);
    block_max_.swap(block_max);
    capacity_ = capacity;
  }

  /// The number of scores a call can take without allocating.
  [[nodiscard]] index_t capacity() const noexcept { return capacity_; }

  /// Internal storage for the kernels (valid up to capacity() entries; block_max up to
  /// ceil(capacity() / 256)). Its contents between calls are unspecified.
  [[nodiscard]] wide* values() noexcept { return values_.data(); }
  [[nodiscard]] index_t* indices() noexcept { return indices_.data(); }
  [[nodiscard]] Scalar* block_max() noexcept { return block_max_.data(); }

 private:
  vector_t<wide> values_;
  index_vector indices_;
  vector_t<Scalar> block_max_;
  index_t capacity_ = 0;
};

}  // namespace hopfield
