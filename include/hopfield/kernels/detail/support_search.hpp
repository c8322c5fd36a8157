#pragma once
/// @file The exact support search shared by sparsemax, 1.5-entmax and the general alpha-entmax
/// (kernels/sparsemax.hpp, kernels/entmax.hpp).
///
/// Notation. For scores z, beta > 0 and alpha > 1, theta = beta z, m = max theta, and each score
/// is mapped to x_i = (alpha - 1)(theta_i - m) <= 0, so the top score has x = 0. Then
///   entmax_alpha(theta)_i = [x_i - tau]_+^(1/(alpha - 1)),  tau the root of sum_i p_i = 1,
/// i.e. H(tau) = 1 for H(t) = sum_i [x_i - t]_+^q, q = 1/(alpha - 1). H is continuous, zero for
/// t >= 0 and strictly decreasing below 0, so tau is unique and H(t) >= 1 <=> t <= tau: any t
/// with H(t) >= 1 is a *lower bound* on tau, and every x_i <= t is then outside the support.
/// The top score alone gives H(-1) >= 1, so -1 <= tau: only x_i > -1 can be in the support,
/// i.e. theta_i > m - 1/(alpha - 1) (the max entry has p <= 1).
///
/// The search (all of it linear in M, plus work on the candidates only):
///  1. scan: the max of every block of 256 scores (vectorised), NaN detected on the way.
///  2. collect: the scores with x_i > t are copied into the workspace, t a lower bound that
///     starts at the threshold of the block maxima and rises while the scan runs (below). A
///     block (by its stored max), or a chunk of 16 (one vectorised max), whose max is at most the
///     score that maps to t is skipped.
///  3. solve: the exact tau on the candidates (Michelot for sparsemax, a safeguarded Newton
///     iteration with a closed-form finish for 1.5-entmax, bisection for other alpha).
///  4. write: p_i = [x_i - tau]_+^q over all scores (vectorised); blocks whose max maps to <= tau
///     are zeroed.
///
/// Lower bounds from a subset S of the scores (k = |S|): the exact threshold tau_S of S alone is
/// <= tau, since H >= H_S pointwise gives H(tau_S) >= 1. While collecting, the candidate set is
/// solved exactly each time it doubles, which lifts t as the scan runs (Condat-style online
/// filtering; the solves run on geometrically growing sets). Cheaper subset bounds, used inside
/// the solvers:
///  - sparsemax (q = 1): H(t) >= sum_S (x_i - t), which is 1 at t = (sum_S x - 1)/k.
///  - 1.5-entmax (q = 2): for c >= 0, [u]_+^2 >= 2 c u - c^2 (the tangent of u^2 at c), so
///    H(t) >= 2 c sum_S (x_i - t) - k c^2; with c = 1/sqrt(k) this is 1 at t = mean_S x - 1/sqrt(k).
/// Every support element has x_i > tau >= t at every moment, so the candidates always contain the
/// support, and the solve on them is the solve on all scores.
///
/// Accuracy: x is formed in the wide type from the scores as given; tau carries the rounding of a
/// sum over the candidates, so sum p = 1 to about (support size) x (wide epsilon), and each p_i
/// is within a few wide ulps of the exact value before its final rounding to Scalar.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include "hopfield/core/errors.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/core/validation.hpp"
#include "hopfield/detail/wide.hpp"
#include "hopfield/kernels/sparse_workspace.hpp"

