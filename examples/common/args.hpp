#pragma once
/// @file Command-line options for the examples: `--name value` or `--name=value`, `--help`.
/// Unknown options and bad values are usage errors (exit 2), never silently ignored.
#include <charconv>
#include <cmath>
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
        if (has_value) throw usage_error("option --" + name + ": takes no value, got '" + value + "'");
        value = "1";
      } else if (!has_value) {
        if (k + 1 >= argc) {
          throw usage_error("option --" + name + ": expected a value (" + s->value_name +
                            "), got nothing (it is the last argument)");
        }
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

  /// An integer in [lo, hi], written in decimal digits with an optional leading '-' (no
  /// fraction, no exponent, no spaces: "2.9" is refused, never truncated).
  /// @throws usage_error when the value is not such an integer or is out of range.
  [[nodiscard]] long long integer(const std::string& name, long long lo, long long hi) const {
    return parse_integer(name, text(name), lo, hi, "an integer");
  }

  /// A comma-separated list of integers, each in [lo, hi]; no item may be empty.
  /// @throws usage_error for an empty list, an empty item (a stray comma), or a bad item.
  [[nodiscard]] std::vector<long long> integers(const std::string& name, long long lo, long long hi) const {
    std::vector<long long> out;
    const std::string v = text(name);
    for (const std::string& item : split_list(name, v, "comma-separated integers")) {
      out.push_back(parse_integer(name, item, lo, hi, "comma-separated integers", v));
    }
    return out;
  }

  /// A finite real number in [lo, hi] (decimal, optional exponent; no spaces, no hex, no inf/nan).
  /// @throws usage_error when the value is not a finite number or is out of range.
  [[nodiscard]] double real(const std::string& name, double lo, double hi) const {
    return parse_real(name, text(name), lo, hi, "a finite number");
  }

  /// A comma-separated list of reals, each in [lo, hi]; no item may be empty.
  /// @throws usage_error for an empty list, an empty item (a stray comma), or a bad item.
  [[nodiscard]] std::vector<double> reals(const std::string& name, double lo, double hi) const {
    std::vector<double> out;
    const std::string v = text(name);
    for (const std::string& item : split_list(name, v, "comma-separated finite numbers")) {
      out.push_back(parse_real(name, item, lo, hi, "comma-separated finite numbers", v));
    }
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

  /// "option --NAME: expected WHAT, got 'VALUE'" (with the whole list when VALUE is one item).
  [[noreturn]] static void fail(const std::string& name, const std::string& expected, const std::string& got,
                                const std::string& whole = {}) {
    std::string message = "option --" + name + ": expected " + expected + ", got '" + got + "'";
    if (!whole.empty() && whole != got) message += " in '" + whole + "'";
    throw usage_error(message);
  }

  /// The items of a comma-separated list; an empty list or an empty item is an error.
  static std::vector<std::string> split_list(const std::string& name, const std::string& v,
                                             const std::string& what) {
    std::vector<std::string> items;
    std::size_t from = 0;
    for (;;) {
      const std::size_t comma = v.find(',', from);
      items.push_back(v.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
      if (comma == std::string::npos) break;
      from = comma + 1;
    }
    if (v.empty()) fail(name, "at least one value (" + what + ")", v);
    for (std::size_t k = 0; k < items.size(); ++k) {
      if (items[k].empty()) {
        fail(name,
             what + " without empty items (item " + std::to_string(k + 1) + " is empty: a stray comma?)", v);
      }
    }
    return items;
  }

  static long long parse_integer(const std::string& name, const std::string& v, long long lo, long long hi,
                                 const std::string& what, const std::string& whole = {}) {
    // Appended piece by piece: g++ 12 warns (-Wrestrict, bug 105329) on "[" + std::to_string(lo).
    std::string range(1, '[');
    range.append(std::to_string(lo)).append(", ").append(std::to_string(hi)).append("]");
    long long out = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size() || out < lo || out > hi) {
      fail(name, what + " in " + range, v, whole);
    }
    return out;
  }

  static double parse_real(const std::string& name, const std::string& v, double lo, double hi,
                           const std::string& what, const std::string& whole = {}) {
    std::ostringstream range;
    range << "[" << lo << ", " << hi << "]";
    double out = 0;
    // from_chars: no locale, no leading spaces or '+', no hex; inf and nan are refused below.
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size() || !std::isfinite(out) || out < lo || out > hi) {
      fail(name, what + " in " + range.str(), v, whole);
    }
    return out;
  }

  std::string program_, summary_;
  std::vector<spec> options_;
  std::map<std::string, std::string> given_;
};

}  // namespace example
