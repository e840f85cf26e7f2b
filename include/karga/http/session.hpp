#pragma once
/// @file http/session.hpp
/// One virtual user's conversation with a server, for actions that read responses:
/// cookies the server sets are sent back, redirects are followed when asked, and
/// headers set once (a token after a login) go with every request. Opt-in: every
/// response is kept whole, which allocates; `client::send` is the path that does not.
///
/// ```cpp
/// auto log_in_and_call = [client]() -> boost::asio::awaitable<karga::http::metric> {
///   karga::http::session user{client};            // a fresh user per iteration, as in k6
///   auto login = co_await user.post("/login", R"({"user":"ann"})",
///                                   karga::http::header("Content-Type", "application/json"));
///   if (!login || login->status() != 200) co_return karga::http::to_metric(login, {});
///   user.set_header("Authorization", "Bearer " + token_from(login->body));
///   const auto start = karga::clock::now();
///   auto me = co_await user.get("/api/me");
///   co_return karga::http::to_metric(me, karga::clock::now() - start);
/// };
/// ```

#include <karga/http/client.hpp>
#include <karga/http/url.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <concepts>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace karga::http {

/// The cookies one user holds for one server: `Set-Cookie` stores (or, with
/// `Max-Age=0`, removes) a cookie; every request sends them all back. Domain, path and
/// expiry dates are not tracked: a client talks to one origin.
class cookie_jar {
public:
  /// Takes the cookies of a response's headers.
  void store(const boost::beast::http::fields& headers) {
    for (auto it = headers.find(boost::beast::http::field::set_cookie);
         it != headers.end() && it->name() == boost::beast::http::field::set_cookie; ++it)
      store(std::string_view(it->value()));
  }
  /// Takes one `Set-Cookie` value: `name=value; attributes…`.
  void store(std::string_view set_cookie) {
    const auto semicolon = set_cookie.find(';');
    const std::string_view pair = trim(set_cookie.substr(0, semicolon));
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) return;
    const std::string name(trim(pair.substr(0, eq)));
    bool expired = false;
    for (std::string_view rest = semicolon == std::string_view::npos ? "" : set_cookie.substr(semicolon + 1); !rest.empty();) {
      const auto next = rest.find(';');
      const std::string_view attribute = trim(rest.substr(0, next));
      if (attribute.size() >= 8 && equal_ignoring_case(attribute.substr(0, 8), "max-age=")) {
        const std::string_view age = attribute.substr(8);
        expired = age == "0" || (!age.empty() && age.front() == '-');
      }
      rest = next == std::string_view::npos ? "" : rest.substr(next + 1);
    }
    if (expired)
      cookies_.erase(name);
    else
      cookies_[name] = std::string(trim(pair.substr(eq + 1)));
  }
  /// The `Cookie` header that sends them all back (empty when there are none).
  std::string header() const {
    std::string out;
    for (const auto& [name, value] : cookies_) out.append(out.empty() ? "" : "; ").append(name).append("=").append(value);
    return out;
  }
  /// The value of cookie `name`, empty when there is none.
  std::string_view get(const std::string& name) const {
    auto it = cookies_.find(name);
    return it == cookies_.end() ? std::string_view{} : std::string_view(it->second);
  }
  /// How many cookies it holds.
  std::size_t size() const noexcept { return cookies_.size(); }

private:
  static std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  }
  static bool equal_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    return true;
  }
  std::map<std::string, std::string> cookies_;
};

/// Session settings.
struct session_options {
  /// Redirects (301, 302, 303, 307, 308 to the same server) followed per request;
  /// 0: none, the 3xx response is returned.
  unsigned max_redirects = 5;
};

/// A user of `client`'s server: its cookies, its default headers, redirects.
class session {
public:
  /// `c` must outlive the session (in an action: the action's own client).
  explicit session(const client& c, session_options opt = {}) : client_(&c), options_(opt) {}

  /// A header sent with every later request (replacing one of the same name).
  void set_header(std::string_view name, std::string_view value) {
    check_header(name, value);
    for (auto& h : defaults_)
      if (equal_name(h.name, name)) {
        h.value = value;
        return;
      }
    defaults_.emplace_back(name, value);
  }

  /// The cookies this user holds.
  const cookie_jar& cookies() const noexcept { return jar_; }
  /// The cookies this user holds.
  cookie_jar& cookies() noexcept { return jar_; }

  /// Any method, body and extra headers; follows redirects as the options say.
  boost::asio::awaitable<full_result> request(boost::beast::http::verb method, std::string target, std::string body,
                                              header_list headers) {
    namespace http = boost::beast::http;
    for (unsigned redirects = 0;; ++redirects) {
      header_list all = defaults_;
      for (auto& h : headers) all.push_back(h);
      if (jar_.size() != 0) all.emplace_back("Cookie", jar_.header());
      const auto req = client_->make_request(method, target, body, std::move(all));
      auto res = co_await client_->fetch(req);
      if (!res) co_return res;
      jar_.store(res->headers);
      const unsigned s = res->status();
      const bool redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
      if (!redirect || redirects >= options_.max_redirects) co_return res;
      auto next = same_origin_target(res->header("Location"));
      if (!next) co_return res;  // elsewhere: this client talks to one server
      target = std::move(*next);
      if (s == 303 || ((s == 301 || s == 302) && method == http::verb::post)) {
        method = http::verb::get;  // as browsers do
        body.clear();
      }
    }
  }

  /// GET, with extra headers given as `header(name, value)` arguments.
  template <std::same_as<header>... H>
  boost::asio::awaitable<full_result> get(std::string target, H... extra) {
    return request(boost::beast::http::verb::get, std::move(target), {}, header_list{std::move(extra)...});
  }
  /// POST a body, with extra headers given as `header(name, value)` arguments.
  template <std::same_as<header>... H>
  boost::asio::awaitable<full_result> post(std::string target, std::string body, H... extra) {
    return request(boost::beast::http::verb::post, std::move(target), std::move(body), header_list{std::move(extra)...});
  }

private:
  static bool equal_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    return true;
  }

  // The target a Location points to on this client's server: "/path" as is; an
  // absolute URL only when it is the same scheme, host and port.
  std::optional<std::string> same_origin_target(std::string_view location) const {
    if (location.starts_with("/") && !location.starts_with("//")) return strip_base(std::string(location));
    try {
      const url to = parse_url(location);
      const url& from = client_->base_url();
      if (to.tls != from.tls || to.host != from.host || to.port != from.port) return std::nullopt;
      return strip_base(to.base_path.empty() ? "/" : to.base_path);
    } catch (const karga::error&) {
      return std::nullopt;
    }
  }
  // Targets are relative to the client's base path.
  std::string strip_base(std::string path) const {
    const std::string& base = client_->base_url().base_path;
    if (!base.empty() && path.starts_with(base)) path.erase(0, base.size());
    return path;
  }

  const client* client_;
  session_options options_;
  header_list defaults_;
  cookie_jar jar_;
};

} // namespace karga::http
