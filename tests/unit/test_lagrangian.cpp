// Lagrangian policies (lagrangian/): every shipped policy and the user Lagrangian of
// docs/lagrangian.md pass the same generic checks (check_lagrangian): g is the gradient of L, the
// Hessian-vector product is the derivative of g, the Hessian is PSD where the policy says so, the
// Legendre term is x.g - L, the batch form is the column-by-column form and allocates nothing.
// Then the closed-form values at a fixed point, the numerically hard regions and bad arguments.
#include <no_malloc.hpp>  // first: makes Eigen allocations throw inside a no_malloc_scope

#include <catch.hpp>

#include "doc_text.hpp"

#include <Eigen/Eigenvalues>

#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

// [user-lagrangian-begin]
#include <hopfield/hopfield.hpp>

/// L(x) = sum_i sqrt(1 + x_i^2). Its activation g = x / sqrt(1 + x^2) is a bounded sigmoid, and
/// its Hessian diag((1 + x^2)^(-3/2)) is positive definite.
template <hopfield::Real Scalar>
struct algebraic_sigmoid_lagrangian {
  using matrix = hopfield::matrix_t<Scalar>;
  using values = hopfield::row_vector_t<Scalar>;

  // required: the Hessian is positive semi-definite at every x (a compile-time fact)
  static constexpr bool hessian_psd = true;

  // required: out(j) = L(x.col(j)) for a batch x (N x B; a vector is B = 1)
  void value(const Eigen::Ref<const matrix>& x, Eigen::Ref<values> out) const {
    out = (Scalar(1) + x.array().square()).sqrt().matrix().colwise().sum();
  }

  // required: g = dL/dx, column by column
  void activation(const Eigen::Ref<const matrix>& x, Eigen::Ref<matrix> g) const {
    g = (x.array() * (Scalar(1) + x.array().square()).rsqrt()).matrix();
  }

  // required: x.g - L, in a form that does not cancel: sum_i (x_i^2 - (1 + x_i^2)) / r_i = -sum_i 1 / r_i
  void legendre(const Eigen::Ref<const matrix>& x, Eigen::Ref<values> out) const {
    out = -(Scalar(1) + x.array().square()).rsqrt().matrix().colwise().sum();
  }

  // required: (d^2 L / dx^2) v, column by column
  void hessian_vector(const Eigen::Ref<const matrix>& x, const Eigen::Ref<const matrix>& v,
                      Eigen::Ref<matrix> out) const {
    out = ((Scalar(1) + x.array().square()).rsqrt().cube() * v.array()).matrix();
  }
};

static_assert(hopfield::Lagrangian<algebraic_sigmoid_lagrangian<float>, float>);
// [user-lagrangian-end]

using namespace hopfield;

