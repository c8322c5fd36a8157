#pragma once
/// @file Implicit gradients through a converged modern retrieval, without storing the iterations.
/// At a fixed point xi* = f(xi*) = X softmax(beta X^T xi*) of an auto-associative memory, the
/// implicit function theorem gives, for a loss L(xi*) with upstream u = dL/dxi*,
///   solve (I - J)^T w = u,   J = df/dxi at xi* = beta X (diag p - p p^T) X^T,
/// then dL/dX and dL/dbeta are the one-step VJP of f at xi* with upstream w
/// (gradient/modern_update_vjp.hpp). J is symmetric and positive semi-definite, so at a stable
/// fixed point (every eigenvalue of J below 1) I - J is symmetric positive definite and the
/// adjoint system is solved by conjugate gradients, matrix-free: J v = beta X (p .* (X^T v) -
/// p (p . X^T v)), two passes over X per iteration, O(N + M) memory per query.
///
/// The solve has its own tolerance and iteration limit, and its outcome is a report field, never
/// a silent wrong gradient: `converged`, `reason` (the limit was reached, or CG met a direction of
/// non-positive curvature: I - J is singular or indefinite, the fixed point is not stable, and no
/// implicit gradient exists there), `residual` (the relative residual reached) and
/// `fixed_point_residual` (how far the given states are from f(states); the formula is only
/// exact at a fixed point). The gradient with respect to the starting query is zero: a stable
/// fixed point does not move when the start moves inside its basin (the unrolled gradient,
/// gradient/unrolled_gradient.hpp, shows it decaying like J^K).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/wide.hpp"
#include "hopfield/gradient/detail/checks.hpp"
#include "hopfield/gradient/modern_update_vjp.hpp"
#include "hopfield/kernels/attention_partial.hpp"
#include "hopfield/kernels/softmax.hpp"
#include "hopfield/kernels/streaming_softmax.hpp"
#include "hopfield/memory/modern_hopfield.hpp"
#include "hopfield/similarity/dot_product.hpp"

