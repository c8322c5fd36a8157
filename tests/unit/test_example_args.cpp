// The examples' command-line options (examples/common/args.hpp): parsing, the typed getters, and
// a usage_error naming the option, what was expected and what was given for every bad value.
// Issue 14, defect 15: "--counts 2.9" was truncated to 2, "--rates 0.1," accepted, and an empty
// "--seed" read as 0 (glyph_recall's own parser; every example now uses example::arguments).
#include <catch.hpp>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "../../examples/common/args.hpp"

namespace {

/// An argv of strings (argv[0] is the program), owning its characters.
struct command_line {
  std::vector<std::string> words;
  std::vector<char*> pointers;
  explicit command_line(std::vector<std::string> args) : words(std::move(args)) {
    words.insert(words.begin(), "program");
    for (auto& w : words) pointers.push_back(w.data());
    pointers.push_back(nullptr);
  }
  [[nodiscard]] int argc() const { return static_cast<int>(words.size()); }
  char** argv() { return pointers.data(); }
};

example::arguments declared() {
  example::arguments args("program", "A test of the options.");
  args.option("seed", "S", "a seed", "2026");
  args.option("counts", "LIST", "numbers of patterns", "5,10,20");
  args.option("rates", "LIST", "fractions", "0.1,0.2");
  args.option("flip", "RHO", "a fraction", "0.1");
  args.option("name", "TEXT", "a text", "");
  args.flag("verbose", "say more");
  return args;
}

/// Parses the words with the declared options; true when the run goes on (no --help).
bool parse(example::arguments& args, std::vector<std::string> words) {
  command_line line(std::move(words));
  return args.parse(line.argc(), line.argv());
}

}  // namespace

TEST_CASE("example args: defaults, both spellings of a value, flags", "[example_args]") {
  auto args = declared();
  REQUIRE(parse(args, {"--seed", "7", "--flip=0.25", "--verbose", "--name="}));
  REQUIRE(args.integer("seed", 0, 100) == 7);
  REQUIRE(args.real("flip", 0.0, 0.5) == 0.25);
  REQUIRE(args.given("verbose"));
  REQUIRE(args.given("name"));
  REQUIRE(args.text("name").empty());
  REQUIRE_FALSE(args.given("counts"));
  REQUIRE(args.integers("counts", 1, 100) == std::vector<long long>{5, 10, 20});
  REQUIRE(args.reals("rates", 0.0, 1.0) == std::vector<double>{0.1, 0.2});
  REQUIRE(args.real("flip", 0.0, 0.5) == 0.25);
  auto exponent = declared();
  REQUIRE(parse(exponent, {"--flip", "2.5e-1", "--rates", "1e-2,-0,0.5"}));
  REQUIRE(exponent.real("flip", 0.0, 0.5) == 0.25);
  REQUIRE(exponent.reals("rates", 0.0, 1.0) == std::vector<double>{0.01, 0.0, 0.5});
}

TEST_CASE("example args: --help prints the options and stops the run", "[example_args]") {
  auto args = declared();
  std::ostringstream help;
  args.print_help(help);
  REQUIRE_THAT(help.str(), test::contains("usage: program [options]") && test::contains("--counts LIST") &&
                               test::contains("(default: 5,10,20)") && test::contains("--help"));
  std::streambuf* saved = std::cout.rdbuf(help.rdbuf());
  const bool goes_on = parse(args, {"--seed", "1", "--help", "--unknown"});
  std::cout.rdbuf(saved);
  REQUIRE_FALSE(goes_on);
}

TEST_CASE("example args: a bad command line names what is wrong", "[example_args]") {
  using example::usage_error;
  auto a = declared();
  REQUIRE_THROWS_WITH(parse(a, {"--bogus", "1"}), test::contains("unknown option --bogus"));
  auto b = declared();
  REQUIRE_THROWS_WITH(parse(b, {"stray"}), test::contains("unexpected argument 'stray'"));
  auto c = declared();
  REQUIRE_THROWS_WITH(parse(c, {"--seed"}),
                      test::contains("option --seed: expected a value (S)") && test::contains("got nothing"));
  auto d = declared();
  REQUIRE_THROWS_WITH(parse(d, {"--verbose=yes"}),
                      test::contains("option --verbose: takes no value, got 'yes'"));
}

