#pragma once
/// @file Explicit, portable randomness. The standard fixes std::mt19937_64's output but not what
/// std::shuffle or the std distributions do with it, so the draws that decide results are written
/// here: the same seed gives the same permutation and the same coin flips on every platform.
#include <cstdint>
#include <random>
#include <vector>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield {

using random_engine = std::mt19937_64;

/// A well-mixed seed for stream `stream` of a run seeded with `seed` (splitmix64 finaliser), so
/// query j of a batch gets the same randomness whatever else is in the batch.
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// Uniform integer in [0, n), unbiased (rejection of the short top range). Draws from `rng` until
/// a draw is accepted (one draw for n = 1 and for every power of two; at most 2 on average).
/// @throws std::invalid_argument when n is 0 (the range [0, 0) is empty); `rng` is not advanced.
inline std::uint64_t uniform_below(random_engine& rng, std::uint64_t n) {
  if (n == 0) [[unlikely]] {
    detail::throw_invalid("uniform_below", "n", "an exclusive upper bound n > 0", n);
  }
  const std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    const std::uint64_t r = rng();
    if (r >= threshold) return r % n;
  }
}

/// Uniform double in [0, 1) with 53 random bits.
inline double uniform_unit(random_engine& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

/// Fills `order` with a uniformly random permutation of 0..n-1 (Fisher-Yates); reuses its storage.
/// n = 0 gives an empty `order` and n = 1 gives {0}, neither drawing from `rng`.
/// @throws std::invalid_argument when n is negative (`order` and `rng` are left as they were).
inline void random_permutation(random_engine& rng, index_t n, std::vector<index_t>& order) {
  if (n < 0) [[unlikely]] {
    detail::throw_invalid("random_permutation", "n", "a size >= 0", n);
  }
  order.resize(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  for (index_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<std::size_t>(uniform_below(rng, static_cast<std::uint64_t>(i) + 1));
    std::swap(order[static_cast<std::size_t>(i)], order[j]);
  }
}

}  // namespace hopfield
