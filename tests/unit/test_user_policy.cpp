// A user-written energy and a user-written update, exactly as docs/concepts.md shows them
// (this test checks that the two texts are the same), combined with the library's policies.
#include <catch.hpp>

#include "doc_text.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

// [user-policy-begin]
#include <cmath>
#include <stdexcept>

#include <hopfield/hopfield.hpp>

/// A ring of N spins with coupling J to both neighbours and a uniform field h:
/// E(s) = -J sum_i s_i s_(i+1) - h sum_i s_i, indices modulo N.
template <hopfield::Real Scalar>
class ising_ring_energy {
 public:
  using scalar_type = Scalar;  // required: the scalar of states and energies
  struct context_type {};      // required for binary energies: each gap is O(1), nothing to cache

  ising_ring_energy(hopfield::index_t n, Scalar coupling, Scalar field)
      : n_(n), coupling_(coupling), field_(field) {
    if (n < 3) throw std::invalid_argument("ising_ring_energy: argument 'n' expected >= 3");
  }

  // required: the state dimension
  [[nodiscard]] hopfield::index_t dimension() const { return n_; }

  // required: the energy of one state
  [[nodiscard]] Scalar energy(const Eigen::Ref<const hopfield::vector_t<Scalar>>& s) const {
    Scalar e = 0;
    for (hopfield::index_t i = 0; i < n_; ++i) e -= coupling_ * s(i) * s((i + 1) % n_) + field_ * s(i);
    return e;
  }

  // required for binary energies: (re)build the cache for state s
  void init_context(context_type& /*ctx*/, const Eigen::Ref<const hopfield::vector_t<Scalar>>& /*s*/) const {}

  // required for binary energies: E(s_i = -1) - E(s_i = +1) = 2 (J (s_(i-1) + s_(i+1)) + h)
  [[nodiscard]] hopfield::energy_gap<Scalar> gap(const context_type& /*ctx*/,
                                                 const Eigen::Ref<const hopfield::vector_t<Scalar>>& s,
                                                 hopfield::index_t i) const {
    const Scalar neighbours = s((i + n_ - 1) % n_) + s((i + 1) % n_);
    return {Scalar(2) * (coupling_ * neighbours + field_), Scalar(0)};
  }

  // required for binary energies: negate s_i and keep the cache current
  void flip(context_type& /*ctx*/, Eigen::Ref<hopfield::vector_t<Scalar>> s, hopfield::index_t i) const {
    s(i) = -s(i);
  }

 private:
  hopfield::index_t n_;
  Scalar coupling_;
  Scalar field_;
};

/// Metropolis dynamics at temperature T: neurons in a fresh random order each sweep; a flip that
/// lowers the energy is taken, one that raises it by dE with probability exp(-dE / T).
struct metropolis_update {
  double temperature = 1.0;

  // optional: the engine calls it before running, to reject bad settings
  void validate() const {
    if (!(temperature >= 0 && std::isfinite(temperature))) {
      throw std::invalid_argument("metropolis_update: argument 'temperature' expected a finite value >= 0");
    }
  }

  // required for a sweep update: one pass over the neurons, returning how many changed
  template <hopfield::BinaryEnergyPolicy E>
  hopfield::index_t sweep(const E& energy, typename E::context_type& ctx,
                          Eigen::Ref<hopfield::vector_t<hopfield::scalar_of<E>>> s,
                          hopfield::sweep_workspace& ws) const {
    hopfield::random_permutation(ws.rng, energy.dimension(), ws.order);
    hopfield::index_t flips = 0;
    for (const hopfield::index_t i : ws.order) {
      // Flipping s_i changes the energy by s_i * gap_i.
      const double delta = static_cast<double>(s(i) * energy.gap(ctx, s, i).exact());
      const bool accept =
          delta < 0 || (temperature > 0 && hopfield::uniform_unit(ws.rng) < std::exp(-delta / temperature));
      if (accept) {
        energy.flip(ctx, s, i);
        ++flips;
      }
    }
    return flips;
  }
};
// [user-policy-end]

using namespace hopfield;

static_assert(BinaryEnergyPolicy<ising_ring_energy<double>>);
static_assert(!HasBatchGaps<ising_ring_energy<double>>);
static_assert(UpdatePolicy<metropolis_update, ising_ring_energy<float>>);
static_assert(UpdatePolicy<metropolis_update, quadratic_energy<double>>);
static_assert(UpdatePolicy<synchronous_update, ising_ring_energy<double>>);

TEST_CASE("user policy: the code in docs/concepts.md is the code compiled here", "[user]") {
  const std::string self = __FILE__;
  const std::string root = self.substr(0, self.rfind("tests/unit/"));
  const std::string doc = test::read_text(root + "docs/concepts.md");
  REQUIRE_FALSE(doc.empty());
  const std::string from_doc =
      test::between(doc, "<!-- user-policy-begin -->\n```cpp\n", "```\n<!-- user-policy-end -->");
  const std::string from_test =
      test::between(test::read_text(self), "// [user-policy-begin]\n", "// [user-policy-end]");
  REQUIRE_FALSE(from_test.empty());
  REQUIRE(from_doc == from_test);
}

