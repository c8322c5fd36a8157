#pragma once
// Seeded Gaussian test matrices: rows x cols entries drawn from N(0, sigma^2) by the library's own
// seeded generator, the same for the same seed on every run.
#include <cstdint>

#include <hopfield/analysis/patterns.hpp>

namespace test {
template <class Scalar>
hopfield::matrix_t<Scalar> gaussian(hopfield::index_t rows, hopfield::index_t cols, std::uint64_t seed,
                                    Scalar sigma = 1) {
  return hopfield::add_gaussian_noise(hopfield::matrix_t<Scalar>::Zero(rows, cols), sigma, seed);
}
}  // namespace test
