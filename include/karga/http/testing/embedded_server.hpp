#pragma once
/// @file http/testing/embedded_server.hpp
/// A small HTTP/1.1 server (Beast) on a loopback port of its own, for examples and
/// tests that need a real target with nothing set up by hand. A plain connection that
/// starts with HTTP/2's preface is served as h2c (prior knowledge), with the routes
/// of h2_server_connection.hpp.
///
/// Routes: `/` answers 200 with a short body; `/status/N` answers status N;
/// `/delay/MS` answers 200 after MS milliseconds; `/queue/US` is served by one
/// worker taking US microseconds per request (a capacity of 10^6/US per second); `/close` closes the connection
/// without answering; `/truncate` closes it in the middle of a response;
/// `/echo` answers with the request's headers and body (up to 64 MiB); `/bytes/N` answers a body of N
/// bytes (at most 64 MiB); `/garbage` answers bytes
/// that are not HTTP; `/redirect/N` redirects N times, then to `/`. A small login
/// flow: `POST /login` with a body `{"user":"NAME"}` answers `{"token":"tok-NAME"}`
/// and sets a cookie `sid`; `/api/me` answers `{"user":"NAME"}` given both the cookie
/// and `Authorization: Bearer tok-NAME`, 401 otherwise. HEAD requests get the
/// headers of the GET response. Every response keeps the connection alive unless
/// asked not to; `idle_timeout` closes connections idle that long, as servers do.
/// Given a certificate and key, it serves HTTPS instead.

#include <karga/http/testing/h2_server_connection.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <optional>
#include <tuple>
#include <variant>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace karga::http {

/// PEM files for an HTTPS embedded server.
struct tls_files {
  std::string certificate_chain;  ///< a PEM file: the server's certificate and its chain
  std::string private_key;  ///< a PEM file: the certificate's key
};

/// How an embedded server listens and behaves.
struct server_options {
  std::string address = "127.0.0.1";  ///< a loopback address: 127.0.0.1 or ::1
  unsigned short port = 0;            ///< 0: a free port
  unsigned threads = 1;  ///< threads serving, each with its event loop
  std::optional<tls_files> tls;       ///< serve HTTPS with these
  /// Close a kept-alive connection when no request comes within this; 0: never.
  std::chrono::milliseconds idle_timeout{0};
};

/// A small HTTP/1.1 server on a loopback port of its own, serving the routes of the
/// file's comment on threads of its own, until it is destroyed.
class embedded_server {
public:
  /// Listens on a free port of `opt.address`.
  explicit embedded_server(server_options opt)
      : acceptor_(context_, {boost::asio::ip::make_address(opt.address), opt.port}), idle_timeout_(opt.idle_timeout) {
    if (opt.tls) {
      tls_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain_file(opt.tls->certificate_chain);
      tls_->use_private_key_file(opt.tls->private_key, boost::asio::ssl::context::pem);
    }
    start(opt.threads);
  }
  /// Listens on 127.0.0.1 on a free port, served by `threads` threads.
  explicit embedded_server(unsigned threads = 1) : embedded_server(options_of(threads, std::nullopt)) {}
  /// The same, over TLS with the given certificate and key.
  embedded_server(const tls_files& files, unsigned threads = 1) : embedded_server(options_of(threads, files)) {}
  embedded_server(const embedded_server&) = delete;
  embedded_server& operator=(const embedded_server&) = delete;
  ~embedded_server() {
    context_.stop();
    for (auto& t : threads_) t.join();
  }

  /// The port it listens on.
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  /// `http://127.0.0.1:PORT` (`http://[::1]:PORT` on IPv6), or `https://…` when serving TLS.
  std::string url() const {
    const auto address = acceptor_.local_endpoint().address();
    const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return (tls_ ? "https://" : "http://") + host + ":" + std::to_string(port());
  }
  /// Connections accepted so far.
  std::uint64_t connections() const noexcept { return connections_; }
  /// Requests answered so far.
  std::uint64_t requests() const noexcept { return requests_; }
  /// HEAD requests answered so far.
  std::uint64_t head_requests() const noexcept { return head_requests_; }

private:
  static server_options options_of(unsigned threads, std::optional<tls_files> tls) {
    server_options opt;
    opt.threads = threads;
    opt.tls = std::move(tls);
    return opt;
  }

