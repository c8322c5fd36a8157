// glyph_recall: a classical Hopfield network stores three 5x5 glyphs (X, T, O) and recalls X
// from a noisy copy. It shows every asynchronous sweep as ASCII art with its energy, then counts
// over many seeded visiting orders how often each glyph, or a spurious state, is reached.
//
//   glyph_recall [--seed S] [--trials T] [--flips K] [--help]
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <hopfield/hopfield.hpp>

#include "common/args.hpp"

namespace {
using hopfield::index_t;
using vec = hopfield::vector_t<double>;

constexpr index_t side = 5;
constexpr index_t neurons = side * side;

struct settings {
  std::uint64_t seed = 1;  // visiting order of the run that is drawn sweep by sweep
  int trials = 1000;       // visiting orders in the statistics
  int flips = -1;          // -1: the seed document's 8 bits; else K bits chosen by the seed
};

vec glyph(const std::array<std::string_view, side>& rows) {
  vec v(neurons);
  for (index_t r = 0; r < side; ++r) {
    for (index_t c = 0; c < side; ++c) {
      v(side * r + c) = rows[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)] == '#' ? 1.0 : -1.0;
    }
  }
  return v;
}

std::string row_of(const vec& s, index_t r) {
  std::string line;
  for (index_t c = 0; c < side; ++c) line += s(side * r + c) > 0 ? '#' : '.';
  return line;
}

// Prints states side by side, each under its title and over its caption.
void draw(const std::vector<std::string>& titles, const std::vector<vec>& states,
          const std::vector<std::string>& captions) {
  constexpr int width = 11;
  std::cout << "   ";
  for (const auto& t : titles) std::cout << std::left << std::setw(width) << t;
  std::cout << '\n';
  for (index_t r = 0; r < side; ++r) {
    std::cout << "   ";
    for (const auto& s : states) std::cout << std::left << std::setw(width) << row_of(s, r);
    std::cout << '\n';
  }
  std::cout << "   ";
  for (const auto& c : captions) std::cout << std::left << std::setw(width) << c;
  std::cout << "\n\n";
}

std::string energy_label(double e) {
  std::ostringstream out;
  out << "E=" << std::fixed << std::setprecision(2) << e;
  return out.str();
}

std::string name_of(const vec& s, const hopfield::matrix_t<double>& glyphs) {
  const char* names[] = {"X", "T", "O"};
  for (index_t j = 0; j < glyphs.cols(); ++j) {
    if (s == glyphs.col(j)) return names[j];
    if (s == -glyphs.col(j)) return std::string("-") + names[j];
  }
  return "spurious";
}
}  // namespace

