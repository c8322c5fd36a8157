// The learning rules against independent references: Storkey's sequential formula as a naive
// long double triple loop (local field over k != i, j), and the pseudo-inverse projector from
// long double normal equations and Gram-Schmidt; incremental additions against rebuilds.
#include <catch.hpp>

#include <cmath>

#include <Eigen/LU>

#include <hopfield/hopfield.hpp>

using namespace hopfield;

namespace {
using long_matrix = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;

// Storkey (1997), term by term: w_ij += (1/N)(x_i x_j - x_i h_ji - h_ij x_j),
// h_ij = sum_{k != i, j} w_ik x_k, for i != j; every h from the weights before this pattern.
template <class Scalar>
long_matrix naive_storkey(const matrix_t<Scalar>& x) {
  const index_t n = x.rows();
  long_matrix w = long_matrix::Zero(n, n);
  const long double inv_n = 1.0L / static_cast<long double>(n);
  for (index_t mu = 0; mu < x.cols(); ++mu) {
    long_matrix h = long_matrix::Zero(n, n);
    for (index_t i = 0; i < n; ++i) {
      for (index_t j = 0; j < n; ++j) {
        for (index_t k = 0; k < n; ++k) {
          if (k != i && k != j) h(i, j) += w(i, k) * static_cast<long double>(x(k, mu));
        }
      }
    }
    long_matrix next = w;
    for (index_t i = 0; i < n; ++i) {
      for (index_t j = 0; j < n; ++j) {
        if (i == j) continue;
        const long double xi = x(i, mu);
        const long double xj = x(j, mu);
        next(i, j) += inv_n * (xi * xj - xi * h(j, i) - h(i, j) * xj);
      }
    }
    w = next;
  }
  return w;
}

// Orthogonal projector onto span(columns), by modified Gram-Schmidt in long double (twice).
template <class Scalar>
long_matrix naive_projector(const matrix_t<Scalar>& x) {
  const index_t n = x.rows();
  std::vector<Eigen::Matrix<long double, Eigen::Dynamic, 1>> basis;
  for (index_t mu = 0; mu < x.cols(); ++mu) {
    Eigen::Matrix<long double, Eigen::Dynamic, 1> v = x.col(mu).template cast<long double>();
    const long double norm0 = v.norm();
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& q : basis) v -= q.dot(v) * q;
    }
    if (v.norm() > 1e-9L * norm0) basis.push_back(v / v.norm());
  }
  long_matrix p = long_matrix::Zero(n, n);
  for (const auto& q : basis) p += q * q.transpose();
  return p;
}

template <class Scalar>
long double tolerance() {
  return std::is_same_v<Scalar, float> ? 2e-5L : 1e-12L;
}
}  // namespace

TEMPLATE_TEST_CASE("learning: Storkey matches the textbook formula with both indices excluded", "[learning]",
                   float, double) {
  for (std::uint64_t seed = 0; seed < 12; ++seed) {
    random_engine rng(seed);
    const auto n = static_cast<index_t>(4 + uniform_below(rng, 20));
    const auto m = static_cast<index_t>(1 + uniform_below(rng, 8));
    const auto x = random_binary_patterns<TestType>(n, m, seed);
    const classical_hopfield<TestType, storkey> net(x);
    const long_matrix expected = naive_storkey(x);
    const matrix_t<TestType> w = net.weights();
    INFO("N = " << n << ", M = " << m);
    REQUIRE((w.template cast<long double>() - expected).cwiseAbs().maxCoeff() <
            tolerance<TestType>() * (1 + m));
    REQUIRE(w == w.transpose());
    REQUIRE(w.diagonal().isZero(0));
    REQUIRE(net.energy_policy().weight_denominator() == 1);
  }
}

TEST_CASE("learning: the common Storkey mistake (only k != i excluded) is a different matrix", "[learning]") {
  // Guards the reference itself: with h_ij over k != i alone the result differs, so the test
  // above can tell the two apart.
  const auto x = random_binary_patterns<double>(10, 4, 3);
  const long_matrix right = naive_storkey(x);
  long_matrix wrong = long_matrix::Zero(10, 10);
  for (index_t mu = 0; mu < 4; ++mu) {
    long_matrix next = wrong;
    for (index_t i = 0; i < 10; ++i) {
      for (index_t j = 0; j < 10; ++j) {
        if (i == j) continue;
        long double hij = 0;
        long double hji = 0;
        for (index_t k = 0; k < 10; ++k) {
          if (k != i) hij += wrong(i, k) * x(k, mu);
          if (k != j) hji += wrong(j, k) * x(k, mu);
        }
        next(i, j) += (x(i, mu) * x(j, mu) - x(i, mu) * hji - hij * x(j, mu)) / 10.0L;
      }
    }
    wrong = next;
  }
  const classical_hopfield<double, storkey> net(x);
  REQUIRE((net.weights().cast<long double>() - right).cwiseAbs().maxCoeff() < 1e-12L);
  REQUIRE((net.weights().cast<long double>() - wrong).cwiseAbs().maxCoeff() > 1e-3L);
}

