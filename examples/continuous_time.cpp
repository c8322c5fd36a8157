/// @file The general continuous-time network (Krotov & Hopfield 2021; Krotov 2021) recovering the
/// library's memories: models A, B and C of the paper and a three-layer network, each integrated
/// by explicit Euler from a corrupted pattern until |dx/dt| is below a tolerance. Prints a table
/// (time to converge, steps, final energy, overlap of the feature output with the target) and
/// writes a CSV of the energy and the overlap along the way (about 250 steps per model), which
/// scripts/plot_continuous_time.sh turns into docs/figures/continuous_time.png.
///
///   continuous_time                          # table on stdout, CSV in the temporary folder
///   continuous_time --csv trace.csv --dt 0.01
///
/// Models A, B and C store the three 5x5 glyphs of energy_descent and glyph_recall (X, T, O) as
/// the rows of xi and start from the seed document's noisy X (8 of 25 pixels flipped). The
/// three-layer network stores Fashion-MNIST images (binarised, when Debian's
/// dataset-fashion-mnist or --data is there) or the glyphs, and starts from a stored image with
/// 15% of its pixels flipped. Every state starts with its memory currents at rest (h = xi g(v0)).
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <hopfield/hopfield.hpp>

#include "common/args.hpp"
#include "common/idx.hpp"
#include "common/table.hpp"

namespace {

using hopfield::index_t;
using matrix = hopfield::matrix_t<double>;
using vector = hopfield::vector_t<double>;
namespace fs = std::filesystem;

const fs::path default_data_dir = "/usr/share/datasets/fashion-mnist";

constexpr index_t side = 5;

vector glyph(const std::array<std::string_view, side>& rows) {
  vector g(side * side);
  for (index_t r = 0; r < side; ++r) {
    for (index_t c = 0; c < side; ++c)
      g(r * side + c) = rows[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)] == '#' ? 1.0 : -1.0;
  }
  return g;
}

/// X, T and O as the columns of a 25 x 3 matrix of +-1 pixels.
matrix glyphs() {
  matrix p(side * side, 3);
  p.col(0) = glyph({"#...#", ".#.#.", "..#..", ".#.#.", "#...#"});
  p.col(1) = glyph({"#####", "..#..", "..#..", "..#..", "..#.."});
  p.col(2) = glyph({".###.", "#...#", "#...#", "#...#", ".###."});
  return p;
}

/// Cosine of the angle between a and b: the usual overlap m = a.b / N for +-1 states, and a
/// measure that ignores the length for the continuous and normalised outputs of models B and C.
double cosine(const vector& a, const vector& b) {
  const double norms = a.norm() * b.norm();
  return norms > 0 ? a.dot(b) / norms : 0.0;
}

/// What the example records per model: the feature output's overlap with the target after every
/// step (the engine's report keeps the energy trace; the states along the way are recorded here).
struct overlap_trace {
  std::vector<double> values;
};

/// Explicit Euler plus a record of the feature output's overlap with the target after every step:
/// a user-defined update policy that the shared retrieval engine runs like the built-in ones.
/// `feature_output` maps the stacked state to the vector compared with the target.
template <class FeatureOutput>
struct traced_euler {
  hopfield::euler_integrator euler;
  const vector* target = nullptr;
  FeatureOutput feature_output;
  overlap_trace* trace = nullptr;  // a pointer: the engine holds policies by const reference

  void validate() const { euler.validate(); }

  template <class Network>
  void step(const Network& net, const Eigen::Ref<const matrix>& states, Eigen::Ref<matrix> out) const {
    euler.step(net, states, out);
    trace->values.push_back(cosine(feature_output(net, vector(out.col(0))), *target));
  }

  template <class Network, class A, class B>
  bool converged(const Network& net, const A& next, const B& current, double tolerance) const {
    return euler.converged(net, next, current, tolerance);
  }
};

/// One row of the table and its traces.
struct model_run {
  std::string name;
  bool converged = false;
  index_t steps = 0;
  double time = 0, energy = 0, start_overlap = 0, overlap = 0;
  std::vector<double> energies, overlaps;
};

struct settings {
  double dt = 0.02;
  double tolerance = 1e-6;
  index_t max_steps = 100000;
};

