// Transformer attention is the modern Hopfield update (Ramsauer et al. 2020, eq. 10):
//   softmax(Q K^T / sqrt(d_k)) V  ==  (V^T softmax(beta K Q^T))^T  with beta = 1/sqrt(d_k),
// queries as the states, keys as the stored patterns, values as what they retrieve.
// This program computes the left side by hand, the right side with hopfield::modern_hopfield and
// with hopfield::attention, and prints the largest differences; then a causal mask.
#include <cmath>
#include <cstdio>

#include <Eigen/Core>

#include <hopfield/analysis/patterns.hpp>
#include <hopfield/memory/attention.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

int main() {
  using matrix = Eigen::MatrixXd;
  const Eigen::Index tokens = 6, d_k = 16, d_v = 8;
  const double scale = 1.0 / std::sqrt(static_cast<double>(d_k));
  // Rows are tokens, as in a Transformer.
  const matrix q = hopfield::add_gaussian_noise(matrix::Zero(tokens, d_k), 1.0, 1);
  const matrix k = hopfield::add_gaussian_noise(matrix::Zero(tokens, d_k), 1.0, 2);
  const matrix v = hopfield::add_gaussian_noise(matrix::Zero(tokens, d_v), 1.0, 3);

  // 1. By hand: row-wise softmax of the scaled scores, times V.
  matrix p = (q * k.transpose()) * scale;
  for (Eigen::Index i = 0; i < p.rows(); ++i) {
    p.row(i).array() = (p.row(i).array() - p.row(i).maxCoeff()).exp();
    p.row(i) /= p.row(i).sum();
  }
  const matrix by_hand = p * v;

  // 2. The Hopfield update: keys K^T and values V^T are stored patterns (columns), the queries
  //    are states (columns); beta defaults to 1/sqrt(d_k).
  const hopfield::modern_hopfield<double> memory(k.transpose(), v.transpose());
  const matrix hopfield_update = memory.update(q.transpose()).transpose();

  // 3. The library's attention in the Transformer convention.
  const matrix attention = hopfield::attention(q, k, v, scale);

  const double d1 = (hopfield_update - by_hand).cwiseAbs().maxCoeff();
  const double d2 = (attention - by_hand).cwiseAbs().maxCoeff();
  std::printf(
      "softmax(QK^T/sqrt(d))V by hand vs Hopfield update V^T softmax(beta K Q^T): max |diff| = %.3g\n", d1);
  std::printf("softmax(QK^T/sqrt(d))V by hand vs hopfield::attention:                   max |diff| = %.3g\n",
              d2);
  std::printf("beta = %.4f = 1/sqrt(%ld)\n", memory.beta(), static_cast<long>(d_k));

  // A causal mask (token i sees tokens 0..i), and one fully masked row: zeros, never NaN.
  Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic> mask(tokens, tokens);
  for (Eigen::Index i = 0; i < tokens; ++i) {
    for (Eigen::Index j = 0; j < tokens; ++j) mask(i, j) = j <= i;
  }
  mask.row(3).setConstant(false);
  const matrix masked = hopfield::attention(q, k, v, scale, mask);
  std::printf(
      "causal mask: row 0 equals v_0: max |diff| = %.3g; fully masked row 3 = [%g ... %g], finite: %s\n",
      (masked.row(0) - v.row(0)).cwiseAbs().maxCoeff(), masked(3, 0), masked(3, d_v - 1),
      masked.allFinite() ? "yes" : "no");
  return d1 < 1e-12 && d2 < 1e-12 && masked.allFinite() ? 0 : 1;
}
