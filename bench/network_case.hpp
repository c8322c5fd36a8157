#pragma once
/// @file The model-B retrieval that bench_network times and that bench_peers_compare exports for
/// the numpy peer (bench/peers/network_peer.py): one definition of sizes, seeds and parameters, so
/// both programs time the same work.
///
/// Model B (Krotov & Hopfield 2021, section 3.2): a two-layer network with quadratic features
/// (g = v) and log-sum-exp(beta) memory neurons (f = softmax(beta h)), the memories xi the stored
/// patterns as rows. Patterns are unit vectors (as fashion_recall stores its images); the queries
/// are noisy copies of the first B patterns (noise of half the pattern's length), and the memory
/// currents start at rest, h = xi v0. Explicit Euler with dt = 0.05 (tau_h = 0.1: half the
/// memory layer's relaxation per step, well inside Euler's stability bound dt < 2 tau_h) runs each
/// state until |dx/dt| <= 1e-4 in the max norm over both layers.
///
/// Why beta = 32: random unit vectors in N = 256 dimensions overlap by about 1/sqrt(N) = 0.06 (at
/// most about 0.25 over 1024 of them); a noisy query overlaps its own pattern by about 1, so a gap
/// of about 0.75 times beta = 24 in the softmax's exponent picks one memory: the retrieval ends on
/// the stored pattern, the realistic case, and the energy landscape is not degenerate.
#include <cmath>
#include <cstdint>

#include <hopfield/hopfield.hpp>

namespace bench_case {

using hopfield::index_t;

/// Sizes and parameters of the model-B retrieval (float, as the other peers).
struct model_b_sizes {
  static constexpr index_t features = 256;   // N_f
  static constexpr index_t memories = 1024;  // N_h (stored patterns)
  static constexpr index_t batch = 64;       // queries retrieved together
  static constexpr float beta = 32.0f;
  static constexpr float tau_f = 1.0f, tau_h = 0.1f;
  static constexpr double dt = 0.05;
  static constexpr double tolerance = 1e-4;  // on max |dx/dt|
  static constexpr index_t max_steps = 5000;
  static constexpr float noise = 0.5f;  // Gaussian noise per query, as a fraction of a pattern's length
  static constexpr std::uint64_t seed = 2031;
};

using model_b_network = hopfield::two_layer_network<float, hopfield::quadratic_lagrangian<float>,
                                                    hopfield::log_sum_exp_lagrangian<float>>;

/// The inputs: patterns (N_f x N_h, unit columns), queries (N_f x B) and the stacked start states
/// ((N_f + N_h) x B: the queries, then the memory currents at rest).
struct model_b_inputs {
  using s = model_b_sizes;
  hopfield::matrix_t<float> patterns =
      hopfield::random_sphere_patterns<float>(s::features, s::memories, s::seed);
  hopfield::matrix_t<float> queries = hopfield::add_gaussian_noise(
      patterns.leftCols(s::batch), s::noise / std::sqrt(static_cast<float>(s::features)), s::seed + 1);
  model_b_network network{
      {patterns.transpose()},
      {s::tau_f, s::tau_h},
      {hopfield::quadratic_lagrangian<float>{}, hopfield::log_sum_exp_lagrangian<float>(s::beta)}};
  hopfield::matrix_t<float> starts = stacked_starts();

  [[nodiscard]] hopfield::euler_integrator integrator() const { return {.dt = s::dt}; }
  [[nodiscard]] hopfield::retrieval_options options() const {
    hopfield::retrieval_options o;
    o.max_steps = s::max_steps;
    o.tolerance = s::tolerance;
    return o;
  }

 private:
  [[nodiscard]] hopfield::matrix_t<float> stacked_starts() const {
    hopfield::matrix_t<float> x(s::features + s::memories, s::batch);
    x.topRows(s::features) = queries;
    x.bottomRows(s::memories).noalias() = patterns.transpose() * queries;  // h at rest: xi v0
    return x;
  }
};

}  // namespace bench_case
