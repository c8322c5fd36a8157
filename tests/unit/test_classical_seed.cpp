// The seed documents' demos, as they really behave with exact arithmetic and the tie rule that
// keeps s_i (each claim checked against an independent numpy loop).
#include <catch.hpp>

#include <array>
#include <string_view>

#include <hopfield/hopfield.hpp>

using namespace hopfield;

namespace {
template <class Scalar>
vector_t<Scalar> glyph(const std::array<std::string_view, 5>& rows) {
  vector_t<Scalar> v(25);
  for (index_t r = 0; r < 5; ++r) {
    for (index_t c = 0; c < 5; ++c)
      v(5 * r + c) = rows[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)] == '#' ? 1 : -1;
  }
  return v;
}

template <class Scalar>
matrix_t<Scalar> glyphs() {
  matrix_t<Scalar> x(25, 3);
  x.col(0) = glyph<Scalar>({"#...#", ".#.#.", "..#..", ".#.#.", "#...#"});
  x.col(1) = glyph<Scalar>({"#####", "..#..", "..#..", "..#..", "..#.."});
  x.col(2) = glyph<Scalar>({".###.", "#...#", "#...#", "#...#", ".###."});
  return x;
}

template <class Scalar>
vector_t<Scalar> noisy_x() {
  vector_t<Scalar> q = glyphs<Scalar>().col(0);
  for (const index_t i : {1, 3, 4, 14, 18, 20, 21, 24}) q(i) = -q(i);
  return q;
}
}  // namespace

TEMPLATE_TEST_CASE("seed: the glyphs X, T and O are fixed points", "[seed]", float, double) {
  const auto x = glyphs<TestType>();
  const classical_hopfield<TestType> net(x);
  for (const bool sync : {false, true}) {
    const auto r = sync ? net.retrieve(x, {}, synchronous_update{}) : net.retrieve(x);
    REQUIRE(r.states == x);
    for (const auto& report : r.reports) {
      REQUIRE(report.converged);
      REQUIRE(report.steps == 1);
    }
  }
}

// The seed's synchronous rule, s <- sign(W s) with a zero field sent to +1 (np.sign, then
// "tie-break"), written as a user update policy: a zero field raises s_i whatever it was.
struct ties_to_plus_one_update {
  template <BinaryEnergyPolicy E>
  void step(const E& energy, const Eigen::Ref<const matrix_t<scalar_of<E>>>& states,
            Eigen::Ref<matrix_t<scalar_of<E>>> out) const {
    using Scalar = scalar_of<E>;
    typename E::context_type ctx;
    for (index_t j = 0; j < states.cols(); ++j) {
      energy.init_context(ctx, states.col(j));
      for (index_t i = 0; i < states.rows(); ++i) {
        out(i, j) = energy.gap(ctx, states.col(j), i).value >= 0 ? Scalar(1) : Scalar(-1);
      }
    }
  }
};

TEMPLATE_TEST_CASE("seed: two zero fields decide the noisy X", "[seed]", float, double) {
  // Neurons 7 and 17 start with a field of exactly zero (integer arithmetic: 12 - 12 ...), so
  // the tie rule, not the memory, decides them. The library keeps s_i on a tie (the energy
  // cannot rise); a float W = X X^T / 25 instead turns those zeros into +-5e-16 rounding noise.
  const classical_hopfield<TestType> net(glyphs<TestType>());
  const auto q = noisy_x<TestType>();
  const auto& energy = net.energy_policy();
  typename quadratic_energy<TestType>::context_type ctx;
  energy.init_context(ctx, q);
  for (index_t i = 0; i < 25; ++i) {
    const bool tie = energy.gap(ctx, q, i).value == 0;
    REQUIRE(tie == (i == 7 || i == 17));
  }
}

