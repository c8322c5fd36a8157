// Adversarial suite, room core/: the vocabulary types at their extremes (energy gaps with a log
// scale, signed logarithms, stop reasons). The seeded random draws are in core_random.cpp.
#include "adversarial_support.hpp"

#include <cmath>
#include <limits>

using namespace hopfield;

TEST_CASE("core: energy_gap::exact saturates, keeps the sign and never invents a NaN",
          "[adversarial][core]") {
  constexpr float inf = std::numeric_limits<float>::infinity();
  CHECK(energy_gap<float>{0.0f, 1e30f}.exact() == 0.0f);
  CHECK(energy_gap<float>{2.0f, 0.0f}.exact() == 2.0f);
  CHECK(energy_gap<float>{1.0f, 1000.0f}.exact() == inf);
  CHECK(energy_gap<float>{-1.0f, 1000.0f}.exact() == -inf);
  CHECK(energy_gap<float>{1.0f, -1000.0f}.exact() == 0.0f);
  CHECK(energy_gap<double>{-3.0, std::log(2.0)}.exact() == Approx(-6.0));
  CHECK(std::isnan(energy_gap<float>{std::numeric_limits<float>::quiet_NaN(), 1.0f}.exact()));
}

TEST_CASE("core: signed_log::value at the edges of the range", "[adversarial][core]") {
  CHECK(signed_log<double>{}.value() == 0.0);
  CHECK(signed_log<double>{1.0, 1e6}.value() == std::numeric_limits<double>::infinity());
  CHECK(signed_log<double>{-1.0, 1e6}.value() == -std::numeric_limits<double>::infinity());
  CHECK(signed_log<double>{1.0, -1e6}.value() == 0.0);
  CHECK(signed_log<float>{-1.0f, std::log(3.0f)}.value() == Approx(-3.0f));
}

TEST_CASE("core: every stop reason has a name", "[adversarial][core]") {
  CHECK(to_string(stop_reason::converged) == "converged");
  CHECK(to_string(stop_reason::two_cycle) == "two_cycle");
  CHECK(to_string(stop_reason::step_limit) == "step_limit");
  CHECK(to_string(static_cast<stop_reason>(42)) == "unknown");
}
