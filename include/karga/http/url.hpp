#pragma once
/// @file http/url.hpp
/// What karga::http takes from a URL, and the checks every request passes before it
/// goes on the wire. Plain functions (no I/O): the fuzzers call them directly.

#include <karga/core/detail/base64.hpp>
#include <karga/core/error.hpp>

#include <boost/url/authority_view.hpp>
#include <boost/url/grammar/ci_string.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/scheme.hpp>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace karga::http {

/// An http(s) URL, as a client uses it.
struct url {
  bool tls = false;  ///< https
  std::string host;           ///< to resolve and to verify: 127.0.0.1, ::1, example.com
  std::string port;           ///< 80, 443 or the URL's own
  std::string host_header;    ///< the Host header: [::1]:8080, example.com
  std::string base_path;      ///< path and query, with no trailing slash ("" for the root)
  std::string authorization;  ///< "Basic …" from the URL's user:password, or empty
};

namespace detail {
[[noreturn]] inline void bad_url(std::string_view u, std::string_view why) {
  karga::detail::throw_error("bad URL \"" + std::string(u) + "\": " + std::string(why));
}
// A header name is a token (RFC 9110 §5.6.2).
inline bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
} // namespace detail

/// Parses `u` (`http[s]://[user[:password]@]host[:port][/path][?query]`); throws
/// `karga::error` saying what is wrong with anything else.
inline url parse_url(std::string_view u) {
  auto parsed = boost::urls::parse_uri(u);
  if (!parsed && u.find("://") == std::string_view::npos)
    detail::bad_url(u, "an HTTP URL starts with http:// or https://");
  if (!parsed) detail::bad_url(u, "not a URL (" + parsed.error().message() + ")");
  const boost::urls::url_view v = *parsed;
  url out;
  if (v.scheme_id() == boost::urls::scheme::https)
    out.tls = true;
  else if (v.scheme_id() != boost::urls::scheme::http)
    detail::bad_url(u, "an HTTP URL starts with http:// or https://");
  if (!v.has_authority() || v.encoded_host().empty()) detail::bad_url(u, "no host");
  if (v.has_fragment()) detail::bad_url(u, "a #fragment is never sent to a server");
  switch (v.host_type()) {
    case boost::urls::host_type::ipv6: out.host = std::string(v.encoded_host_address()); break;
    case boost::urls::host_type::ipvfuture: detail::bad_url(u, "unsupported IP literal");
    default: out.host = v.host(); break;
  }
  if (out.host.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
    detail::bad_url(u, "control characters in the host");
  out.port = out.tls ? "443" : "80";
  if (v.has_port()) {
    const std::string_view p = v.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || value == 0 || value > 65535)
      detail::bad_url(u, "the port must be a number from 1 to 65535, got \"" + std::string(p) + "\"");
    out.port = std::to_string(value);
  }
  out.host_header = std::string(v.encoded_host());
  if (v.has_port()) out.host_header += ":" + out.port;
  if (v.has_userinfo()) {
    const std::string credentials = std::string(v.user()) + ":" + (v.has_password() ? std::string(v.password()) : "");
    out.authorization = "Basic " + karga::detail::base64_encode(credentials);
  }
  out.base_path = std::string(v.encoded_path());
  if (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  if (v.has_query()) out.base_path += "?" + std::string(v.encoded_query());
  return out;
}

/// Throws `karga::error` unless `target` is a request target in origin form
/// (`/path?query`): no space, control character or `#fragment`.
inline void check_target(std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed)
    karga::detail::throw_error("bad request target \"" + std::string(target) +
                               "\": use /path?query, with no spaces, control characters or #fragment");
}

/// Throws `karga::error` unless `name: value` can go on the wire as one header: a
/// token for a name, a value with no control character but tab (RFC 9110's
/// field-value: so no CR, LF or NUL either); a `Host` value is an authority
/// (`host[:port]`), as HTTP/2's `:authority` must be.
inline void check_header(std::string_view name, std::string_view value) {
  if (name.empty()) karga::detail::throw_error("a header needs a name");
  for (char c : name)
    if (!detail::is_token_char(c))
      karga::detail::throw_error("bad header name \"" + std::string(name) + "\": letters, digits and !#$%&'*+-.^_`|~ only");
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f)
      karga::detail::throw_error("bad value of header \"" + std::string(name) + "\": no CR, LF, NUL or other control character");
  }
  if (boost::urls::grammar::ci_is_equal(name, std::string_view("host")) && !boost::urls::parse_authority(value))
    karga::detail::throw_error("bad Host header \"" + std::string(value) + "\": write host or host:port");
}

} // namespace karga::http