TEMPLATE_TEST_CASE("seed: the noisy X returns to X for most but not all orders", "[seed]", float, double) {
  const auto x = glyphs<TestType>();
  const classical_hopfield<TestType> net(x);
  const auto q = noisy_x<TestType>();
  REQUIRE((q.array() != x.col(0).array()).count() == 8);
  const int trials = 2000;
  int to_x = 0;
  int other_glyph = 0;
  int spurious = 0;
  for (int t = 0; t < trials; ++t) {
    retrieval_options options;
    options.seed = static_cast<std::uint64_t>(t);
    const auto r = net.retrieve(q, options);
    REQUIRE(r.converged);
    bool known = false;
    for (index_t j = 0; j < 3; ++j) {
      if (r.state == x.col(j)) {
        (j == 0 ? to_x : other_glyph) += 1;
        known = true;
      }
      if (r.state == -x.col(j)) {
        other_glyph += 1;
        known = true;
      }
    }
    if (!known) ++spurious;
  }
  // An exact numpy loop with its own orders (ties kept): 83.8% X, 16.2% spurious (10000 orders).
  // The issue's "about half" (52.7%) is what the float W / N loop gives: rounding breaks the two
  // ties at random. Either way a noisy X is far from always recalled.
  INFO("X " << to_x << ", other glyph " << other_glyph << ", spurious " << spurious << " of " << trials);
  REQUIRE(to_x > 0.78 * trials);
  REQUIRE(to_x < 0.90 * trials);
  REQUIRE(spurious > 0.10 * trials);
  REQUIRE(other_glyph < 0.02 * trials);
}

TEMPLATE_TEST_CASE("seed: synchronous recall of the noisy X depends on the tie rule", "[seed]", float,
                   double) {
  const auto x = glyphs<TestType>();
  const classical_hopfield<TestType> net(x);
  // Ties kept: one step reaches X, the next confirms it.
  const auto kept = net.retrieve(noisy_x<TestType>(), {}, synchronous_update{});
  REQUIRE(kept.converged);
  REQUIRE(kept.steps == 2);
  REQUIRE(kept.state == x.col(0));
  // The seed's rule (ties to +1) never reaches X: both zero fields send bits 7 and 17 to +1 and
  // that state is a fixed point (the float numpy loop, whose rounding turns one tie into -5e-16,
  // alternates instead between two states one bit from X).
  const auto seed_rule = net.retrieve(noisy_x<TestType>(), {}, ties_to_plus_one_update{});
  REQUIRE(seed_rule.converged);
  REQUIRE(seed_rule.steps == 2);
  vector_t<TestType> expected = x.col(0);
  expected(7) = 1;
  expected(17) = 1;
  REQUIRE(seed_rule.state == expected);
}

TEMPLATE_TEST_CASE("seed: the 6-neuron example cycles synchronously and splits asynchronously", "[seed]",
                   float, double) {
  matrix_t<TestType> p(6, 2);
  p.col(0) << 1, 1, 1, -1, -1, -1;
  p.col(1) << -1, 1, -1, 1, -1, 1;
  vector_t<TestType> noisy(6);
  noisy << 1, -1, 1, 1, -1, -1;
  const classical_hopfield<TestType> net(p);
  // Synchronous: noisy -> a -> b -> a, reported as a 2-cycle (the seed claims it recalls p0).
  retrieval_options traced;
  traced.record_trace = true;
  const auto sync = net.retrieve(noisy, traced, synchronous_update{});
  REQUIRE(sync.reason == stop_reason::two_cycle);
  REQUIRE_FALSE(sync.converged);
  REQUIRE(sync.steps == 3);
  REQUIRE(sync.energy_trace.size() == 4);
  vector_t<TestType> a(6);
  a << 1, 1, 1, -1, 1, -1;
  vector_t<TestType> b(6);
  b << 1, -1, 1, -1, -1, -1;
  REQUIRE(sync.state == a);  // noisy -> a -> b -> a
  REQUIRE(net.retrieve(noisy, {.max_steps = 2}, synchronous_update{}).state == b);
  // Asynchronous: the first pattern or the mirror of the second, depending on the order.
  int first = 0;
  int mirror = 0;
  for (std::uint64_t seed = 0; seed < 400; ++seed) {
    retrieval_options options;
    options.seed = seed;
    const auto r = net.retrieve(noisy, options);
    REQUIRE(r.converged);
    if (r.state == p.col(0)) {
      ++first;
    } else {
      REQUIRE(r.state == -p.col(1));
      ++mirror;
    }
  }
  REQUIRE(first > 120);
  REQUIRE(mirror > 120);
}