namespace hopfield::detail {

/// Scores tested together before the scalar look at each: one or two vector compares.
inline constexpr index_t sparse_chunk = 16;

/// The first NaN's position in the message: the caller's scores are rejected as a whole.
template <Real Scalar>
[[noreturn]] void throw_nan_scores(std::string_view function, const Scalar* z, index_t n) {
  index_t at = 0;
  while (at < n && !std::isnan(z[at])) ++at;
  throw_invalid(function, "scores", "no NaN entries", "NaN at " + std::to_string(at));
}

/// What the scan found: the top score, and whether the distribution is an ordinary one.
enum class score_kind { masked, infinite, finite };

template <Real Scalar>
struct score_scan {
  score_kind kind;
  Scalar top;
};

/// Pass 1: block maxima into `block_max`, the overall max, NaN rejected.
/// @throws std::invalid_argument naming `function` and 'scores' when a score is NaN.
template <Real Scalar>
score_scan<Scalar> scan_scores(std::string_view function, const Scalar* z, index_t n, Scalar* block_max) {
  constexpr Scalar inf = std::numeric_limits<Scalar>::infinity();
  Scalar top = -inf;
  bool nan = false;
  for (index_t b0 = 0, b = 0; b0 < n; b0 += sparse_block, ++b) {
    const index_t len = std::min(sparse_block, n - b0);
    const Scalar m = Eigen::Map<const vector_t<Scalar>>(z + b0, len).template maxCoeff<Eigen::PropagateNaN>();
    block_max[b] = m;
    nan |= std::isnan(m);
    top = std::max(top, m);
  }
  if (nan) throw_nan_scores(function, z, n);
  if (top == -inf) return {score_kind::masked, top};  // also n == 0
  if (top == inf) return {score_kind::infinite, top};
  return {score_kind::finite, top};
}

/// The degenerate distributions: a fully masked (all -inf) or empty column gives zeros; when the
/// scores reach +inf, or beta (alpha - 1) overflows, the entries equal to the top share the mass
/// equally (the limit of every member of the family). Returns the support size.
template <Real Scalar>
index_t write_uniform_top(const Scalar* z, index_t n, Scalar top, bool masked, Scalar* out) {
  if (masked) {
    std::fill(out, out + n, Scalar(0));
    return 0;
  }
  index_t count = 0;
  for (index_t i = 0; i < n; ++i) count += z[i] == top ? 1 : 0;
  const Scalar share = Scalar(1) / static_cast<Scalar>(count);
  for (index_t i = 0; i < n; ++i) out[i] = z[i] == top ? share : Scalar(0);
  return count;
}

/// x(z) = scale (z - top) in the wide type: monotone non-decreasing in z (each rounding is), and
/// evaluated by the same expression in every pass, so all passes agree on each x_i.
template <Real Scalar>
struct shifted_score {
  using wide = wide_t<Scalar>;
  wide top;
  wide scale;
  wide operator()(Scalar z) const { return scale * (static_cast<wide>(z) - top); }
};

/// A score c with x(c) <= t, as large as cheaply found: every z <= c then has x(z) <= t (x is
/// monotone), so a chunk with no score above c holds no candidate. -inf disables skipping.
template <Real Scalar>
Scalar score_cut(const shifted_score<Scalar>& x, wide_t<Scalar> t) {
  using wide = wide_t<Scalar>;
  constexpr Scalar inf = std::numeric_limits<Scalar>::infinity();
  const wide guess = x.top + t / x.scale;
  if (!(guess > static_cast<wide>(std::numeric_limits<Scalar>::lowest()))) return -inf;
  Scalar c = guess >= static_cast<wide>(std::numeric_limits<Scalar>::max())
                 ? std::numeric_limits<Scalar>::max()
                 : static_cast<Scalar>(guess);
  for (int step = 0; step < 8; ++step) {
    if (x(c) <= t) return c;
    // At least one ulp down (a cheap stand-in for std::nextafter; being lower is always safe).
    c -= std::abs(c) * std::numeric_limits<Scalar>::epsilon() + std::numeric_limits<Scalar>::denorm_min();
  }
  return -inf;
}

/// True when some of the `sparse_chunk` scores at z exceed `cut` (Eigen's fixed-size, vectorised max).
template <Real Scalar>
inline bool chunk_exceeds(const Scalar* z, Scalar cut) {
  return Eigen::Map<const Eigen::Matrix<Scalar, sparse_chunk, 1>>(z).maxCoeff() > cut;  // no NaN here
}

/// Pass 2: the candidates (x_i > t) into `values`, their count returned; `t` is raised to the
/// best lower bound on tau found on the way (never above tau, see the file comment).
///
/// Admission is branch free (every score of a chunk that reaches the scalar loop is written, the
/// count advances only for candidates). Each time the candidate set has doubled (or grown
/// eightfold, after a solve that kept more than 3/4 of its input), the policy's
/// exact solver runs on it: the threshold tau_S of a subset S is a lower bound on tau
/// (H >= H_S, so H(tau_S) >= H_S(tau_S) = 1), the best one S offers, and the solver keeps only
/// S's entries above its own lower bound (the solves cost a few vectorised passes each over sets that grow
/// geometrically). The thresholds found this way only rise: a later S holds the earlier one's survivors.
template <class Policy, Real Scalar>
index_t collect_candidates(Policy& policy, const Scalar* z, index_t n, const Scalar* block_max,
                           const shifted_score<Scalar>& shift, wide_t<Scalar>* values,
                           wide_t<Scalar>& lower) {
  using wide = wide_t<Scalar>;
  // Locals, not the references: the stores into `values` would otherwise force reloads.
  const shifted_score<Scalar> x = shift;
  wide t = lower;
  index_t k = 0;
  if constexpr (Policy::online_bound) {
    // A head start: the block maxima are a subset of the scores, so their own threshold is a
    // lower bound on tau, and often a close one (the top scores mostly sit in distinct blocks).
    const index_t blocks = (n + sparse_block - 1) / sparse_block;
    for (index_t b = 0; b < blocks; ++b) {
      const wide xv = x(block_max[b]);
      values[k] = xv;
      k += xv > t ? 1 : 0;
    }
    if (k > 1) t = std::max(t, policy.solve(values, k, t));
    k = 0;
  }
  index_t settled = 0;  // candidates after the last exact solve
  Scalar cut = score_cut(x, t);
  const auto absorb = [&] {
    if constexpr (Policy::online_bound) {
      if (k < 2 * settled + 32) return;
      const index_t before = k;
      const wide bound = policy.solve(values, k, t);  // keeps only the x > t (or > bound)
      // A solve that prunes little (most scores are in the support) backs off: the next one waits
      // until the set has grown eightfold instead of twofold.
      settled = 4 * k > 3 * before ? 4 * k : k;
      if (bound > t) {
        t = bound;
        cut = score_cut(x, t);
      }
    }
  };
  for (index_t b0 = 0, b = 0; b0 < n; b0 += sparse_block, ++b) {
    if (!(block_max[b] > cut)) continue;
    const index_t end = std::min(b0 + sparse_block, n);
    for (index_t i = b0; i < end; i += sparse_chunk) {
      const index_t len = std::min(sparse_chunk, end - i);
      if (len == sparse_chunk && !chunk_exceeds(z + i, cut)) continue;
      const wide t_now = t;
      for (index_t j = i; j < i + len; ++j) {  // k <= j < n: the write stays in the buffer
        const wide xv = x(z[j]);
        values[k] = xv;
        k += xv > t_now ? 1 : 0;
      }
      absorb();
    }
  }
  lower = t;
  return k;
}

/// max(v, 0) without a branch or a floating-point select (which GCC will not vectorise under
/// its default -ftrapping-math): the bits of v under an all-ones or all-zero mask; -inf gives +0.
template <Real Wide>
inline Wide positive_part(Wide v) {
  if constexpr (sizeof(Wide) == sizeof(std::uint64_t) && std::numeric_limits<Wide>::is_iec559) {
    const std::uint64_t mask = std::uint64_t(0) - static_cast<std::uint64_t>(v > Wide(0));
    return std::bit_cast<Wide>(std::bit_cast<std::uint64_t>(v) & mask);
  } else if constexpr (sizeof(Wide) == sizeof(std::uint32_t) && std::numeric_limits<Wide>::is_iec559) {
    const std::uint32_t mask = std::uint32_t(0) - static_cast<std::uint32_t>(v > Wide(0));
    return std::bit_cast<Wide>(std::bit_cast<std::uint32_t>(v) & mask);
  } else {
    return v > Wide(0) ? v : Wide(0);
  }
}

/// Pass 4: p_i = policy.value(max(x_i - tau, 0)); returns the number of nonzero p_i
/// (as stored: a weight that underflows the scalar counts as zero). `out` may be `z`.
template <Real Scalar, class Policy>
index_t write_weights(const Scalar* z, index_t n, const Scalar* block_max, const shifted_score<Scalar>& x,
                      wide_t<Scalar> tau, const Policy& policy, Scalar* out) {
  using wide = wide_t<Scalar>;
  index_t count = 0;
  for (index_t b0 = 0, b = 0; b0 < n; b0 += sparse_block, ++b) {
    const index_t end = std::min(b0 + sparse_block, n);
    if (!(x(block_max[b]) > tau)) {
      std::fill(out + b0, out + end, Scalar(0));
      continue;
    }
    // No branch, so that the loop vectorises: value(0) = 0 for every policy. (A compiler may fuse
    // x - tau into one rounding; the positive part keeps a borderline score from going negative.)
    int live = 0;  // a narrow counter keeps the vector loop narrow
    for (index_t i = b0; i < end; ++i) {
      const wide u = positive_part(x(z[i]) - tau);
      const auto p = static_cast<Scalar>(policy.value(u));
      out[i] = p;
      live += p > Scalar(0) ? 1 : 0;
    }
    count += live;
  }
  return count;
}

/// Over the v_i > threshold (i < k), with u_i = v_i - threshold: their count, sum u, and with
/// `Squares` sum u^2 and min u. Eigen array reductions (vectorised, no compaction, no branch):
/// u is the positive part of v - threshold, and the indicator of u > 0 is
/// ceil(min(max(big (v - threshold), 0), 1)), which is 1 for any positive difference.
/// The candidates lie in (-1, 0], so the sums hold terms below 1; the thresholds used sit close
/// to tau, where sum u is about 1 and its rounding a few eps per thousand terms.
template <Real W>
struct masked_sums {
  index_t count = 0;
  W sum = 0, sum_sq = 0, min_u = std::numeric_limits<W>::infinity();
};

template <bool Squares, Real W>
masked_sums<W> sums_above(const W* v, index_t k, W threshold) {
  masked_sums<W> r;
  if (k == 0) return r;
  const auto x = Eigen::Map<const vector_t<W>>(v, k).array();
  const auto d = x - threshold;
  const auto u = d.cwiseMax(W(0));
  const auto in = (d * (std::numeric_limits<W>::max() / 4)).cwiseMax(W(0)).cwiseMin(W(1)).ceil();
  r.count = static_cast<index_t>(in.sum());  // integers below 2^53: exact
  r.sum = u.sum();
  if constexpr (Squares) {
    r.sum_sq = u.square().sum();
    // Outside the set, d + 4 > 3 exceeds every candidate's d (< 1): the min is over the set.
    r.min_u = (d + (1 - in) * W(4)).minCoeff();
  }
  return r;
}

/// Keeps the v_i > threshold, in order; returns their number. Branch free (the drops are
/// unpredictable).
template <Real W>
index_t keep_above(W* v, index_t k, W threshold) {
  index_t kept = 0;
  for (index_t i = 0; i < k; ++i) {
    const W xi = v[i];
    v[kept] = xi;
    kept += xi > threshold ? 1 : 0;
  }
  return kept;
}

/// Sparsemax (alpha = 2, p = [x - tau]_+).
template <Real Scalar>
struct sparsemax_policy {
  using wide = wide_t<Scalar>;
  static constexpr bool online_bound = true;
  [[nodiscard]] wide slope() const { return 1; }
  [[nodiscard]] wide value(wide u) const { return u; }

