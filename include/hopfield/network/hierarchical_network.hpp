#pragma once
/// @file The general continuous-time associative memory (Krotov & Hopfield 2021, eqs. 1-4;
/// Krotov 2021, "Hierarchical Associative Memory"): layers A = 0..L-1 of neurons with currents x^A,
/// each with a Lagrangian L^A whose gradient g^A = dL^A/dx^A is the layer's output, a time
/// constant tau_A, and symmetric synapses xi^A (N_{A+1} x N_A) between neighbouring layers:
///
///   tau_A dx^A/dt = xi^{A-1} g^{A-1} + (xi^A)^T g^{A+1} - x^A  (+ I on layer 0)
///   E = sum_A [x^A . g^A - L^A] - I . g^0 - sum_A g^{A+1} . xi^A g^A
///   dE/dt = -sum_A tau_A (dx^A/dt)^T H^A (dx^A/dt)                    (<= 0 for PSD Hessians)
///
/// The two-layer network of the paper is the case L = 2: features v (layer 0, input I) and memory
/// neurons h (layer 1), xi the N_h x N_f memories. With a quadratic feature Lagrangian and a
/// log-sum-exp memory Lagrangian its fixed points are the modern Hopfield network's (model B); with
/// a rectified power it is the dense associative memory (model A).
///
/// A state is all layers' currents stacked in one column (layer 0 first, dimension() = sum N_A),
/// so the network is an EnergyPolicy that the shared retrieval engine runs with a continuous-time
/// integrator (network/euler_integrator.hpp), batches included.
#include <array>
#include <cstddef>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/lagrangian/lagrangian.hpp"

