/// @file Correcting corrupted command or telemetry words with the exponential Dense Associative
/// Memory (Demircigil et al. 2017): a codebook of random binary words is stored, words are sent
/// with a fraction rho of their bits flipped, and the memory repairs them. The table gives the
/// word and bit error rates before, after one asynchronous sweep and after convergence, beside the
/// theory: every word is recovered in one sweep when alpha = ln(M) / N < I(1 - 2 rho) / 2.
///
///   codeword_repair                                   # 4096 words of 256 bits, rho 5% .. 40%
///   codeword_repair --words 65536 --bits 128 --rates 0.1,0.2
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include <hopfield/analysis/capacity.hpp>
#include <hopfield/hopfield.hpp>

#include "common/args.hpp"
#include "common/table.hpp"

namespace {

using hopfield::index_t;

struct error_rates {
  double words = 0;  // fraction of words with at least one wrong bit
  double bits = 0;   // fraction of wrong bits
};

error_rates compare(const Eigen::MatrixXf& got, const Eigen::MatrixXf& sent) {
  const Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> wrong = got.array() != sent.array();
  const auto words = static_cast<double>(wrong.colwise().any().count());
  const auto bits = static_cast<double>(wrong.count());
  return {words / static_cast<double>(got.cols()), bits / static_cast<double>(got.size())};
}

/// The largest flip fraction within the Demircigil limit for load alpha (the rate falls with rho).
double largest_correctable_fraction(double alpha) {
  if (hopfield::demircigil_rate(0.0) <= alpha) return 0.0;
  double lo = 0.0;
  double hi = 0.5 - 1e-12;
  for (int k = 0; k < 60; ++k) {
    const double mid = 0.5 * (lo + hi);
    (hopfield::demircigil_rate(mid) > alpha ? lo : hi) = mid;
  }
  return lo;
}

std::string hex(const Eigen::VectorXf& word, index_t nibbles) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (index_t k = 0; k < nibbles && 4 * k + 3 < word.size(); ++k) {
    int v = 0;
    for (index_t b = 0; b < 4; ++b) v = 2 * v + (word(4 * k + b) > 0 ? 1 : 0);
    out += digits[v];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  example::arguments args(
      "codeword_repair",
      "Stores a codebook of random binary words in the exponential Dense Associative Memory,\n"
      "flips a fraction rho of the bits of sent words, and prints the word and bit error rates\n"
      "before repair, after one asynchronous sweep and after convergence, beside the limit of\n"
      "Demircigil et al. (2017): all words come back in one sweep when ln(M)/N < I(1-2 rho)/2.");
  args.option("words", "M", "codebook size", "4096");
  args.option("bits", "N", "bits per word", "256");
  args.option("rates", "LIST", "flip fractions rho, comma-separated",
              "0.05,0.10,0.15,0.20,0.25,0.30,0.35,0.40");
  args.option("sent", "Q", "corrupted words sent per rate", "200");
  args.option("seed", "S", "seed of the codebook, the corruptions and the visiting orders", "2026");
  try {
    if (!args.parse(argc, argv)) return 0;
    const auto words = static_cast<index_t>(args.integer("words", 2, 1 << 22));
    const auto bits = static_cast<index_t>(args.integer("bits", 8, 1 << 16));
    const std::vector<double> rates = args.reals("rates", 0.0, 0.499);
    const auto sent = static_cast<index_t>(args.integer("sent", 1, 1 << 20));
    const auto seed = static_cast<std::uint64_t>(args.integer("seed", 0, 1LL << 62));

    example::stopwatch build_time;
    const Eigen::MatrixXf codebook = hopfield::random_binary_patterns<float>(bits, words, seed);
    const hopfield::dense_associative_memory<float, hopfield::exponential> memory(codebook);
    const double built = build_time.seconds();

    const double alpha = std::log(static_cast<double>(words)) / static_cast<double>(bits);
    const double rho_max = largest_correctable_fraction(alpha);
    std::cout << "codebook: " << words << " random words of " << bits
              << " bits in the exponential dense memory (" << example::fixed(1e3 * built, 1)
              << " ms to store)\n"
              << "load alpha = ln(M)/N = " << example::fixed(alpha, 4)
              << "; Demircigil's one-sweep limit I(1-2 rho)/2 > alpha holds up to rho = "
              << example::fixed(rho_max, 3) << "\n"
              << sent << " corrupted words sent per rate\n\n";

    example::table results({"rho", "limit I(1-2rho)/2", "within limit", "WER sent", "BER sent", "WER 1 sweep",
                            "BER 1 sweep", "WER converged", "BER converged", "sweeps (mean)", "ms / word"});
    Eigen::VectorXf shown_sent, shown_got, shown_word;
    for (std::size_t r = 0; r < rates.size(); ++r) {
      const double rho = rates[r];
      const std::uint64_t rate_seed = hopfield::derive_seed(seed, r + 1);
      // Which words are sent, then their corrupted copies.
      hopfield::random_engine pick(rate_seed);
      Eigen::MatrixXf originals(bits, sent);
      for (index_t q = 0; q < sent; ++q) {
        originals.col(q) = codebook.col(
            static_cast<index_t>(hopfield::uniform_below(pick, static_cast<std::uint64_t>(words))));
      }
      const Eigen::MatrixXf received = hopfield::corrupt(originals, rho, hopfield::derive_seed(rate_seed, 1));

      example::stopwatch clock;
      hopfield::retrieval_options one;
      one.max_steps = 1;
      one.seed = hopfield::derive_seed(rate_seed, 2);
      const auto first = memory.retrieve(received, one);
      hopfield::retrieval_options rest;
      rest.seed = hopfield::derive_seed(rate_seed, 3);
      const auto final_ = memory.retrieve(first.states, rest);  // continue the same dynamics to a fixed point
      const double seconds = clock.seconds();

      double sweeps = 0;
      for (std::size_t q = 0; q < final_.reports.size(); ++q) {
        // The first sweep plus the further ones, not counting the final sweep that found no flip.
        const auto& report = final_.reports[q];
        sweeps += 1.0 + static_cast<double>(report.steps - (report.converged ? 1 : 0));
      }
      sweeps /= static_cast<double>(sent);

      const error_rates before = compare(received, originals);
      const error_rates after_one = compare(first.states, originals);
      const error_rates after_all = compare(final_.states, originals);
      const double limit = hopfield::demircigil_rate(rho);
      results.add({example::fixed(rho, 2), example::fixed(limit, 4), limit > alpha ? "yes" : "no",
                   example::percent(before.words), example::percent(before.bits, 2),
                   example::percent(after_one.words), example::percent(after_one.bits, 2),
                   example::percent(after_all.words), example::percent(after_all.bits, 2),
                   example::fixed(sweeps, 2), example::fixed(1e3 * seconds / static_cast<double>(sent), 2)});
      if (shown_word.size() == 0 && rho >= 0.2) {
        shown_word = originals.col(0);
        shown_sent = received.col(0);
        shown_got = final_.states.col(0);
      }
    }
    results.print(std::cout);
    if (shown_word.size() != 0) {
      const index_t nibbles = std::min<index_t>(bits / 4, 32);
      std::cout << "\none word (first " << 4 * nibbles << " bits, hex):\n  stored   "
                << hex(shown_word, nibbles) << "\n  received " << hex(shown_sent, nibbles) << "\n  repaired "
                << hex(shown_got, nibbles) << '\n';
    }
    std::cout
        << "\nWER: words with any wrong bit; BER: wrong bits. The limit is a sufficient condition, proved\n"
           "for large N, for every stored word at once: typical sent words still come back a little beyond "
           "it.\n"
           "A word that fails lands on another codeword or a mixture, so its BER nears 50%.\n";
    return 0;
  } catch (const example::usage_error& e) {
    std::cerr << "codeword_repair: " << e.what() << "\n(--help lists the options)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "codeword_repair: " << e.what() << '\n';
    return 1;
  }
}
