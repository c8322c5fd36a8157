// Adversarial suite, room learning/: the rules behind classical_hopfield (hebbian, storkey,
// pseudo_inverse) at their extremes: bad rule settings, rank-0 and rank-deficient pattern sets,
// weights that leave the scalar's range, and the strong guarantee of add_patterns.
#include "adversarial_support.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

using namespace hopfield;
using adversarial::require_throws;

TEST_CASE("defect 1: pseudo_inverse rejects a tolerance outside [0, 1)", "[adversarial][learning][defect1]") {
  const matrix_t<double> x = random_binary_patterns<double>(32, 5, 1);
  for (const double tolerance :
       {1.0, 2.0, std::numeric_limits<double>::infinity(), -1.0, std::numeric_limits<double>::quiet_NaN(),
        -std::numeric_limits<double>::infinity()}) {
    INFO("tolerance " << tolerance);
    require_throws<std::invalid_argument>(
        [&] { classical_hopfield<double, pseudo_inverse> net(x, {.rule = {.tolerance = tolerance}}); },
        "pseudo_inverse", "options.rule.tolerance", "[0, 1)");
  }
  // Just below 1 is accepted: independent patterns still have full rank.
  classical_hopfield<double, pseudo_inverse> net(x, {.rule = {.tolerance = 0.999}});
  CHECK(net.learner().rank() >= 1);
  for (index_t k = 0; k < x.cols(); ++k) CHECK(net.retrieve(x.col(k)).state == x.col(k));
}

TEST_CASE("defect 1: a rank-0 projector is zero, never a crash", "[adversarial][learning][defect1]") {
  // All-zero patterns cannot be stored through classical_hopfield (+-1 only), but the learner is
  // public and any rule may build from it.
  pseudo_inverse::learner<double> learner(pseudo_inverse{});
  matrix_t<double> raw;
  learner.build(matrix_t<double>::Zero(6, 3), raw);
  CHECK(learner.rank() == 0);
  CHECK(raw.isZero());
}

TEST_CASE("learning: linearly dependent and repeated patterns", "[adversarial][learning]") {
  matrix_t<float> x = random_binary_patterns<float>(24, 4, 2);
  matrix_t<float> repeated(24, 8);
  repeated << x, x;  // every pattern twice, and -x is in the span too
  classical_hopfield<float, pseudo_inverse> net(repeated);
  CHECK(net.learner().rank() == 4);
  for (index_t k = 0; k < 4; ++k) CHECK(net.retrieve(x.col(k)).state == x.col(k));
  classical_hopfield<float, storkey> s(repeated);
  CHECK(s.weights().allFinite());
  CHECK(s.weights().isApprox(s.weights().transpose()));
}

TEST_CASE("defect 6: Storkey weights that would overflow throw instead of storing inf and NaN",
          "[adversarial][learning][defect6]") {
  // Far beyond capacity (here 3000 patterns over 16 neurons, ~190 N) the weights grow
  // geometrically and leave float's range.
  const index_t n = 16;
  const matrix_t<float> x = random_binary_patterns<float>(n, 3000, 3);
  require_throws<std::overflow_error>([&] { classical_hopfield<float, storkey> net(x); }, "storkey",
                                      "overflow");
  // Found while adding: nothing changes (strong guarantee).
  classical_hopfield<float, storkey> net(x.leftCols(20));
  const matrix_t<float> weights = net.weights();
  require_throws<std::overflow_error>([&] { net.add_patterns(x.rightCols(2980)); }, "storkey", "overflow");
  CHECK(net.size() == 20);
  CHECK(net.weights() == weights);
  CHECK(net.retrieve(x.col(0)).energy == net.energy(net.retrieve(x.col(0)).state));
  // double has the range for the same patterns: finite weights, retrieval runs.
  classical_hopfield<double, storkey> wide(x.cast<double>());
  CHECK(wide.weights().allFinite());
  const auto r = wide.retrieve(x.col(0).cast<double>());
  CHECK(std::isfinite(r.energy));
}

TEST_CASE("learning: every rule keeps the strong guarantee on bad added patterns",
          "[adversarial][learning]") {
  const matrix_t<float> x = random_binary_patterns<float>(12, 3, 4);
  classical_hopfield<float, hebbian> h(x);
  classical_hopfield<float, storkey> s(x);
  classical_hopfield<float, pseudo_inverse> p(x);
  matrix_t<float> bad = random_binary_patterns<float>(12, 2, 5);
  bad(3, 1) = 0.5f;
  const auto check = [&](auto& net) {
    const matrix_t<float> before = net.weights();
    require_throws<std::invalid_argument>([&] { net.add_patterns(bad); }, "add_patterns", "patterns");
    require_throws<std::invalid_argument>([&] { net.add_patterns(matrix_t<float>::Ones(11, 1)); },
                                          "add_patterns", "rows");
    bad(3, 1) = std::numeric_limits<float>::quiet_NaN();
    require_throws<std::invalid_argument>([&] { net.add_patterns(bad); }, "add_patterns");
    bad(3, 1) = 0.5f;
    CHECK(net.weights() == before);
    CHECK(net.size() == 3);
    net.add_patterns(matrix_t<float>(12, 0));  // K = 0 does nothing
    CHECK(net.size() == 3);
  };
  check(h);
  check(s);
  check(p);
}

TEST_CASE("learning: storing needs memory that is not there: std::bad_alloc, nothing else",
          "[adversarial][learning]") {
  // N = 20000 neurons: a 20000 x 20000 float weight matrix is 1.6 GB, refused under a 512 MiB cap.
  adversarial::address_space_cap cap(std::uint64_t{512} << 20);
  if (!cap.active()) return;  // sanitizers: no cap possible
  const matrix_t<float> x = matrix_t<float>::Ones(20000, 2);
  using storkey_net = classical_hopfield<float, storkey>;
  using projection_net = classical_hopfield<float, pseudo_inverse>;
  CHECK_THROWS_AS(storkey_net(x), std::bad_alloc);
  CHECK_THROWS_AS(projection_net(x), std::bad_alloc);
}
