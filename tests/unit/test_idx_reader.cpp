// The examples' IDX reader (examples/common/idx.hpp): round trips on files this test writes
// itself (plain and gzip, the gzip made by a small independent writer using stored deflate
// blocks), and a clear idx_error for every kind of malformed input.
//
// The gzip path needs zlib in this test target (HOPFIELD_HAVE_ZLIB, linked by tests/CMakeLists.txt);
// without it the test checks that a gzip file is refused with a message naming zlib.
#include <catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "../../examples/common/idx.hpp"

namespace fs = std::filesystem;
using bytes = std::vector<std::uint8_t>;

namespace {

/// IDX encoding of unsigned bytes with the given sizes, written independently of the reader.
bytes encode_idx(const std::vector<std::uint32_t>& sizes, const bytes& values, std::uint8_t type = 0x08) {
  bytes out{0, 0, type, static_cast<std::uint8_t>(sizes.size())};
  for (const std::uint32_t s : sizes) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(s >> shift));
  }
  out.insert(out.end(), values.begin(), values.end());
  return out;
}

/// CRC-32 (IEEE, reflected), bit by bit: the gzip trailer's checksum.
std::uint32_t crc32(const bytes& data) {
  std::uint32_t crc = 0xFFFFFFFFU;
  for (const std::uint8_t byte : data) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320U & (0U - (crc & 1U)));
  }
  return ~crc;
}

void put_le32(bytes& out, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) out.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
}

/// A gzip member (RFC 1952) whose deflate stream (RFC 1951) holds only stored blocks.
bytes gzip_stored(const bytes& data) {
  bytes out{0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF};
  std::size_t at = 0;
  do {
    const std::size_t len = std::min<std::size_t>(65535, data.size() - at);
    const bool last = at + len == data.size();
    out.push_back(last ? 1 : 0);  // BFINAL, BTYPE = 00 (stored); the rest of the byte pads
    out.push_back(static_cast<std::uint8_t>(len));
    out.push_back(static_cast<std::uint8_t>(len >> 8));
    out.push_back(static_cast<std::uint8_t>(~len));
    out.push_back(static_cast<std::uint8_t>(~len >> 8));
    out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(at),
               data.begin() + static_cast<std::ptrdiff_t>(at + len));
    at += len;
  } while (at < data.size());
  put_le32(out, crc32(data));
  put_le32(out, static_cast<std::uint32_t>(data.size()));
  return out;
}

/// A fresh folder for this test's files, removed at the end.
struct scratch {
  fs::path dir;
  scratch() {
    std::random_device device;
    dir = fs::temp_directory_path() / ("hopfield_idx_test_" + std::to_string(device()));
    fs::create_directories(dir);
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  scratch(const scratch&) = delete;
  scratch& operator=(const scratch&) = delete;

  fs::path write(const std::string& name, const bytes& content) const {
    const fs::path path = dir / name;
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
    return path;
  }
};

struct random_array {
  std::vector<std::uint32_t> sizes;
  bytes values;
};

random_array make_array(std::mt19937_64& rng, int dims, std::uint32_t max_size) {
  random_array a;
  std::size_t count = 1;
  for (int d = 0; d < dims; ++d) {
    a.sizes.push_back(1 + static_cast<std::uint32_t>(rng() % max_size));
    count *= a.sizes.back();
  }
  a.values.resize(count);
  for (auto& v : a.values) v = static_cast<std::uint8_t>(rng());
  return a;
}

void require_same(const example::idx_array& got, const random_array& want) {
  REQUIRE(got.sizes.size() == want.sizes.size());
  for (std::size_t d = 0; d < want.sizes.size(); ++d) REQUIRE(got.sizes[d] == want.sizes[d]);
  REQUIRE(got.values == want.values);
}

}  // namespace

TEST_CASE("idx: parse_idx reads back what an independent writer encoded", "[idx]") {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    const int dims = 1 + trial % 4;
    const random_array a = make_array(rng, dims, dims == 1 ? 300 : 12);
    require_same(example::parse_idx(encode_idx(a.sizes, a.values), "memory"), a);
  }
}