namespace hopfield {

template <Real Scalar, class... Lagrangians>
requires(sizeof...(Lagrangians) >= 2 && (Lagrangian<Lagrangians, Scalar> && ...)) class hierarchical_network {
 public:
  using scalar_type = Scalar;
  using lagrangian_tuple = std::tuple<Lagrangians...>;
  static constexpr std::size_t layer_count = sizeof...(Lagrangians);
  /// Every layer's Hessian is PSD, so the energy never increases along exact trajectories.
  static constexpr bool energy_monotone = (Lagrangians::hessian_psd && ...);

  /// synapses[A] is N_{A+1} x N_A (layer sizes follow from them); time_constants[A] = tau_A; the
  /// input current I of layer 0 (empty: zero).
  /// @throws std::invalid_argument (naming "hierarchical_network") when a synapse matrix is empty,
  ///         not finite or does not chain with its neighbours, a time constant is not finite and
  ///         > 0, or the input is not finite or not of size N_0.
  hierarchical_network(std::vector<matrix_t<Scalar>> synapses,
                       const std::array<Scalar, layer_count>& time_constants,
                       lagrangian_tuple lagrangians = lagrangian_tuple(), vector_t<Scalar> input = {})
      : synapses_(std::move(synapses)),
        taus_(time_constants),
        lagrangians_(std::move(lagrangians)),
        input_(std::move(input)) {
    constexpr std::string_view fn = "hierarchical_network";
    detail::require_size(fn, "synapses", "count (layers - 1)", static_cast<index_t>(layer_count - 1),
                         static_cast<index_t>(synapses_.size()));
    for (std::size_t a = 0; a + 1 < layer_count; ++a) {
      const std::string name = "synapses[" + std::to_string(a) + "]";
      detail::require_non_empty(fn, name, synapses_[a].rows(), synapses_[a].cols());
      detail::require_finite(fn, name, synapses_[a]);
      if (a > 0)
        detail::require_size(fn, name, "cols (the previous layer's size)", synapses_[a - 1].rows(),
                             synapses_[a].cols());
    }
    for (std::size_t a = 0; a < layer_count; ++a) {
      detail::require_positive_finite(fn, "time_constants[" + std::to_string(a) + "]", taus_[a]);
    }
    sizes_[0] = synapses_[0].cols();
    for (std::size_t a = 1; a < layer_count; ++a) sizes_[a] = synapses_[a - 1].rows();
    offsets_[0] = 0;
    for (std::size_t a = 1; a < layer_count; ++a) offsets_[a] = offsets_[a - 1] + sizes_[a - 1];
    if (input_.size() == 0) input_ = vector_t<Scalar>::Zero(sizes_[0]);
    detail::require_size(fn, "input", "size (N_0)", sizes_[0], input_.size());
    detail::require_finite(fn, "input", input_);
  }

  /// Required by EnergyPolicy: the stacked state's length, sum_A N_A.
  [[nodiscard]] index_t dimension() const { return offsets_[layer_count - 1] + sizes_[layer_count - 1]; }
  [[nodiscard]] index_t layer_size(std::size_t layer) const { return sizes_.at(layer); }
  /// Row of the stacked state where layer A's currents start.
  [[nodiscard]] index_t layer_offset(std::size_t layer) const { return offsets_.at(layer); }
  [[nodiscard]] const std::vector<matrix_t<Scalar>>& synapses() const { return synapses_; }
  [[nodiscard]] const std::array<Scalar, layer_count>& time_constants() const { return taus_; }
  [[nodiscard]] const vector_t<Scalar>& input() const { return input_; }
  [[nodiscard]] const std::tuple<Lagrangians...>& lagrangians() const { return lagrangians_; }

  /// Layer A's rows of stacked states.
  template <class Derived>
  [[nodiscard]] auto layer(Derived&& states, std::size_t a) const {
    return states.middleRows(offsets_[a], sizes_[a]);
  }

  /// Every layer's outputs g^A for stacked states (columns), into `outputs` (same shape).
  /// @throws std::invalid_argument for a wrong shape.
  void outputs(const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<matrix_t<Scalar>> outputs) const {
    check_states("hierarchical_network::outputs", states);
    detail::require_size("hierarchical_network::outputs", "outputs", "cols", states.cols(), outputs.cols());
    detail::require_size("hierarchical_network::outputs", "outputs", "rows", dimension(), outputs.rows());
    for_each_layer(
        [&](auto a, const auto& lagrangian) { lagrangian.activation(layer(states, a), layer(outputs, a)); });
  }

  /// dx/dt of stacked states (columns), into `out`: each layer's right-hand side over its tau.
  /// @throws std::invalid_argument for a wrong shape.
  void time_derivative(const Eigen::Ref<const matrix_t<Scalar>>& states,
                       Eigen::Ref<matrix_t<Scalar>> out) const {
    check_states("hierarchical_network::time_derivative", states);
    detail::require_size("hierarchical_network::time_derivative", "out", "cols", states.cols(), out.cols());
    detail::require_size("hierarchical_network::time_derivative", "out", "rows", dimension(), out.rows());
    matrix_t<Scalar> g(dimension(), states.cols());
    outputs(states, g);
    derivative_from_outputs(states, g, out);
  }

  /// E of one stacked state (eq. 2 and its hierarchical form).
  /// @throws std::invalid_argument for a state of the wrong length or with non-finite entries.
  [[nodiscard]] Scalar energy(const Eigen::Ref<const vector_t<Scalar>>& state) const {
    row_vector_t<Scalar> e(1);
    energies(Eigen::Map<const matrix_t<Scalar>>(state.data(), state.size(), 1), e);
    return e(0);
  }

  /// E of every column of stacked states, into `out`.
  /// @throws std::invalid_argument for a wrong shape or non-finite entries.
  void energies(const Eigen::Ref<const matrix_t<Scalar>>& states,
                Eigen::Ref<row_vector_t<Scalar>> out) const {
    check_states("hierarchical_network::energies", states);
    detail::require_finite("hierarchical_network::energies", "states", states);
    detail::require_size("hierarchical_network::energies", "out", "size", states.cols(), out.size());
    matrix_t<Scalar> g(dimension(), states.cols());
    outputs(states, g);
    row_vector_t<Scalar> term(states.cols());
    out.setZero();
    for_each_layer([&](auto a, const auto& lagrangian) {
      lagrangian.legendre(layer(states, a), term);
      out += term;
    });
    out.noalias() -= input_.transpose() * layer(g, 0);
    matrix_t<Scalar> coupled;
    for (std::size_t a = 0; a + 1 < layer_count; ++a) {
      coupled.noalias() = synapses_[a] * layer(g, a);
      out -= layer(g, a + 1).cwiseProduct(coupled).colwise().sum();
    }
  }

  /// dE/dt of every column of stacked states: -sum_A tau_A (dx^A/dt)^T H^A (dx^A/dt) (eq. 4),
  /// into `out`; <= 0 when every Lagrangian's Hessian is PSD.
  /// @throws std::invalid_argument for a wrong shape.
  void energy_rates(const Eigen::Ref<const matrix_t<Scalar>>& states,
                    Eigen::Ref<row_vector_t<Scalar>> out) const {
    check_states("hierarchical_network::energy_rates", states);
    detail::require_size("hierarchical_network::energy_rates", "out", "size", states.cols(), out.size());
    matrix_t<Scalar> rate(dimension(), states.cols());
    time_derivative(states, rate);
    matrix_t<Scalar> curvature(dimension(), states.cols());
    out.setZero();
    for_each_layer([&](auto a, const auto& lagrangian) {
      lagrangian.hessian_vector(layer(states, a), layer(rate, a), layer(curvature, a));
      out -= taus_[a] * layer(rate, a).cwiseProduct(layer(curvature, a)).colwise().sum();
    });
  }

 private:
  void check_states(std::string_view function, const Eigen::Ref<const matrix_t<Scalar>>& states) const {
    detail::require_size(function, "states", "rows (sum of the layer sizes)", dimension(), states.rows());
  }

  // out = dx/dt from states x and their outputs g (stacked, columns).
  void derivative_from_outputs(const Eigen::Ref<const matrix_t<Scalar>>& states,
                               const Eigen::Ref<const matrix_t<Scalar>>& g,
                               Eigen::Ref<matrix_t<Scalar>> out) const {
    out = -states;
    layer(out, 0).colwise() += input_;
    for (std::size_t a = 0; a + 1 < layer_count; ++a) {
      layer(out, a + 1).noalias() += synapses_[a] * layer(g, a);              // bottom-up
      layer(out, a).noalias() += synapses_[a].transpose() * layer(g, a + 1);  // top-down
    }
    for (std::size_t a = 0; a < layer_count; ++a) layer(out, a) /= taus_[a];
  }

  template <class F>
  void for_each_layer(F&& f) const {
    [&]<std::size_t... A>(std::index_sequence<A...>) {
      (f(A, std::get<A>(lagrangians_)), ...);
    }
    (std::index_sequence_for<Lagrangians...>{});
  }

  std::vector<matrix_t<Scalar>> synapses_;
  std::array<Scalar, layer_count> taus_;
  std::tuple<Lagrangians...> lagrangians_;
  vector_t<Scalar> input_;
  std::array<index_t, layer_count> sizes_{};
  std::array<index_t, layer_count> offsets_{};
};

/// The two-layer network: features (N_f, Lagrangian Lf, tau_f, input I) and memory neurons (N_h,
/// Lh, tau_h), memories xi (N_h x N_f).
template <Real Scalar, class Lf, class Lh>
using two_layer_network = hierarchical_network<Scalar, Lf, Lh>;

}  // namespace hopfield