  /// Michelot's iteration on the candidates C (all x > t, C containing the support S*):
  /// tau_n = (sum_{C_n} x - 1)/|C_n|, C_{n+1} = {x in C_n : x > tau_n}, until nothing is dropped.
  /// Monotone: tau_n <= tau (subset bound), so C_{n+1} still contains S*; and tau_{n+1} >= tau_n,
  /// because sum_{C_{n+1}} (x - tau_n) = 1 + sum_{dropped} (tau_n - x) >= 1. Terminates: C shrinks
  /// strictly until it stops, after at most |C| rounds. Exact at the end: every x in C_n exceeds
  /// tau_n, so H(tau_n) = sum_{C_n} (x - tau_n) = 1 (the others have x <= t <= tau_n), tau_n = tau.
  /// The largest x (> tau, as p > 0 there) is never dropped, so |C_n| >= 1. On any set C this
  /// finds C's own threshold; `k` becomes the number of candidates kept (those > tau).
  wide solve(wide* v, index_t& k, wide t) const {
    // C_n is kept implicitly as {x > tau_{n-1}}; the buffer is compacted when C halves. The sums
    // are taken relative to the last threshold: small terms, accurate tau.
    wide tau = t;
    masked_sums<wide> c = sums_above<false>(v, k, tau);
    for (;;) {
      if (c.count == 0) return tau;  // only through rounding
      const wide next_tau = tau + (c.sum - 1) / static_cast<wide>(c.count);
      if (!(next_tau > tau)) {  // nothing more to drop (or rounding): C is final
        if (c.count < k) k = keep_above(v, k, tau);
        return tau;
      }
      const masked_sums<wide> next = sums_above<false>(v, k, next_tau);
      if (next.count == c.count) {  // nothing dropped: exact
        if (next.count < k) k = keep_above(v, k, next_tau);
        // Same set: tau = next_tau + (sum_C (x - next_tau) - 1)/|C|, a rounding-level refinement.
        return next_tau + (next.sum - 1) / static_cast<wide>(next.count);
      }
      if (2 * next.count < k) k = keep_above(v, k, next_tau);
      tau = next_tau;
      c = next;
    }
  }
};

/// 1.5-entmax (alpha = 1.5, x = (theta - m)/2, p = [x - tau]_+^2).
template <Real Scalar>
struct entmax15_policy {
  using wide = wide_t<Scalar>;
  static constexpr bool online_bound = true;
  [[nodiscard]] wide slope() const { return wide(0.5); }
  [[nodiscard]] wide value(wide u) const { return u * u; }

