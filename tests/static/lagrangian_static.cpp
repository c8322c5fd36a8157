// Compile-only: every shipped Lagrangian satisfies the concept for its scalar, says the PSD fact
// docs/lagrangian.md documents, and types missing a piece fail the named requirement they lack.
#include <hopfield/hopfield.hpp>

namespace {
using namespace hopfield;

template <template <class> class P>
constexpr bool satisfied_for_every_scalar() {
  return Lagrangian<P<float>, float> && Lagrangian<P<double>, double> &&
         Lagrangian<P<long double>, long double>;
}

static_assert(satisfied_for_every_scalar<quadratic_lagrangian>());
static_assert(satisfied_for_every_scalar<absolute_value_lagrangian>());
static_assert(satisfied_for_every_scalar<rectified_power_lagrangian>());
static_assert(satisfied_for_every_scalar<exponential_lagrangian>());
static_assert(satisfied_for_every_scalar<log_sum_exp_lagrangian>());
static_assert(satisfied_for_every_scalar<log_cosh_lagrangian>());
static_assert(satisfied_for_every_scalar<softplus_lagrangian>());
static_assert(satisfied_for_every_scalar<layer_norm_lagrangian>());
static_assert(satisfied_for_every_scalar<spherical_lagrangian>());

// Every shipped Hessian is PSD everywhere (docs/lagrangian.md, the table).
static_assert(hessian_psd_v<quadratic_lagrangian<float>>);
static_assert(hessian_psd_v<absolute_value_lagrangian<float>>);
static_assert(hessian_psd_v<rectified_power_lagrangian<float>>);
static_assert(hessian_psd_v<exponential_lagrangian<float>>);
static_assert(hessian_psd_v<log_sum_exp_lagrangian<float>>);
static_assert(hessian_psd_v<log_cosh_lagrangian<float>>);
static_assert(hessian_psd_v<softplus_lagrangian<float>>);
static_assert(hessian_psd_v<layer_norm_lagrangian<float>>);
static_assert(hessian_psd_v<spherical_lagrangian<double>>);

// A policy is written for its scalar: a float policy is no Lagrangian of double states.
static_assert(!Lagrangian<log_sum_exp_lagrangian<float>, double>);
static_assert(!Lagrangian<quadratic_lagrangian<double>, int>);

// Wrong types are rejected by the requirement they lack.
using M = matrix_t<double>;
using R = row_vector_t<double>;
struct no_psd_flag {
  void value(const Eigen::Ref<const M>&, Eigen::Ref<R>) const {}
  void activation(const Eigen::Ref<const M>&, Eigen::Ref<M>) const {}
  void legendre(const Eigen::Ref<const M>&, Eigen::Ref<R>) const {}
  void hessian_vector(const Eigen::Ref<const M>&, const Eigen::Ref<const M>&, Eigen::Ref<M>) const {}
};
struct runtime_psd_flag : no_psd_flag {
  static inline bool hessian_psd = true;  // not a constant expression
};
struct integer_psd_flag : no_psd_flag {
  static constexpr int hessian_psd = 1;  // not a bool
};
struct not_psd : no_psd_flag {  // a non-convex Lagrangian says so, and is still a Lagrangian
  static constexpr bool hessian_psd = false;
};
struct no_hessian {
  static constexpr bool hessian_psd = true;
  void value(const Eigen::Ref<const M>&, Eigen::Ref<R>) const {}
  void activation(const Eigen::Ref<const M>&, Eigen::Ref<M>) const {}
  void legendre(const Eigen::Ref<const M>&, Eigen::Ref<R>) const {}
};

static_assert(!DeclaresHessianPsd<no_psd_flag>);
static_assert(!Lagrangian<no_psd_flag, double>);
static_assert(!DeclaresHessianPsd<runtime_psd_flag>);
static_assert(!DeclaresHessianPsd<integer_psd_flag>);
static_assert(Lagrangian<not_psd, double> && !hessian_psd_v<not_psd>);
static_assert(HasLagrangianValue<no_hessian, double> && HasLegendreTerm<no_hessian, double>);
static_assert(!HasHessianVectorProduct<no_hessian, double>);
static_assert(!Lagrangian<no_hessian, double>);
static_assert(!Lagrangian<int, double>);
}  // namespace