namespace hopfield {

/// How the adjoint system (I - J) w = u is solved.
struct adjoint_options {
  /// Conjugate-gradient iterations per query at most, >= 0; 0 means 2 N + 20 (CG needs at most
  /// N in exact arithmetic; the slack absorbs rounding).
  index_t max_iterations = 0;
  /// Stop when ||u - (I - J) w|| <= tolerance ||u||; unset means 1e-6 in float, 1e-13 in double
  /// and 1e-16 in long double.
  std::optional<double> tolerance{};
};

/// Why the adjoint solve stopped.
enum class adjoint_stop {
  converged,              ///< the residual met the tolerance
  iteration_limit,        ///< max_iterations were spent first
  not_positive_definite,  ///< a direction with d^T (I - J) d <= 0: I - J singular or indefinite
};

/// Gradients of L(xi*) with respect to the patterns and beta, and the adjoint solve's report
/// (for the batch: converged only if every query's solve did; the worst residuals).
template <Real Scalar>
struct implicit_gradients {
  matrix_t<Scalar> patterns;  ///< N x M
  Scalar beta = 0;
  matrix_t<Scalar> adjoint;  ///< w, N x B: the solution of (I - J) w = u per query
  bool converged = false;
  adjoint_stop reason = adjoint_stop::iteration_limit;  ///< the first failing query's reason
  index_t iterations = 0;                               ///< the most CG iterations any query took
  Scalar residual = 0;                                  ///< max over queries of ||u - (I - J) w|| / ||u||
  Scalar fixed_point_residual = 0;  ///< max over queries of ||f(xi) - xi||_inf / max(1, ||xi||_inf)
};

namespace detail {

template <Real Scalar>
double default_adjoint_tolerance() {
  if constexpr (std::is_same_v<Scalar, float>) {
    return 1e-6;
  } else if constexpr (std::is_same_v<Scalar, double>) {
    return 1e-13;
  } else {
    return 1e-16;
  }
}

/// CG on (I - J) w = u for one query with weights p; returns (stop, iterations, residual).
template <Real Scalar>
struct adjoint_outcome {
  adjoint_stop reason = adjoint_stop::iteration_limit;
  index_t iterations = 0;
  Scalar residual = 0;
};

template <Real Scalar>
adjoint_outcome<Scalar> solve_adjoint(const matrix_t<Scalar>& x, const vector_t<Scalar>& p, Scalar beta,
                                      const Eigen::Ref<const vector_t<Scalar>>& u,
                                      Eigen::Ref<vector_t<Scalar>> w, index_t max_iterations,
                                      double tolerance) {
  using wide = wide_t<Scalar>;
  vector_t<Scalar> t(x.cols());
  // (I - J) v into out.
  const auto apply = [&](const vector_t<Scalar>& v, vector_t<Scalar>& out) {
    t.noalias() = x.transpose() * v;
    const auto mean = static_cast<Scalar>(p.template cast<wide>().dot(t.template cast<wide>()));
    t = (p.array() * (t.array() - mean)).matrix();
    out = v;
    out.noalias() -= beta * (x * t);
  };
  adjoint_outcome<Scalar> outcome;
  const Scalar target = static_cast<Scalar>(tolerance) * u.norm();
  w.setZero();
  vector_t<Scalar> r = u, d = u, ad(u.size());
  Scalar rr = r.squaredNorm();
  outcome.residual = u.norm() > 0 ? Scalar(1) : Scalar(0);
  if (std::sqrt(rr) <= target) {
    outcome.reason = adjoint_stop::converged;
    return outcome;
  }
  for (index_t k = 0; k < max_iterations; ++k) {
    apply(d, ad);
    const Scalar curvature = d.dot(ad);
    // Non-positive curvature (relative to the direction's length): I - J is not positive
    // definite, and CG's step would be meaningless.
    if (!(curvature > std::numeric_limits<Scalar>::epsilon() * d.squaredNorm())) {
      outcome.reason = adjoint_stop::not_positive_definite;
      outcome.iterations = k;
      return outcome;
    }
    const Scalar alpha = rr / curvature;
    w += alpha * d;
    r -= alpha * ad;
    const Scalar next = r.squaredNorm();
    outcome.iterations = k + 1;
    outcome.residual = std::sqrt(next) / u.norm();
    if (std::sqrt(next) <= target) {
      // The recursive residual drifts from the true one: confirm with a true residual.
      vector_t<Scalar> check(u.size());
      apply(vector_t<Scalar>(w), check);
      outcome.residual = (u - check).norm() / u.norm();
      if (outcome.residual <= Scalar(4) * static_cast<Scalar>(tolerance)) {
        outcome.reason = adjoint_stop::converged;
        return outcome;
      }
      r = u - check;  // restart from the true residual
      d = r;
      rr = r.squaredNorm();
      continue;
    }
    d = r + (next / rr) * d;
    rr = next;
  }
  return outcome;
}

}  // namespace detail

/// Implicit gradients of L(xi*) for an auto-associative memory: `fixed_points` (N x B) are the
/// converged states (e.g. memory.retrieve(q).state) and `upstream` (N x B) is dL/dxi*.
/// @throws std::invalid_argument for a hetero-associative memory, states or upstream of the
///         wrong shape or with non-finite entries, a negative iteration limit or a tolerance that
///         is not finite and > 0. A failed solve is reported, not thrown.
template <Real Scalar, class DS, class DU>
implicit_gradients<Scalar> implicit_retrieval_vjp(const modern_hopfield<Scalar, dot_product>& memory,
                                                  const Eigen::MatrixBase<DS>& fixed_points,
                                                  const Eigen::MatrixBase<DU>& upstream,
                                                  const adjoint_options& options = {}) {
  constexpr std::string_view f = "implicit_retrieval_vjp";
  if (memory.is_heteroassociative())
    detail::throw_invalid(f, "memory", "an auto-associative memory", "a hetero-associative one");
  detail::require_size(f, "fixed_points", "rows", memory.dimension(), fixed_points.rows());
  detail::require_finite(f, "fixed_points", fixed_points);
  detail::require_upstream(f, "upstream", upstream, memory.dimension(), fixed_points.cols());
  if (options.max_iterations < 0)
    detail::throw_invalid(f, "options.max_iterations", "a count >= 0", options.max_iterations);
  const double tolerance = options.tolerance.value_or(detail::default_adjoint_tolerance<Scalar>());
  detail::require_positive_finite(f, "options.tolerance", tolerance);
  const index_t limit = options.max_iterations > 0 ? options.max_iterations : 2 * memory.dimension() + 20;

  const matrix_t<Scalar> xi = fixed_points;
  const matrix_t<Scalar>& x = memory.patterns();
  const Scalar beta = memory.beta();
  const index_t count = xi.cols();
  implicit_gradients<Scalar> out;
  out.adjoint.resize(xi.rows(), count);
  out.converged = true;
  out.reason = adjoint_stop::converged;
  const softmax_partial<Scalar> forward = memory.partial(xi);
  const matrix_t<Scalar> next = forward.weighted_sum();
  vector_t<Scalar> p(x.cols());
  for (index_t j = 0; j < count; ++j) {
    const Scalar scale = std::max(Scalar(1), xi.col(j).cwiseAbs().maxCoeff());
    out.fixed_point_residual =
        std::max(out.fixed_point_residual, (next.col(j) - xi.col(j)).cwiseAbs().maxCoeff() / scale);
    p = softmax((x.transpose() * xi.col(j)).eval(), beta);
    const auto outcome = detail::solve_adjoint<Scalar>(x, p, beta, upstream.col(j).template cast<Scalar>(),
                                                       out.adjoint.col(j), limit, tolerance);
    out.iterations = std::max(out.iterations, outcome.iterations);
    out.residual = std::max(out.residual, outcome.residual);
    if (outcome.reason != adjoint_stop::converged && out.converged) {
      out.converged = false;
      out.reason = outcome.reason;
    }
  }
  const Eigen::Ref<const matrix_t<Scalar>> patterns(x);
  auto g = detail::auto_backward<Scalar>(patterns, xi, beta, out.adjoint,
                                         detail::memory_streaming(memory.options()), f, &forward);
  out.patterns = std::move(g.patterns);
  out.beta = g.beta;
  return out;
}

}  // namespace hopfield