  /// Why not Michelot: the closed-form root r(C) of sum_C (x - r)^2 = 1 (the smaller one,
  /// r = mean - sqrt((1 - ss)/k), ss = sum_C (x - mean)^2) is an *upper* bound on tau when C
  /// contains non-support entries (they add (x - tau)^2 > 0 to the sum at tau instead of 0), so
  /// dropping x <= r can drop support entries; it gives a wrong tau in about one random case in
  /// eight. Instead, from a lower bound t (C = {x > t} contains the support):
  ///  - finish: if ss <= 1 and r <= min_C x, then H(r) = sum_C (x - r)^2 = 1 (every term is a
  ///    full square and x <= t <= r outside C contribute 0), so r = tau exactly. When C is the
  ///    support this test passes (all x > tau = r); so does C = support plus entries at exactly tau.
  ///  - else step: H is convex, C^1 and decreasing on t < 0, so the Newton step from t,
  ///    t' = t + (H(t) - 1) / (-H'(t)) = t + (sum_C u^2 - 1) / (2 sum_C u), u = x - t, lands at
  ///    H(t') >= 1 (the tangent lies below H), i.e. t < t' <= tau; the subset bound
  ///    mean_C x - 1/sqrt(|C|) (file comment) is taken when larger; C becomes {x > t'}.
  /// The iterates rise monotonically to tau; once they pass the largest non-support x below tau,
  /// C is the support (plus entries exactly at tau) and the finish applies: finitely many steps,
  /// Newton's quadratic convergence making them few (a prototype of this loop, started at t = -1,
  /// took at most 6 rounds on 20000 random cases with ties and matched the sort-based tau on all;
  /// the unit tests compare the kernel itself with the sort-based tau). In floating point the step
  /// can stall within rounding of tau (a candidate within an ulp of tau): then t is tau to the
  /// wide type's precision and is returned. Each round is one vectorised pass (sums_above).
  wide solve(wide* v, index_t& k, wide t) const {
    constexpr int max_rounds = 100;
    for (int round = 0;; ++round) {
      const masked_sums<wide> c = sums_above<true>(v, k, t);  // C = {x > t}, u = x - t > 0
      if (2 * c.count < k) k = keep_above(v, k, t);
      if (c.count == 0) return t;  // only through rounding: t reached the top
      const wide d = c.sum, g = c.sum_sq;
      const auto kk = static_cast<wide>(c.count);
      const wide u_mean = d / kk;
      const wide ss = std::max(g - d * u_mean, wide(0));  // sum_C (u - mean u)^2
      if (ss <= 1) {
        const wide r = u_mean - std::sqrt((1 - ss) / kk);  // the root, relative to t
        if (r <= c.min_u) {
          if (c.count < k) k = keep_above(v, k, t);
          return r >= 0 ? t + r : t;  // r < 0 only through rounding
        }
      }
      const wide newton = t + (g - 1) / (2 * d);
      const wide next = std::max(newton, t + u_mean - 1 / std::sqrt(kk));
      if (!(next > t && next < 0) || round == max_rounds) {
        if (c.count < k) k = keep_above(v, k, t);
        return t;
      }
      t = next;
    }
  }
};

/// Any alpha > 1 by bisection on tau (the reference method): p = [x - tau]_+^q, q = 1/(alpha-1),
/// renormalised so that sum p = 1.
template <Real Scalar>
struct bisection_policy {
  using wide = wide_t<Scalar>;
  static constexpr bool online_bound = false;
  wide alpha_minus_one;
  wide power;           // 1 / (alpha - 1)
  wide normaliser = 1;  // set by solve: 1 / sum p at the returned tau
  explicit bisection_policy(wide alpha) : alpha_minus_one(alpha - 1), power(1 / (alpha - 1)) {}
  [[nodiscard]] wide slope() const { return alpha_minus_one; }
  [[nodiscard]] wide value(wide u) const { return std::pow(u, power) * normaliser; }

