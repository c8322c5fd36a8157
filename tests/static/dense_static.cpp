// Compile-only: the dense memory's energy and interactions satisfy their concepts, user
// interactions plug in, and wrong types are rejected.
#include <cmath>
#include <type_traits>

#include <hopfield/hopfield.hpp>

namespace {
using namespace hopfield;

// A user interaction with only F.
struct cube {
  template <class T>
  T operator()(T x) const {
    return x * x * x;
  }
};
// A user interaction with F and a safe difference.
struct doubling {
  template <class T>
  T operator()(T x) const {
    return std::exp2(x);
  }
  template <class T>
  T difference(T a) const {
    return T(1.5) * std::exp2(a);
  }
};
struct not_callable {};
struct not_default_constructible {
  explicit not_default_constructible(int) {}
  float operator()(float x) const { return x; }
};
constexpr auto lambda_interaction = [](auto x) { return x * x * x * x; };
using lambda_type = std::remove_const_t<decltype(lambda_interaction)>;

// Shipped interactions and their optional members.
static_assert(InteractionFunction<polynomial, float>);
static_assert(InteractionFunction<rectified_polynomial, double>);
static_assert(InteractionFunction<exponential, long double>);
static_assert(HasBlockDifferences<polynomial, float>);
static_assert(HasBlockDifferences<rectified_polynomial, double>);
static_assert(HasBlockDifferences<exponential, float>);
static_assert(HasSafeDifference<exponential, double>);
static_assert(HasLogSum<polynomial, double>);
static_assert(HasLogSum<exponential, float>);

// User interactions: F alone (a struct or a captureless lambda), F with a difference.
static_assert(InteractionFunction<cube, float>);
static_assert(!HasSafeDifference<cube, float>);
static_assert(!HasScaledDifference<cube, float>);
static_assert(InteractionFunction<lambda_type, double>);
static_assert(HasSafeDifference<doubling, float>);
static_assert(!HasScaledDifference<doubling, float>);

// Wrong types are rejected.
static_assert(!InteractionFunction<not_callable, float>);
static_assert(!InteractionFunction<not_default_constructible, float>);
static_assert(!InteractionFunction<polynomial, int>);

// The energy is a binary energy with batch gaps, for every interaction and scalar.
static_assert(BinaryEnergyPolicy<interaction_energy<float>>);
static_assert(BinaryEnergyPolicy<interaction_energy<double, rectified_polynomial>>);
static_assert(BinaryEnergyPolicy<interaction_energy<long double, exponential>>);
static_assert(BinaryEnergyPolicy<interaction_energy<float, cube>>);
static_assert(BinaryEnergyPolicy<interaction_energy<double, lambda_type>>);
static_assert(HasBatchGaps<interaction_energy<float, exponential>>);
static_assert(HasBatchGaps<interaction_energy<double, doubling>>);
static_assert(!ContinuousEnergyPolicy<interaction_energy<float>>);

// Every binary update runs it; the CCCP step does not.
static_assert(SweepUpdate<asynchronous_update, interaction_energy<float, exponential>>);
static_assert(SweepUpdate<stochastic_update, interaction_energy<double>>);
static_assert(BatchUpdate<synchronous_update, interaction_energy<float, rectified_polynomial>>);
static_assert(!UpdatePolicy<cccp_update, interaction_energy<float>>);

// The memory's defaults and names.
static_assert(std::is_same_v<dense_associative_memory<float>::interaction_type, polynomial>);
static_assert(std::is_same_v<dense_associative_memory<double, exponential>::energy_type,
                             interaction_energy<double, exponential>>);
}  // namespace