TEMPLATE_TEST_CASE("user policy: the ring runs with the library's updates", "[user]", float, double) {
  const ising_ring_energy<TestType> ferro(24, TestType(1), TestType(0.25));
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const auto start = random_binary_patterns<TestType>(24, 1, seed);
    retrieval_options options;
    options.seed = seed;
    options.record_trace = true;
    const auto r = retrieve(ferro, asynchronous_update{}, vector_t<TestType>(start.col(0)), options);
    REQUIRE(r.converged);
    for (std::size_t k = 1; k < r.energy_trace.size(); ++k)
      REQUIRE(r.energy_trace[k] <= r.energy_trace[k - 1]);
    // A fixed point: every spin agrees with its gap (ties cannot occur with h = 0.25).
    typename ising_ring_energy<TestType>::context_type ctx;
    for (index_t i = 0; i < 24; ++i) REQUIRE(ferro.gap(ctx, r.state, i).value * r.state(i) > 0);
  }
  // The ground state with h > 0 is all +1, and it is a fixed point of every update.
  const vector_t<TestType> up = vector_t<TestType>::Ones(24);
  REQUIRE(ferro.energy(up) == Approx(-24 * 1.25));
  REQUIRE(retrieve(ferro, synchronous_update{}, up).steps == 1);
  REQUIRE(retrieve(ferro, metropolis_update{.temperature = 0.0}, up).steps == 1);
  // Synchronous updates on a ring without field: fixed points or reported 2-cycles; the
  // alternating state (every spin against both neighbours) flips as a whole, back and forth.
  const ising_ring_energy<TestType> plain(24, TestType(1), TestType(0));
  matrix_t<TestType> starts = random_binary_patterns<TestType>(24, 20, 9);
  for (index_t i = 0; i < 24; ++i) starts(i, 0) = i % 2 == 0 ? 1 : -1;
  const auto batch = retrieve(plain, synchronous_update{}, starts);
  int cycles = 0;
  for (const auto& report : batch.reports) {
    REQUIRE(report.reason != stop_reason::step_limit);
    cycles += report.reason == stop_reason::two_cycle;
  }
  REQUIRE(batch.reports[0].reason == stop_reason::two_cycle);
  REQUIRE(batch.reports[0].steps == 2);
  REQUIRE(cycles > 0);
}

TEMPLATE_TEST_CASE("user policy: Metropolis at T = 0 is the asynchronous rule on the classical energy",
                   "[user]", float, double) {
  const auto x = random_binary_patterns<TestType>(80, 6, 1);
  const classical_hopfield<TestType> net(x);
  const auto q = corrupt(x, 0.3, 2);
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    retrieval_options options;
    options.seed = seed;
    const auto mine = net.retrieve(q, options, metropolis_update{.temperature = 0.0});
    const auto library = net.retrieve(q, options);
    REQUIRE(mine.states == library.states);
  }
  REQUIRE_THROWS_WITH(net.retrieve(q, {}, metropolis_update{.temperature = -1.0}),
                      test::contains("temperature"));
}

TEMPLATE_TEST_CASE("user policy: Metropolis samples the Boltzmann distribution of the ring", "[user]", float,
                   double) {
  const ising_ring_energy<TestType> ring(4, TestType(0.5), TestType(-0.2));
  const double temperature = 0.8;
  std::map<int, double> boltzmann;
  double z = 0;
  for (int code = 0; code < 16; ++code) {
    vector_t<TestType> s(4);
    for (int i = 0; i < 4; ++i) s(i) = (code >> i & 1) != 0 ? 1 : -1;
    boltzmann[code] = std::exp(-static_cast<double>(ring.energy(s)) / temperature);
    z += boltzmann[code];
  }
  const metropolis_update metropolis{.temperature = temperature};
  typename ising_ring_energy<TestType>::context_type ctx;
  sweep_workspace ws;
  ws.rng.seed(7);
  vector_t<TestType> s = vector_t<TestType>::Ones(4);
#ifdef HOPFIELD_SANITIZE
  const int sweeps = 20000;
#else
  const int sweeps = 200000;
#endif
  std::map<int, double> seen;
  for (int k = 0; k < sweeps; ++k) {
    metropolis.sweep(ring, ctx, s, ws);
    int code = 0;
    for (int i = 0; i < 4; ++i) code |= (s(i) > 0 ? 1 : 0) << i;
    seen[code] += 1;
  }
  for (int code = 0; code < 16; ++code) {
    const double p = boltzmann[code] / z;
    const double f = seen[code] / sweeps;
    REQUIRE(std::abs(f - p) <= 15 * std::sqrt(p * (1 - p) / sweeps) + 1e-4);
  }
}
