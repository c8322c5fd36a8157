// Transformer attention is the modern Hopfield update (Ramsauer et al. 2020, eq. 10):
//   softmax(Q K^T / sqrt(d_k)) V  ==  (V^T softmax(beta K Q^T))^T  with beta = 1/sqrt(d_k),
// queries as the states, keys as the stored patterns, values as what they retrieve.
// This program computes the left side by hand, the right side with hopfield::modern_hopfield and
// with hopfield::attention, and prints the largest differences; then a causal mask.
//
//   attention_equivalence                         # 6 tokens, d_k = 16, d_v = 8
//   attention_equivalence --tokens 64 --key-dim 64 --value-dim 32 --seed 5
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>

#include <Eigen/Core>

#include <hopfield/analysis/patterns.hpp>
#include <hopfield/memory/attention.hpp>
#include <hopfield/memory/modern_hopfield.hpp>

#include "common/args.hpp"

namespace {

int run(Eigen::Index tokens, Eigen::Index d_k, Eigen::Index d_v, std::uint64_t seed) {
  using matrix = Eigen::MatrixXd;
  const double scale = 1.0 / std::sqrt(static_cast<double>(d_k));
  // Rows are tokens, as in a Transformer.
  const matrix q = hopfield::add_gaussian_noise(matrix::Zero(tokens, d_k), 1.0, seed);
  const matrix k = hopfield::add_gaussian_noise(matrix::Zero(tokens, d_k), 1.0, seed + 1);
  const matrix v = hopfield::add_gaussian_noise(matrix::Zero(tokens, d_v), 1.0, seed + 2);

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

  // A causal mask (token i sees tokens 0..i), and one fully masked row (row 3, or the last of
  // fewer tokens): zeros, never NaN.
  const Eigen::Index blank = std::min<Eigen::Index>(3, tokens - 1);
  Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic> mask(tokens, tokens);
  for (Eigen::Index i = 0; i < tokens; ++i) {
    for (Eigen::Index j = 0; j < tokens; ++j) mask(i, j) = j <= i;
  }
  mask.row(blank).setConstant(false);
  const matrix masked = hopfield::attention(q, k, v, scale, mask);
  std::printf(
      "causal mask: row 0 equals v_0: max |diff| = %.3g; fully masked row %ld = [%g ... %g], finite: %s\n",
      (masked.row(0) - v.row(0)).cwiseAbs().maxCoeff(), static_cast<long>(blank), masked(blank, 0),
      masked(blank, d_v - 1), masked.allFinite() ? "yes" : "no");
  return d1 < 1e-12 && d2 < 1e-12 && masked.allFinite() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  example::arguments args(
      "attention_equivalence",
      "Computes Transformer attention softmax(Q K^T / sqrt(d_k)) V by hand, as the modern Hopfield\n"
      "update (keys and values stored, queries as states, beta = 1/sqrt(d_k)) and with\n"
      "hopfield::attention, and prints the largest differences; then a causal mask with one fully\n"
      "masked row. Q, K and V are Gaussian (seeds S, S + 1, S + 2). Exits 1 when they differ.");
  args.option("tokens", "T", "tokens (rows of Q, K and V), at least 2", "6");
  args.option("key-dim", "D", "dimension d_k of queries and keys", "16");
  args.option("value-dim", "D", "dimension d_v of values", "8");
  args.option("seed", "S", "seed of Q; K and V use S + 1 and S + 2", "1");
  try {
    if (!args.parse(argc, argv)) return 0;
    const auto tokens = static_cast<Eigen::Index>(args.integer("tokens", 2, 4096));
    const auto d_k = static_cast<Eigen::Index>(args.integer("key-dim", 1, 4096));
    const auto d_v = static_cast<Eigen::Index>(args.integer("value-dim", 1, 4096));
    const auto seed = static_cast<std::uint64_t>(args.integer("seed", 0, 1LL << 62));
    return run(tokens, d_k, d_v, seed);
  } catch (const example::usage_error& e) {
    std::cerr << "attention_equivalence: " << e.what() << "\n(--help lists the options)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "attention_equivalence: " << e.what() << '\n';
    return 1;
  }
}
