#pragma once
/// @file core/detail/base64.hpp
/// Base64 (RFC 4648, with padding): for HTTP Basic credentials and encoded
/// histograms.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace karga::detail {

inline std::string base64_encode(std::string_view in) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = static_cast<std::uint8_t>(in[i]) << 16 | static_cast<std::uint8_t>(in[i + 1]) << 8 |
                            static_cast<std::uint8_t>(in[i + 2]);
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    out += alphabet[v & 63];
  }
  if (i < in.size()) {
    const bool two = i + 1 < in.size();
    const std::uint32_t v = static_cast<std::uint8_t>(in[i]) << 16 | (two ? static_cast<std::uint8_t>(in[i + 1]) << 8 : 0);
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += two ? alphabet[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

/// The bytes `in` encodes, or nothing if it is not base64 (padding required, no
/// white space).
inline std::optional<std::string> base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    const int a = value(in[i]), b = value(in[i + 1]);
    const int c = last && in[i + 2] == '=' && in[i + 3] == '=' ? 0 : value(in[i + 2]);
    const int d = last && in[i + 3] == '=' ? 0 : value(in[i + 3]);
    if (a < 0 || b < 0 || c < 0 || d < 0) return std::nullopt;
    const std::uint32_t v = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6 | d);
    out += static_cast<char>(v >> 16 & 0xff);
    if (!(last && in[i + 2] == '=')) out += static_cast<char>(v >> 8 & 0xff);
    if (!(last && in[i + 3] == '=')) out += static_cast<char>(v & 0xff);
  }
  return out;
}

} // namespace karga::detail
