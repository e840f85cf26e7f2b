#pragma once
/// @file grpc/status.hpp
/// gRPC's 17 status codes, their names, and how a call that got no gRPC status of
/// its own is given one: an HTTP status that is not 200, an HTTP/2 stream reset, a
/// connection that failed, a deadline that passed (gRPC's PROTOCOL-HTTP2 and
/// http-grpc-status-mapping documents).

#include <karga/http/client.hpp>

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace karga::grpc {

/// A call's status, as gRPC numbers it.
enum class status_code : std::uint8_t {
  ok = 0,
  cancelled = 1,
  unknown = 2,
  invalid_argument = 3,
  deadline_exceeded = 4,
  not_found = 5,
  already_exists = 6,
  permission_denied = 7,
  resource_exhausted = 8,
  failed_precondition = 9,
  aborted = 10,
  out_of_range = 11,
  unimplemented = 12,
  internal = 13,
  unavailable = 14,
  data_loss = 15,
  unauthenticated = 16,
};

/// How many status codes there are.
inline constexpr std::size_t status_count = 17;

namespace detail {
inline constexpr std::array<std::string_view, status_count> status_names{
    "OK",           "CANCELLED",          "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL",          "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
} // namespace detail

/// The code's name, as gRPC writes it: "OK", "DEADLINE_EXCEEDED", …
constexpr std::string_view to_string(status_code c) noexcept { return detail::status_names[static_cast<std::size_t>(c)]; }

/// The code named `name` ("UNAVAILABLE", any case), or its number ("14"); nullopt for
/// neither.
inline std::optional<status_code> status_named(std::string_view name) noexcept {
  for (std::size_t i = 0; i < status_count; ++i) {
    const std::string_view n = detail::status_names[i];
    if (n.size() == name.size() &&
        std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) { return a == (b >= 'a' && b <= 'z' ? b - 32 : b); }))
      return static_cast<status_code>(i);
  }
  unsigned v = 0;
  if (name.empty() || name.size() > 2) return std::nullopt;
  for (char c : name) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v >= status_count) return std::nullopt;
  return static_cast<status_code>(v);
}

/// The `grpc-status` value `text` (a decimal number); a number gRPC does not define
/// is UNKNOWN, as gRPC's own clients take it; nullopt for text that is no number.
inline std::optional<status_code> parse_grpc_status(std::string_view text) noexcept {
  if (text.empty() || text.size() > 9) return std::nullopt;
  unsigned v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v < status_count ? static_cast<status_code>(v) : status_code::unknown;
}

/// The status of an answer whose HTTP status is not 200 (a proxy's, or a server that
/// does not speak gRPC): gRPC's mapping.
constexpr status_code from_http_status(unsigned http_status) noexcept {
  switch (http_status) {
    case 400: return status_code::internal;
    case 401: return status_code::unauthenticated;
    case 403: return status_code::permission_denied;
    case 404: return status_code::unimplemented;
    case 429:
    case 502:
    case 503:
    case 504: return status_code::unavailable;
    default: return status_code::unknown;
  }
}

/// The status of a call whose stream the server reset with HTTP/2 error `code`.
constexpr status_code from_stream_reset(std::uint32_t code) noexcept {
  switch (code) {
    case NGHTTP2_REFUSED_STREAM: return status_code::unavailable;
    case NGHTTP2_CANCEL: return status_code::cancelled;
    case NGHTTP2_ENHANCE_YOUR_CALM: return status_code::resource_exhausted;
    case NGHTTP2_INADEQUATE_SECURITY: return status_code::permission_denied;
    default: return status_code::internal;
  }
}

/// The status of a call that got no answer for reason `e` (the HTTP client's kind).
constexpr status_code from_transport(http::error_kind e) noexcept {
  switch (e) {
    case http::error_kind::none: return status_code::ok;
    case http::error_kind::timeout: return status_code::deadline_exceeded;
    case http::error_kind::refused:
    case http::error_kind::reset:
    case http::error_kind::goaway:
    case http::error_kind::tls: return status_code::unavailable;
    case http::error_kind::protocol:
    case http::error_kind::stream_reset: return status_code::internal;
    case http::error_kind::other: return status_code::cancelled;
  }
  return status_code::unknown;
}

} // namespace karga::grpc
