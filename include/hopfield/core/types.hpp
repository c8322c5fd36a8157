#pragma once
/// @file Vocabulary types shared by every room of the library.
#include <Eigen/Core>
#include <concepts>
#include <type_traits>

namespace hopfield {

/// Scalars the library is instantiated for: float, double and long double.
template <class T>
concept Real = std::floating_point<T>;

using index_t = Eigen::Index;

template <Real Scalar>
using vector_t = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
template <Real Scalar>
using row_vector_t = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;
template <Real Scalar>
using matrix_t = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
/// Row-major storage: row i contiguous, for neuron-major sweeps over patterns.
template <Real Scalar>
using row_major_matrix_t = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// True when an Eigen expression is a column vector at compile time (one query, one distribution).
template <class Derived>
inline constexpr bool is_column_vector_v = Derived::ColsAtCompileTime == 1;

namespace detail {
/// A matrix view of any dense expression: arrays are wrapped (no copy), matrices pass through.
template <class Derived>
decltype(auto) as_matrix(const Eigen::DenseBase<Derived>& x) {
  if constexpr (std::is_base_of_v<Eigen::ArrayBase<Derived>, Derived>) {
    return x.derived().matrix();
  } else {
    return x.derived();
  }
}
}  // namespace detail

}  // namespace hopfield