TEST_CASE("idx: sizes are big-endian 32-bit numbers", "[idx]") {
  // 0x00010203 = 66051 values in one dimension: every byte of the size counts.
  const random_array a{{0x00010203U}, bytes(0x00010203U, 7)};
  const auto got = example::parse_idx(encode_idx(a.sizes, a.values), "memory");
  REQUIRE(got.sizes.size() == 1);
  REQUIRE(got.sizes[0] == 66051);
}

TEST_CASE("idx: malformed input gives an idx_error that says what is wrong", "[idx]") {
  const bytes good = encode_idx({2, 3}, bytes(6, 1));
  using example::idx_error;
  using example::parse_idx;
  REQUIRE_THROWS_AS(parse_idx(bytes{}, "f"), idx_error);
  REQUIRE_THROWS_WITH(parse_idx(bytes{0, 0, 8}, "empty.idx"),
                      test::contains("empty.idx") && test::contains("shorter than the 4-byte magic number"));
  REQUIRE_THROWS_WITH(parse_idx(bytes{1, 0, 8, 1, 0, 0, 0, 1, 5}, "f"), test::contains("two zero bytes"));
  REQUIRE_THROWS_WITH(parse_idx(encode_idx({2}, bytes(8, 0), 0x0D), "f"),
                      test::contains("element type 0x0D") && test::contains("only unsigned bytes"));
  REQUIRE_THROWS_WITH(parse_idx(bytes{0, 0, 8, 0}, "f"), test::contains("zero dimensions"));
  REQUIRE_THROWS_WITH(parse_idx(bytes{0, 0, 8, 3, 0, 0, 0, 2, 0, 0}, "f"),
                      test::contains("announces 3 dimensions") && test::contains("ends after 10 bytes"));
  REQUIRE_THROWS_WITH(parse_idx(encode_idx({2, 0}, bytes{}), "f"), test::contains("dimension 1 has size 0"));
  bytes short_data(good.begin(), good.end() - 1);
  REQUIRE_THROWS_WITH(parse_idx(short_data, "f"), test::contains("truncated") &&
                                                      test::contains("announces 6 values") &&
                                                      test::contains("only 5 bytes follow"));
  bytes long_data = good;
  long_data.push_back(0);
  long_data.push_back(0);
  REQUIRE_THROWS_WITH(parse_idx(long_data, "f"), test::contains("2 trailing bytes"));
  // Sizes whose product overflows size_t are refused before any allocation.
  REQUIRE_THROWS_WITH(parse_idx(encode_idx({0xFFFFFFFFU, 0xFFFFFFFFU, 0xFFFFFFFFU}, bytes{}), "f"),
                      test::contains("overflow"));
}

TEST_CASE("idx: plain files round-trip through read_idx, and the shape checks", "[idx]") {
  const scratch tmp;
  std::mt19937_64 rng(5);
  const random_array images = make_array(rng, 3, 9);
  const random_array labels = make_array(rng, 1, 50);
  const fs::path images_path = tmp.write("images-idx3-ubyte", encode_idx(images.sizes, images.values));
  const fs::path labels_path = tmp.write("labels-idx1-ubyte", encode_idx(labels.sizes, labels.values));
  require_same(example::read_idx(images_path), images);
  require_same(example::read_idx_images(images_path), images);
  require_same(example::read_idx_labels(labels_path), labels);
  REQUIRE_THROWS_WITH(example::read_idx_images(labels_path), test::contains("labels-idx1-ubyte") &&
                                                                 test::contains("expected images") &&
                                                                 test::contains("found 1 dimensions"));
  REQUIRE_THROWS_WITH(example::read_idx_labels(images_path), test::contains("expected labels"));
  REQUIRE_THROWS_WITH(example::read_idx(tmp.dir / "absent.gz"), test::contains("absent.gz: no such file"));
  REQUIRE_THROWS_WITH(example::read_idx(tmp.dir), test::contains("not a regular file"));
  const fs::path text = tmp.write("notes.txt", bytes{'h', 'e', 'l', 'l', 'o', '\n'});
  REQUIRE_THROWS_WITH(example::read_idx(text), test::contains("notes.txt: not a valid IDX file"));
}