TEMPLATE_TEST_CASE("learning: pseudo-inverse is the projector onto the span, diagonal removed",
                   "[learning][pinv]", float, double) {
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    random_engine rng(seed);
    const auto n = static_cast<index_t>(6 + uniform_below(rng, 40));
    const auto m = static_cast<index_t>(1 + uniform_below(rng, static_cast<std::uint64_t>(n - 1)));
    const auto x = random_binary_patterns<TestType>(n, m, seed);
    const classical_hopfield<TestType, pseudo_inverse> net(x);
    // Reference 1: X (X^T X)^{-1} X^T in long double (a test may invert; the library never does).
    const long_matrix xl = x.template cast<long double>();
    const Eigen::FullPivLU<long_matrix> gram(xl.transpose() * xl);
    if (gram.rank() != m) continue;
    long_matrix p = xl * gram.solve(xl.transpose());
    // Reference 2: Gram-Schmidt.
    REQUIRE((p - naive_projector(x)).cwiseAbs().maxCoeff() < 1e-12L);
    p.diagonal().setZero();
    const matrix_t<TestType> w = net.weights();
    REQUIRE((w.template cast<long double>() - p).cwiseAbs().maxCoeff() < tolerance<TestType>() * 10);
    REQUIRE(w.diagonal().isZero(0));
    REQUIRE(net.learner().rank() == m);
  }
}

TEMPLATE_TEST_CASE("learning: pseudo-inverse handles linearly dependent patterns", "[learning][pinv]", float,
                   double) {
  // Duplicates, negations and a pattern in the span of two others: rank from the QR threshold.
  const index_t n = 16;
  const auto base = random_binary_patterns<TestType>(n, 2, 5);
  matrix_t<TestType> x(n, 5);
  x << base.col(0), base.col(1), -base.col(0), base.col(1), base.col(0);
  const classical_hopfield<TestType, pseudo_inverse> net(x);
  REQUIRE(net.learner().rank() == 2);
  long_matrix p = naive_projector(x);
  p.diagonal().setZero();
  REQUIRE((net.weights().template cast<long double>() - p).cwiseAbs().maxCoeff() <
          tolerance<TestType>() * 10);
  const auto result = net.retrieve(x);
  REQUIRE(result.states == x);
  // A fifth pattern inside the span of four: with the 4 x 4 Hadamard columns h0..h3,
  // (h0 + h1 + h2 - h3) / 2 is again +-1 (rows repeated twice: N = 8).
  matrix_t<TestType> h4(4, 4);
  h4 << 1, 1, 1, 1,  //
      1, -1, 1, -1,  //
      1, 1, -1, -1,  //
      1, -1, -1, 1;
  matrix_t<TestType> h(8, 4);
  h << h4, h4;
  matrix_t<TestType> y(8, 5);
  y.leftCols(4) = h;
  y.col(4) = (h.col(0) + h.col(1) + h.col(2) - h.col(3)) / 2;
  REQUIRE((y.col(4).array().abs() == 1).all());
  const classical_hopfield<TestType, pseudo_inverse> spanned(y);
  REQUIRE(spanned.learner().rank() == 4);
  classical_hopfield<TestType, pseudo_inverse> grown(h);
  grown.add_patterns(y.col(4));  // lies in the span: skipped, rank unchanged
  REQUIRE(grown.learner().rank() == 4);
  REQUIRE((grown.weights() - spanned.weights()).cwiseAbs().maxCoeff() < TestType(1e-5));
}

TEMPLATE_TEST_CASE("learning: incremental pseudo-inverse equals the QR build", "[learning][pinv]", float,
                   double) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    random_engine rng(seed);
    const auto n = static_cast<index_t>(10 + uniform_below(rng, 50));
    const auto m = static_cast<index_t>(2 + uniform_below(rng, static_cast<std::uint64_t>(n - 2)));
    const auto x = random_binary_patterns<TestType>(n, m, seed);
    classical_hopfield<TestType, pseudo_inverse> grown(x.leftCols(1));
    for (index_t k = 1; k < m; ++k) grown.add_patterns(x.col(k));
    const classical_hopfield<TestType, pseudo_inverse> whole(x);
    REQUIRE(grown.learner().rank() == whole.learner().rank());
    const TestType tol = std::is_same_v<TestType, float> ? TestType(1e-4) : TestType(1e-10);
    REQUIRE((grown.weights() - whole.weights()).cwiseAbs().maxCoeff() < tol);
    // Independent patterns stay fixed points after incremental storage too.
    if (whole.learner().rank() == m) REQUIRE(grown.retrieve(x).states == x);
  }
}

TEST_CASE("learning: adding patterns costs no rebuild and keeps earlier weights' history", "[learning]") {
  // Hebbian addition is exactly the sum of outer products, in any grouping.
  const auto x = random_binary_patterns<double>(50, 9, 1);
  classical_hopfield<double> a(x.leftCols(3));
  a.add_patterns(x.middleCols(3, 3));
  a.add_patterns(x.rightCols(3));
  matrix_t<double> w = x * x.transpose() / 50.0;
  w.diagonal().setZero();
  REQUIRE((a.weights() - w).cwiseAbs().maxCoeff() < 1e-15);
  a.add_patterns(matrix_t<double>(50, 0));  // nothing to add
  REQUIRE(a.size() == 9);
}
