// libFuzzer target: the examples' IDX reader (examples/common/idx.hpp) on any bytes, through
// three doors: parse_idx (plain IDX), decode_idx (what read_idx does with a file's bytes: gzip
// when they start like gzip, else plain) and, with zlib, gunzip_idx on the bytes as a raw deflate
// stream behind a fixed gzip header. Only example::idx_error may come out; anything else
// escaping, an array whose values do not match its sizes, an inflated output longer than its IDX
// header declares, or a sanitizer report is a bug. Seeds: tests/fuzz/corpus/fuzz_idx_reader/.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/idx.hpp"

namespace {

/// A broken promise of the reader: a crash libFuzzer reports with the input.
void require(bool holds) {
  if (!holds) __builtin_trap();
}

/// A decoded array is consistent: at least one dimension, no zero size, sizes times values.
void check(const example::idx_array& a) {
  require(!a.sizes.empty() && a.sizes.size() <= 255);
  std::size_t count = 1;
  for (const std::size_t s : a.sizes) {
    require(s > 0);
    count *= s;
  }
  require(count == a.values.size());
}

#if defined(HOPFIELD_HAVE_ZLIB)
/// Inflated bytes never run past what their IDX header declares (once the header is complete).
void check_bounded(const std::vector<std::uint8_t>& out) {
  if (out.size() < 4) return;
  const std::size_t header = 4 + 4 * std::size_t{out[3]};
  if (out.size() < header) return;
  const auto h = example::detail::idx_read_header(out, "inflated");
  require(out.size() <= h.header_bytes + h.count);
}
#endif

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  try {
    check(example::parse_idx(bytes, "fuzz"));
  } catch (const example::idx_error&) {
  }
  try {
    check(example::decode_idx(bytes, "fuzz"));
  } catch (const example::idx_error&) {
  }
#if defined(HOPFIELD_HAVE_ZLIB)
  try {
    check_bounded(example::gunzip_idx(bytes, "fuzz.gz"));
  } catch (const example::idx_error&) {
  }
  // The bytes as the deflate stream of a gzip member: the header is fixed (no name, no extra
  // field), so the fuzzer spends its time inside the data.
  std::vector<std::uint8_t> member{0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF};
  member.insert(member.end(), bytes.begin(), bytes.end());
  try {
    const std::vector<std::uint8_t> out = example::gunzip_idx(member, "fuzz.gz");
    check_bounded(out);
    check(example::parse_idx(out, "fuzz.gz"));
  } catch (const example::idx_error&) {
  }
#endif
  return 0;
}
