// Compile-only: every shipped policy satisfies its concept and wrong types do not.
#include <hopfield/hopfield.hpp>

namespace {
using namespace hopfield;

struct not_an_energy {};
struct energy_without_dimension {
  using scalar_type = float;
  float energy(const Eigen::Ref<const vector_t<float>>&) const { return 0; }
};
struct integer_energy {
  using scalar_type = int;
};

// Reference policies.
static_assert(EnergyPolicy<reference_energy<float>>);
static_assert(BinaryEnergyPolicy<reference_energy<double>>);
static_assert(HasBatchGaps<reference_energy<double>>);
static_assert(!ContinuousEnergyPolicy<reference_energy<double>>);
static_assert(UpdatePolicy<reference_update, reference_energy<float>>);

// Shipped updates on a binary energy.
static_assert(SweepUpdate<asynchronous_update, reference_energy<float>>);
static_assert(SweepUpdate<stochastic_update, reference_energy<float>>);
static_assert(BatchUpdate<synchronous_update, reference_energy<float>>);
static_assert(!UpdatePolicy<cccp_update, reference_energy<float>>);

// Wrong types are rejected, each by the named requirement it lacks.
static_assert(!EnergyPolicy<not_an_energy>);
static_assert(!HasScalarType<not_an_energy>);
static_assert(!HasScalarType<integer_energy>);
static_assert(!HasDimension<energy_without_dimension>);
static_assert(!EnergyPolicy<energy_without_dimension>);
static_assert(!BinaryEnergyPolicy<energy_without_dimension>);
static_assert(!UpdatePolicy<not_an_energy, reference_energy<float>>);
static_assert(!UpdatePolicy<int, reference_energy<float>>);
}  // namespace
