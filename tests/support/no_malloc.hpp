#pragma once
// Include FIRST in a test that proves a path allocates nothing: Eigen's heap allocations then
// throw (in every build type) while a no_malloc_scope is alive.
#include <stdexcept>
#ifndef EIGEN_RUNTIME_NO_MALLOC
#define EIGEN_RUNTIME_NO_MALLOC
#endif
#ifndef eigen_assert
#define eigen_assert(x) \
  if (!(x)) throw std::runtime_error("Eigen assertion failed: " #x)
#endif
#include <Eigen/Core>

namespace test {
struct no_malloc_scope {
  no_malloc_scope() { Eigen::internal::set_is_malloc_allowed(false); }
  ~no_malloc_scope() { Eigen::internal::set_is_malloc_allowed(true); }
  no_malloc_scope(const no_malloc_scope&) = delete;
  no_malloc_scope& operator=(const no_malloc_scope&) = delete;
};
}  // namespace test