  void start(unsigned threads) {
    boost::asio::co_spawn(context_, accept(), boost::asio::detached);
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { context_.run(); });
  }

  boost::asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      ++connections_;
      if (tls_)
        boost::asio::co_spawn(acceptor_.get_executor(), serve_tls(std::move(socket)), boost::asio::detached);
      else
        boost::asio::co_spawn(acceptor_.get_executor(), serve_plain(std::move(socket)), boost::asio::detached);
    }
  }

  // HTTP/1.1, or HTTP/2 when the connection starts with its preface.
  boost::asio::awaitable<void> serve_plain(boost::asio::ip::tcp::socket socket) {
    static constexpr std::string_view preface = "PRI * HTTP/2.0";
    boost::beast::flat_buffer buffer;
    for (;;) {
      auto [ec, n] = co_await socket.async_read_some(buffer.prepare(4096), boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      buffer.commit(n);
      const std::string_view got(static_cast<const char*>(buffer.data().data()), buffer.size());
      if (got.size() >= preface.size() || !preface.starts_with(got)) break;
    }
    const std::string_view got(static_cast<const char*>(buffer.data().data()), buffer.size());
    if (got.starts_with(preface)) {
      auto strand = boost::asio::make_strand(acceptor_.get_executor());
      auto c = std::make_shared<h2_server_connection>(std::move(socket), strand, std::string(got), requests_);
      boost::asio::co_spawn(strand, h2_server_connection::serve(std::move(c)), boost::asio::detached);
      co_return;
    }
    co_await serve(std::move(socket), std::move(buffer));
  }

  boost::asio::awaitable<void> serve_tls(boost::asio::ip::tcp::socket socket) {
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(std::move(socket), *tls_);
    auto [ec] = co_await stream.async_handshake(boost::asio::ssl::stream_base::server,
                                                boost::asio::as_tuple(boost::asio::use_awaitable));
    if (!ec) co_await serve(std::move(stream));
  }

  // Reads a request; with an idle timeout, closes the connection when none comes in time.
  template <class Stream, class Parser>
  boost::asio::awaitable<boost::system::error_code> read_request(Stream& stream, boost::beast::flat_buffer& buffer,
                                                                 Parser& req, bool first) {
    namespace http = boost::beast::http;
    if (idle_timeout_.count() == 0 || first) {
      auto [ec, n] = co_await http::async_read(stream, buffer, req, boost::asio::as_tuple(boost::asio::use_awaitable));
      co_return ec;
    }
    using namespace boost::asio::experimental::awaitable_operators;
    boost::asio::steady_timer idle(stream.get_executor(), idle_timeout_);
    auto outcome = co_await (http::async_read(stream, buffer, req, boost::asio::as_tuple(boost::asio::use_awaitable)) ||
                             idle.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)));
    if (outcome.index() == 1) co_return boost::asio::error::timed_out;
    co_return std::get<0>(std::get<0>(outcome));
  }

  template <class Stream>
  boost::asio::awaitable<void> serve(Stream stream, boost::beast::flat_buffer buffer = {}) {
    namespace http = boost::beast::http;
    for (bool first = true;; first = false) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64u << 20);  // /echo takes large bodies
      if (auto ec = co_await read_request(stream, buffer, parser, first)) {
        boost::system::error_code ignored;
        boost::beast::get_lowest_layer(stream).close(ignored);
        co_return;
      }
      http::request<http::string_body> req = parser.release();
      ++requests_;
      if (req.method() == http::verb::head) ++head_requests_;
      const std::string target(req.target());
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.set(http::field::server, "karga-embedded");
      res.set(http::field::content_type, "text/plain");
      if (target == "/close") {
        boost::beast::get_lowest_layer(stream).close();
        co_return;
      } else if (target == "/garbage") {
        static constexpr std::string_view junk = "SMTP ready\r\n\r\n";
        co_await boost::asio::async_write(stream, boost::asio::buffer(junk), boost::asio::as_tuple(boost::asio::use_awaitable));
        boost::system::error_code ignored;
        boost::beast::get_lowest_layer(stream).close(ignored);
        co_return;
      } else if (target == "/truncate") {  // promises 100 bytes, sends 10, closes
        static constexpr std::string_view partial = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";
        co_await boost::asio::async_write(stream, boost::asio::buffer(partial), boost::asio::as_tuple(boost::asio::use_awaitable));
        boost::beast::get_lowest_layer(stream).close();
        co_return;
      }
      res.body() = "hello, karga\n";
      if (target.rfind("/status/", 0) == 0) {
        const unsigned code = number_after(target, 8);
        if (code >= 100 && code <= 999) res.result(code);
        else res.result(http::status::bad_request);
      } else if (target.rfind("/delay/", 0) == 0) {
        boost::asio::steady_timer t(stream.get_executor(), std::chrono::milliseconds(number_after(target, 7)));
        co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      } else if (target.rfind("/queue/", 0) == 0) {
        // One worker taking US µs per request, first come first served: at most
        // 10^6 / US requests per second whatever the connections; beyond, a queue grows.
        boost::asio::steady_timer t(stream.get_executor(), queue_slot(std::chrono::microseconds(number_after(target, 7))));
        co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      } else if (target.rfind("/bytes/", 0) == 0) {
        res.body().assign(std::min(number_after(target, 7), 64u << 20), 'x');  // up to 64 MiB
      } else if (target.rfind("/redirect/", 0) == 0) {
        const unsigned n = number_after(target, 10);
        res.result(http::status::found);
        res.set(http::field::location, n > 1 ? "/redirect/" + std::to_string(n - 1) : std::string("/"));
      } else if (target == "/login" && req.method() == http::verb::post) {
        const std::string user = json_string_field(req.body(), "user");
        if (user.empty()) {
          res.result(http::status::bad_request);
        } else {
          res.set(http::field::content_type, "application/json");
          res.set(http::field::set_cookie, "sid=s-" + user + "; Path=/; HttpOnly");
          res.body() = "{\"token\":\"tok-" + user + "\"}";
        }
      } else if (target == "/api/me") {
        const std::string_view auth = req[http::field::authorization];
        const std::string_view cookie = req[http::field::cookie];
        const std::string user = auth.starts_with("Bearer tok-") ? std::string(auth.substr(11)) : std::string();
        if (user.empty() || cookie.find("sid=s-" + user) == std::string_view::npos) {
          res.result(http::status::unauthorized);
          res.body() = "log in first\n";
        } else {
          res.set(http::field::content_type, "application/json");
          res.body() = "{\"user\":\"" + user + "\"}";
        }
      } else if (target == "/echo") {
        std::string echo;
        for (const auto& field : req) echo.append(field.name_string()).append(": ").append(field.value()).append("\n");
        res.body() = echo + "\n" + req.body();
      }
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      boost::system::error_code wec;
      if (req.method() == http::verb::head) {  // the GET response's headers, no body
        http::response<http::empty_body> head{res.result(), res.version()};
        for (const auto& field : res) head.set(field.name_string(), field.value());
        std::tie(wec, std::ignore) = co_await http::async_write(stream, head, boost::asio::as_tuple(boost::asio::use_awaitable));
      } else {
        std::tie(wec, std::ignore) = co_await http::async_write(stream, res, boost::asio::as_tuple(boost::asio::use_awaitable));
      }
      if (wec || !res.keep_alive()) co_return;
    }
  }

  // The string value of `"name":"…"` in a small JSON object (enough for /login).
  static std::string json_string_field(std::string_view json, std::string_view name) {
    const std::string key = "\"" + std::string(name) + "\"";
    auto at = json.find(key);
    if (at == std::string_view::npos) return {};
    at = json.find('"', json.find(':', at + key.size()));
    const auto end = at == std::string_view::npos ? at : json.find('"', at + 1);
    if (end == std::string_view::npos) return {};
    std::string value(json.substr(at + 1, end - at - 1));
    for (char c : value)
      if (!std::isalnum(static_cast<unsigned char>(c))) return {};  // names only
    return value;
  }

  // When a request arriving now is served by the one queue worker.
  std::chrono::steady_clock::time_point queue_slot(std::chrono::microseconds service) {
    std::lock_guard lock(queue_mutex_);
    queue_free_ = std::max(queue_free_, std::chrono::steady_clock::now()) + service;
    return queue_free_;
  }

  static unsigned number_after(const std::string& s, std::size_t from) {
    unsigned v = 0;
    std::from_chars(s.data() + std::min(from, s.size()), s.data() + s.size(), v);
    return v;
  }

  std::unique_ptr<boost::asio::ssl::context> tls_;  // outlives the connections in context_
  boost::asio::io_context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::chrono::milliseconds idle_timeout_;
  std::vector<std::thread> threads_;
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> head_requests_{0};
  std::mutex queue_mutex_;
  std::chrono::steady_clock::time_point queue_free_{};
};

} // namespace karga::http
