#pragma once
/// @file The negative squared Euclidean distance sim(x, q) = -1/2 |x - q|^2, one of the
/// similarities of universal Hopfield networks (Millidge et al. 2022; THEORY.md section 7).
///
/// Cost. A batch takes one product, patterns^T queries, plus the squared norms:
///   -1/2 |x - q|^2 = x . q - 1/2 |x|^2 - 1/2 |q|^2,
/// so a block costs the dot product's GEMM plus O((m + B) N + m B) (the norms and one pass over
/// the m x B scores), about 1% of the product at N = 256. One query takes one pass per pattern
/// column, -1/2 sum_r (x_r - q_r)^2, the same loads and one more subtraction per entry as the dot
/// product, so the streaming loop still finds the column in L1 for the accumulation that follows.
///
/// Rounding. The batch form cancels: x . q - 1/2|x|^2 - 1/2|q|^2 is small where x is near q while
/// its terms are of size |x|^2 and |q|^2, so its absolute error is about
/// eps (|x|^2 + |q|^2) (times a factor that grows at most like N, like any dot product's, and is
/// about sqrt(N) for random signs), however small |x - q|^2 is. The softmax only sees
/// differences of scores times beta, so this matters when beta eps (|x|^2 + |q|^2) is not small
/// (float, large norms, large beta). The single-query form has no cancellation: its error is
/// relative to |x - q|^2. A score is never positive: the batch form's rounding is clamped at 0,
/// the largest value -1/2 |x - q|^2 can take.
///
/// Range. The batch form needs |x|^2 and |q|^2 to be representable (entries below about 1e19 in
/// float), as the dot product needs x . q: beyond that a score is not finite and the streaming
/// path throws std::overflow_error, even where |x - q|^2 itself would fit. The single-query form
/// overflows only where |x - q|^2 does.
///
/// Energy (derived; THEORY.md section 7, "model B with memory biases"). With b_i = -1/2 |x_i|^2,
///   beta sim(x_i, q) = beta (x_i . q + b_i) - beta/2 |q|^2,
/// and the last term is common to every i, so softmax(beta sim(X, q)) = softmax(beta (X^T q + b)).
/// The energy
///   E(q) = -beta^-1 log( (1/M) sum_i exp(-beta/2 |q - x_i|^2) )
///        = -beta^-1 lse(beta, X^T q + b) + 1/2 |q|^2 + beta^-1 ln M
/// is a concave part (-lse of an affine map) plus a convex one (|q|^2 / 2); the CCCP step sets the
/// convex part's gradient q to the concave part's negated gradient, X softmax(beta (X^T q + b)),
/// which is q <- X softmax(beta sim(X, q)): the modern memory's update with this similarity, so
/// that update never raises E. It is lse_energy's
///   E = -lse(beta, sim(X, q)) + state_term(q) + beta^-1 ln M + constant_term(X)
/// with state_term(q) = 0 and constant_term(X) = 0 (the 1/2 |q|^2 is already inside sim). Every
/// exp(-beta/2 |q - x_i|^2) is <= 1, so E >= 0, with E near 0 when q sits on a pattern that is
/// far from all others. Its gradient is q - X softmax(beta sim(X, q)).
#include <algorithm>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"

namespace hopfield {

/// sim(x, q) = -1/2 |x - q|^2 (<= 0). Satisfies Similarity and HasSimilarityEnergy.
struct euclidean {
  /// out(i, j) = -1/2 |pattern i - query j|^2. A batch: one product patterns^T queries, then the
  /// norms (see the file comment for the rounding); one query: one pass per pattern column.
  /// Allocates nothing beyond what the product itself takes.
  template <Real Scalar>
  void scores(const Eigen::Ref<const matrix_t<Scalar>>& patterns,
              const Eigen::Ref<const matrix_t<Scalar>>& queries, Eigen::Ref<matrix_t<Scalar>> out) const {
    const index_t m = patterns.cols();
    if (queries.cols() == 1) {
      const auto q = queries.col(0);
      for (index_t i = 0; i < m; ++i) out(i, 0) = Scalar(-0.5) * (patterns.col(i) - q).squaredNorm();
      return;
    }
    out.noalias() = patterns.transpose() * queries;
    // Half squared norms in stack buffers of `chunk` entries, so that nothing is allocated per
    // block: a pattern's norm is recomputed once per `chunk` queries (twice at most for the
    // streaming path's tiles), a query's once per `chunk` patterns.
    constexpr index_t chunk = 256;
    using buffer = Eigen::Array<Scalar, Eigen::Dynamic, 1, Eigen::ColMajor, chunk, 1>;
    for (index_t j0 = 0; j0 < queries.cols(); j0 += chunk) {
      const index_t width = std::min(chunk, queries.cols() - j0);
      buffer half_q(width);
      for (index_t j = 0; j < width; ++j) half_q(j) = Scalar(0.5) * queries.col(j0 + j).squaredNorm();
      for (index_t i0 = 0; i0 < m; i0 += chunk) {
        const index_t height = std::min(chunk, m - i0);
        buffer half_x(height);
        for (index_t i = 0; i < height; ++i) half_x(i) = Scalar(0.5) * patterns.col(i0 + i).squaredNorm();
        for (index_t j = 0; j < width; ++j) {
          auto s = out.col(j0 + j).segment(i0, height);
          // Clamped at 0 by a select that keeps a NaN (inf - inf where |x|^2 overflowed), so
          // that the streaming path's check still reports the overflow.
          const auto d = s.array() - (half_x + half_q(j));
          s.array() = (d > Scalar(0)).select(Scalar(0), d);
        }
      }
    }
  }

  /// The convex part is inside the score already (see the file comment): 0.
  template <Real Scalar>
  [[nodiscard]] Scalar state_term(const Eigen::Ref<const vector_t<Scalar>>& /*q*/) const {
    return Scalar(0);
  }

  /// 0: E = -beta^-1 log mean_i exp(-beta/2 |q - x_i|^2) is >= 0 without a constant.
  template <Real Scalar>
  [[nodiscard]] Scalar constant_term(const matrix_t<Scalar>& /*patterns*/) const {
    return Scalar(0);
  }
};

}  // namespace hopfield