// Defect 15: "--counts 2.9" must not become 2.
TEST_CASE("example args: defect 15, an integer list refuses fractions instead of truncating",
          "[example_args]") {
  auto args = declared();
  REQUIRE(parse(args, {"--counts", "2.9"}));
  REQUIRE_THROWS_AS(args.integers("counts", 1, 1 << 20), example::usage_error);
  REQUIRE_THROWS_WITH(args.integers("counts", 1, 1 << 20), test::contains("option --counts") &&
                                                               test::contains("integers in [1, 1048576]") &&
                                                               test::contains("got '2.9'"));
  auto mixed = declared();
  REQUIRE(parse(mixed, {"--counts=5,2.9,7"}));
  REQUIRE_THROWS_WITH(mixed.integers("counts", 1, 100), test::contains("got '2.9' in '5,2.9,7'"));
  auto single = declared();
  REQUIRE(parse(single, {"--seed", "2.9"}));
  REQUIRE_THROWS_WITH(single.integer("seed", 0, 100),
                      test::contains("option --seed: expected an integer in [0, 100], got '2.9'"));
  for (const char* bad : {"1e3", " 5", "5 ", "+5", "0x10", "5k", "99999999999999999999"}) {
    auto other = declared();
    REQUIRE(parse(other, {"--seed", bad}));
    REQUIRE_THROWS_WITH(other.integer("seed", 0, 1LL << 62), test::contains("option --seed"));
  }
  auto range = declared();
  REQUIRE(parse(range, {"--counts", "5,0"}));
  REQUIRE_THROWS_WITH(range.integers("counts", 1, 100), test::contains("in [1, 100], got '0' in '5,0'"));
}

// Defect 15: a trailing (or doubled, or leading) comma is a stray empty item, not ignored.
TEST_CASE("example args: defect 15, a list with an empty item is refused", "[example_args]") {
  for (const char* bad : {"0.1,", "0.1,,0.2", ",0.1", ","}) {
    auto args = declared();
    REQUIRE(parse(args, {"--rates", bad}));
    REQUIRE_THROWS_AS(args.reals("rates", 0.0, 0.5), example::usage_error);
    REQUIRE_THROWS_WITH(args.reals("rates", 0.0, 0.5), test::contains("option --rates") &&
                                                           test::contains("is empty") &&
                                                           test::contains(std::string("got '") + bad + "'"));
    auto counts = declared();
    REQUIRE(parse(counts, {"--counts", bad}));
    REQUIRE_THROWS_WITH(counts.integers("counts", 0, 100), test::contains("option --counts"));
  }
  auto empty = declared();
  REQUIRE(parse(empty, {"--rates="}));
  REQUIRE_THROWS_WITH(
      empty.reals("rates", 0.0, 0.5),
      test::contains("option --rates: expected at least one value") && test::contains("got ''"));
}

// Defect 15: an empty value is not 0.
TEST_CASE("example args: defect 15, an empty number is refused", "[example_args]") {
  auto eq = declared();
  REQUIRE(parse(eq, {"--seed="}));
  REQUIRE_THROWS_WITH(eq.integer("seed", 0, 1LL << 62),
                      test::contains("option --seed: expected an integer") && test::contains("got ''"));
  auto separate = declared();
  REQUIRE(parse(separate, {"--seed", ""}));
  REQUIRE_THROWS_AS(separate.integer("seed", 0, 1LL << 62), example::usage_error);
  auto real = declared();
  REQUIRE(parse(real, {"--flip", ""}));
  REQUIRE_THROWS_WITH(real.real("flip", 0.0, 0.5),
                      test::contains("option --flip: expected a finite number") && test::contains("got ''"));
}

TEST_CASE("example args: reals refuse what is not a finite decimal number in range", "[example_args]") {
  for (const char* bad : {"nan", "inf", "-inf", "1e999", "0.1x", " 0.1", "0x1p-3", "+0.1", "1,2"}) {
    auto args = declared();
    REQUIRE(parse(args, {"--flip", bad}));
    REQUIRE_THROWS_WITH(args.real("flip", 0.0, 0.5),
                        test::contains("option --flip: expected a finite number") &&
                            test::contains(std::string("got '") + bad + "'"));
  }
  auto range = declared();
  REQUIRE(parse(range, {"--flip", "0.75"}));
  REQUIRE_THROWS_WITH(range.real("flip", 0.0, 0.5), test::contains("in [0, 0.5], got '0.75'"));
}
