#pragma once
/// @file The adiabatic limit of a two-layer network (Krotov & Hopfield 2021, §3): when the memory
/// neurons are fast (tau_h -> 0) their currents follow the features, h = xi g(v), and the network
/// becomes an effective theory on the feature layer alone:
///
///   E_eff(v)    = (v - I).g(v) - L_v(v) - L_h(xi g(v))
///   tau_f dv/dt = xi^T f(xi g(v)) + I - v          (f = dL_h/dh)
///
/// E_eff is the full energy at the lifted state (v, xi g(v)), where h.f - L_h - f.xi g = -L_h.
/// The choice of Lagrangians gives the library's three memories: quadratic L_v and log-sum-exp L_h
/// give the modern Hopfield energy |v|^2 / 2 - lse(beta, xi v) (up to its constants) and the
/// effective fixed-point map v <- xi^T softmax(beta xi v) is its CCCP step (attention); an
/// absolute-value L_v (g = sign) with a rectified power L_h gives the dense associative memory's
/// -sum_mu F(xi_mu . sign(v)), and with n = 2 the classical network.
///
/// adiabatic_network is an EnergyPolicy of dimension N_f: hopfield::retrieve runs it with
/// cccp_update or damped_cccp_update (Euler on the effective dynamics, eta = dt / tau_f) when the
/// feature Lagrangian is quadratic, the case where the fixed-point map is a concave-convex step.
#include <concepts>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/lagrangian/quadratic.hpp"
#include "hopfield/network/hierarchical_network.hpp"

namespace hopfield {

template <class Network>
requires(Network::layer_count == 2) class adiabatic_network {
 public:
  using scalar_type = typename Network::scalar_type;
  using network_type = Network;
  using feature_lagrangian = std::tuple_element_t<0, typename Network::lagrangian_tuple>;
  using memory_lagrangian = std::tuple_element_t<1, typename Network::lagrangian_tuple>;
  /// The effective map is a CCCP step (and the energy is 1/2 |v|^2 + concave) only for quadratic features.
  static constexpr bool has_cccp_step = std::same_as<feature_lagrangian, quadratic_lagrangian<scalar_type>>;

  /// Keeps a copy of the network (a value type: its synapses and Lagrangians).
  explicit adiabatic_network(Network network) : network_(std::move(network)) {}

  [[nodiscard]] const Network& network() const { return network_; }
  /// N_f: states are feature currents only.
  [[nodiscard]] index_t dimension() const { return network_.layer_size(0); }

  /// The full network's state for features v (columns): (v, xi g(v)), the memory currents at rest.
  /// @throws std::invalid_argument for a wrong number of rows.
  [[nodiscard]] matrix_t<scalar_type> lift(const Eigen::Ref<const matrix_t<scalar_type>>& features) const {
    check("adiabatic_network::lift", "features", features);
    matrix_t<scalar_type> state(network_.dimension(), features.cols());
    state.topRows(dimension()) = features;
    matrix_t<scalar_type> g(dimension(), features.cols());
    std::get<0>(network_.lagrangians()).activation(features, g);
    state.bottomRows(network_.layer_size(1)).noalias() = network_.synapses()[0] * g;
    return state;
  }

  /// E_eff of one feature state.
  /// @throws std::invalid_argument for a wrong length or non-finite entries.
  [[nodiscard]] scalar_type energy(const Eigen::Ref<const vector_t<scalar_type>>& features) const {
    row_vector_t<scalar_type> e(1);
    energies(Eigen::Map<const matrix_t<scalar_type>>(features.data(), features.size(), 1), e);
    return e(0);
  }

  /// E_eff of every column, into out.
  /// @throws std::invalid_argument for a wrong shape or non-finite entries.
  void energies(const Eigen::Ref<const matrix_t<scalar_type>>& features,
                Eigen::Ref<row_vector_t<scalar_type>> out) const {
    check("adiabatic_network::energies", "features", features);
    detail::require_finite("adiabatic_network::energies", "features", features);
    detail::require_size("adiabatic_network::energies", "out", "size", features.cols(), out.size());
    const auto& [lv, lh] = network_.lagrangians();
    matrix_t<scalar_type> g(dimension(), features.cols());
    lv.activation(features, g);
    lv.legendre(features, out);
    out.noalias() -= network_.input().transpose() * g;
    const matrix_t<scalar_type> h = network_.synapses()[0] * g;
    row_vector_t<scalar_type> value(features.cols());
    lh.value(h, value);
    out -= value;
  }

  /// The effective fixed-point map v <- xi^T f(xi g(v)) + I, for a batch (columns), into out.
  /// @throws std::invalid_argument for a wrong shape.
  void effective_step(const Eigen::Ref<const matrix_t<scalar_type>>& features,
                      Eigen::Ref<matrix_t<scalar_type>> out) const {
    check("adiabatic_network::effective_step", "features", features);
    detail::require_size("adiabatic_network::effective_step", "out", "cols", features.cols(), out.cols());
    detail::require_size("adiabatic_network::effective_step", "out", "rows", dimension(), out.rows());
    const auto& [lv, lh] = network_.lagrangians();
    const auto& xi = network_.synapses()[0];
    matrix_t<scalar_type> g(dimension(), features.cols());
    lv.activation(features, g);
    const matrix_t<scalar_type> h = xi * g;
    matrix_t<scalar_type> f(h.rows(), h.cols());
    lh.activation(h, f);
    out.noalias() = xi.transpose() * f;
    out.colwise() += network_.input();
  }

  /// With quadratic features the effective map is the concave-convex step of E_eff, so the CCCP
  /// updates of the modern memory run on this energy (ContinuousEnergyPolicy).
  void cccp_step(const Eigen::Ref<const matrix_t<scalar_type>>& features,
                 Eigen::Ref<matrix_t<scalar_type>> out) const requires has_cccp_step {
    effective_step(features, out);
  }

  /// dv/dt of the effective dynamics: (effective_step(v) - v) / tau_f.
  /// @throws std::invalid_argument for a wrong shape.
  void time_derivative(const Eigen::Ref<const matrix_t<scalar_type>>& features,
                       Eigen::Ref<matrix_t<scalar_type>> out) const {
    effective_step(features, out);
    out = (out - features) / network_.time_constants()[0];
  }

 private:
  void check(std::string_view function, std::string_view argument,
             const Eigen::Ref<const matrix_t<scalar_type>>& features) const {
    detail::require_size(function, argument, "rows (N_f)", dimension(), features.rows());
  }

  Network network_;
};

}  // namespace hopfield
