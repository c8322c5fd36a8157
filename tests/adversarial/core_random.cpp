// Adversarial suite, room core/ (random.hpp): the seeded draws at the edges of their domains:
// uniform_below at 0, 1, powers of two and 2^64 - 1, uniform_unit's range, derive_seed's
// wrap-around, and random_permutation of empty, single and negative sizes. Same seed, same result.
// Defect 5 of issue 14 is pinned here.
#include "adversarial_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

using namespace hopfield;
using adversarial::require_throws;

TEST_CASE("defect 5: uniform_below(rng, 0) throws instead of dividing by zero", "[adversarial][core]") {
  random_engine rng(7);
  const random_engine before = rng;
  require_throws<std::invalid_argument>([&] { (void)uniform_below(rng, 0); }, "hopfield::uniform_below",
                                        "argument 'n'", "n > 0", "got 0");
  CHECK(rng == before);  // nothing drawn: the stream is where it was
  // The engine still works afterwards.
  CHECK(uniform_below(rng, 10) < 10);
}

TEST_CASE("core random: uniform_below at 1, 2 and the largest bound", "[adversarial][core]") {
  constexpr std::uint64_t largest = std::numeric_limits<std::uint64_t>::max();  // 2^64 - 1
  for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{42}, largest}) {
    CAPTURE(seed);
    // n = 1: always 0, one draw per call (the stream advances exactly as one rng() call).
    random_engine one(seed), reference(seed);
    for (int k = 0; k < 100; ++k) {
      REQUIRE(uniform_below(one, 1) == 0);
      reference.discard(1);
    }
    REQUIRE(one == reference);
    // n = 2: both values appear, in a stream of one draw per call (powers of two never reject).
    random_engine two(seed);
    int ones = 0;
    for (int k = 0; k < 1000; ++k) ones += static_cast<int>(uniform_below(two, 2));
    REQUIRE(ones > 400);
    REQUIRE(ones < 600);
    // n = 2^64 - 1: the only rejected draw is 0; every result is below n; the same seed gives the
    // same sequence, a different seed another one.
    random_engine a(seed), b(seed), c(seed + 1);
    std::vector<std::uint64_t> first, second, third;
    for (int k = 0; k < 64; ++k) {
      first.push_back(uniform_below(a, largest));
      second.push_back(uniform_below(b, largest));
      third.push_back(uniform_below(c, largest));
      REQUIRE(first.back() < largest);
    }
    REQUIRE(first == second);
    REQUIRE(first != third);
    // The result is the draw itself (modulo 2^64 - 1 changes only the draw 2^64 - 1, to 0).
    random_engine raw(seed), bounded(seed);
    for (int k = 0; k < 64; ++k) {
      const std::uint64_t r = raw();
      if (r == 0) break;  // rejected: bounded draws again and the streams part (p = 2^-64)
      REQUIRE(uniform_below(bounded, largest) == (r == largest ? 0 : r));
    }
  }
  // 2^63 + 1: the worst case for rejection (just under half of the draws are rejected); still
  // unbiased between the halves and reproducible.
  const std::uint64_t awkward = (std::uint64_t{1} << 63) + 1;
  random_engine d(5), e(5);
  int upper = 0;
  for (int k = 0; k < 2000; ++k) {
    const std::uint64_t v = uniform_below(d, awkward);
    REQUIRE(v < awkward);
    REQUIRE(v == uniform_below(e, awkward));
    upper += v >= awkward / 2 ? 1 : 0;
  }
  CHECK(upper > 900);
  CHECK(upper < 1100);
}

TEST_CASE("core random: uniform_below is uniform for a small bound", "[adversarial][core]") {
  random_engine rng(2024);
  std::vector<int> counts(7, 0);
  for (int k = 0; k < 70000; ++k) ++counts[static_cast<std::size_t>(uniform_below(rng, 7))];
  for (const int c : counts) {
    CHECK(c > 9500);
    CHECK(c < 10500);
  }
}

TEST_CASE("core random: uniform_unit lies in [0, 1) with 53 bits", "[adversarial][core]") {
  random_engine rng(3);
  for (int k = 0; k < 10000; ++k) {
    const double u = uniform_unit(rng);
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    REQUIRE(u * 0x1.0p53 == std::floor(u * 0x1.0p53));  // a multiple of 2^-53
  }
}

TEST_CASE("core random: derive_seed wraps around and separates streams", "[adversarial][core]") {
  constexpr std::uint64_t largest = std::numeric_limits<std::uint64_t>::max();
  static_assert(derive_seed(0, 0) != derive_seed(0, 1));
  static_assert(derive_seed(largest, largest) == derive_seed(largest, largest));
  std::vector<std::uint64_t> seeds;
  for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1}, largest}) {
    for (const std::uint64_t stream :
         {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{2}, largest - 1, largest})
      seeds.push_back(derive_seed(seed, stream));
  }
  std::sort(seeds.begin(), seeds.end());
  CHECK(std::adjacent_find(seeds.begin(), seeds.end()) == seeds.end());
}

TEST_CASE("core random: random_permutation of empty, single and negative sizes", "[adversarial][core]") {
  random_engine rng(11);
  const random_engine before = rng;
  std::vector<index_t> order{5, 6, 7};
  random_permutation(rng, 0, order);
  CHECK(order.empty());
  CHECK(rng == before);  // no draw for n = 0
  random_permutation(rng, 1, order);
  CHECK(order == std::vector<index_t>{0});
  CHECK(rng == before);  // nor for n = 1
  // A negative size throws and leaves both the output and the engine alone (it used to resize the
  // vector to 2^64 - 1 elements).
  order = {3, 1, 2};
  require_throws<std::invalid_argument>([&] { random_permutation(rng, -1, order); }, "random_permutation",
                                        "argument 'n'", "a size >= 0", "got -1");
  CHECK(order == std::vector<index_t>{3, 1, 2});
  CHECK(rng == before);
  require_throws<std::invalid_argument>(
      [&] { random_permutation(rng, std::numeric_limits<index_t>::min(), order); }, "random_permutation");
}

TEST_CASE("core random: random_permutation is a permutation, reproducible, and reuses storage",
          "[adversarial][core]") {
  for (const index_t n : {index_t{2}, index_t{3}, index_t{64}, index_t{1000}}) {
    random_engine a(99), b(99);
    std::vector<index_t> first, second;
    random_permutation(a, n, first);
    second.reserve(static_cast<std::size_t>(n) + 10);
    const index_t* storage = second.data();
    random_permutation(b, n, second);
    CHECK(second.data() == storage);
    REQUIRE(first == second);
    std::vector<index_t> sorted = first;
    std::sort(sorted.begin(), sorted.end());
    std::vector<index_t> identity(static_cast<std::size_t>(n));
    std::iota(identity.begin(), identity.end(), index_t{0});
    REQUIRE(sorted == identity);
  }
  // Every one of the 6 permutations of 3 elements appears, about equally often.
  random_engine rng(1);
  std::vector<int> counts(9, 0);
  std::vector<index_t> order;
  for (int k = 0; k < 6000; ++k) {
    random_permutation(rng, 3, order);
    ++counts[static_cast<std::size_t>(order[0] * 3 + order[1])];
  }
  int seen = 0;
  for (const int c : counts) {
    if (c == 0) continue;
    ++seen;
    CHECK(c > 850);
    CHECK(c < 1150);
  }
  CHECK(seen == 6);
}