namespace {

using ld = long double;

/// |a - b| <= tol max(1, |b|): relative for large values, absolute near 0.
bool close(ld a, ld b, ld tol) {
  return std::abs(a - b) <= tol * std::max(ld(1), std::abs(b));
}

template <class Scalar>
constexpr ld tolerance() {
  return std::is_same_v<Scalar, float> ? ld(2e-4) : ld(1e-9);
}

/// N x B uniform in [-spread, spread], each entry at least 0.05 away from 0 so that a central
/// difference with step 1e-5 never straddles the kink of |x| or max(x, 0).
template <class Scalar>
matrix_t<Scalar> random_points(index_t n, index_t b, double spread, std::uint64_t seed) {
  random_engine rng(seed);
  matrix_t<Scalar> x(n, b);
  for (index_t j = 0; j < b; ++j) {
    for (index_t i = 0; i < n; ++i) {
      double t = spread * (2 * uniform_unit(rng) - 1);
      if (std::abs(t) < 0.05) t = t < 0 ? -0.05 : 0.05;
      x(i, j) = static_cast<Scalar>(t);
    }
  }
  return x;
}

/// The generic checks, for the policy make(Scalar(0)) against make(ld(0)) (the reference, with
/// differences taken in long double: step 1e-5, truncation and round-off both below 1e-11).
template <class Scalar, class Make>
void check_lagrangian(const Make& make, double spread = 2, index_t n = 5) {
  const auto lagrangian = make(Scalar(0));
  const auto reference = make(ld(0));
  using L = std::remove_const_t<decltype(lagrangian)>;
  static_assert(Lagrangian<L, Scalar>);
  static_assert(Lagrangian<std::remove_const_t<decltype(reference)>, ld>);
  const ld tol = tolerance<Scalar>();
  const ld h = 1e-5L;
  const index_t b = 6;
  const matrix_t<Scalar> x = random_points<Scalar>(n, b, spread, 7);
  const matrix_t<Scalar> v = random_points<Scalar>(n, b, 1, 11);

  // The batch members, with every output allocated beforehand: no allocation inside.
  row_vector_t<Scalar> values(b), legendre(b);
  matrix_t<Scalar> g(n, b), hv(n, b);
  {
    const test::no_malloc_scope guard;
    lagrangian.value(x, values);
    lagrangian.activation(x, g);
    lagrangian.legendre(x, legendre);
    lagrangian.hessian_vector(x, v, hv);
  }

  for (index_t j = 0; j < b; ++j) {
    CAPTURE(j);
    const vector_t<ld> xj = x.col(j).template cast<ld>();
    const vector_t<ld> vj = v.col(j).template cast<ld>();

    // The batch form is the column-by-column form (within a few ulps).
    const ld ulps = 8 * ld(std::numeric_limits<Scalar>::epsilon());
    const vector_t<Scalar> xs = x.col(j);
    const vector_t<Scalar> vs = v.col(j);
    CHECK(close(lagrangian_value(lagrangian, xs), values(j), ulps));
    CHECK(close(lagrangian_legendre(lagrangian, xs), legendre(j), ulps));
    const vector_t<Scalar> gs = lagrangian_activation(lagrangian, xs);
    const vector_t<Scalar> hvs = lagrangian_hessian_vector(lagrangian, xs, vs);
    for (index_t i = 0; i < n; ++i) {
      CHECK(close(gs(i), g(i, j), ulps));
      CHECK(close(hvs(i), hv(i, j), ulps));
    }

    // Value, and the Legendre term as x.g - L, against the long double reference.
    const ld l_ref = lagrangian_value(reference, xj);
    const vector_t<ld> g_ref = lagrangian_activation(reference, xj);
    CHECK(close(values(j), l_ref, tol));
    CHECK(close(legendre(j), xj.dot(g_ref) - l_ref, tol * std::max(ld(1), std::abs(xj.dot(g_ref)))));

    for (index_t i = 0; i < n; ++i) {
      CAPTURE(i);
      // g_i = dL/dx_i (central difference of the reference value).
      vector_t<ld> up = xj, down = xj;
      up(i) += h;
      down(i) -= h;
      const ld dl = (lagrangian_value(reference, up) - lagrangian_value(reference, down)) / (2 * h);
      CHECK(close(g(i, j), dl, tol));
    }
    // H v = d/dt g(x + t v) at t = 0 (central difference of the reference activation).
    const vector_t<ld> dg = (lagrangian_activation(reference, vector_t<ld>(xj + h * vj)) -
                             lagrangian_activation(reference, vector_t<ld>(xj - h * vj))) /
                            (2 * h);
    for (index_t i = 0; i < n; ++i) CHECK(close(hv(i, j), dg(i), tol));

    // The whole Hessian, one column per unit vector (a batch of N copies of x): symmetric, and
    // PSD when the policy says so (smallest eigenvalue >= -1e-10 in double, round-off in float).
    const matrix_t<Scalar> copies = x.col(j).replicate(1, n);
    const matrix_t<Scalar> identity = matrix_t<Scalar>::Identity(n, n);
    matrix_t<Scalar> hessian(n, n);
    lagrangian.hessian_vector(copies, identity, hessian);
    const Eigen::MatrixXd hd = hessian.template cast<double>();
    const double scale = std::max(1.0, hd.cwiseAbs().maxCoeff());
    CHECK((hd - hd.transpose()).cwiseAbs().maxCoeff() <= 10 * double(tol) * scale);
    if constexpr (L::hessian_psd) {
      const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(0.5 * (hd + hd.transpose()));
      const double floor = std::is_same_v<Scalar, float> ? 1e-5 : 1e-10;
      CHECK(eigen.eigenvalues().minCoeff() >= -floor * scale);
    }
  }
}

/// x = (0.5, -1, 2), v = (1, 2, -1): the values below were computed with mpmath at 30 digits from
/// the definitions (L, its gradient and Hessian written out, not the library's stable forms).
struct closed_form {
  double value;
  std::array<double, 3> g;
  double legendre;
  std::array<double, 3> hv;
};

template <class Scalar, class L>
void check_closed_form(const L& lagrangian, const closed_form& want) {
  const ld tol = std::is_same_v<Scalar, float> ? ld(1e-6) : ld(1e-13);
  vector_t<Scalar> x(3), v(3);
  x << Scalar(0.5), Scalar(-1), Scalar(2);
  v << Scalar(1), Scalar(2), Scalar(-1);
  CHECK(close(lagrangian_value(lagrangian, x), want.value, tol));
  CHECK(close(lagrangian_legendre(lagrangian, x), want.legendre, tol));
  const vector_t<Scalar> g = lagrangian_activation(lagrangian, x);
  const vector_t<Scalar> hv = lagrangian_hessian_vector(lagrangian, x, v);
  for (index_t i = 0; i < 3; ++i) {
    CHECK(close(g(i), want.g[static_cast<std::size_t>(i)], tol));
    CHECK(close(hv(i), want.hv[static_cast<std::size_t>(i)], tol));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The generic checks, for every policy in float and double
// ---------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("lagrangian: quadratic and absolute value", "[lagrangian]", float, double) {
  check_lagrangian<TestType>([](auto zero) { return quadratic_lagrangian<decltype(zero)>(); });
  check_lagrangian<TestType>([](auto zero) { return absolute_value_lagrangian<decltype(zero)>(); });
}

TEMPLATE_TEST_CASE("lagrangian: rectified power, degrees 2 to 5", "[lagrangian]", float, double) {
  for (int n = 2; n <= 5; ++n) {
    CAPTURE(n);
    check_lagrangian<TestType>([n](auto zero) { return rectified_power_lagrangian<decltype(zero)>(n); });
  }
}

TEMPLATE_TEST_CASE("lagrangian: exponential, log-sum-exp, log-cosh, softplus", "[lagrangian]", float,
                   double) {
  for (const double beta : {0.5, 1.0, 2.0}) {
    CAPTURE(beta);
    const auto with = [beta]<template <class> class P>() {
      return [beta](auto zero) {
        using T = decltype(zero);
        return P<T>(static_cast<T>(beta));
      };
    };
    check_lagrangian<TestType>(with.template operator()<exponential_lagrangian>());
    check_lagrangian<TestType>(with.template operator()<log_sum_exp_lagrangian>());
    check_lagrangian<TestType>(with.template operator()<log_cosh_lagrangian>());
    check_lagrangian<TestType>(with.template operator()<softplus_lagrangian>());
  }
}

TEMPLATE_TEST_CASE("lagrangian: layer norm and spherical", "[lagrangian]", float, double) {
  check_lagrangian<TestType>([](auto zero) {
    using T = decltype(zero);
    return layer_norm_lagrangian<T>(T(1.5), T(0.25), T(0.1));
  });
  check_lagrangian<TestType>([](auto zero) {
    using T = decltype(zero);
    return layer_norm_lagrangian<T>(T(0.7), T(-1), T(1e-3));
  });
  check_lagrangian<TestType>([](auto zero) { return spherical_lagrangian<decltype(zero)>(); });
  check_lagrangian<TestType>([](auto zero) {
    using T = decltype(zero);
    return spherical_lagrangian<T>(T(0.5));
  });
}

TEMPLATE_TEST_CASE("lagrangian: the user Lagrangian of docs/lagrangian.md passes the same checks",
                   "[lagrangian][user]", float, double) {
  check_lagrangian<TestType>([](auto zero) { return algebraic_sigmoid_lagrangian<decltype(zero)>(); });
  check_closed_form<TestType>(algebraic_sigmoid_lagrangian<TestType>{},
                              {4.7683155286227796,
                               {0.44721359549995794, -0.70710678118654752, 0.89442719099991588},
                               -2.0487475676864213,
                               {0.7155417527999327, 0.70710678118654752, -0.089442719099991588}});
}

TEST_CASE("lagrangian: the code in docs/lagrangian.md is the code compiled here", "[lagrangian][user]") {
  const std::string self = __FILE__;
  const std::string root = self.substr(0, self.rfind("tests/unit/"));
  const std::string doc = test::read_text(root + "docs/lagrangian.md");
  REQUIRE_FALSE(doc.empty());
  const std::string from_doc =
      test::between(doc, "<!-- user-lagrangian-begin -->\n```cpp\n", "```\n<!-- user-lagrangian-end -->");
  const std::string from_test =
      test::between(test::read_text(self), "// [user-lagrangian-begin]\n", "// [user-lagrangian-end]");
  REQUIRE_FALSE(from_test.empty());
  REQUIRE(from_doc == from_test);
}

// ---------------------------------------------------------------------------------------------
// Closed-form values at x = (0.5, -1, 2), v = (1, 2, -1) (mpmath, 30 digits)
// ---------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("lagrangian: closed-form values", "[lagrangian]", float, double) {
  using T = TestType;
  // 1/2 |x|^2 = 2.625; g = x; Hv = v.
  check_closed_form<T>(quadratic_lagrangian<T>(), {2.625, {0.5, -1, 2}, 2.625, {1, 2, -1}});
  // |x|_1 = 3.5; g = sign(x); x.g - L = 0; H = 0.
  check_closed_form<T>(absolute_value_lagrangian<T>(), {3.5, {1, -1, 1}, 0, {0, 0, 0}});
  // n = 3: (0.125 + 8) / 3; g = [x]_+^2; (n - 1) L; 2 [x]_+ v.
  check_closed_form<T>(rectified_power_lagrangian<T>(3),
                       {2.7083333333333333, {0.25, 0, 4}, 5.4166666666666667, {1, 0, -4}});
  // beta = 0.5: 2 (e^0.25 + e^-0.5 + e^1).
  check_closed_form<T>(exponential_lagrangian<T>(T(0.5)),
                       {9.2176758097188403,
                        {1.2840254166877415, 0.60653065971263342, 2.7182818284590452},
                        -3.7456301041695125,
                        {0.64201270834387074, 0.60653065971263342, -1.3591409142295226}});
  // beta = 2 (the numbers): L = 2.02547288176, g = (0.047314155222, 0.002355633081,
  // 0.950330211697); Legendre = -H(p) / 2.
  check_closed_form<T>(log_sum_exp_lagrangian<T>(T(2)),
                       {2.0254728817614992,
                        {0.047314155221824037, 0.0023556330807966801, 0.95033021169737928},
                        -0.10351101383662533,
                        {0.17963337501449385, 0.013654685284590108, -0.19328806029908395}});
  // beta = 1.5.
  check_closed_form<T>(log_cosh_lagrangian<T>(T(1.5)),
                       {2.2820231820095927,
                        {0.63514895238728732, -0.90514825364486644, 0.99505475368673045},
                        0.93080905520237834,
                        {0.89487871242199714, 0.54211991677094559, -0.014799055748160287}});
  // beta = 2.
  check_closed_form<T>(softplus_lagrangian<T>(T(2)),
                       {2.7291698132395025,
                        {0.73105857863000488, 0.11920292202211756, 0.98201379003790844},
                        -0.51881586587080077,
                        {0.39322386648296371, 0.41997434161402607, -0.035325412426582233}});
  // gamma = 1.5, delta = 0.25, eps = 0.1: mean 0.5, V = 1.5, s = sqrt(1.6).
  check_closed_form<T>(layer_norm_lagrangian<T>(T(1.5), T(0.25), T(0.1)),
                       {6.0670997883030828,
                        {0.25, -1.5287811838447134, 2.0287811838447134},
                        -0.35575623676894267,
                        {0.39528470752104742, -0.086468529770229122, -0.30881617775081829}});
  // eps = 0: |x| = sqrt(5.25), g = x / |x|, Legendre 0.
  check_closed_form<T>(spherical_lagrangian<T>(),
                       {2.29128784747792,
                        {0.21821789023599238, -0.43643578047198476, 0.87287156094396953},
                        0,
                        {0.58191437396264635, 0.58191437396264635, 0.14547859349066159}});
  // eps = 0.5: r = sqrt(5.75), Legendre -eps / r.
  check_closed_form<T>(spherical_lagrangian<T>(T(0.5)),
                       {2.3979157616563598,
                        {0.20851441405707476, -0.41702882811414953, 0.83405765622829905},
                        -0.20851441405707476,
                        {0.54395064536628199, 0.58021402172403412, 0.090658440894380332}});
}

// ---------------------------------------------------------------------------------------------
// Numerically hard regions: what the stable forms are for
// ---------------------------------------------------------------------------------------------

TEST_CASE("lagrangian: log-sum-exp is exact far from 0 (shifted currents)", "[lagrangian]") {
  const log_sum_exp_lagrangian<double> lse(2);
  Eigen::VectorXd x(3);
  x << 0.5, -1, 2;
  const Eigen::VectorXd far = x.array() + 1e6;
  CHECK(lagrangian_value(lse, far) == Approx(1e6 + 2.0254728817614992).epsilon(1e-15));
  // x.p - lse would keep only about 8 digits here; the centred form keeps them all.
  CHECK(lagrangian_legendre(lse, far) == Approx(-0.10351101383662533).epsilon(1e-12));
  const log_sum_exp_lagrangian<float> lse_f(1);
  Eigen::VectorXf huge(2);
  huge << 1e30f, 1e30f;
  CHECK(std::isfinite(lagrangian_value(lse_f, huge)));
  CHECK(lagrangian_legendre(lse_f, huge) == Approx(-std::log(2.0f)));
}

TEMPLATE_TEST_CASE("lagrangian: log-sum-exp's fused activation and Legendre term equal the two members",
                   "[lagrangian]", float, double) {
  // The fused member reads lse - max off the largest softmax weight; checked against the two
  // separate members on shifted, spread and tied columns, and against long double.
  using S = TestType;
  static_assert(HasFusedActivationLegendre<log_sum_exp_lagrangian<S>, S>);
  static_assert(!HasFusedActivationLegendre<softplus_lagrangian<S>, S>);
  for (const S beta : {S(0.01), S(1), S(7)}) {
    const log_sum_exp_lagrangian<S> lse(beta);
    const log_sum_exp_lagrangian<ld> reference(static_cast<ld>(beta));
    matrix_t<S> x = add_gaussian_noise(matrix_t<S>::Zero(9, 6), S(3), 42);
    x.col(1).array() += S(1e4);   // far from 0
    x.col(2).setConstant(S(-2));  // all tied: p uniform, Legendre term -log(9) / beta
    x.col(3) *= S(40);            // nearly one-hot
    matrix_t<S> g(9, 6), g_alone(9, 6);
    row_vector_t<S> fused(6), alone(6);
    lse.activation_and_legendre(x, g, fused);
    lse.activation(x, g_alone);
    lse.legendre(x, alone);
    const row_vector_t<ld> exact = lagrangian_legendre(reference, x.template cast<ld>().eval());
    CHECK(g == g_alone);
    for (index_t j = 0; j < 6; ++j) {
      INFO("beta " << beta << ", column " << j);
      CHECK(close(fused(j), alone(j), tolerance<S>()));
      CHECK(close(fused(j), exact(j), tolerance<S>()));
    }
    CHECK(close(fused(2), -std::log(ld(9)) / static_cast<ld>(beta), tolerance<S>()));
  }
}

TEST_CASE("lagrangian: log-cosh and softplus stay finite where cosh and exp overflow", "[lagrangian]") {
  Eigen::VectorXf x(2);
  x << 1000.0f, -1000.0f;
  const log_cosh_lagrangian<float> lc(1);
  CHECK(lagrangian_value(lc, x) == Approx(2000.0f - 2 * std::log(2.0f)));
  CHECK(lagrangian_legendre(lc, x) == Approx(2 * std::log(2.0f)));
  CHECK(lagrangian_activation(lc, x).isApprox(Eigen::Vector2f(1, -1)));
  CHECK(lagrangian_hessian_vector(lc, x, Eigen::Vector2f(1, 1)).isZero());

  const softplus_lagrangian<float> sp(1);
  CHECK(lagrangian_value(sp, x) == Approx(1000.0f));
  CHECK(lagrangian_legendre(sp, x) == Approx(0.0f).margin(1e-30));
  const Eigen::VectorXf s = lagrangian_activation(sp, x);
  CHECK(s(0) == 1.0f);
  CHECK(s(1) == 0.0f);
  // A tiny sigmoid keeps its relative precision: s(-50) = e^-50 / (1 + e^-50).
  const softplus_lagrangian<double> spd(1);
  const Eigen::VectorXd s50 = lagrangian_activation(spd, Eigen::VectorXd::Constant(1, -50.0));
  CHECK(s50(0) == Approx(std::exp(-50.0) / (1 + std::exp(-50.0))).epsilon(1e-14));
}

TEST_CASE("lagrangian: exponential saturates to +inf and log_value does not", "[lagrangian]") {
  const exponential_lagrangian<float> ex(1);
  Eigen::VectorXf x(2);
  x << 100.0f, 100.0f;  // e^100 overflows float
  CHECK(std::isinf(lagrangian_value(ex, x)));
  CHECK(std::isinf(lagrangian_legendre(ex, x)));
  CHECK(lagrangian_activation(ex, x).array().isInf().all());
  float log_l = 0;
  ex.log_value(x, Eigen::Map<row_vector_t<float>>(&log_l, 1));
  CHECK(log_l == Approx(100.0f + std::log(2.0f)));
  // beta = 0.5: log L = log(2 (e^0.25 + e^-0.5 + e^1)), a regular value.
  const exponential_lagrangian<double> half(0.5);
  Eigen::MatrixXd y(3, 2);
  y.col(0) << 0.5, -1, 2;
  y.col(1) << 2000, 0, 0;
  Eigen::RowVectorXd logs(2);
  half.log_value(y, logs);
  CHECK(logs(0) == Approx(std::log(9.2176758097188403)).epsilon(1e-14));
  CHECK(logs(1) == Approx(1000 + std::log(2.0)).epsilon(1e-14));
}

TEST_CASE("lagrangian: layer norm is shift invariant, spherical is defined at 0", "[lagrangian]") {
  const layer_norm_lagrangian<double> ln(1.5, 0.25, 0.1);
  Eigen::VectorXd x(3);
  x << 0.5, -1, 2;
  const Eigen::VectorXd far = x.array() + 1e6;
  CHECK(lagrangian_activation(ln, far).isApprox(lagrangian_activation(ln, x), 1e-9));
  CHECK(lagrangian_legendre(ln, far) == Approx(lagrangian_legendre(ln, x)).epsilon(1e-9));
  // Zero mode along 1: the Hessian annihilates a uniform shift.
  CHECK(lagrangian_hessian_vector(ln, x, Eigen::VectorXd::Ones(3)).norm() < 1e-15);

  const spherical_lagrangian<double> sphere;
  const Eigen::VectorXd zero = Eigen::VectorXd::Zero(3);
  CHECK(lagrangian_value(sphere, zero) == 0);
  CHECK(lagrangian_legendre(sphere, zero) == 0);
  CHECK(lagrangian_activation(sphere, zero).isZero());
  CHECK(lagrangian_hessian_vector(sphere, zero, x).isZero());
  // Radial zero mode (eq. 20): H x = 0.
  CHECK(lagrangian_hessian_vector(sphere, x, x).norm() < 1e-15);
  // No square overflows: |x| of 1e30-sized floats.
  const spherical_lagrangian<float> sphere_f;
  const Eigen::VectorXf big = Eigen::VectorXf::Constant(4, 1e30f);
  CHECK(lagrangian_value(sphere_f, big) == Approx(2e30f));
  CHECK(lagrangian_activation(sphere_f, big).isApprox(Eigen::VectorXf::Constant(4, 0.5f)));
}

TEST_CASE("lagrangian: rectified power has dead units, including the kink at n = 2", "[lagrangian]") {
  const rectified_power_lagrangian<double> relu(2);
  Eigen::VectorXd x(3);
  x << -1, 0, 2;
  const Eigen::VectorXd hv = lagrangian_hessian_vector(relu, x, Eigen::VectorXd::Ones(3));
  CHECK(hv == Eigen::Vector3d(0, 0, 1));
  CHECK(lagrangian_activation(relu, x) == Eigen::Vector3d(0, 0, 2));
}

// ---------------------------------------------------------------------------------------------
// Bad arguments: each throws std::invalid_argument naming the argument
// ---------------------------------------------------------------------------------------------

TEST_CASE("lagrangian: bad parameters throw, naming the argument", "[lagrangian]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const double beta : {0.0, -1.0, nan, inf}) {
    CAPTURE(beta);
    CHECK_THROWS_WITH(exponential_lagrangian<double>(beta), test::contains("argument 'beta'"));
    CHECK_THROWS_WITH(log_sum_exp_lagrangian<double>(beta), test::contains("argument 'beta'"));
    CHECK_THROWS_WITH(log_cosh_lagrangian<double>(beta), test::contains("argument 'beta'"));
    CHECK_THROWS_WITH(softplus_lagrangian<double>(beta), test::contains("argument 'beta'"));
    CHECK_THROWS_WITH(layer_norm_lagrangian<double>(beta), test::contains("argument 'gamma'"));
    CHECK_THROWS_WITH(layer_norm_lagrangian<double>(1, 0, beta), test::contains("argument 'eps'"));
  }
  CHECK_THROWS_AS(log_sum_exp_lagrangian<float>(0.0f), std::invalid_argument);
  for (const int degree : {1, 0, -3}) {
    CHECK_THROWS_WITH(rectified_power_lagrangian<double>(degree), test::contains("argument 'degree'"));
  }
  CHECK_THROWS_WITH(layer_norm_lagrangian<double>(1, nan), test::contains("argument 'delta'"));
  CHECK_THROWS_WITH(layer_norm_lagrangian<double>(1, inf), test::contains("argument 'delta'"));
  for (const double eps : {-1.0, nan, inf}) {
    CHECK_THROWS_WITH(spherical_lagrangian<double>(eps), test::contains("argument 'eps'"));
  }
  CHECK_NOTHROW(spherical_lagrangian<double>(0));
  CHECK_NOTHROW(rectified_power_lagrangian<double>(2));
}