TEST_CASE("idx: gzip files are decompressed, corrupt or truncated ones refused", "[idx]") {
  const scratch tmp;
  std::mt19937_64 rng(23);
  // Large enough for several stored blocks (65535 bytes each).
  const random_array a = make_array(rng, 3, 80);
  const bytes raw = encode_idx(a.sizes, a.values);
  const bytes gz = gzip_stored(raw);
  const fs::path path = tmp.write("a-idx3-ubyte.gz", gz);
#if defined(HOPFIELD_HAVE_ZLIB)
  require_same(example::read_idx(path), a);
  for (int trial = 0; trial < 20; ++trial) {
    const random_array small = make_array(rng, 1 + trial % 3, 20);
    require_same(example::read_idx(tmp.write("s.gz", gzip_stored(encode_idx(small.sizes, small.values)))),
                 small);
  }
  // A wrong checksum, a stream cut short, a stream cut inside the header.
  bytes bad_crc = gz;
  bad_crc[bad_crc.size() - 6] ^= 0x5A;
  REQUIRE_THROWS_WITH(example::read_idx(tmp.write("crc.gz", bad_crc)),
                      test::contains("crc.gz") && test::contains("corrupt or truncated gzip data"));
  const bytes cut(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2));
  REQUIRE_THROWS_WITH(example::read_idx(tmp.write("cut.gz", cut)),
                      test::contains("cut.gz") && (test::contains("truncated") || test::contains("corrupt")));
  bytes bad_block = gz;
  bad_block[10] = 0x07;  // BTYPE = 11: a reserved (invalid) block type
  REQUIRE_THROWS_WITH(example::read_idx(tmp.write("block.gz", bad_block)),
                      test::contains("corrupt or truncated gzip data"));
#else
  REQUIRE_THROWS_WITH(example::read_idx(path), test::contains("without zlib"));
#endif
}

TEST_CASE("idx: decode_idx reads IDX bytes from memory, plain or gzip", "[idx]") {
  std::mt19937_64 rng(31);
  const random_array a = make_array(rng, 3, 30);
  const bytes raw = encode_idx(a.sizes, a.values);
  require_same(example::decode_idx(raw, "memory"), a);
  REQUIRE_THROWS_WITH(example::decode_idx(bytes{0, 0, 8}, "short"), test::contains("short: not a valid IDX"));
#if defined(HOPFIELD_HAVE_ZLIB)
  require_same(example::decode_idx(gzip_stored(raw), "memory.gz"), a);
  // Two gzip members, as `cat a.gz b.gz` makes: one IDX file.
  const auto half = static_cast<std::ptrdiff_t>(raw.size() / 2);
  bytes two = gzip_stored(bytes(raw.begin(), raw.begin() + half));
  const bytes second = gzip_stored(bytes(raw.begin() + half, raw.end()));
  two.insert(two.end(), second.begin(), second.end());
  require_same(example::decode_idx(two, "two.gz"), a);
  bytes garbage = gzip_stored(raw);
  garbage.push_back(0);
  garbage.push_back(7);
  REQUIRE_THROWS_WITH(example::decode_idx(garbage, "garbage.gz"),
                      test::contains("garbage.gz: 2 bytes after the end of the gzip data"));
  // A gzip file whose content is not IDX: refused at its magic number.
  REQUIRE_THROWS_WITH(example::decode_idx(gzip_stored(bytes{'h', 'e', 'l', 'l', 'o', '\n'}), "text.gz"),
                      test::contains("text.gz: not a valid IDX file") && test::contains("two zero bytes"));
#else
  REQUIRE_THROWS_WITH(example::decode_idx(gzip_stored(raw), "memory.gz"), test::contains("without zlib"));
#endif
}

