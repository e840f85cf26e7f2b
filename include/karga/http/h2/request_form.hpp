#pragma once
/// @file http/h2/request_form.hpp
/// A request as HTTP/2 carries it: the pseudo-header fields (`:method`, `:scheme`,
/// `:authority`, `:path`) and the other fields, names in lower case, without the
/// fields HTTP/2 forbids (the connection-specific ones of HTTP/1.1). Built once per
/// prepared request; no I/O (the fuzzers call it directly).

#include <karga/core/error.hpp>
#include <karga/http/url.hpp>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace karga::http::h2 {

/// One header field, as an HTTP/2 HEADERS frame carries it.
struct field {
  std::string name;   ///< lower case; a pseudo-header starts with ':'
  std::string value;  ///< no control character but tab
};

/// A request's HTTP/2 form.
struct request_form {
  std::vector<field> fields;  ///< the pseudo-header fields first, then the others
  std::string body;           ///< sent in DATA frames; none when empty
  bool head = false;          ///< a HEAD request: its response has no body
};

namespace detail {
// Fields of HTTP/1.1 that HTTP/2 forbids (RFC 9113 §8.2.2): connection-specific.
inline bool connection_specific(std::string_view lower) {
  return lower == "connection" || lower == "keep-alive" || lower == "proxy-connection" || lower == "transfer-encoding" ||
         lower == "upgrade";
}
inline std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
} // namespace detail

/// The HTTP/2 form of a request: `method` to `path` (origin form, checked) at the
/// URL's host, with `headers` (each checked as for HTTP/1.1: a token for a name, no
/// control character but tab in a value, so no pseudo-header can be injected) and `body`. A
/// `Host` header becomes `:authority`; the connection-specific fields of HTTP/1.1 are
/// left out, and `TE` is kept only as "trailers". Throws `karga::error` as
/// `check_target` and `check_header` do.
template <class Headers>
request_form make_request_form(std::string_view method, const url& u, std::string_view path, const Headers& headers,
                               std::string body) {
  check_target(path);
  request_form out;
  std::string authority = u.host_header;
  std::vector<field> regular;
  regular.push_back({"user-agent", "karga"});
  if (!u.authorization.empty()) regular.push_back({"authorization", u.authorization});
  for (const auto& h : headers) {
    check_header(h.name, h.value);
    std::string name = detail::lower(h.name);
    if (name == "host") {
      authority = h.value;
      continue;
    }
    if (detail::connection_specific(name)) continue;
    if (name == "te" && detail::lower(h.value) != "trailers") continue;
    // A header given again replaces the one before, as for HTTP/1.1.
    std::erase_if(regular, [&](const field& f) { return f.name == name; });
    regular.push_back({std::move(name), h.value});
  }
  if (!body.empty() || method == "POST" || method == "PUT")
    if (std::none_of(regular.begin(), regular.end(), [](const field& f) { return f.name == "content-length"; }))
      regular.push_back({"content-length", std::to_string(body.size())});
  out.fields.push_back({":method", std::string(method)});
  out.fields.push_back({":scheme", u.tls ? "https" : "http"});
  out.fields.push_back({":authority", std::move(authority)});
  out.fields.push_back({":path", std::string(path)});
  for (auto& f : regular) out.fields.push_back(std::move(f));
  out.body = std::move(body);
  out.head = method == "HEAD";
  return out;
}

} // namespace karga::http::h2
