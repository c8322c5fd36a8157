// Compile-only: the classical energy and learning rules satisfy their concepts; wrong types do not.
#include <hopfield/hopfield.hpp>

namespace {
using namespace hopfield;

static_assert(EnergyPolicy<quadratic_energy<float>>);
static_assert(BinaryEnergyPolicy<quadratic_energy<double>>);
static_assert(BinaryEnergyPolicy<quadratic_energy<long double>>);
static_assert(HasBatchGaps<quadratic_energy<float>>);
static_assert(!ContinuousEnergyPolicy<quadratic_energy<float>>);

// Every binary update runs on it; the continuous one does not.
static_assert(UpdatePolicy<asynchronous_update, quadratic_energy<float>>);
static_assert(UpdatePolicy<synchronous_update, quadratic_energy<float>>);
static_assert(UpdatePolicy<stochastic_update, quadratic_energy<double>>);
static_assert(UpdatePolicy<reference_update, quadratic_energy<double>>);
static_assert(!UpdatePolicy<cccp_update, quadratic_energy<float>>);

// Learning rules.
static_assert(LearningRule<hebbian, float>);
static_assert(LearningRule<storkey, double>);
static_assert(LearningRule<pseudo_inverse, float>);
static_assert(hebbian::has_pattern_form && !storkey::has_pattern_form && !pseudo_inverse::has_pattern_form);

struct not_a_rule {};
struct rule_without_add {
  static constexpr bool has_pattern_form = false;
  template <Real Scalar>
  struct learner {
    learner() = default;
    explicit learner(const rule_without_add&) {}
    static Scalar denominator(index_t) { return 1; }
    void build(const Eigen::Ref<const matrix_t<Scalar>>&, matrix_t<Scalar>&) {}
    void reserve(index_t) {}
  };
};
static_assert(!LearningRule<not_a_rule, float>);
static_assert(!LearningRule<rule_without_add, float>);
static_assert(!LearningRule<int, float>);

// The memory's types.
static_assert(std::is_same_v<classical_hopfield<float>::rule_type, hebbian>);
static_assert(std::is_same_v<classical_hopfield<double, storkey>::energy_type, quadratic_energy<double>>);
static_assert(std::is_aggregate_v<classical_options<float>>);
}  // namespace