  [[nodiscard]] wide mass(const wide* v, index_t k, wide tau) const {
    wide s = 0;
    for (index_t i = 0; i < k; ++i) {
      if (v[i] > tau) s += std::pow(v[i] - tau, power);
    }
    return s;
  }

  /// tau in [lo, hi] = [-1, -(1/k)^(alpha-1)]: H(-1) >= 1 (the top alone), and at hi every one of
  /// the k candidates has p <= 1/k. Halved until the midpoint equals an end (tau exact to the
  /// wide type's precision); candidates below lo are dropped as lo rises. The end with the
  /// smaller |H - 1| is returned and the weights are divided by its H.
  wide solve(wide* v, index_t& k, wide t) {
    wide lo = t;
    wide hi = -std::pow(static_cast<wide>(k), -alpha_minus_one);
    hi = std::max(hi, lo);
    wide f_lo = mass(v, k, lo) - 1;
    wide f_hi = mass(v, k, hi) - 1;
    for (;;) {
      const wide mid = lo + (hi - lo) / 2;
      if (!(mid > lo && mid < hi)) break;
      const wide f = mass(v, k, mid) - 1;
      if (f >= 0) {
        lo = mid;
        f_lo = f;
        index_t kept = 0;
        for (index_t i = 0; i < k; ++i) {
          if (v[i] > lo) v[kept++] = v[i];
        }
        k = kept;
      } else {
        hi = mid;
        f_hi = f;
      }
    }
    const bool take_lo = std::abs(f_lo) <= std::abs(f_hi);
    normaliser = 1 / (1 + (take_lo ? f_lo : f_hi));
    return take_lo ? lo : hi;
  }
};

/// The whole kernel for one distribution: validation, the four passes, the degenerate cases.
/// Returns the support size.
/// @throws std::invalid_argument naming `function` and the argument: beta not finite and > 0,
///         `out` of another size than the scores, a NaN score.
template <class Policy, Real Scalar>
index_t sparse_separation(std::string_view function,
                          const std::type_identity_t<Eigen::Ref<const vector_t<Scalar>>>& scores,
                          std::type_identity_t<Scalar> beta, Policy& policy,
                          std::type_identity_t<Eigen::Ref<vector_t<Scalar>>> out,
                          sparse_workspace<Scalar>& workspace) {
  using wide = wide_t<Scalar>;
  require_positive_finite(function, "beta", beta);
  require_size(function, "out", "size", scores.size(), out.size());
  const index_t n = scores.size();
  workspace.reserve(n);
  const Scalar* z = scores.data();
  Scalar* const block_max = workspace.block_max();
  const score_scan<Scalar> scan = scan_scores(function, z, n, block_max);
  const wide scale = policy.slope() * static_cast<wide>(beta);
  if (scan.kind != score_kind::finite || !std::isfinite(scale)) {
    return write_uniform_top(z, n, scan.top, scan.kind == score_kind::masked, out.data());
  }
  const shifted_score<Scalar> x{static_cast<wide>(scan.top), scale};
  wide t = -1;  // tau >= -1: the top alone has p <= 1
  index_t k = collect_candidates(policy, z, n, block_max, x, workspace.values(), t);
  // tau is never below a lower bound; the max also keeps rounding from reviving ruled-out scores.
  const wide tau = std::max(policy.solve(workspace.values(), k, t), t);
  return write_weights(z, n, block_max, x, tau, policy, out.data());
}

}  // namespace hopfield::detail
