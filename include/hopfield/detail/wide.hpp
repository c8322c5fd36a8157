#pragma once
/// @file The accumulation type for sums of many terms: float sums run in double so that a sum of
/// 10^6 exponentials keeps float's relative precision; wider types accumulate in themselves.
#include <type_traits>

namespace hopfield::detail {

template <class Scalar>
using wide_t = std::conditional_t<std::is_same_v<Scalar, float>, double, Scalar>;

/// Block length for fused passes: a block of exponentials stays in L1 while it is summed.
inline constexpr long kernel_block = 2048;

}  // namespace hopfield::detail
