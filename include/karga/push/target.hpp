#pragma once
/// @file push/target.hpp
/// Where a push goes: an `http://` or `https://` URL read with Boost.URL into what a
/// request needs (host, port, path and query). A user and password in the URL become
/// Basic authorization, as curl does.

#include <karga/core/detail/base64.hpp>
#include <karga/core/error.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <string>
#include <string_view>

namespace karga {

/// An `http://` or `https://` URL, parsed. `parse` refuses anything else with a `karga::error`.
struct push_target {
  std::string url;            ///< as given, without its password
  bool tls = false;           ///< https: TLS, the server's certificate verified (`push_options`)
  std::string host;           ///< a name or an IP address (IPv6 without brackets)
  std::string port = "80";    ///< from the URL; 80 by default, 443 for https
  std::string path = "/";     ///< path and query, as the request line takes them
  std::string authorization;  ///< "Basic …" from the URL's user and password, or empty

  /// Reads `url`. Throws `karga::error` naming the URL when it is not `http[s]://HOST[:PORT][/PATH][?QUERY]`.
  static push_target parse(std::string_view url) {
    if (url.find("://") == std::string_view::npos)
      throw error("\"" + std::string(url) + "\" is not a URL: give http[s]://HOST[:PORT][/PATH]");
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) throw error("\"" + std::string(url) + "\" is not a URL (" + parsed.error().message() + ")");
    const boost::urls::url_view u = *parsed;
    if (u.scheme() != "http" && u.scheme() != "https")
      throw error("\"" + std::string(url) + "\": the scheme must be http or https");
    if (u.host().empty()) throw error("\"" + std::string(url) + "\" has no host");
    if (u.has_fragment()) throw error("\"" + std::string(url) + "\": a fragment (#…) is not sent; leave it out");
    push_target t;
    t.tls = u.scheme() == "https";
    if (t.tls) t.port = "443";
    t.host = std::string(u.host_address());
    if (u.has_port()) {
      if (u.port_number() == 0) throw error("\"" + std::string(url) + "\": the port must be 1 to 65535");
      t.port = std::string(u.port());
    }
    t.path = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
    if (u.has_query()) t.path += "?" + std::string(u.encoded_query());
    if (u.has_userinfo()) {
      t.authorization = "Basic " + detail::base64_encode(std::string(u.user()) + ":" + std::string(u.password()));
      t.url = std::string(u.scheme()) + "://" + std::string(u.user()) + (u.has_password() ? ":***@" : "@") +
              std::string(u.encoded_host_and_port()) + t.path;
    } else {
      t.url = std::string(url);
    }
    return t;
  }
};

} // namespace karga
