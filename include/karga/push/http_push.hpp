#pragma once
/// @file push/http_push.hpp
/// One HTTP request to a push target, awaited on the caller's executor: connect (and
/// for https, the TLS handshake, verifying the server's certificate and name), send,
/// read the whole answer, each attempt within `push_options::timeout`, tried
/// again after a network error, a 5xx, 408 or 429 (not after another 4xx: sending
/// the same body again would be refused again).

#include <karga/core/version.hpp>
#include <karga/push/push_options.hpp>
#include <karga/push/target.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace karga {

/// How a push went.
struct push_outcome {
  bool ok = false;         ///< a 2xx answer came
  unsigned status = 0;     ///< the last answer's status; 0 when none came
  unsigned attempts = 0;   ///< requests tried
  std::string error;       ///< why the last attempt failed: a network error, or the status and the start of the body

  /// "sent (HTTP 204)" or "failed after 3 attempts: connection refused".
  std::string describe() const {
    if (ok) return fmt::format("sent (HTTP {})", status);
    return fmt::format("failed after {} attempt{}: {}", attempts, attempts == 1 ? "" : "s", error);
  }
};

/// The TLS settings of https pushes with `opt`: the certificates a server's must chain
/// to. Made once for many requests (reading the system's certificates takes tens of
/// ms); null, and `failed` saying why, when the certificates cannot be read.
inline std::unique_ptr<boost::asio::ssl::context> push_tls_context(const push_options& opt, std::string& failed) {
  auto tls = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
  boost::system::error_code ec;
  if (opt.ca_file.empty())
    tls->set_default_verify_paths(ec);
  else
    tls->load_verify_file(opt.ca_file, ec);
  if (!ec) return tls;
  failed = fmt::format("cannot read the certificates {}: {}", opt.ca_file.empty() ? "of the system" : opt.ca_file, ec.message());
  return nullptr;
}

namespace detail {
// What a failed step of an attempt says: a timeout names the limit.
inline std::string push_failure(const boost::system::error_code& ec, std::string_view waiting_for,
                                std::chrono::milliseconds timeout) {
  if (ec == boost::beast::error::timeout) return fmt::format("no {} within {} ms", waiting_for, timeout.count());
  return ec.message();
}

// One attempt: connect (and TLS handshake, on `tls` if given), send `req`, read the
// whole answer into `res`, within `opt.timeout`. Nothing on success, else why it failed.
inline boost::asio::awaitable<std::optional<std::string>> push_exchange(
    const push_target& to, const push_options& opt, const boost::beast::http::request<boost::beast::http::string_body>& req,
    boost::beast::http::response<boost::beast::http::string_body>& res, boost::asio::ssl::context* tls) {
  namespace http = boost::beast::http;
  namespace ssl = boost::asio::ssl;
  using boost::asio::as_tuple;
  using boost::asio::use_awaitable;
  const auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::ip::tcp::resolver resolver(executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(to.host, to.port, as_tuple(use_awaitable));
  if (rec) co_return fmt::format("cannot resolve {}: {}", to.host, rec.message());
  boost::beast::tcp_stream tcp(executor);
  tcp.expires_after(opt.timeout);
  auto [cec, at] = co_await tcp.async_connect(endpoints, as_tuple(use_awaitable));
  if (cec) co_return push_failure(cec, "connection", opt.timeout);
  auto exchange = [&](auto& stream) -> boost::asio::awaitable<std::optional<std::string>> {
    auto [wec, written] = co_await http::async_write(stream, req, as_tuple(use_awaitable));
    if (wec) co_return push_failure(wec, "answer", opt.timeout);
    boost::beast::flat_buffer buffer;
    auto [ec, read] = co_await http::async_read(stream, buffer, res, as_tuple(use_awaitable));
    if (ec) co_return push_failure(ec, "answer", opt.timeout);
    co_return std::nullopt;
  };
  if (!to.tls) co_return co_await exchange(tcp);

  std::string failed;
  std::unique_ptr<ssl::context> own = tls ? nullptr : push_tls_context(opt, failed);
  if (!tls && !own) co_return failed;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream(std::move(tcp), tls ? *tls : *own);
  if (opt.verify_peer) {
    stream.set_verify_mode(ssl::verify_peer);
    stream.set_verify_callback(ssl::host_name_verification(to.host));
  } else {
    stream.set_verify_mode(ssl::verify_none);
  }
  if (!SSL_set_tlsext_host_name(stream.native_handle(), to.host.c_str()))
    co_return fmt::format("TLS: cannot set the server name {}", to.host);
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, as_tuple(use_awaitable));
  if (hec) co_return "TLS: " + push_failure(hec, "handshake", opt.timeout);
  co_return co_await exchange(stream);
}
} // namespace detail

/// Sends `body` to `to` with `method`; each attempt as `opt` says. Never throws for
/// the endpoint's sake: the outcome says what happened. For https, `tls` (from
/// `push_tls_context`) saves making the TLS settings for each request.
inline boost::asio::awaitable<push_outcome> http_push(const push_target& to, const push_options& opt,
                                                      boost::beast::http::verb method, std::string_view content_type,
                                                      std::string body,
                                                      const std::vector<std::pair<std::string, std::string>>& extra_headers = {},
                                                      boost::asio::ssl::context* tls = nullptr) {
  namespace http = boost::beast::http;
  using boost::asio::as_tuple;
  using boost::asio::use_awaitable;
  const auto executor = co_await boost::asio::this_coro::executor;

  http::request<http::string_body> req{method, to.path, 11};
  // Host: an IPv6 address in brackets, the port unless it is the scheme's own.
  const std::string host = to.host.find(':') == std::string::npos ? to.host : "[" + to.host + "]";
  req.set(http::field::host, to.port == (to.tls ? "443" : "80") ? host : host + ":" + to.port);
  req.set(http::field::user_agent, fmt::format("karga/{}", karga::version));
  req.set(http::field::content_type, content_type);
  if (!to.authorization.empty()) req.set(http::field::authorization, to.authorization);
  if (!opt.bearer_token.empty()) req.set(http::field::authorization, "Bearer " + opt.bearer_token);
  for (const auto& [name, value] : extra_headers) req.set(name, value);
  for (const auto& [name, value] : opt.headers) req.set(name, value);
  req.keep_alive(false);
  req.body() = std::move(body);
  req.prepare_payload();

  push_outcome out;
  auto wait = opt.backoff;
  for (unsigned attempt = 0; attempt <= opt.retries; ++attempt) {
    if (attempt > 0) {
      boost::asio::steady_timer timer(executor, wait);
      co_await timer.async_wait(as_tuple(use_awaitable));
      wait *= 2;
    }
    ++out.attempts;
    http::response<http::string_body> res;
    if (auto failed = co_await detail::push_exchange(to, opt, req, res, tls)) {
      out.error = std::move(*failed);
      continue;
    }
    out.status = res.result_int();
    if (out.status >= 200 && out.status < 300) {
      out.ok = true;
      out.error.clear();
      co_return out;
    }
    std::string said = res.body().substr(0, 200);
    while (!said.empty() && (said.back() == '\n' || said.back() == '\r')) said.pop_back();
    out.error = fmt::format("HTTP {}{}{}", out.status, said.empty() ? "" : ": ", said);
    if (out.status < 500 && out.status != 408 && out.status != 429) co_return out;
  }
  co_return out;
}

} // namespace karga