TEST_CASE("lagrangian: outputs of the wrong shape throw, naming the argument", "[lagrangian]") {
  const auto check = [](const auto& lagrangian) {
    const Eigen::MatrixXd x = Eigen::MatrixXd::Ones(3, 2);
    Eigen::RowVectorXd short_values(1);
    Eigen::MatrixXd wrong_rows(2, 2), wrong_cols(3, 1), out(3, 2);
    CHECK_THROWS_WITH(lagrangian.value(x, short_values), test::contains("argument 'out'"));
    CHECK_THROWS_WITH(lagrangian.legendre(x, short_values), test::contains("argument 'out'"));
    CHECK_THROWS_WITH(lagrangian.activation(x, wrong_rows), test::contains("argument 'g'"));
    CHECK_THROWS_WITH(lagrangian.activation(x, wrong_cols), test::contains("argument 'g'"));
    CHECK_THROWS_WITH(lagrangian.hessian_vector(x, wrong_rows, out), test::contains("argument 'v'"));
    CHECK_THROWS_WITH(lagrangian.hessian_vector(x, x, wrong_cols), test::contains("argument 'out'"));
    const Eigen::MatrixXd empty(0, 2);
    Eigen::RowVectorXd values(2);
    CHECK_THROWS_WITH(lagrangian.value(empty, values), test::contains("argument 'x'"));
  };
  check(quadratic_lagrangian<double>());
  check(absolute_value_lagrangian<double>());
  check(rectified_power_lagrangian<double>(3));
  check(exponential_lagrangian<double>());
  check(log_sum_exp_lagrangian<double>());
  check(log_cosh_lagrangian<double>());
  check(softplus_lagrangian<double>());
  check(layer_norm_lagrangian<double>());
  check(spherical_lagrangian<double>());
}
