#pragma once
/// @file Reading IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or not.
///
/// IDX: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions d, then d
/// big-endian 32-bit sizes and the values in row-major order. Only unsigned bytes are read here
/// (what (Fashion-)MNIST uses). Every malformed input gives an idx_error naming the file and what
/// is wrong; nothing is read past the data.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#if defined(HOPFIELD_HAVE_ZLIB)
#include <zlib.h>
#endif

namespace example {

/// A missing, unreadable or malformed data file.
struct idx_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// An IDX array of unsigned bytes: its sizes (outermost first) and values (row-major).
struct idx_array {
  std::vector<std::size_t> sizes;
  std::vector<std::uint8_t> values;
};

namespace detail {

/// What an IDX header declares: the sizes, the header's length and the number of values.
struct idx_header {
  std::vector<std::size_t> sizes;
  std::size_t header_bytes = 0;
  std::size_t count = 1;
};

inline idx_error idx_invalid(const std::string& where, const std::string& what) {
  return idx_error(where + ": not a valid IDX file: " + what);
}

/// Checks the 4-byte magic number (bytes.size() >= 4) and returns the number of dimensions.
inline std::size_t idx_dimensions(std::span<const std::uint8_t> bytes, const std::string& where) {
  if (bytes[0] != 0 || bytes[1] != 0)
    throw idx_invalid(where, "the magic number does not start with two zero bytes");
  if (bytes[2] != 0x08) {
    char code[8];
    std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned>(bytes[2]));
    throw idx_invalid(where,
                      std::string("element type ") + code + " is not supported (only unsigned bytes, 0x08)");
  }
  if (bytes[3] == 0) throw idx_invalid(where, "zero dimensions");
  return bytes[3];
}

/// Reads the sizes of a complete header (bytes.size() >= 4 + 4 * dimensions); the number of
/// values and the whole file's length (header + values) are checked against overflow.
inline idx_header idx_read_header(std::span<const std::uint8_t> bytes, const std::string& where) {
  idx_header h;
  const std::size_t dims = idx_dimensions(bytes, where);
  h.header_bytes = 4 + 4 * dims;
  for (std::size_t d = 0; d < dims; ++d) {
    const std::size_t at = 4 + 4 * d;
    const std::size_t size = (std::size_t{bytes[at]} << 24) | (std::size_t{bytes[at + 1]} << 16) |
                             (std::size_t{bytes[at + 2]} << 8) | std::size_t{bytes[at + 3]};
    if (size == 0) throw idx_invalid(where, "dimension " + std::to_string(d) + " has size 0");
    if (h.count > std::numeric_limits<std::size_t>::max() / size)
      throw idx_invalid(where, "the sizes overflow");
    h.count *= size;
    h.sizes.push_back(size);
  }
  if (h.count > std::numeric_limits<std::size_t>::max() - h.header_bytes)
    throw idx_invalid(where, "the sizes overflow");
  return h;
}

}  // namespace detail

/// Decodes the bytes of an (uncompressed) IDX file; `source` names it in errors.
/// @throws idx_error for a bad magic number, an element type other than unsigned byte, zero
///         dimensions or a zero size, a header or data shorter than announced, or trailing bytes.
inline idx_array parse_idx(std::span<const std::uint8_t> bytes, std::string_view source) {
  const std::string where(source);
  if (bytes.size() < 4) {
    throw detail::idx_invalid(
        where, "only " + std::to_string(bytes.size()) + " bytes, shorter than the 4-byte magic number");
  }
  const std::size_t dims = detail::idx_dimensions(bytes, where);
  const std::size_t header = 4 + 4 * dims;
  if (bytes.size() < header) {
    throw detail::idx_invalid(where, "the header announces " + std::to_string(dims) +
                                         " dimensions but the file ends after " +
                                         std::to_string(bytes.size()) + " bytes");
  }
  const detail::idx_header h = detail::idx_read_header(bytes, where);
  const std::size_t data = bytes.size() - header;
  if (data < h.count) {
    throw detail::idx_invalid(where, "truncated: the header announces " + std::to_string(h.count) +
                                         " values but only " + std::to_string(data) + " bytes follow");
  }
  if (data > h.count) {
    throw detail::idx_invalid(where, std::to_string(data - h.count) + " trailing bytes after the " +
                                         std::to_string(h.count) + " announced values");
  }
  idx_array out;
  out.sizes = h.sizes;
  out.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return out;
}

/// Whether the bytes start like a gzip member (RFC 1952: 0x1F 0x8B).
inline bool is_gzip(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B;
}

