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
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/lagrangian/lagrangian.hpp"

namespace hopfield {

/// Scratch space of a network's no-allocation members (evaluate, and the overloads of
/// time_derivative and energies that take one): sized once by make_workspace(columns) for batches
/// of up to `columns` states, then reused every step.
template <Real Scalar>
struct network_workspace {
  matrix_t<Scalar> outputs;   ///< every layer's g (dimension x columns)
  matrix_t<Scalar> coupled;   ///< xi^A g^A of one synapse (largest layer x columns)
  row_vector_t<Scalar> term;  ///< one layer's Legendre terms (columns)

  [[nodiscard]] index_t columns() const { return outputs.cols(); }
};

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

  /// Scratch space for batches of up to `columns` states (the no-allocation members below).
  /// @throws std::invalid_argument when columns < 1.
  [[nodiscard]] network_workspace<Scalar> make_workspace(index_t columns) const {
    if (columns < 1)
      detail::throw_invalid("hierarchical_network::make_workspace", "columns", "at least 1", columns);
    index_t widest = 0;
    for (std::size_t a = 1; a < layer_count; ++a) widest = std::max(widest, sizes_[a]);
    return {matrix_t<Scalar>(dimension(), columns), matrix_t<Scalar>(widest, columns),
            row_vector_t<Scalar>(columns)};
  }

  /// dx/dt and E of stacked states (columns) in one pass: the outputs once, and per synapse the two
  /// products xi g (bottom-up, shared by dx/dt and E) and xi^T g (top-down). Allocates nothing when
  /// `workspace` holds at least states.cols() columns.
  /// @throws std::invalid_argument for a wrong shape or a workspace that is too small.
  void evaluate(const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<matrix_t<Scalar>> rate,
                Eigen::Ref<row_vector_t<Scalar>> energies, network_workspace<Scalar>& workspace) const {
    constexpr std::string_view fn = "hierarchical_network::evaluate";
    check_batch(fn, states, workspace);
    check_rate(fn, states, rate);
    detail::require_size(fn, "energies", "size", states.cols(), energies.size());
    const index_t count = states.cols();
    auto g = workspace.outputs.leftCols(count);
    legendre_and_outputs(states, g, energies, workspace.term.head(count));
    energies.noalias() -= input_.transpose() * layer(g, 0);
    rate = -states;
    layer(rate, 0).colwise() += input_;
    for (std::size_t a = 0; a + 1 < layer_count; ++a) {
      auto coupled = workspace.coupled.topLeftCorner(sizes_[a + 1], count);
      coupled.noalias() = synapses_[a] * layer(g, a);
      energies -= layer(g, a + 1).cwiseProduct(coupled).colwise().sum();
      layer(rate, a + 1) += coupled;                                           // bottom-up
      layer(rate, a).noalias() += synapses_[a].transpose() * layer(g, a + 1);  // top-down
    }
    scale_by_time_constants(rate);
  }

  /// dx/dt of stacked states (columns), into `out`: each layer's right-hand side over its tau.
  /// @throws std::invalid_argument for a wrong shape.
  void time_derivative(const Eigen::Ref<const matrix_t<Scalar>>& states,
                       Eigen::Ref<matrix_t<Scalar>> out) const {
    auto workspace = make_workspace(std::max<index_t>(states.cols(), 1));
    time_derivative(states, out, workspace);
  }

  /// time_derivative without allocating: the outputs go to `workspace`.
  /// @throws std::invalid_argument for a wrong shape or a workspace that is too small.
  void time_derivative(const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<matrix_t<Scalar>> out,
                       network_workspace<Scalar>& workspace) const {
    constexpr std::string_view fn = "hierarchical_network::time_derivative";
    check_batch(fn, states, workspace);
    check_rate(fn, states, out);
    auto g = workspace.outputs.leftCols(states.cols());
    outputs(states, g);
    out = -states;
    layer(out, 0).colwise() += input_;
    for (std::size_t a = 0; a + 1 < layer_count; ++a) {
      layer(out, a + 1).noalias() += synapses_[a] * layer(g, a);              // bottom-up
      layer(out, a).noalias() += synapses_[a].transpose() * layer(g, a + 1);  // top-down
    }
    scale_by_time_constants(out);
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
    auto workspace = make_workspace(std::max<index_t>(states.cols(), 1));
    energies(states, out, workspace);
  }

  /// energies without allocating: the outputs and products go to `workspace`.
  /// @throws std::invalid_argument for a wrong shape, non-finite entries or a workspace that is
  ///         too small.
  void energies(const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<row_vector_t<Scalar>> out,
                network_workspace<Scalar>& workspace) const {
    constexpr std::string_view fn = "hierarchical_network::energies";
    check_batch(fn, states, workspace);
    detail::require_finite(fn, "states", states);
    detail::require_size(fn, "out", "size", states.cols(), out.size());
    const index_t count = states.cols();
    auto g = workspace.outputs.leftCols(count);
    legendre_and_outputs(states, g, out, workspace.term.head(count));
    out.noalias() -= input_.transpose() * layer(g, 0);
    for (std::size_t a = 0; a + 1 < layer_count; ++a) {
      auto coupled = workspace.coupled.topLeftCorner(sizes_[a + 1], count);
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

  void check_batch(std::string_view function, const Eigen::Ref<const matrix_t<Scalar>>& states,
                   const network_workspace<Scalar>& workspace) const {
    check_states(function, states);
    if (workspace.outputs.rows() != dimension() || workspace.columns() < states.cols() ||
        workspace.term.size() < states.cols())
      detail::throw_invalid(
          function, "workspace",
          "make_workspace(n) of this network with n >= " + std::to_string(states.cols()) + " columns",
          std::to_string(workspace.outputs.rows()) + " rows, " + std::to_string(workspace.columns()) +
              " columns");
  }

  void check_rate(std::string_view function, const Eigen::Ref<const matrix_t<Scalar>>& states,
                  const Eigen::Ref<matrix_t<Scalar>>& rate) const {
    detail::require_size(function, "out", "cols", states.cols(), rate.cols());
    detail::require_size(function, "out", "rows", dimension(), rate.rows());
  }

  // Every layer's outputs into g and the sum of the layers' Legendre terms into sum, through the
  // fused member where a Lagrangian has one (one exponential pass for log-sum-exp, not two).
  void legendre_and_outputs(const Eigen::Ref<const matrix_t<Scalar>>& states, Eigen::Ref<matrix_t<Scalar>> g,
                            Eigen::Ref<row_vector_t<Scalar>> sum,
                            Eigen::Ref<row_vector_t<Scalar>> term) const {
    sum.setZero();
    for_each_layer([&](auto a, const auto& lagrangian) {
      using L = std::remove_cvref_t<decltype(lagrangian)>;
      if constexpr (HasFusedActivationLegendre<L, Scalar>) {
        lagrangian.activation_and_legendre(layer(states, a), layer(g, a), term);
      } else {
        lagrangian.activation(layer(states, a), layer(g, a));
        lagrangian.legendre(layer(states, a), term);
      }
      sum += term;
    });
  }

  void scale_by_time_constants(Eigen::Ref<matrix_t<Scalar>> rate) const {
    for (std::size_t a = 0; a < layer_count; ++a) layer(rate, a) /= taus_[a];
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
