/// @file Recall of real, correlated images: K Fashion-MNIST images stored in the classical
/// network (binarised), the dense memory (binarised; F = x^3 and exp) and the modern memory
/// (continuous), each queried with the lower half masked and, separately, with Gaussian noise.
/// Prints retrieval accuracy (the retrieved state is closest to the right stored image) and time
/// per memory, and writes a PNG of a few queries and what each memory recalled.
///
///   fashion_recall                               # Debian's dataset-fashion-mnist, K = 1000
///   fashion_recall --data DIR --stored 5000 --sigma 0.5 --png recall.png
///
/// Encodings (docs/examples.md): binary memories store s_i = +1 where a pixel is brighter than
/// its image's mean, -1 elsewhere, and get the masked half as -1 (background); the modern memory
/// stores the images centred on the stored mean image and scaled to unit length, and gets the
/// masked half as 0 (the mean image there, i.e. no information), the query then scaled to unit length.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <new>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <hopfield/hopfield.hpp>

#include "common/args.hpp"
#include "common/idx.hpp"
#define STB_IMAGE_WRITE_IMPLEMENTATION  // this program's one PNG-writing translation unit
#include "common/png.hpp"
#include "common/table.hpp"

namespace {

using hopfield::index_t;
namespace fs = std::filesystem;

const fs::path default_data_dir = "/usr/share/datasets/fashion-mnist";
constexpr std::array<const char*, 10> class_names{
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

/// Images as the columns of a matrix of grey values in [0, 1], with their labels when known.
struct image_set {
  index_t rows = 0, cols = 0;
  Eigen::MatrixXf pixels;            // (rows * cols) x count
  std::vector<std::uint8_t> labels;  // empty when the labels file is absent
};

/// Where the files are: a directory holding {set}-images-idx3-ubyte.gz (and the labels), or the
/// images file itself.
struct data_paths {
  fs::path images, labels;
};

data_paths locate_in(const fs::path& dir, const std::string& set) {
  return {dir / (set + "-images-idx3-ubyte.gz"), dir / (set + "-labels-idx1-ubyte.gz")};
}

data_paths locate(const fs::path& data, const std::string& set) {
  std::error_code ec;
  if (fs::is_directory(data, ec)) return locate_in(data, set);
  std::string name = data.filename().string();
  if (const auto at = name.find("images-idx3"); at != std::string::npos) {
    name.replace(at, 11, "labels-idx1");
    return {data, data.parent_path() / name};
  }
  return {data, {}};
}

image_set load(const data_paths& paths, index_t needed) {
  const example::idx_array images = example::read_idx_images(paths.images);
  image_set out;
  out.rows = static_cast<index_t>(images.sizes[1]);
  out.cols = static_cast<index_t>(images.sizes[2]);
  const auto count = static_cast<index_t>(images.sizes[0]);
  if (count < needed) {
    throw example::idx_error(paths.images.string() + ": holds " + std::to_string(count) + " images, " +
                             std::to_string(needed) +
                             " are needed (lower --stored, or use --set train: 60000 images)");
  }
  const index_t n = out.rows * out.cols;
  out.pixels.resize(n, needed);
  for (index_t j = 0; j < needed; ++j) {
    for (index_t i = 0; i < n; ++i) {
      out.pixels(i, j) = static_cast<float>(images.values[static_cast<std::size_t>(j * n + i)]) / 255.0f;
    }
  }
  std::error_code ec;
  if (!paths.labels.empty() && fs::exists(paths.labels, ec)) {
    const example::idx_array labels = example::read_idx_labels(paths.labels);
    if (labels.sizes[0] != images.sizes[0]) {
      throw example::idx_error(paths.labels.string() + ": " + std::to_string(labels.sizes[0]) +
                               " labels for " + std::to_string(count) + " images");
    }
    out.labels.assign(labels.values.begin(), labels.values.begin() + needed);
  }
  return out;
}

/// A usage_error naming --png unless the picture's file can be opened for writing: checked before
/// the run, so a typo costs no waiting. An existing file is left as it is, and no new one behind.
void check_writable(const fs::path& png) {
  std::error_code ec;
  if (fs::is_directory(png, ec)) {
    throw example::usage_error("option --png: expected a file to write the picture to, got the folder '" +
                               png.string() + "'");
  }
  const bool existed = fs::exists(png, ec);
  errno = 0;
  std::ofstream probe(png, std::ios::binary | std::ios::app);
  const int error = errno;
  if (!probe) {
    throw example::usage_error("option --png: expected a file that can be written, got '" + png.string() +
                               "'" + (error != 0 ? std::string(" (") + std::strerror(error) + ")" : ""));
  }
  probe.close();
  if (!existed) fs::remove(png, ec);
}

/// What a run's memory grows with, filled in as the options are read and the data loaded.
struct run_sizes {
  index_t stored = 0, queries = 0, rows = 0, cols = 0;
  std::string images;  // the images file
};

/// Bytes a run needs, roughly: the classical network's N x N float weights, about ten N x K
/// matrices (the images, their encodings, the memories' copies), about twenty N x Q (queries and
/// states per memory and kind) and the K x Q scores of the accuracy.
double estimated_bytes(const run_sizes& s) {
  const auto n = static_cast<double>(s.rows) * static_cast<double>(s.cols);
  const auto k = static_cast<double>(s.stored);
  const auto q = static_cast<double>(s.queries);
  return 4.0 * (n * n + 10.0 * n * k + 20.0 * n * q + k * q);
}

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0.0;
}

std::string gib(double bytes) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  out << bytes / (1024.0 * 1024.0 * 1024.0) << " GiB";
  return out.str();
}