/// Integrates `net` from the stacked `start` and records the run. `feature_output(net, x)` is the
/// vector compared with `target` (the feature layer's g, or a readout of it).
template <class Network, class FeatureOutput>
model_run integrate(std::string name, const Network& net, const vector& start, const vector& target,
                    FeatureOutput feature_output, const settings& s) {
  overlap_trace trace;
  const double start_overlap = cosine(feature_output(net, start), target);
  trace.values.push_back(start_overlap);
  const traced_euler<FeatureOutput> update{{.dt = s.dt}, &target, feature_output, &trace};
  hopfield::retrieval_options options;
  options.max_steps = s.max_steps;
  options.tolerance = s.tolerance;
  options.record_trace = true;
  const auto r = hopfield::retrieve(net, update, start, options);
  model_run run;
  run.name = std::move(name);
  run.converged = r.converged;
  run.steps = r.steps;
  run.time = static_cast<double>(r.steps) * s.dt;
  run.energy = r.energy;
  run.start_overlap = start_overlap;
  run.overlap = cosine(feature_output(net, r.state), target);
  run.energies = r.energy_trace;
  run.overlaps = trace.values;
  return run;
}

/// The feature layer's output g^0 of a stacked state.
struct feature_layer_output {
  template <class Network>
  vector operator()(const Network& net, const vector& x) const {
    matrix g(x.size(), 1);
    net.outputs(x, g);
    return g.col(0).head(net.layer_size(0));
  }
};

/// The stacked start: features v0, then each layer's currents at rest given the layer below,
/// h^{A+1} = xi^A g^A (the top-down input of a layer above is not yet there).
template <class Network>
vector at_rest(const Network& net, const vector& v0) {
  vector x = vector::Zero(net.dimension());
  x.head(v0.size()) = v0;
  for (std::size_t a = 0; a + 1 < Network::layer_count; ++a) {
    matrix g(net.dimension(), 1);
    net.outputs(x, g);
    x.segment(net.layer_offset(a + 1), net.layer_size(a + 1)) =
        net.synapses()[a] * g.col(0).segment(net.layer_offset(a), net.layer_size(a));
  }
  return x;
}

