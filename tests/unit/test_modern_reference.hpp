#pragma once
// Independent references for the modern Hopfield tests: plain loops in long double, no library
// kernels, no blocking.
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

namespace test {

using ld_matrix = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;

/// V softmax(beta K^T Q), column by column, in long double.
template <class K, class V, class Q>
ld_matrix naive_update(const K& keys, const V& values, const Q& queries, long double beta) {
  const Eigen::Index m = keys.cols();
  ld_matrix out = ld_matrix::Zero(values.rows(), queries.cols());
  std::vector<long double> z(static_cast<std::size_t>(m));
  for (Eigen::Index j = 0; j < queries.cols(); ++j) {
    long double top = -std::numeric_limits<long double>::infinity();
    for (Eigen::Index i = 0; i < m; ++i) {
      long double s = 0;
      for (Eigen::Index r = 0; r < keys.rows(); ++r)
        s += static_cast<long double>(keys(r, i)) * static_cast<long double>(queries(r, j));
      z[static_cast<std::size_t>(i)] = s;
      top = std::max(top, s);
    }
    long double sum = 0;
    for (auto& s : z) {
      s = std::exp(beta * (s - top));
      sum += s;
    }
    for (Eigen::Index i = 0; i < m; ++i) {
      for (Eigen::Index r = 0; r < values.rows(); ++r) {
        out(r, j) += z[static_cast<std::size_t>(i)] / sum * static_cast<long double>(values(r, i));
      }
    }
  }
  return out;
}

/// Ramsauer et al. eq. (2) in long double.
template <class X, class S>
long double naive_energy(const X& patterns, const S& state, long double beta) {
  const Eigen::Index m = patterns.cols();
  long double top = -std::numeric_limits<long double>::infinity();
  long double largest = 0;
  std::vector<long double> z(static_cast<std::size_t>(m));
  for (Eigen::Index i = 0; i < m; ++i) {
    long double s = 0;
    long double norm2 = 0;
    for (Eigen::Index r = 0; r < patterns.rows(); ++r) {
      s += static_cast<long double>(patterns(r, i)) * static_cast<long double>(state(r));
      norm2 += static_cast<long double>(patterns(r, i)) * static_cast<long double>(patterns(r, i));
    }
    z[static_cast<std::size_t>(i)] = s;
    top = std::max(top, s);
    largest = std::max(largest, std::sqrt(norm2));
  }
  long double sum = 0;
  for (const auto s : z) sum += std::exp(beta * (s - top));
  long double half_norm2 = 0;
  for (Eigen::Index r = 0; r < state.size(); ++r)
    half_norm2 += static_cast<long double>(state(r)) * static_cast<long double>(state(r)) / 2;
  const long double lse = top + std::log(sum) / beta;
  return -lse + half_norm2 + std::log(static_cast<long double>(m)) / beta + largest * largest / 2;
}

/// max |a - b| / max(1, max |b|): the relative difference the tests bound.
template <class A, class B>
long double relative_difference(const A& a, const B& b) {
  const ld_matrix x = a.template cast<long double>();
  const ld_matrix y = b.template cast<long double>();
  return (x - y).cwiseAbs().maxCoeff() / std::max<long double>(1, y.cwiseAbs().maxCoeff());
}

}  // namespace test