int main(int argc, char** argv) {
  example::arguments args(
      "glyph_recall",
      "Stores the 5x5 glyphs X, T and O in a classical Hopfield network (Hebbian, N = 25),\n"
      "recalls X from a noisy copy sweep by sweep, then reports over T seeded visiting orders\n"
      "how often each glyph or a spurious state is reached.");
  args.option("seed", "S", "seed of the visiting order drawn sweep by sweep (and of --flips' bits)", "1");
  args.option("trials", "T", "visiting orders in the statistics, seeds 0..T-1", "1000");
  args.option("flips", "K",
              "flip K random bits of X (chosen with --seed), not the seed document's 8 bits "
              "(row-major 1, 3, 4, 14, 18, 20, 21, 24)",
              "");
  settings opt;
  try {
    if (!args.parse(argc, argv)) return 0;
    opt.seed = static_cast<std::uint64_t>(args.integer("seed", 0, 1LL << 62));
    opt.trials = static_cast<int>(args.integer("trials", 1, 1000000));
    if (args.given("flips")) opt.flips = static_cast<int>(args.integer("flips", 0, neurons));
  } catch (const example::usage_error& e) {
    std::cerr << "glyph_recall: " << e.what() << "\n(--help lists the options)\n";
    return 2;
  }

  hopfield::matrix_t<double> glyphs(neurons, 3);
  glyphs.col(0) = glyph({"#...#", ".#.#.", "..#..", ".#.#.", "#...#"});
  glyphs.col(1) = glyph({"#####", "..#..", "..#..", "..#..", "..#.."});
  glyphs.col(2) = glyph({".###.", "#...#", "#...#", "#...#", ".###."});
  const hopfield::classical_hopfield<double> net(glyphs);

  std::cout << "glyph_recall: a classical Hopfield network (N = 25 neurons, Hebbian weights)\n"
               "stores three 5x5 glyphs ('#' = +1, '.' = -1).\n\n";
  draw({"X", "T", "O"}, {glyphs.col(0), glyphs.col(1), glyphs.col(2)},
       {energy_label(net.energy(glyphs.col(0))), energy_label(net.energy(glyphs.col(1))),
        energy_label(net.energy(glyphs.col(2)))});

  vec noisy = glyphs.col(0);
  std::string flipped;
  if (opt.flips < 0) {
    for (const index_t i : {1, 3, 4, 14, 18, 20, 21, 24}) noisy(i) = -noisy(i);
    flipped = "8 bits flipped (row-major 1, 3, 4, 14, 18, 20, 21, 24: the seed document's demo)";
  } else {
    noisy = hopfield::flip_bits(noisy, opt.flips, opt.seed);
    flipped = std::to_string(opt.flips) + " random bits flipped (seed " + std::to_string(opt.seed) + ")";
  }
  std::cout << "Noisy input: X with " << flipped << ",\noverlap with X " << std::fixed << std::setprecision(2)
            << hopfield::overlap(noisy, glyphs.col(0)) << ".\n\n";

  // The run drawn sweep by sweep: the same seed gives the same orders, so max_steps = k shows
  // the state after k sweeps of one and the same run.
  hopfield::retrieval_options options;
  options.seed = opt.seed;
  options.record_trace = true;
  const auto full = net.retrieve(noisy, options);
  std::vector<std::string> titles{"input"};
  std::vector<vec> states{noisy};
  std::vector<std::string> captions{energy_label(full.energy_trace.front())};
  for (index_t k = 1; k <= full.steps; ++k) {
    hopfield::retrieval_options partial = options;
    partial.max_steps = k;
    states.push_back(net.retrieve(noisy, partial).state);
    titles.push_back("sweep " + std::to_string(k));
    captions.push_back(energy_label(full.energy_trace[static_cast<std::size_t>(k)]));
  }
  std::cout << "Asynchronous updates (one neuron at a time, a fresh random order each sweep, seed "
            << opt.seed << "):\n\n";
  draw(titles, states, captions);
  std::cout << "Result: " << name_of(full.state, glyphs) << ", " << hopfield::to_string(full.reason)
            << " after " << full.steps << " sweeps (the last one changed nothing).\n\n";

  // Statistics over visiting orders.
  std::map<std::string, int> reached;
  std::vector<std::pair<vec, int>> spurious;  // distinct spurious end states and their counts
  for (int t = 0; t < opt.trials; ++t) {
    hopfield::retrieval_options o;
    o.seed = static_cast<std::uint64_t>(t);
    const auto r = net.retrieve(noisy, o);
    const std::string name = name_of(r.state, glyphs);
    reached[name] += 1;
    if (name != "spurious") continue;
    bool seen = false;
    for (auto& [state, count] : spurious) {
      if (state == r.state) {
        ++count;
        seen = true;
      }
    }
    if (!seen) spurious.emplace_back(r.state, 1);
  }
  std::cout << "Over " << opt.trials << " visiting orders (seeds 0.." << opt.trials - 1 << "):\n";
  std::vector<std::pair<std::string, int>> ranked(reached.begin(), reached.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [name, count] : ranked) {
    const double share = static_cast<double>(count) / opt.trials;
    std::cout << "   " << std::left << std::setw(10) << name << std::right << std::setw(7) << count << "  "
              << std::setw(5) << std::setprecision(1) << 100.0 * share << "%  "
              << std::string(static_cast<std::size_t>(share * 40 + 0.5), '#') << '\n';
  }

  if (!spurious.empty()) {
    std::sort(spurious.begin(), spurious.end(),
              [](const auto& a, const auto& b) { return a.second > b.second; });
    const std::size_t shown = std::min<std::size_t>(spurious.size(), 5);
    std::cout << "\n"
              << spurious.size() << " distinct spurious state" << (spurious.size() == 1 ? "" : "s")
              << (shown < spurious.size() ? " (the " + std::to_string(shown) + " most frequent)" : "")
              << ":\n\n";
    std::vector<std::string> t;
    std::vector<vec> v;
    std::vector<std::string> c;
    for (std::size_t k = 0; k < shown; ++k) {
      t.push_back(std::to_string(spurious[k].second) + "x");
      v.push_back(spurious[k].first);
      c.push_back(energy_label(net.energy(spurious[k].first)));
    }
    draw(t, v, c);
  }

  const auto sync = net.retrieve(noisy, {}, hopfield::synchronous_update{});
  std::cout << "Synchronous updates (every neuron at once): " << name_of(sync.state, glyphs) << ", "
            << hopfield::to_string(sync.reason) << " after " << sync.steps << " steps.\n";

  // Why the orders matter: some neurons start exactly on the fence.
  const auto& energy = net.energy_policy();
  hopfield::quadratic_energy<double>::context_type ctx;
  energy.init_context(ctx, noisy);
  std::string ties;
  for (index_t i = 0; i < neurons; ++i) {
    if (energy.gap(ctx, noisy, i).value == 0) ties += (ties.empty() ? "" : ", ") + std::to_string(i);
  }
  if (!ties.empty()) {
    std::cout << "\nNeurons " << ties
              << " start with a field of exactly zero: a tie keeps their value, so\n"
                 "whether they turn depends on what their neighbours did first, i.e. on the order.\n";
  }
  return 0;
}