/// Which options make the run as large as it is, for the message when it does not fit in memory.
std::string too_large(const example::arguments& args, const run_sizes& s, const std::string& what) {
  auto option = [&](const std::string& name, index_t value) {
    return "--" + name + " " + std::to_string(value) + (args.given(name) ? "" : " (default)");
  };
  std::string out = what + " with " + option("stored", s.stored) + " and " + option("queries", s.queries);
  const std::string source = (args.given("data") ? "--data " : "") + s.images;
  if (s.rows > 0) {
    const index_t n = s.rows * s.cols;
    const double need = estimated_bytes(s);
    const double weights = 4.0 * static_cast<double>(n) * static_cast<double>(n);
    out += " on images of " + std::to_string(s.rows) + " x " + std::to_string(s.cols) +
           " pixels (N = " + std::to_string(n) + ", from " + source + "): the run needs about " + gib(need);
    if (weights >= 0.5 * need) out += " (the classical network's N x N weights alone " + gib(weights) + ")";
    out += "; lower --stored or --queries, or use smaller images";
  } else {
    out += " while reading " + source + "; lower --stored";
  }
  return out;
}

/// +1 where a pixel is brighter than its image's mean, -1 elsewhere (one image per column).
Eigen::MatrixXf binarise(const Eigen::MatrixXf& pixels) {
  Eigen::MatrixXf out(pixels.rows(), pixels.cols());
  for (index_t j = 0; j < pixels.cols(); ++j) {
    const float mean = pixels.col(j).mean();
    out.col(j) = (pixels.col(j).array() > mean).select(Eigen::VectorXf::Ones(pixels.rows()), -1.0f);
  }
  return out;
}

/// (pixels - centre), each column scaled to unit length (a zero column stays zero).
Eigen::MatrixXf centre_and_normalise(const Eigen::MatrixXf& pixels, const Eigen::VectorXf& centre) {
  Eigen::MatrixXf out = pixels.colwise() - centre;
  for (index_t j = 0; j < out.cols(); ++j) {
    const float norm = out.col(j).norm();
    if (norm > 0) out.col(j) /= norm;
  }
  return out;
}

/// Fraction of states (columns) whose closest stored pattern, in Euclidean distance, is the right
/// one; ties with the right one count as right (identical stored images cannot be told apart).
double accuracy(const Eigen::MatrixXf& stored, const Eigen::MatrixXf& states,
                const std::vector<index_t>& target) {
  // argmin_mu |x_mu - s|^2 = argmax_mu (x_mu . s - |x_mu|^2 / 2).
  const Eigen::VectorXf half_norms = 0.5f * stored.colwise().squaredNorm().transpose();
  Eigen::MatrixXf scores(stored.cols(), states.cols());
  scores.noalias() = stored.transpose() * states;
  scores.colwise() -= half_norms;
  index_t right = 0;
  for (index_t q = 0; q < states.cols(); ++q) {
    if (scores(target[static_cast<std::size_t>(q)], q) >= scores.col(q).maxCoeff()) ++right;
  }
  return static_cast<double>(right) / static_cast<double>(states.cols());
}

