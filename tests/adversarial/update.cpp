// Adversarial suite, room update/: the update policies' own settings, NaN gaps (never a tie),
// and dynamics that leave the scalar's range.
#include "adversarial_support.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

using namespace hopfield;
using adversarial::require_throws;

namespace {
/// The classical energy with one poisoned neuron: its gap is NaN (what overflowed weights give).
struct nan_gap_energy : quadratic_energy<float> {
  using quadratic_energy<float>::quadratic_energy;
  index_t poisoned = 3;
  [[nodiscard]] energy_gap<float> gap(const context_type& ctx, const Eigen::Ref<const vector_t<float>>& s,
                                      index_t i) const {
    if (i == poisoned) return {std::numeric_limits<float>::quiet_NaN(), 0.0f};
    return quadratic_energy<float>::gap(ctx, s, i);
  }
  void gaps(const Eigen::Ref<const matrix_t<float>>& states, Eigen::Ref<matrix_t<float>> out) const {
    quadratic_energy<float>::gaps(states, out);
    out.row(poisoned).setConstant(std::numeric_limits<float>::quiet_NaN());
  }
};
}  // namespace

TEST_CASE("update: settings are validated before any step", "[adversarial][update]") {
  const matrix_t<double> x = adversarial::gaussian<double>(6, 5, 1);
  const modern_hopfield<double> memory(x, {.beta = 2.0});
  for (const double eta :
       {0.0, -0.5, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    require_throws<std::invalid_argument>(
        [&] { (void)memory.retrieve(x.col(0), {}, damped_cccp_update{.eta = eta}); }, "damped_cccp_update",
        "eta");
  }
  const matrix_t<float> b = random_binary_patterns<float>(16, 2, 2);
  const classical_hopfield<float> net(b);
  for (const double t :
       {-1.0, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    require_throws<std::invalid_argument>(
        [&] { (void)net.retrieve(b.col(0), {}, stochastic_update{.temperature = t}); }, "temperature");
  }
}

TEST_CASE("update: a NaN gap is never a tie, for every binary update",
          "[adversarial][update][defect6][defect11]") {
  // Before the fix a NaN gap kept the neuron, the sweep counted no flip, and the engine reported
  // "converged" on a state it never examined.
  const matrix_t<float> x = random_binary_patterns<float>(8, 2, 3);
  classical_hopfield<float> net(x);
  nan_gap_energy energy{};
  static_cast<quadratic_energy<float>&>(energy) = net.energy_policy();
  const vector_t<float> q = x.col(0);
  require_throws<std::overflow_error>([&] { (void)retrieve(energy, asynchronous_update{}, q); },
                                      "asynchronous_update", "neuron 3", "NaN");
  require_throws<std::overflow_error>([&] { (void)retrieve(energy, synchronous_update{}, q); },
                                      "synchronous_update", "neuron 3");
  require_throws<std::overflow_error>(
      [&] { (void)retrieve(energy, stochastic_update{.temperature = 0.5}, q); }, "stochastic_update");
  require_throws<std::overflow_error>(
      [&] { (void)retrieve(energy, stochastic_update{.temperature = 0.0}, q); }, "stochastic_update");
}

TEST_CASE("update: dynamics that diverge end in an error, not NaN states at the step limit",
          "[adversarial][update]") {
  // eta = 1e300 is accepted (any finite eta > 0 runs) but throws the state out of range.
  const matrix_t<double> x = adversarial::gaussian<double>(6, 5, 4);
  const modern_hopfield<double> memory(x, {.beta = 1.0});
  require_throws<std::overflow_error>(
      [&] {
        (void)memory.retrieve(adversarial::gaussian<double>(6, 1, 5), {}, damped_cccp_update{.eta = 1e300});
      },
      "retrieve");
}
