// libFuzzer target: the examples' command-line options (examples/common/args.hpp) on any command
// line. The input is split at NUL and newline bytes into argv (a trailing separator ends the last
// word; two in a row give an empty word); parse and every typed getter run on it. Only
// example::usage_error may come out of them: anything else escaping, a result outside its range,
// or a sanitizer report is a bug. Seeds: tests/fuzz/corpus/fuzz_args/ (one word per line).
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/args.hpp"

namespace {

/// Swallows what --help prints, so fuzzing is not slowed down by the terminal.
struct null_buffer : std::streambuf {
  int overflow(int c) override { return c == traits_type::eof() ? 0 : c; }
};

/// A broken promise of the parser: a crash libFuzzer reports with the input.
void require(bool holds) {
  if (!holds) __builtin_trap();
}

/// Runs one getter; a usage_error is the expected answer to a bad value.
template <class Get>
void attempt(Get get) {
  try {
    get();
  } catch (const example::usage_error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static null_buffer sink;
  static std::streambuf* const terminal = std::cout.rdbuf(&sink);
  (void)terminal;

  std::vector<std::string> words{"fuzz_args"};
  std::string word;
  for (std::size_t k = 0; k < size; ++k) {
    const char c = static_cast<char>(data[k]);
    if (c == '\0' || c == '\n') {
      words.push_back(word);
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  if (!word.empty()) words.push_back(word);
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  example::arguments args("fuzz_args", "Options of every kind the examples use.");
  args.option("seed", "S", "an integer", "2026");
  args.option("count", "N", "a signed integer", "-3");
  args.option("counts", "LIST", "integers, comma-separated", "5,10,20");
  args.option("rate", "R", "a real", "0.1");
  args.option("rates", "LIST", "reals, comma-separated", "0.1,0.2");
  args.option("name", "TEXT", "a text", "");
  args.flag("verbose", "a flag");
  try {
    if (!args.parse(static_cast<int>(words.size()), argv.data())) return 0;  // --help
  } catch (const example::usage_error&) {
    return 0;
  }

  attempt([&] {
    const long long v = args.integer("seed", 0, 1LL << 62);
    require(v >= 0 && v <= (1LL << 62));
  });
  attempt([&] { (void)args.integer("count", LLONG_MIN, LLONG_MAX); });
  attempt([&] {
    const long long v = args.integer("count", -5, 5);
    require(v >= -5 && v <= 5);
  });
  attempt([&] {
    const std::vector<long long> v = args.integers("counts", 1, 1 << 20);
    require(!v.empty());
    for (const long long x : v) require(x >= 1 && x <= (1 << 20));
  });
  attempt([&] {
    const double v = args.real("rate", 0.0, 0.5);
    require(std::isfinite(v) && v >= 0.0 && v <= 0.5);
  });
  attempt([&] { require(std::isfinite(args.real("rate", -1e308, 1e308))); });
  attempt([&] {
    const std::vector<double> v = args.reals("rates", 1e-6, 1e6);
    require(!v.empty());
    for (const double x : v) require(std::isfinite(x) && x >= 1e-6 && x <= 1e6);
  });
  // The same values read as the other kind: a list as one number, a number as a list.
  attempt([&] { (void)args.integer("counts", 0, 100); });
  attempt([&] { (void)args.reals("seed", -1e9, 1e9); });
  attempt([&] { (void)args.integers("rate", -1000, 1000); });
  require(args.given("verbose") == (args.text("verbose") == "1"));
  (void)args.text("name");
  std::ostringstream help;
  args.print_help(help);
  require(!help.str().empty());
  return 0;
}