/// Mean distance of the states to the right stored images: the fraction of differing pixels for
/// +-1 states, the Euclidean distance for unit-length continuous ones.
double mean_error(const Eigen::MatrixXf& stored, const Eigen::MatrixXf& states,
                  const std::vector<index_t>& target, bool binary) {
  double total = 0;
  for (index_t q = 0; q < states.cols(); ++q) {
    const auto right = stored.col(target[static_cast<std::size_t>(q)]);
    total += binary ? static_cast<double>((states.col(q).array() != right.array()).count()) /
                          static_cast<double>(right.size())
                    : static_cast<double>((states.col(q) - right).norm());
  }
  return total / static_cast<double>(states.cols());
}

/// What one memory did with one kind of query.
struct outcome {
  outcome(std::string memory_name, std::string query_name, double right = 0)
      : memory(std::move(memory_name)), query(std::move(query_name)), accuracy(right) {}
  std::string memory, query;
  double accuracy = 0, error = 0, converged = 0, mean_steps = 0, store_ms = 0, recall_ms = 0;
  Eigen::MatrixXf states;
};

struct query_kind {
  std::string name;
  Eigen::MatrixXf binary, continuous;
  Eigen::MatrixXf pixels;  // the continuous query in pixel space, for the picture
};

template <class Result>
void summarise(const Result& r, outcome& o) {
  double steps = 0, converged = 0;
  for (const auto& report : r.reports) {
    steps += static_cast<double>(report.steps);
    converged += report.converged ? 1.0 : 0.0;
  }
  o.mean_steps = steps / static_cast<double>(r.reports.size());
  o.converged = converged / static_cast<double>(r.reports.size());
  o.states = r.states;
}

}  // namespace

