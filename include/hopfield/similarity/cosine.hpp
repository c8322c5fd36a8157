#pragma once
/// @file The cosine similarity sim(x, q) = x . q / (|x| |q|), in [-1, 1].
///
/// Cost. A batch takes one product, patterns^T queries, then scales row i by 1/|x_i| and column j
/// by 1/|q_j|: the dot product's GEMM plus O((m + B) N + m B). One query: per pattern column the
/// dot product and the squared norm in one pass, so that each column is read once, like the dot
/// product's.
///
/// Zero vectors. A zero pattern or a zero query has cosine 0 with everything, itself included:
/// its reciprocal norm is taken as 0, so the score is 0, never NaN. So is a vector whose norm is
/// so small (below about 1 / largest scalar: 3e-39 in float, subnormal) that its reciprocal
/// overflows.
///
/// Range. Norms come from squaredNorm(), with stableNorm() where the squared norm under- or
/// overflows (entries beyond about 1e19 or below 1e-19 in float), so the scaling is right
/// wherever the norm itself is representable. The dot product is not rescaled: where x . q itself
/// overflows the score is not finite, and the streaming path throws std::overflow_error, as for
/// dot_product. Rounding may put a score a few ulps beyond +-1; it is not clamped.
///
/// No energy: there is no state_term / constant_term (the normalisation by |q| breaks the
/// concave-convex split of lse_energy), so energy() on a memory using this similarity does not
/// compile (the memory still updates).
#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Core>

#include "hopfield/core/types.hpp"

namespace hopfield {

/// sim(x, q) = x . q / (|x| |q|), 0 when x or q is zero. Satisfies Similarity only.
struct cosine {
  /// out(i, j) = cosine of pattern i and query j, for a block (patterns N x m, queries N x B,
  /// out m x B). Allocates nothing beyond what the product itself takes.
  template <Real Scalar>
  void scores(const Eigen::Ref<const matrix_t<Scalar>>& patterns,
              const Eigen::Ref<const matrix_t<Scalar>>& queries, Eigen::Ref<matrix_t<Scalar>> out) const {
    const index_t m = patterns.cols();
    if (queries.cols() == 1) {
      const auto q = queries.col(0);
      const Scalar inv_q = inverse_norm<Scalar>(q.squaredNorm(), q);
      for (index_t i = 0; i < m; ++i) {
        const auto x = patterns.col(i);
        Scalar dot = 0;
        Scalar squared = 0;
        dot_and_squared_norm(x, q, dot, squared);
        out(i, 0) = dot * inverse_norm<Scalar>(squared, x) * inv_q;
      }
      return;
    }
    out.noalias() = patterns.transpose() * queries;
    // Reciprocal norms in stack buffers of `chunk` entries (nothing allocated per block).
    constexpr index_t chunk = 256;
    using buffer = Eigen::Array<Scalar, Eigen::Dynamic, 1, Eigen::ColMajor, chunk, 1>;
    for (index_t j0 = 0; j0 < queries.cols(); j0 += chunk) {
      const index_t width = std::min(chunk, queries.cols() - j0);
      buffer inv_q(width);
      for (index_t j = 0; j < width; ++j) {
        const auto q = queries.col(j0 + j);
        inv_q(j) = inverse_norm<Scalar>(q.squaredNorm(), q);
      }
      for (index_t i0 = 0; i0 < m; i0 += chunk) {
        const index_t height = std::min(chunk, m - i0);
        buffer inv_x(height);
        for (index_t i = 0; i < height; ++i) {
          const auto x = patterns.col(i0 + i);
          inv_x(i) = inverse_norm<Scalar>(x.squaredNorm(), x);
        }
        for (index_t j = 0; j < width; ++j) {
          auto s = out.col(j0 + j).segment(i0, height);
          s.array() = s.array() * inv_x * inv_q(j);
        }
      }
    }
  }

 private:
  // x . q and |x|^2 in one pass over x: fixed-size Eigen arrays of `lanes` independent partial
  // sums (whole SIMD packets, no reordering for the compiler to refuse), then a scalar tail.
  template <class Column, class Query, class Scalar>
  static void dot_and_squared_norm(const Column& x, const Query& q, Scalar& dot, Scalar& squared) {
    constexpr int lanes = static_cast<int>(64 / sizeof(Scalar));  // 16 floats, 8 doubles
    using partial = Eigen::Array<Scalar, lanes, 1>;
    const index_t n = x.size();
    const index_t whole = n - n % lanes;
    partial dots = partial::Zero();
    partial squares = partial::Zero();
    for (index_t r = 0; r < whole; r += lanes) {
      const partial xs = x.template segment<lanes>(r).array();
      dots += xs * q.template segment<lanes>(r).array();
      squares += xs * xs;
    }
    dot = dots.sum();
    squared = squares.sum();
    for (index_t r = whole; r < n; ++r) {
      dot += x(r) * q(r);
      squared += x(r) * x(r);
    }
  }

  // 1 / |v| given |v|^2: stableNorm where the square under- or overflowed (or v is zero); 0 for a
  // zero vector and wherever the reciprocal would not be finite.
  template <Real Scalar, class Vector>
  static Scalar inverse_norm(Scalar squared, const Vector& v) {
    Scalar norm = 0;
    if (squared >= std::numeric_limits<Scalar>::min() && squared <= std::numeric_limits<Scalar>::max()) {
      norm = std::sqrt(squared);
    } else {
      norm = v.stableNorm();  // 0 for a zero vector
    }
    if (!(norm > Scalar(0))) return Scalar(0);
    const Scalar inverse = Scalar(1) / norm;
    return std::isfinite(inverse) ? inverse : Scalar(0);
  }
};

}  // namespace hopfield
