#pragma once
/// @file grpc/gzip.hpp
/// gRPC's `gzip` message encoding, with zlib: a message compressed on its own, a
/// gzip member each.

#include <zlib.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace karga::grpc {

/// `in` as one gzip member.
inline std::string gzip_compress(std::string_view in) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // +16: gzip, not zlib
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

/// `in`, one gzip member, decompressed into `out`; false if it is not gzip, is cut
/// short, or comes to more than `max` bytes (`out` then holds what came before).
inline bool gzip_decompress(std::string_view in, std::string& out, std::size_t max) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return false;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  out.clear();
  char chunk[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(chunk, sizeof chunk - z.avail_out);
    if (out.size() > max) rc = Z_BUF_ERROR;
    else if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) rc = Z_DATA_ERROR;  // cut short
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END && out.size() <= max;
}

} // namespace karga::grpc
