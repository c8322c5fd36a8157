/// @file The seed's glyph experiment, written as data: three 5x5 glyphs (X, T, O) stored by the
/// Hebbian rule, X corrupted in 8 of its 25 pixels, asynchronous updates until no neuron flips.
/// The energy after every flip goes to a CSV (scripts/plot_energy_descent.sh draws it); the run
/// also counts, over many visiting orders, where the same noisy X ends up.
///
///   energy_descent                         # summary, CSV on stdout
///   energy_descent --csv descent.csv       # CSV into a file
#include <array>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <hopfield/hopfield.hpp>

#include "common/args.hpp"
#include "common/table.hpp"

namespace {

using hopfield::index_t;

constexpr int side = 5;

Eigen::VectorXf glyph(const std::array<const char*, side>& rows) {
  Eigen::VectorXf g(side * side);
  for (int r = 0; r < side; ++r) {
    for (int c = 0; c < side; ++c)
      g(r * side + c) = rows[static_cast<std::size_t>(r)][c] == '#' ? 1.0f : -1.0f;
  }
  return g;
}

/// One line per flip: which neuron changed, in which sweep, and the energy right after.
struct flip_record {
  index_t sweep;
  index_t neuron;
  float energy;
};

/// The library's asynchronous rule (visit every neuron in a fresh random order, take the sign of
/// lower energy, keep the state on a tie) plus a log of the energy after every flip. A user-defined
/// update policy: the retrieval engine runs it like the built-in ones.
struct flip_log {
  std::vector<flip_record> flips;
  index_t sweeps = 0;
};

struct logging_asynchronous_update {
  flip_log* log = nullptr;  // a pointer: the engine holds policies by const reference

  template <hopfield::BinaryEnergyPolicy E>
  index_t sweep(const E& energy, typename E::context_type& ctx,
                Eigen::Ref<hopfield::vector_t<hopfield::scalar_of<E>>> state,
                hopfield::sweep_workspace& ws) const {
    hopfield::random_permutation(ws.rng, energy.dimension(), ws.order);
    const index_t sweep_number = ++log->sweeps;
    index_t flips = 0;
    for (const index_t i : ws.order) {
      const auto gap = energy.gap(ctx, state, i).value;
      if ((gap > 0 && state(i) < 0) || (gap < 0 && state(i) > 0)) {
        energy.flip(ctx, state, i);
        ++flips;
        log->flips.push_back({sweep_number, i, static_cast<float>(energy.energy(state))});
      }
    }
    return flips;
  }
};

std::string picture(const Eigen::VectorXf& s) {
  std::string out;
  for (int r = 0; r < side; ++r) {
    for (int c = 0; c < side; ++c) out += s(r * side + c) > 0 ? "# " : ". ";
    out += '\n';
  }
  return out;
}

index_t hamming(const Eigen::VectorXf& a, const Eigen::VectorXf& b) {
  return (a.array() != b.array()).count();
}

}  // namespace