int main(int argc, char** argv) {
  example::arguments args(
      "fashion_recall",
      "Stores K Fashion-MNIST images in the classical network (Hebbian, binarised), the dense memory\n"
      "(binarised; F = x^3 and F = exp) and the modern memory (continuous, centred, unit length), queries\n"
      "each with the lower half masked and with Gaussian pixel noise, and prints the retrieval accuracy\n"
      "(retrieved state closest to the right stored image) and time per memory. Writes a PNG: per row,\n"
      "original | binarised | binary query | classical | dense x^3 | dense exp | continuous query | modern.\n"
      "Data: Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or --data.");
  args.option("data", "PATH", "directory with the IDX .gz files, or the images file itself",
              default_data_dir.string());
  args.option("set", "NAME", "t10k (test set) or train", "t10k");
  args.option("stored", "K", "images stored (the first K of the set)", "1000");
  args.option("queries", "Q", "stored images queried, per kind of corruption", "200");
  args.option("sigma", "S", "standard deviation of the Gaussian pixel noise (pixels in [0, 1])", "0.5");
  args.option("beta", "B", "inverse temperature of the modern memory (unit-length patterns)", "100");
  args.option("mask-fill", "HOW", "the masked half of a binary query: background (-1) or random (+-1 coins)",
              "random");
  args.option("seed", "S", "seed of the query choice, the noise and the visiting orders", "7");
  args.option("png", "PATH", "where to write the picture",
              (fs::temp_directory_path() / "fashion_recall.png").string());
  args.option("shown", "R", "images shown per kind of corruption in the picture", "4");
  run_sizes sizes;  // for the message when the run does not fit in memory
  try {
    if (!args.parse(argc, argv)) return 0;
    const std::string set = args.text("set");
    if (set != "t10k" && set != "train")
      throw example::usage_error("option --set: expected t10k or train, got '" + set + "'");
    const auto stored_count = static_cast<index_t>(args.integer("stored", 2, 60000));
    const auto query_count = static_cast<index_t>(args.integer("queries", 1, 60000));
    if (query_count > stored_count) {
      // Each query is a distinct stored image: name the option the user gave, not a default.
      const std::string q = std::to_string(query_count), k = std::to_string(stored_count);
      const std::string fix = "give --queries " + k + " or fewer, or --stored " + q + " or more";
      if (!args.given("queries")) {
        throw example::usage_error("option --stored: " + k + " leaves no room for the default --queries " +
                                   q + " (each query is a distinct stored image); " + fix);
      }
      if (!args.given("stored")) {
        throw example::usage_error("option --queries: " + q + " is more than the default --stored " + k +
                                   " (each query is a distinct stored image); " + fix);
      }
      throw example::usage_error("options --queries " + q + " and --stored " + k +
                                 ": expected at most as many queries as stored images (each query is a "
                                 "distinct stored image)");
    }
    sizes.stored = stored_count;
    sizes.queries = query_count;
    const auto sigma = static_cast<float>(args.real("sigma", 0.0, 10.0));
    const auto beta = static_cast<float>(args.real("beta", 1e-6, 1e6));
    const auto seed = static_cast<std::uint64_t>(args.integer("seed", 0, 1LL << 62));
    const auto shown = static_cast<index_t>(args.integer("shown", 0, 16));
    const std::string mask_fill = args.text("mask-fill");
    if (mask_fill != "background" && mask_fill != "random") {
      throw example::usage_error("option --mask-fill: expected background or random, got '" + mask_fill +
                                 "'");
    }
    const fs::path png = args.text("png");
    if (shown > 0) check_writable(png);

    // The data: a missing default location is a notice (the package is optional), a missing or
    // broken file the user named is an error.
    const data_paths paths =
        args.given("data") ? locate(args.text("data"), set) : locate_in(default_data_dir, set);
    std::error_code ec;
    if (!args.given("data") && !fs::exists(paths.images, ec)) {
      std::cout << "fashion_recall: Fashion-MNIST is not installed (" << paths.images.string()
                << " is missing).\n"
                << "Install Debian's package: sudo apt-get install dataset-fashion-mnist\n"
                << "or pass the IDX files' folder: fashion_recall --data PATH. Nothing to do.\n";
      return 0;
    }
    sizes.images = paths.images.string();
    example::stopwatch load_clock;
    const image_set data = load(paths, stored_count);
    const index_t n = data.rows * data.cols;
    sizes.rows = data.rows;
    sizes.cols = data.cols;
    if (const double have = physical_memory_bytes(); have > 0 && estimated_bytes(sizes) > have) {
      std::cerr << "fashion_recall: "
                << too_large(args, sizes, "too large for this machine's " + gib(have) + " of memory") << '\n';
      return 1;
    }
    std::cout << "Fashion-MNIST (" << paths.images.string() << "): " << stored_count << " images of "
              << data.rows << " x " << data.cols << " stored (N = " << n << "), read in "
              << example::fixed(load_clock.seconds(), 2) << " s\n";

    // Which stored images are queried: Q distinct ones, seeded.
    std::vector<index_t> order;
    hopfield::random_engine rng(seed);
    hopfield::random_permutation(rng, stored_count, order);
    const std::vector<index_t> target(order.begin(), order.begin() + query_count);
    Eigen::MatrixXf originals(n, query_count);
    for (index_t q = 0; q < query_count; ++q)
      originals.col(q) = data.pixels.col(target[static_cast<std::size_t>(q)]);

    // Corrupted queries in pixel space: the lower half masked (flagged), or Gaussian noise.
    const index_t first_masked = (data.rows / 2) * data.cols;  // row-major: the lower half is the tail
    const Eigen::MatrixXf noisy_pixels =
        hopfield::add_gaussian_noise(originals, sigma, hopfield::derive_seed(seed, 1));

    // The two kinds of query, in each encoding. Binary: the masked half is -1 (background);
    // continuous: it is 0 after centring, the mean image, so it carries no information.
    const Eigen::MatrixXf stored_binary = binarise(data.pixels);
    const Eigen::VectorXf centre = data.pixels.rowwise().mean();
    const Eigen::MatrixXf stored_continuous = centre_and_normalise(data.pixels, centre);
    std::vector<query_kind> kinds(2);
    kinds[0].name = "lower half masked";
    kinds[0].binary = binarise(originals);
    if (mask_fill == "random") {
      const Eigen::MatrixXf coins = hopfield::random_binary_patterns<float>(n - first_masked, query_count,
                                                                            hopfield::derive_seed(seed, 3));
      kinds[0].binary.bottomRows(n - first_masked) = coins;
    } else {
      kinds[0].binary.bottomRows(n - first_masked).setConstant(-1.0f);
    }
    kinds[0].continuous = originals.colwise() - centre;
    kinds[0].continuous.bottomRows(n - first_masked).setZero();
    kinds[0].pixels = kinds[0].continuous.colwise() + centre;
    kinds[0].continuous = centre_and_normalise(kinds[0].continuous, Eigen::VectorXf::Zero(n));
    kinds[1].name = "Gaussian noise, sigma " + example::fixed(sigma, 2);
    kinds[1].binary = binarise(noisy_pixels);
    kinds[1].continuous = centre_and_normalise(noisy_pixels, centre);
    kinds[1].pixels = noisy_pixels;

    std::vector<outcome> outcomes;
    hopfield::retrieval_options options;
    options.seed = hopfield::derive_seed(seed, 2);

    // Baselines: the corrupted query itself matched to the closest stored image, no memory.
    for (const auto& kind : kinds) {
      outcomes.push_back({"(query itself, binary)", kind.name, accuracy(stored_binary, kind.binary, target)});
      outcomes.back().states = kind.binary;
      outcomes.back().error = mean_error(stored_binary, kind.binary, target, true);
      outcomes.push_back(
          {"(query itself, continuous)", kind.name, accuracy(stored_continuous, kind.continuous, target)});
      outcomes.back().states = kind.continuous;
      outcomes.back().error = mean_error(stored_continuous, kind.continuous, target, false);
    }

    auto run_binary = [&](const std::string& name, const auto& memory, double store_ms) {
      for (const auto& kind : kinds) {
        example::stopwatch clock;
        const auto r = memory.retrieve(kind.binary, options);
        outcome o{name, kind.name};
        o.recall_ms = 1e3 * clock.seconds();
        o.store_ms = store_ms;
        summarise(r, o);
        o.accuracy = accuracy(stored_binary, o.states, target);
        o.error = mean_error(stored_binary, o.states, target, true);
        outcomes.push_back(std::move(o));
      }
    };
    {
      example::stopwatch clock;
      const hopfield::classical_hopfield<float> classical(stored_binary);
      run_binary("classical (Hebbian)", classical, 1e3 * clock.seconds());
    }
    {
      example::stopwatch clock;
      const hopfield::dense_associative_memory<float, hopfield::polynomial> cubic(stored_binary,
                                                                                  {.degree = 3});
      run_binary("dense F = x^3", cubic, 1e3 * clock.seconds());
    }
    {
      example::stopwatch clock;
      const hopfield::dense_associative_memory<float, hopfield::exponential> expo(stored_binary);
      run_binary("dense F = exp", expo, 1e3 * clock.seconds());
    }
    {
      example::stopwatch clock;
      const hopfield::modern_hopfield<float> modern(stored_continuous, {.beta = beta});
      hopfield::retrieval_options modern_options;  // the energy's own tolerance
      modern_options.seed = options.seed;
      const double store_ms = 1e3 * clock.seconds();
      for (const auto& kind : kinds) {
        example::stopwatch recall_clock;
        const auto r = modern.retrieve(kind.continuous, modern_options);
        outcome o{"modern (beta " + example::fixed(beta, 0) + ")", kind.name};
        o.recall_ms = 1e3 * recall_clock.seconds();
        o.store_ms = store_ms;
        summarise(r, o);
        o.accuracy = accuracy(stored_continuous, o.states, target);
        o.error = mean_error(stored_continuous, o.states, target, false);
        outcomes.push_back(std::move(o));
      }
    }

    for (const auto& kind : kinds) {
      const std::string& query = kind.name;
      std::cout << "\nqueries: " << query_count << " stored images, " << query << '\n';
      example::table t({"memory", "accuracy", "error vs original", "converged", "steps (mean)", "store ms",
                        "recall ms", "ms / query"});
      for (const auto& o : outcomes) {
        if (o.query != query) continue;
        const bool baseline = o.memory.starts_with("(");
        const bool binary =
            o.memory.find("continuous") == std::string::npos && !o.memory.starts_with("modern");
        t.add({o.memory, example::percent(o.accuracy),
               binary ? example::percent(o.error) + " pixels" : example::fixed(o.error, 3) + " L2",
               baseline ? "" : example::percent(o.converged), baseline ? "" : example::fixed(o.mean_steps, 1),
               baseline ? "" : example::fixed(o.store_ms, 1), baseline ? "" : example::fixed(o.recall_ms, 1),
               baseline ? "" : example::fixed(o.recall_ms / static_cast<double>(query_count), 3)});
      }
      t.print(std::cout);
    }
    // The picture: per row, original | binarised | binary query | classical | dense x^3 |
    // dense exp | continuous query | modern; first the masked queries, then the noisy ones.
    if (shown > 0) {
      const index_t rows_per_kind = std::min(shown, query_count);
      auto states_of = [&](const std::string& memory, const std::string& kind) -> const Eigen::MatrixXf& {
        for (const auto& o : outcomes) {
          if (o.memory.starts_with(memory) && o.query == kind) return o.states;
        }
        throw std::logic_error("fashion_recall: no outcome for " + memory);
      };
      // Continuous states back to grey levels: the centre plus the typical length of a centred image.
      const float scale = (data.pixels.colwise() - centre).colwise().norm().mean();
      example::image_grid grid(static_cast<int>(2 * rows_per_kind), 8, static_cast<int>(data.rows),
                               static_cast<int>(data.cols));
      Eigen::VectorXf tile(n);
      auto put = [&](index_t row, int col, const Eigen::VectorXf& grey) {
        tile = grey;
        grid.put(static_cast<int>(row), col,
                 std::span<const float>(tile.data(), static_cast<std::size_t>(n)));
      };
      auto from_binary = [](const auto& s) -> Eigen::VectorXf { return (s.array() + 1.0f) / 2.0f; };
      auto from_continuous = [&](const auto& s) -> Eigen::VectorXf { return centre + scale * s; };
      for (std::size_t k = 0; k < kinds.size(); ++k) {
        for (index_t q = 0; q < rows_per_kind; ++q) {
          const index_t row = static_cast<index_t>(k) * rows_per_kind + q;
          put(row, 0, originals.col(q));
          put(row, 1, from_binary(stored_binary.col(target[static_cast<std::size_t>(q)])));
          put(row, 2, from_binary(kinds[k].binary.col(q)));
          put(row, 3, from_binary(states_of("classical", kinds[k].name).col(q)));
          put(row, 4, from_binary(states_of("dense F = x^3", kinds[k].name).col(q)));
          put(row, 5, from_binary(states_of("dense F = exp", kinds[k].name).col(q)));
          put(row, 6, kinds[k].pixels.col(q));  // a masked half shows the mean image
          put(row, 7, from_continuous(states_of("modern", kinds[k].name).col(q)));
        }
      }
      grid.write_png(png);
      std::cout << "\nwrote " << png.string() << " (" << grid.width() << " x " << grid.height()
                << "): per row original | binarised | binary query | classical | dense x^3 | dense exp |\n"
                   "continuous query | modern; "
                << rows_per_kind << " masked rows, then " << rows_per_kind << " noisy rows. Images shown:";
      for (index_t q = 0; q < rows_per_kind; ++q) {
        const index_t image = target[static_cast<std::size_t>(q)];
        std::cout << ' ' << image;
        if (!data.labels.empty() && data.labels[static_cast<std::size_t>(image)] < class_names.size()) {
          std::cout << " (" << class_names[data.labels[static_cast<std::size_t>(image)]] << ')';
        }
      }
      std::cout << '\n';
    }
    std::cout
        << "\naccuracy: the retrieved state is closest (Euclidean, in the memory's encoding) to the\n"
           "queried image; error: mean distance to it (binary: pixels that differ; continuous: L2 between\n"
           "unit-length vectors). '(query itself)' rows score the corrupted query directly, no memory.\n";
    return 0;
  } catch (const example::usage_error& e) {
    std::cerr << "fashion_recall: " << e.what() << "\n(--help lists the options)\n";
    return 2;
  } catch (const example::idx_error& e) {
    std::cerr << "fashion_recall: " << e.what() << '\n';
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "fashion_recall: " << too_large(args, sizes, "out of memory") << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "fashion_recall: " << e.what() << '\n';
    return 1;
  }
}
