#pragma once
/// @file Command-line options for the examples: `--name value` or `--name=value`, `--help`.
/// Unknown options and bad values are usage errors (exit 2), never silently ignored.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace example {

/// A bad command line: the message says which option and why.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class arguments {
 public:
  arguments(std::string program, std::string summary)
      : program_(std::move(program)), summary_(std::move(summary)) {}

  /// An option taking a value, with its default shown by --help.
  void option(const std::string& name, const std::string& value_name, const std::string& help,
              const std::string& default_value) {
    options_.push_back({name, value_name, help, default_value, false});
  }
  /// An option without a value.
  void flag(const std::string& name, const std::string& help) {
    options_.push_back({name, "", help, "", true});
  }

  /// Parses argv; returns false after printing the help (the caller exits 0).
  /// @throws usage_error for an unknown option, a missing value or a stray argument.
  bool parse(int argc, char** argv) {
    for (int k = 1; k < argc; ++k) {
      std::string_view arg = argv[k];
      if (arg == "--help" || arg == "-h") {
        print_help(std::cout);
        return false;
      }
      if (!arg.starts_with("--")) throw usage_error("unexpected argument '" + std::string(arg) + "'");
      arg.remove_prefix(2);
      std::string name(arg);
      std::string value;
      bool has_value = false;
      if (const auto eq = arg.find('='); eq != std::string_view::npos) {
        name = std::string(arg.substr(0, eq));
        value = std::string(arg.substr(eq + 1));
        has_value = true;
      }
      const spec* s = find(name);
      if (s == nullptr) throw usage_error("unknown option --" + name);
      if (s->is_flag) {
        if (has_value) throw usage_error("option --" + name + " takes no value");
        value = "1";
      } else if (!has_value) {
        if (k + 1 >= argc) throw usage_error("option --" + name + " needs a value (" + s->value_name + ")");
        value = argv[++k];
      }
      given_[name] = value;
    }
    return true;
  }

  /// Whether the user gave the option on the command line.
  [[nodiscard]] bool given(const std::string& name) const { return given_.contains(name); }

  [[nodiscard]] std::string text(const std::string& name) const {
    if (const auto it = given_.find(name); it != given_.end()) return it->second;
    return lookup(name).default_value;
  }

  /// An integer in [lo, hi].
  /// @throws usage_error when the value is not an integer or is out of range.
  [[nodiscard]] long long integer(const std::string& name, long long lo, long long hi) const {
    const std::string v = text(name);
    long long out = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size()) {
      throw usage_error("option --" + name + ": '" + v + "' is not an integer");
    }
    if (out < lo || out > hi) {
      throw usage_error("option --" + name + ": " + v + " is outside [" + std::to_string(lo) + ", " +
                        std::to_string(hi) + "]");
    }
    return out;
  }

  /// A finite real number in [lo, hi].
  /// @throws usage_error when the value is not a finite number or is out of range.
  [[nodiscard]] double real(const std::string& name, double lo, double hi) const {
    return parse_real(name, text(name), lo, hi);
  }

  /// A comma-separated list of reals, each in [lo, hi].
  [[nodiscard]] std::vector<double> reals(const std::string& name, double lo, double hi) const {
    std::vector<double> out;
    std::stringstream in(text(name));
    std::string item;
    while (std::getline(in, item, ',')) out.push_back(parse_real(name, item, lo, hi));
    if (out.empty()) throw usage_error("option --" + name + " needs at least one value");
    return out;
  }

  void print_help(std::ostream& out) const {
    out << "usage: " << program_ << " [options]\n\n" << summary_ << "\n\noptions:\n";
    for (const auto& s : options_) {
      std::string left = "  --" + s.name + (s.is_flag ? "" : " " + s.value_name);
      out << std::left << std::setw(26) << left << ' ' << s.help;
      if (!s.is_flag && !s.default_value.empty()) out << " (default: " << s.default_value << ")";
      out << '\n';
    }
    out << std::left << std::setw(26) << "  --help" << ' ' << "print this help and exit\n";
  }

 private:
  struct spec {
    std::string name, value_name, help, default_value;
    bool is_flag;
  };

  [[nodiscard]] const spec* find(const std::string& name) const {
    for (const auto& s : options_) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }
  [[nodiscard]] const spec& lookup(const std::string& name) const {
    const spec* s = find(name);
    if (s == nullptr) throw std::logic_error("example::arguments: option --" + name + " was never declared");
    return *s;
  }

  static double parse_real(const std::string& name, const std::string& v, double lo, double hi) {
    char* end = nullptr;
    errno = 0;
    const double out = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || errno != 0 || !std::isfinite(out)) {
      throw usage_error("option --" + name + ": '" + v + "' is not a finite number");
    }
    if (out < lo || out > hi) {
      std::ostringstream msg;
      msg << "option --" << name << ": " << v << " is outside [" << lo << ", " << hi << "]";
      throw usage_error(msg.str());
    }
    return out;
  }

  std::string program_, summary_;
  std::vector<spec> options_;
  std::map<std::string, std::string> given_;
};

}  // namespace example
