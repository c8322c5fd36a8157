#pragma once
// Shared by the adversarial suite (tests/adversarial/<room>.cpp): the exception-with-message check,
// an address-space cap for "sizes that cannot be allocated", and seeded inputs.
#include <catch.hpp>

#include <cstdint>
#include <string>
#include <type_traits>

#if defined(__unix__) && !defined(HOPFIELD_SANITIZE)
#include <sys/resource.h>
#define HOPFIELD_TEST_CAN_CAP_MEMORY 1
#endif

#include <hopfield/hopfield.hpp>

namespace adversarial {

/// Runs `call` and requires an exception of type E whose message contains every fragment.
template <class E, class Call, class... Fragments>
void require_throws(Call&& call, const Fragments&... fragments) {
  try {
    call();
  } catch (const E& error) {
    const std::string message = error.what();
    INFO("message: " << message);
    const auto contains = [&](const auto& fragment) {
      INFO("fragment: " << fragment);
      CHECK(message.find(fragment) != std::string::npos);
    };
    (contains(fragments), ...);
    return;
  } catch (const std::exception& other) {
    FAIL("expected another exception type, got: " << other.what());
  }
  FAIL("no exception");
}

/// Caps the address space at the current size plus `extra` bytes while it lives, so that a large
/// internal allocation fails as it would on a small machine. Not under the sanitizers (their
/// shadow memory reserves terabytes) and not outside Unix: `active()` says whether it applies.
class address_space_cap {
 public:
  explicit address_space_cap(std::uint64_t extra) {
#if defined(HOPFIELD_TEST_CAN_CAP_MEMORY)
    if (getrlimit(RLIMIT_AS, &old_) != 0) return;
    rlimit cap = old_;
    cap.rlim_cur = static_cast<rlim_t>(current_bytes() + extra);
    active_ = setrlimit(RLIMIT_AS, &cap) == 0;
#else
    (void)extra;
#endif
  }
  ~address_space_cap() {
#if defined(HOPFIELD_TEST_CAN_CAP_MEMORY)
    if (active_) setrlimit(RLIMIT_AS, &old_);
#endif
  }
  address_space_cap(const address_space_cap&) = delete;
  address_space_cap& operator=(const address_space_cap&) = delete;
  [[nodiscard]] bool active() const {
    return active_;
  }

 private:
#if defined(HOPFIELD_TEST_CAN_CAP_MEMORY)
  static std::uint64_t current_bytes() {
    std::uint64_t pages = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%lu", &pages) != 1) pages = 0;
      std::fclose(f);
    }
    return pages * 4096u;
  }
  rlimit old_{};
#endif
  bool active_ = false;
};

template <class Scalar>
hopfield::matrix_t<Scalar> gaussian(hopfield::index_t rows, hopfield::index_t cols, std::uint64_t seed,
                                    Scalar sigma = 1) {
  return hopfield::add_gaussian_noise(hopfield::matrix_t<Scalar>::Zero(rows, cols), sigma, seed);
}

}  // namespace adversarial
