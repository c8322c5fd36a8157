#pragma once
// The exp pass with the library's own packet exponential (what the column kernel calls), over the
// benchmark scores shifted down by their bound 20: the yardstick that tells a softmax's overhead
// apart from the speed of its exponential. Shared by bench_kernels and scripts/kernel_ab.
#include <cmath>

#include <Eigen/Core>

#include <hopfield/detail/exp_packet.hpp>

inline void own_exp_pass(const float* z, float* out, long size) {
  namespace in = Eigen::internal;
  using packet = in::packet_traits<float>::type;
  constexpr long width = in::packet_traits<float>::size;
  const packet shift = in::pset1<packet>(20.0f);
  long i = 0;
  for (; i + width <= size; i += width)
    in::pstoreu(out + i, hopfield::detail::exp_shifted(in::psub(in::ploadu<packet>(z + i), shift)));
  for (; i < size; ++i) out[i] = std::exp(z[i] - 20.0f);
}
