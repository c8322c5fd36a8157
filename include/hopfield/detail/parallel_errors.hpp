#pragma once
/// @file Exceptions out of parallel regions. An exception that leaves an OpenMP structured block
/// calls std::terminate, so every parallel region of the library runs its body through
/// `parallel_errors::run`: the first exception any worker throws (std::bad_alloc from Eigen's
/// packing buffers, std::overflow_error from a score check, anything a user's policy throws) is
/// kept, the remaining work items are skipped, and the calling thread rethrows it after the
/// region with `rethrow_if_any()`. Serial builds take the same path, so every entry point
/// reports the same exception whatever the build.
#include <atomic>
#include <exception>

namespace hopfield::detail {

class parallel_errors {
 public:
  parallel_errors() = default;
  parallel_errors(const parallel_errors&) = delete;
  parallel_errors& operator=(const parallel_errors&) = delete;

  /// Runs `body()` unless an earlier item failed; keeps the first exception. Never throws.
  template <class Body>
  void run(Body&& body) noexcept {
    if (failed_.load(std::memory_order_relaxed)) return;
    try {
      body();
    } catch (...) {
      // Only the thread that flips the flag writes the pointer; the region's closing barrier
      // orders that write before rethrow_if_any() reads it.
      if (!failed_.exchange(true)) first_ = std::current_exception();
    }
  }

  /// Whether some item failed (later items are being skipped).
  [[nodiscard]] bool failed() const { return failed_.load(std::memory_order_relaxed); }

  /// After the region: rethrows the first exception kept, if any.
  void rethrow_if_any() const {
    if (first_) std::rethrow_exception(first_);
  }

 private:
  std::atomic<bool> failed_{false};
  std::exception_ptr first_;
};

}  // namespace hopfield::detail
