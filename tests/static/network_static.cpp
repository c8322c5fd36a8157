// Compile-only: the continuous-time network is what hopfield::integrate needs, and its adiabatic
// view is an energy of the library's memories (a CCCP energy exactly when the features are
// quadratic).
#include <hopfield/hopfield.hpp>

namespace {
using namespace hopfield;

template <class S>
using model_b = two_layer_network<S, quadratic_lagrangian<S>, log_sum_exp_lagrangian<S>>;
template <class S>
using model_a = two_layer_network<S, log_cosh_lagrangian<S>, rectified_power_lagrangian<S>>;
using three = hierarchical_network<double, quadratic_lagrangian<double>, softplus_lagrangian<double>,
                                   log_sum_exp_lagrangian<double>>;

static_assert(ContinuousTimeNetwork<model_b<float>> && ContinuousTimeNetwork<model_b<double>>);
static_assert(ContinuousTimeNetwork<model_a<long double>> && ContinuousTimeNetwork<three>);
static_assert(!ContinuousTimeNetwork<modern_hopfield<double>>);  // a memory is not a network

static_assert(EnergyPolicy<three> && EnergyPolicy<model_a<float>>);  // so retrieve runs Euler on them
static_assert(ContinuousEnergyPolicy<adiabatic_network<model_b<double>>>);
static_assert(EnergyPolicy<adiabatic_network<model_a<double>>>);
static_assert(!ContinuousEnergyPolicy<adiabatic_network<model_a<double>>>);
static_assert(UpdatePolicy<damped_cccp_update, adiabatic_network<model_b<float>>>);
}  // namespace
