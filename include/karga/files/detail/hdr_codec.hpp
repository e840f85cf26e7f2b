#pragma once
/// @file files/detail/hdr_codec.hpp
/// HdrHistogram's V2 encoding, plain and compressed (zlib), for karga's histograms
/// (their buckets are HdrHistogram's counts indexes: see hdr_layout.hpp). Needs
/// zlib: part of the `karga::results` target.
///
/// V2, big-endian: cookie 0x1c849313, payload length, normalizing index offset (0),
/// significant digits, lowest discernible value (1), highest trackable value,
/// integer-to-double ratio (1.0); then the counts up to the largest non-zero one,
/// each a ZigZag LEB128 int64, a run of n zero counts written as -n. Compressed:
/// cookie 0x1c849314, length, then the V2 encoding deflated (zlib format).
/// The decoder trusts nothing: every length, count and run is checked.

#include <karga/core/error.hpp>

#include <zlib.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace karga::detail {

/// A histogram as its non-zero buckets: (HdrHistogram counts index, count), by index.
struct hdr_counts {
  int significant_digits = 3;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> buckets;
};

inline constexpr std::uint32_t v2_encoding_cookie = 0x1c849313;
inline constexpr std::uint32_t v2_compression_cookie = 0x1c849314;
inline constexpr std::size_t v2_header_size = 40;

[[noreturn]] inline void hdr_error(std::string_view what) {
  throw_error("bad HdrHistogram encoding: " + std::string(what));
}

inline void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>(static_cast<unsigned char>(v >> (8 * i)));
}
inline std::uint64_t get_be(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
  return v;
}

inline void put_zigzag(std::string& out, std::int64_t signed_value) {
  std::uint64_t v = (static_cast<std::uint64_t>(signed_value) << 1) ^ static_cast<std::uint64_t>(signed_value >> 63);
  for (int i = 0; i < 8 && v >= 0x80; ++i) {
    out += static_cast<char>(static_cast<unsigned char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out += static_cast<char>(static_cast<unsigned char>(v));  // the 9th byte holds 8 bits
}

/// Reads one ZigZag LEB128 value at `at`, or throws if the input ends inside it.
inline std::int64_t get_zigzag(std::string_view in, std::size_t& at) {
  std::uint64_t v = 0;
  for (int i = 0; i < 9; ++i) {
    if (at >= in.size()) hdr_error("a count is cut short");
    const std::uint64_t byte = static_cast<unsigned char>(in[at++]);
    if (i == 8) {
      v |= byte << 56;
      break;
    }
    v |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) break;
  }
  return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

/// The V2 encoding of `h`; `max_value` is the largest value recorded.
inline std::string encode_v2(const hdr_counts& h, std::uint64_t max_value) {
  std::string payload;
  std::uint32_t next = 0;  // the counts index the payload has reached
  for (const auto& [index, count] : h.buckets) {
    if (count == 0) continue;
    if (index > next) put_zigzag(payload, -static_cast<std::int64_t>(index - next));
    put_zigzag(payload, static_cast<std::int64_t>(std::min<std::uint64_t>(count, std::numeric_limits<std::int64_t>::max())));
    next = index + 1;
  }
  // HdrHistogram's Java reader sizes its counts from the highest trackable value.
  const std::uint64_t highest = std::min<std::uint64_t>(std::bit_ceil(std::max<std::uint64_t>(max_value, 1) + 1),
                                                        std::uint64_t{1} << 62);
  std::string out;
  put_be(out, v2_encoding_cookie, 4);
  put_be(out, payload.size(), 4);
  put_be(out, 0, 4);
  put_be(out, static_cast<std::uint64_t>(h.significant_digits), 4);
  put_be(out, 1, 8);
  put_be(out, std::max<std::uint64_t>(highest, 2), 8);
  put_be(out, std::bit_cast<std::uint64_t>(1.0), 8);
  return out + payload;
}

/// Deflates a V2 encoding into the compressed form.
inline std::string compress_v2(std::string_view encoding) {
  uLongf size = compressBound(static_cast<uLong>(encoding.size()));
  std::string deflated(size, '\0');
  if (compress(reinterpret_cast<Bytef*>(deflated.data()), &size, reinterpret_cast<const Bytef*>(encoding.data()),
               static_cast<uLong>(encoding.size())) != Z_OK)
    throw_error("deflating a histogram failed");
  deflated.resize(size);
  std::string out;
  put_be(out, v2_compression_cookie, 4);
  put_be(out, deflated.size(), 4);
  return out + deflated;
}

/// Reads a V2 encoding whose counts must fit `max_buckets` buckets.
inline hdr_counts decode_v2(std::string_view in, std::size_t max_buckets) {
  if (in.size() < v2_header_size) hdr_error("shorter than its header");
  if (get_be(in, 0, 4) != v2_encoding_cookie) hdr_error("not a V2 encoding (cookie)");
  const std::uint64_t payload = get_be(in, 4, 4);
  if (payload != in.size() - v2_header_size) hdr_error("the payload length does not match");
  if (get_be(in, 8, 4) != 0) hdr_error("a normalizing index offset karga does not write");
  hdr_counts out;
  const std::uint64_t digits = get_be(in, 12, 4);
  if (digits < 1 || digits > 5) hdr_error("significant digits out of range");
  out.significant_digits = static_cast<int>(digits);
  if (get_be(in, 16, 8) != 1) hdr_error("a lowest discernible value other than 1 ns");
  if (std::bit_cast<double>(get_be(in, 32, 8)) != 1.0) hdr_error("an integer-to-double ratio other than 1");
  std::size_t at = v2_header_size;
  std::uint64_t index = 0;
  while (at < in.size()) {
    const std::int64_t v = get_zigzag(in, at);
    if (v < 0) {
      if (v == std::numeric_limits<std::int64_t>::min() || static_cast<std::uint64_t>(-v) > max_buckets - index)
        hdr_error("a run of zeros past the last bucket");
      index += static_cast<std::uint64_t>(-v);
    } else {
      if (index >= max_buckets) hdr_error("more counts than buckets");
      if (v != 0) out.buckets.emplace_back(static_cast<std::uint32_t>(index), static_cast<std::uint64_t>(v));
      ++index;
    }
  }
  return out;
}

/// Reads a compressed V2 encoding (the inflated size is bounded by `max_buckets`).
inline hdr_counts decompress_v2(std::string_view in, std::size_t max_buckets) {
  if (in.size() < 8) hdr_error("shorter than its header");
  if (get_be(in, 0, 4) != v2_compression_cookie) hdr_error("not a compressed V2 encoding (cookie)");
  const std::uint64_t length = get_be(in, 4, 4);
  if (length != in.size() - 8) hdr_error("the compressed length does not match");
  // At most 9 bytes a bucket, and the header.
  const std::size_t limit = v2_header_size + 9 * max_buckets + 9;
  std::string inflated(limit + 1, '\0');
  z_stream z{};
  if (inflateInit(&z) != Z_OK) hdr_error("zlib cannot start");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + 8));
  z.avail_in = static_cast<uInt>(length);
  z.next_out = reinterpret_cast<Bytef*>(inflated.data());
  z.avail_out = static_cast<uInt>(inflated.size());
  const int rc = inflate(&z, Z_FINISH);
  const std::size_t produced = inflated.size() - z.avail_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END) hdr_error(produced > limit ? "it inflates past any histogram's size" : "corrupt deflate data");
  inflated.resize(produced);
  return decode_v2(inflated, max_buckets);
}

} // namespace karga::detail