int main(int argc, char** argv) {
  example::arguments args(
      "energy_descent",
      "Stores three 5x5 glyphs (X, T, O) in a classical Hopfield network (Hebbian), flips some\n"
      "pixels of X and runs asynchronous updates to a fixed point, logging the energy\n"
      "E = -1/2 s^T W s after every flip as CSV (columns: flip,sweep,neuron,energy,hamming_to_X).\n"
      "It then counts where the same noisy X ends for many visiting orders.");
  args.option("flips", "K", "pixels of X flipped at random (with --noise-seed) and in the fresh queries",
              "8");
  args.option("noise-seed", "S",
              "seed choosing the flipped pixels; without it the query is the seed document's noisy X\n"
              "(row-major pixels 1, 3, 4, 14, 18, 20, 21, 24 flipped)",
              "");
  args.option("order-seed", "S", "seed of the asynchronous visiting order of the logged run", "2");
  args.option("orders", "R", "visiting orders tried for the outcome count", "1000");
  args.option("csv", "PATH", "write the CSV to PATH instead of stdout", "");
  try {
    if (!args.parse(argc, argv)) return 0;
    const auto flips = static_cast<index_t>(args.integer("flips", 0, side * side));
    const bool seed_document_query = !args.given("noise-seed");
    const auto noise_seed = seed_document_query
                                ? std::uint64_t{4}
                                : static_cast<std::uint64_t>(args.integer("noise-seed", 0, 1LL << 62));
    const auto order_seed = static_cast<std::uint64_t>(args.integer("order-seed", 0, 1LL << 62));
    const auto orders = static_cast<index_t>(args.integer("orders", 1, 1000000));

    const Eigen::VectorXf x = glyph({"#...#", ".#.#.", "..#..", ".#.#.", "#...#"});
    const Eigen::VectorXf t = glyph({"#####", "..#..", "..#..", "..#..", "..#.."});
    const Eigen::VectorXf o = glyph({".###.", "#...#", "#...#", "#...#", ".###."});
    Eigen::MatrixXf patterns(side * side, 3);
    patterns << x, t, o;
    const hopfield::classical_hopfield<float> net(patterns);  // W = X X^T / N, zero diagonal

    Eigen::VectorXf noisy = x;
    if (seed_document_query) {
      for (const index_t i : {1, 3, 4, 14, 18, 20, 21, 24}) noisy(i) = -noisy(i);
    } else {
      noisy = hopfield::flip_bits(x, flips, noise_seed);
    }

    flip_log record;
    hopfield::retrieval_options options;
    options.seed = order_seed;
    const auto result =
        hopfield::retrieve(net.energy_policy(), logging_asynchronous_update{&record}, noisy, options);
    const std::vector<flip_record>& log = record.flips;

    // The CSV: row 0 is the noisy query, then one row per flip.
    std::ofstream file;
    if (args.given("csv")) {
      file.open(args.text("csv"));
      if (!file) {
        std::cerr << "energy_descent: cannot write " << args.text("csv") << '\n';
        return 1;
      }
    }
    std::ostream& csv = args.given("csv") ? file : std::cout;
    csv << "flip,sweep,neuron,energy,hamming_to_X\n";
    Eigen::VectorXf s = noisy;
    csv << 0 << ',' << 0 << ',' << -1 << ',' << net.energy(s) << ',' << hamming(s, x) << '\n';
    for (std::size_t k = 0; k < log.size(); ++k) {
      s(log[k].neuron) = -s(log[k].neuron);
      csv << k + 1 << ',' << log[k].sweep << ',' << log[k].neuron << ',' << log[k].energy << ','
          << hamming(s, x) << '\n';
    }
    if (args.given("csv")) file.close();
    if (!csv) {
      std::cerr << "energy_descent: error while writing the CSV\n";
      return 1;
    }

    std::ostream& out = args.given("csv") ? std::cout : std::cerr;  // keep stdout pure CSV otherwise
    out << "noisy X (" << hamming(noisy, x) << " of 25 flipped"
        << (seed_document_query ? ", the seed document's pixels" : "") << "):\n"
        << picture(noisy) << "\nrecalled after " << log.size() << " flips in " << result.steps << " sweeps ("
        << hopfield::to_string(result.reason) << "), energy " << net.energy(noisy) << " -> " << result.energy
        << ", " << hamming(result.state, x) << " pixels from X:\n"
        << picture(result.state) << '\n';
    bool monotone = true;
    float previous = net.energy(noisy);
    for (const auto& r : log) {
      monotone = monotone && r.energy <= previous;
      previous = r.energy;
    }
    out << "energy never increased: " << (monotone ? "yes" : "NO") << "\n\n";

    // Where noisy X's end: the seed's demo shows one run, which overstates the recall.
    const std::array<std::pair<std::string, Eigen::VectorXf>, 6> named{
        {{"X", x}, {"T", t}, {"O", o}, {"-X", -x}, {"-T", -t}, {"-O", -o}}};
    auto outcome = [&](const Eigen::VectorXf& end) -> std::string {
      for (const auto& [label, p] : named) {
        if (end == p) return label;
      }
      return "other (spurious)";
    };
    std::map<std::string, std::array<index_t, 2>> ends;
    for (index_t r = 0; r < orders; ++r) {
      hopfield::retrieval_options o_r;
      o_r.seed = hopfield::derive_seed(order_seed, static_cast<std::uint64_t>(r));
      ++ends[outcome(net.retrieve(noisy, o_r).state)][0];
      const Eigen::VectorXf fresh =
          hopfield::flip_bits(x, flips, hopfield::derive_seed(noise_seed, static_cast<std::uint64_t>(r)));
      ++ends[outcome(net.retrieve(fresh, o_r).state)][1];
    }
    const auto share = [&](index_t count) {
      return std::to_string(count) + " (" +
             example::percent(static_cast<double>(count) / static_cast<double>(orders)) + ")";
    };
    example::table outcomes({"fixed point reached", "this noisy X, " + std::to_string(orders) + " orders",
                             std::to_string(orders) + " fresh noisy X's"});
    for (const auto& [name, count] : ends) outcomes.add({name, share(count[0]), share(count[1])});
    out << "where noisy X's (" << flips << " of 25 pixels flipped) end under asynchronous updates:\n";
    outcomes.print(out);
    return 0;
  } catch (const example::usage_error& e) {
    std::cerr << "energy_descent: " << e.what() << "\n(--help lists the options)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "energy_descent: " << e.what() << '\n';
    return 1;
  }
}
