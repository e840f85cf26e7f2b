#pragma once
/// @file push/http_push.hpp
/// One HTTP request to a push target, awaited on the caller's executor: connect,
/// send, read the whole answer, each attempt within `push_options::timeout`, tried
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

#include <fmt/format.h>

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

/// Sends `body` to `to` with `method`; each attempt as `opt` says. Never throws for
/// the endpoint's sake: the outcome says what happened.
inline boost::asio::awaitable<push_outcome> http_push(const push_target& to, const push_options& opt,
                                                      boost::beast::http::verb method, std::string_view content_type,
                                                      std::string body,
                                                      const std::vector<std::pair<std::string, std::string>>& extra_headers = {}) {
  namespace http = boost::beast::http;
  using boost::asio::as_tuple;
  using boost::asio::use_awaitable;
  const auto executor = co_await boost::asio::this_coro::executor;

  http::request<http::string_body> req{method, to.path, 11};
  req.set(http::field::host, to.port == "80" ? to.host : to.host + ":" + to.port);
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
    boost::asio::ip::tcp::resolver resolver(executor);
    auto [rec, endpoints] = co_await resolver.async_resolve(to.host, to.port, as_tuple(use_awaitable));
    if (rec) {
      out.error = fmt::format("cannot resolve {}: {}", to.host, rec.message());
      continue;
    }
    boost::beast::tcp_stream stream(executor);
    stream.expires_after(opt.timeout);
    auto [cec, at] = co_await stream.async_connect(endpoints, as_tuple(use_awaitable));
    if (cec) {
      out.error = cec == boost::beast::error::timeout ? fmt::format("no connection within {} ms", opt.timeout.count())
                                                      : cec.message();
      continue;
    }
    auto [wec, written] = co_await http::async_write(stream, req, as_tuple(use_awaitable));
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    boost::system::error_code ec = wec;
    if (!ec) std::tie(ec, std::ignore) = co_await http::async_read(stream, buffer, res, as_tuple(use_awaitable));
    if (ec) {
      out.error = ec == boost::beast::error::timeout ? fmt::format("no answer within {} ms", opt.timeout.count())
                                                     : ec.message();
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