#if defined(HOPFIELD_HAVE_ZLIB)
namespace {

/// A gzip member (through zlib's deflate, best compression) of `head` followed by `zeros` zero
/// bytes, compressed as it streams: a gzip bomb without holding the bomb in memory.
bytes gzip_deflate(const bytes& head, std::size_t zeros) {
  z_stream s{};
  REQUIRE(deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  bytes out;
  std::vector<std::uint8_t> buffer(1 << 16);
  const bytes block(1 << 16, 0);
  auto pump = [&](const std::uint8_t* data, std::size_t size, int flush) {
    s.next_in = const_cast<Bytef*>(data);
    s.avail_in = static_cast<uInt>(size);
    do {
      s.next_out = buffer.data();
      s.avail_out = static_cast<uInt>(buffer.size());
      REQUIRE(deflate(&s, flush) != Z_STREAM_ERROR);
      out.insert(out.end(), buffer.begin(), buffer.end() - static_cast<std::ptrdiff_t>(s.avail_out));
    } while (s.avail_out == 0);
  };
  pump(head.data(), head.size(), Z_NO_FLUSH);
  for (std::size_t left = zeros; left > 0;) {
    const std::size_t now = std::min(left, block.size());
    pump(block.data(), now, Z_NO_FLUSH);
    left -= now;
  }
  pump(nullptr, 0, Z_FINISH);
  deflateEnd(&s);
  return out;
}

}  // namespace

// Issue 14, defect 18: a 0.5 MiB gzip bomb made the reader inflate 1.1 GiB before refusing it.
// Now inflating stops as soon as the output passes what the IDX header declares.
TEST_CASE("idx: defect 18, a gzip bomb is refused at the size its IDX header declares", "[idx]") {
  const scratch tmp;
  // The header declares 2 x 3 values (18 bytes in all); 64 MiB of zeros follow.
  const bytes bomb = gzip_deflate(encode_idx({2, 3}, bytes(6, 1)), std::size_t{64} << 20);
  REQUIRE(bomb.size() < (std::size_t{1} << 20));
  REQUIRE_THROWS_WITH(
      example::decode_idx(bomb, "bomb.gz"),
      test::contains("bomb.gz: gzip data inflates past the 18 bytes its IDX header declares"));
  REQUIRE_THROWS_WITH(example::read_idx(tmp.write("bomb-idx3-ubyte.gz", bomb)),
                      test::contains("inflates past the 18 bytes"));
  // A real-sized header (60000 x 28 x 28) is bounded the same way, one byte past its size.
  const bytes big = gzip_deflate(encode_idx({60000, 28, 28}, bytes{}), std::size_t{60000} * 28 * 28 + 1);
  REQUIRE_THROWS_WITH(example::decode_idx(big, "big.gz"),
                      test::contains("inflates past the 47040016 bytes its IDX header declares"));
  // Garbage in the header itself stops inflating at once.
  REQUIRE_THROWS_WITH(example::decode_idx(gzip_deflate(bytes{0, 0, 8}, std::size_t{64} << 20), "zeros.gz"),
                      test::contains("zeros.gz: not a valid IDX file: zero dimensions"));
  // A header that declares far more than the gzip data could hold is refused before inflating it.
  REQUIRE_THROWS_WITH(
      example::decode_idx(gzip_stored(encode_idx({0xFFFFU, 0xFFFFU, 0xFFFFU}, bytes{})), "claims.gz"),
      test::contains("claims.gz: the IDX header declares 281462092005375 values") &&
          test::contains("can inflate to"));
  // What the header declares, exactly, still reads (and one byte less is truncated).
  const bytes exact = gzip_deflate(encode_idx({2, 3}, bytes{}), 6);
  REQUIRE(example::decode_idx(exact, "exact.gz").values == bytes(6, 0));
  REQUIRE_THROWS_WITH(example::decode_idx(gzip_deflate(encode_idx({2, 3}, bytes{}), 5), "short.gz"),
                      test::contains("truncated"));
}
#endif