/// Binarised Fashion-MNIST images (+1 where a pixel is brighter than its image's mean), the first
/// `count` of the test set, as columns; empty when the data is not there.
matrix fashion_patterns(const fs::path& dir, index_t count) {
  const fs::path file = dir / "t10k-images-idx3-ubyte.gz";
  std::error_code ec;
  if (!fs::exists(file, ec)) return {};
  const example::idx_array images = example::read_idx_images(file);
  const auto n = static_cast<index_t>(images.sizes[1] * images.sizes[2]);
  count = std::min<index_t>(count, static_cast<index_t>(images.sizes[0]));
  matrix p(n, count);
  for (index_t j = 0; j < count; ++j) {
    for (index_t i = 0; i < n; ++i)
      p(i, j) = static_cast<double>(images.values[static_cast<std::size_t>(j * n + i)]);
    const double mean = p.col(j).mean();
    p.col(j) = (p.col(j).array() > mean).select(vector::Ones(n), -1.0);
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  example::arguments args(
      "continuous_time",
      "Integrates the general continuous-time network (features and memory neurons, each layer the\n"
      "gradient of a Lagrangian) with explicit Euler from a corrupted pattern: model A (smooth sign\n"
      "features, rectified cubic memories: the dense associative memory), model B (linear features,\n"
      "softmax memories: the modern Hopfield network), model C (spherical features, softmax memories)\n"
      "and a three-layer network (identity - softplus - softmax). Prints time to converge, steps,\n"
      "final energy and the overlap of the feature output with the target, and writes a CSV\n"
      "(id,model,step,time,energy,energy_fraction,overlap; about 250 steps per model) for\n"
      "scripts/plot_continuous_time.sh.");
  args.option("dt", "DT", "Euler time step (time constants: tau_f = 1, memory layers 0.1)", "0.02");
  args.option("tolerance", "TOL", "a run stops when max |dx/dt| <= TOL", "1e-6");
  args.option("max-steps", "K", "steps at most per run", "100000");
  args.option("data", "DIR", "Fashion-MNIST folder for the three-layer network (glyphs when absent)",
              default_data_dir.string());
  args.option("csv", "PATH", "where to write the traces",
              (fs::temp_directory_path() / "continuous_time.csv").string());
  try {
    if (!args.parse(argc, argv)) return 0;
    settings s;
    // dt < 0.2 keeps Euler well inside its stability bound dt < 2 tau for the fast layers (0.1).
    s.dt = args.real("dt", 1e-5, 0.1);
    s.tolerance = args.real("tolerance", 1e-12, 1.0);
    s.max_steps = static_cast<index_t>(args.integer("max-steps", 1, 10000000));
    const fs::path csv_path = args.text("csv");
    std::ofstream csv(csv_path);
    if (!csv)
      throw example::usage_error("option --csv: expected a file that can be written, got '" +
                                 csv_path.string() + "'");

    const matrix p = glyphs();  // 25 x 3, +-1
    const index_t n = p.rows();
    const vector target = p.col(0);  // X
    vector noisy = target;
    for (const index_t i : {1, 3, 4, 14, 18, 20, 21, 24}) noisy(i) = -noisy(i);  // the seed document's 8
    const matrix xi = p.transpose();             // memories as rows (N_h x N_f)
    const std::array<double, 2> taus{1.0, 0.1};  // fast memory neurons (tau_h << tau_f)
    std::vector<model_run> runs;

    // Model A, the dense associative memory: g = tanh(beta v), a smooth sign (beta = 4: g is
    // within 1e-3 of +-1 once |v| > 1, and the fixed point has |v| near 5), and memory outputs
    // f = [h]_+^2 (the rectified power n = 3, F(x) = x^3 / 3). xi = X^T / sqrt(N) keeps the
    // currents of order 1 to 5 (h = m sqrt(N) for an overlap m), so one tolerance suits all models.
    {
      using model_a = hopfield::two_layer_network<double, hopfield::log_cosh_lagrangian<double>,
                                                  hopfield::rectified_power_lagrangian<double>>;
      const model_a net(
          {xi / std::sqrt(static_cast<double>(n))}, taus,
          {hopfield::log_cosh_lagrangian<double>(4.0), hopfield::rectified_power_lagrangian<double>(3)});
      runs.push_back(integrate("A: log-cosh(4) / rectified power n=3", net, at_rest(net, noisy), target,
                               feature_layer_output{}, s));
    }
    // Model B, the modern Hopfield network: g = v, f = softmax(beta h), h = xi v. The glyphs'
    // overlaps are X.T = 1, X.O = -17, T.O = -1 (of 25), and the noisy X's are 9 (X), 5 (T) and -1
    // (O). With beta = 0.5 the start already leans to X (T weighs e^-2), and at the fixed point the
    // scores are 25, 1 and -17, so T weighs e^-12: the fixed point is X itself, to about 1e-5, not
    // a mixture (with beta = 0.05, T and O would keep weights of about 0.2 and 0.1 even at X, and
    // the fixed point would be a mixture of the glyphs: Ramsauer et al.'s metastable states).
    {
      using model_b = hopfield::two_layer_network<double, hopfield::quadratic_lagrangian<double>,
                                                  hopfield::log_sum_exp_lagrangian<double>>;
      const model_b net(
          {xi}, taus,
          {hopfield::quadratic_lagrangian<double>{}, hopfield::log_sum_exp_lagrangian<double>(0.5)});
      runs.push_back(integrate("B: quadratic / log-sum-exp(0.5)", net, at_rest(net, noisy), target,
                               feature_layer_output{}, s));
    }
    // Model C, the spherical memory: g = v / |v|, so h = xi g is at most |x| = sqrt(N) = 5, five
    // times smaller than model B's scores; beta = 2 puts T at e^-9.6 behind X at the fixed point
    // (h = 5, 0.2, -3.4), about model B's separation. The feature currents converge to
    // xi^T softmax(beta h), i.e. to X, and g to X / 5: the direction is what is retrieved.
    {
      using model_c = hopfield::two_layer_network<double, hopfield::spherical_lagrangian<double>,
                                                  hopfield::log_sum_exp_lagrangian<double>>;
      const model_c net(
          {xi}, taus,
          {hopfield::spherical_lagrangian<double>{}, hopfield::log_sum_exp_lagrangian<double>(2.0)});
      runs.push_back(integrate("C: spherical / log-sum-exp(2)", net, at_rest(net, noisy), target,
                               feature_layer_output{}, s));
    }

    // The three-layer network: identity features v (N), a softplus layer of 2N units in ON/OFF
    // pairs (xi^0 = [I; -I], so the pair of pixel i sees +v_i and -v_i), and a softmax layer of K
    // memories (xi^1 = [P^T, -P^T]). The pair's outputs s(+) and s(-) = 1 - s(+) feed back
    // xi^0^T g^1 = s(+) - s(-) = tanh(beta_1 h / 2): the features stay in (-1, 1), and the memories
    // see x_mu . tanh(...) with no bias towards bright images (a single sigmoid per pixel, in (0, 1),
    // would favour images with more +1 pixels). At the fixed point v = tanh(beta_1 (v + x_mu) / 2)
    // = x_mu up to 1e-3 for beta_1 = 4. beta_2 = 20 / N: a gap of 5% of the pixels between the best
    // and the second-best memory weighs e^-1 in the softmax, and the retrieved image's gap is far larger.
    {
      const matrix fashion = fashion_patterns(args.text("data"), 10);
      const bool have_fashion = fashion.size() > 0;
      if (!have_fashion && args.given("data"))
        std::cerr << "continuous_time: no Fashion-MNIST in " << args.text("data") << "; using the glyphs\n";
      const matrix& q = have_fashion ? fashion : p;
      const index_t nq = q.rows(), k = q.cols();
      matrix xi0(2 * nq, nq);
      xi0 << matrix::Identity(nq, nq), -matrix::Identity(nq, nq);
      matrix xi1(k, 2 * nq);
      xi1 << q.transpose(), -q.transpose();
      using three_layer = hopfield::hierarchical_network<double, hopfield::quadratic_lagrangian<double>,
                                                         hopfield::softplus_lagrangian<double>,
                                                         hopfield::log_sum_exp_lagrangian<double>>;
      const double beta2 = 20.0 / static_cast<double>(nq);
      const three_layer net(
          {xi0, xi1}, {1.0, 0.1, 0.1},
          {hopfield::quadratic_lagrangian<double>{}, hopfield::softplus_lagrangian<double>(4.0),
           hopfield::log_sum_exp_lagrangian<double>(beta2)});
      const vector three_target = q.col(0);
      // 15% of the pixels flipped (4 of the 25 glyph pixels), seeded.
      const auto flips = static_cast<index_t>(std::lround(0.15 * static_cast<double>(nq)));
      const vector start = hopfield::flip_bits(three_target, flips, 16);
      runs.push_back(integrate(std::string("3 layers: identity / softplus / softmax (") +
                                   (have_fashion ? "Fashion-MNIST)" : "glyphs)"),
                               net, at_rest(net, start), three_target, feature_layer_output{}, s));
      std::cout << "three-layer network: " << k << " stored "
                << (have_fashion ? "Fashion-MNIST test images (binarised, N = 784)" : "glyphs (N = 25)")
                << ", target image 0, " << flips << " pixels flipped\n\n";
    }

    example::table table({"model", "converged", "steps", "time", "final energy", "overlap at start",
                          "overlap at end", "energy rises"});
    csv.precision(10);
    csv << "id,model,step,time,energy,energy_fraction,overlap\n";
    index_t id = 0;
    for (const auto& r : runs) {
      index_t rises = 0;
      for (std::size_t t = 1; t < r.energies.size(); ++t)
        rises += r.energies[t] > r.energies[t - 1] + 1e-12 ? 1 : 0;
      table.add({r.name, r.converged ? "yes" : "no", std::to_string(r.steps), example::fixed(r.time, 2),
                 example::fixed(r.energy, 4), example::fixed(r.start_overlap, 3),
                 example::fixed(r.overlap, 6), std::to_string(rises)});
      ++id;
      const double gap = r.energies.front() - r.energies.back();
      // About 250 rows per model (every step of a short run), the first and the last always.
      const std::size_t stride = std::max<std::size_t>(1, r.energies.size() / 250);
      for (std::size_t t = 0; t < r.energies.size(); ++t) {
        if (t % stride != 0 && t + 1 != r.energies.size()) continue;
        const double fraction = gap > 0 ? (r.energies[t] - r.energies.back()) / gap : 0.0;
        csv << id << ",\"" << r.name << "\"," << t << ',' << static_cast<double>(t) * s.dt << ','
            << r.energies[t] << ',' << fraction << ','
            << (t < r.overlaps.size() ? r.overlaps[t] : r.overlaps.back()) << '\n';
      }
    }
    std::cout << "Explicit Euler, dt = " << s.dt << ", stop at max |dx/dt| <= " << s.tolerance
              << "; tau = 1 (features), 0.1 (memory layers); time = steps x dt.\n"
              << "Overlap: cosine of the feature output with the target (m = g.x / N for +-1 outputs).\n"
              << "Energy rises: steps whose energy exceeds the previous one by more than 1e-12.\n\n";
    table.print(std::cout);
    csv.close();
    if (!csv) {
      std::cerr << "continuous_time: error while writing " << csv_path.string() << '\n';
      return 1;
    }
    std::cout << "\ntraces written to " << csv_path.string()
              << " (scripts/plot_continuous_time.sh draws them)\n";
    return 0;
  } catch (const example::usage_error& e) {
    std::cerr << "continuous_time: " << e.what() << "\n(--help lists the options)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "continuous_time: " << e.what() << '\n';
    return 1;
  }
}