#if defined(HOPFIELD_HAVE_ZLIB)
/// Inflates gzip data (one member or several) holding an IDX file, never further than the IDX
/// header inside declares: the header is read as soon as it is out, and inflating stops with an
/// idx_error once the output would exceed header + values (a gzip bomb costs no more memory than
/// the file it claims to be). The output is not checked further: parse_idx does that.
/// @throws idx_error for corrupt or truncated gzip data, bytes after the last member, an output
///         longer than the header declares, or a header that declares more than the input could
///         inflate to (deflate expands at most 1032:1), and for a bad magic number, element type
///         or sizes (as parse_idx).
inline std::vector<std::uint8_t> gunzip_idx(std::span<const std::uint8_t> gz, std::string_view source) {
  const std::string where(source);
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) throw idx_error(where + ": cannot start zlib");
  struct end_inflate {
    z_stream* s;
    ~end_inflate() { inflateEnd(s); }
  } guard{&stream};

  std::vector<std::uint8_t> out;
  std::size_t produced = 0;
  std::size_t limit = 4;  // the most output allowed: the magic number, then the header, then all
  bool header_read = false;
  std::size_t consumed = 0;  // input handed to zlib so far
  constexpr std::size_t max_chunk = std::size_t{1} << 30;
  auto corrupt = [&](const char* why) {
    return idx_error(where + ": corrupt or truncated gzip data (" +
                     (stream.msg != nullptr ? std::string(stream.msg) : std::string(why)) + ")");
  };
  for (;;) {
    if (stream.avail_in == 0 && consumed < gz.size()) {
      const std::size_t chunk = std::min(max_chunk, gz.size() - consumed);
      // zlib's next_in is not const in every version: it only reads through it.
      stream.next_in = const_cast<Bytef*>(gz.data() + consumed);
      stream.avail_in = static_cast<uInt>(chunk);
      consumed += chunk;
    }
    // Room for at most one byte past the limit: enough to tell that the data is too long.
    if (produced == out.size()) {
      const std::size_t cap = limit + 1;
      out.resize(std::min(cap, std::max<std::size_t>(2 * out.size(), std::size_t{1} << 16)));
    }
    const std::size_t room = std::min(out.size() - produced, max_chunk);
    stream.next_out = out.data() + produced;
    stream.avail_out = static_cast<uInt>(room);
    const int code = inflate(&stream, Z_NO_FLUSH);
    produced += room - stream.avail_out;
    if (code == Z_NEED_DICT || code == Z_DATA_ERROR || code == Z_MEM_ERROR || code == Z_STREAM_ERROR) {
      throw corrupt("invalid data");
    }
    if (!header_read && produced >= 4) {
      limit = 4 + 4 * detail::idx_dimensions(std::span(out.data(), produced), where);
      if (produced >= limit) {
        const detail::idx_header h = detail::idx_read_header(std::span(out.data(), produced), where);
        header_read = true;
        limit = h.header_bytes + h.count;
        // Deflate expands at most 1032:1 (a 258-byte match in 2 bits): refuse a header that
        // declares more than the whole input could hold before inflating any further.
        if (h.count / 1032 > gz.size()) {
          throw idx_error(where + ": the IDX header declares " + std::to_string(h.count) +
                          " values, more than " + std::to_string(gz.size()) +
                          " bytes of gzip data can inflate to");
        }
      }
    }
    if (produced > limit) {
      throw idx_error(
          where + ": gzip data inflates past the " + std::to_string(limit) + " bytes " +
          (header_read ? "its IDX header declares (header and values)" : "of the IDX header it starts with") +
          "; refused without inflating the rest");
    }
    if (code == Z_STREAM_END) {
      // Another gzip member may follow (gzip allows several); anything else is an error.
      const std::size_t left = stream.avail_in + (gz.size() - consumed);
      if (left == 0) break;
      const std::size_t next = gz.size() - left;
      if (!is_gzip(gz.subspan(next))) {
        throw idx_error(where + ": " + std::to_string(left) + " bytes after the end of the gzip data");
      }
      if (inflateReset(&stream) != Z_OK) throw corrupt("cannot restart");
      continue;
    }
    // No input left and either no progress possible or room left over: the stream ends early.
    const bool input_done = stream.avail_in == 0 && consumed == gz.size();
    if (input_done && (code == Z_BUF_ERROR || stream.avail_out > 0)) {
      throw idx_error(where + ": truncated gzip data (the stream ends early)");
    }
  }
  out.resize(produced);
  return out;
}
#endif

/// Decodes an IDX file's bytes, gzip-compressed (through zlib, bounded by its IDX header: see
/// gunzip_idx) or not; `source` names it in errors.
/// @throws idx_error as parse_idx and gunzip_idx (or for gzip without zlib in this build).
inline idx_array decode_idx(std::span<const std::uint8_t> bytes, std::string_view source) {
  if (!is_gzip(bytes)) return parse_idx(bytes, source);
#if defined(HOPFIELD_HAVE_ZLIB)
  return parse_idx(gunzip_idx(bytes, source), source);
#else
  throw idx_error(std::string(source) +
                  ": gzip-compressed, but this program was built without zlib (install zlib1g-dev "
                  "and rebuild, or gunzip the file)");
#endif
}

/// The whole content of a file, as it is on disk.
/// @throws idx_error when the file is missing, not a regular file or unreadable.
inline std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw idx_error(name + ": no such file");
  if (!std::filesystem::is_regular_file(path, ec)) throw idx_error(name + ": not a regular file");
  std::FILE* file = std::fopen(name.c_str(), "rb");
  if (file == nullptr) throw idx_error(name + ": cannot open for reading");
  std::vector<std::uint8_t> out;
  std::uint8_t buffer[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) out.insert(out.end(), buffer, buffer + got);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) throw idx_error(name + ": read error");
  return out;
}

/// read_file_bytes then decode_idx.
inline idx_array read_idx(const std::filesystem::path& path) {
  return decode_idx(read_file_bytes(path), path.string());
}

/// Images: a 3-dimensional IDX array (count x rows x cols).
/// @throws idx_error as read_idx, and when the array is not 3-dimensional.
inline idx_array read_idx_images(const std::filesystem::path& path) {
  idx_array a = read_idx(path);
  if (a.sizes.size() != 3) {
    throw idx_error(path.string() + ": expected images (3 dimensions: count, rows, columns), found " +
                    std::to_string(a.sizes.size()) + " dimensions");
  }
  return a;
}

/// Labels: a 1-dimensional IDX array.
/// @throws idx_error as read_idx, and when the array is not 1-dimensional.
inline idx_array read_idx_labels(const std::filesystem::path& path) {
  idx_array a = read_idx(path);
  if (a.sizes.size() != 1) {
    throw idx_error(path.string() + ": expected labels (1 dimension), found " +
                    std::to_string(a.sizes.size()) + " dimensions");
  }
  return a;
}

}  // namespace example
