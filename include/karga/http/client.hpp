#pragma once
/// @file http/client.hpp
/// karga::http::client — an HTTP/1.1 and HTTP/2 client for actions: keep-alive connections
/// reused within a shard, a request timeout, and results as values (status, body
/// size, or an error kind), never exceptions.

#include <karga/core/error.hpp>
#include <karga/http/h2/connection.hpp>
#include <karga/http/h2/request_form.hpp>
#include <karga/http/receive_stamp.hpp>
#include <karga/http/url.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace karga::http {

/// Why a request got no response.
enum class error_kind {
  none,          ///< a response came
  refused,       ///< the connection was refused
  timeout,       ///< no response within the timeout (connect or request)
  reset,         ///< the connection ended before the response did
  protocol,      ///< the server broke HTTP
  tls,           ///< the TLS handshake or the TLS layer failed
  stream_reset,  ///< HTTP/2: the server reset the request's stream (RST_STREAM, its code in the message)
  goaway,        ///< HTTP/2: the server sent GOAWAY and ended the connection before the response
  other,         ///< anything else
};

/// The kind's name, as reports write it: "refused", "timeout", ...
inline std::string_view to_string(error_kind e) noexcept {
  switch (e) {
    case error_kind::none: return "none";
    case error_kind::refused: return "refused";
    case error_kind::timeout: return "timeout";
    case error_kind::reset: return "reset";
    case error_kind::protocol: return "protocol";
    case error_kind::tls: return "tls";
    case error_kind::stream_reset: return "stream_reset";
    case error_kind::goaway: return "goaway";
    case error_kind::other: return "other";
  }
  return "other";
}

/// What came back, counted and not kept: the status and the body's size. What
/// `send` returns; it allocates nothing per response.
struct response {
  unsigned status_code = 0;      ///< the response's status
  std::uint64_t body_bytes = 0;  ///< the body's size, counted as it was read
  unsigned protocol = 1;         ///< 1: HTTP/1.1, 2: HTTP/2
  std::uint64_t header_wire_bytes = 0;   ///< HTTP/2: the request's and response's HEADERS frames, HPACK-coded
  std::uint64_t header_plain_bytes = 0;  ///< HTTP/2: the same fields as text ("name: value\r\n" each)
  /// When the response's last bytes reached the socket, on karga's clock (the kernel's
  /// receive timestamp: `options::receive_timestamps`); the epoch when not known.
  clock::time_point received{};
  /// The status code.
  unsigned status() const noexcept { return status_code; }
};

/// What came back, kept: status, headers and body. What `fetch` returns (opt-in: it
/// allocates for every response).
struct full_response {
  unsigned status_code = 0;            ///< the response's status
  std::uint64_t body_bytes = 0;        ///< the body's size
  unsigned protocol = 1;               ///< 1: HTTP/1.1, 2: HTTP/2
  std::uint64_t header_wire_bytes = 0;   ///< HTTP/2: the request's and response's HEADERS frames, HPACK-coded
  std::uint64_t header_plain_bytes = 0;  ///< HTTP/2: the same fields as text
  clock::time_point received{};        ///< when the last bytes reached the socket, if known (see `response`)
  boost::beast::http::fields headers;  ///< every header, as received
  std::string body;                    ///< the body, whole
  /// The status code.
  unsigned status() const noexcept { return status_code; }
  /// The value of header `name` (any case), empty when absent.
  std::string_view header(std::string_view name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string_view{} : std::string_view(it->value());
  }
};

/// A response, or the kind of error that prevented one.
template <class Response>
class basic_result {
public:
  /// A response that came.
  basic_result(Response r) : protocol_(r.protocol), response_(std::move(r)) {}
  /// No response, for the reason `e`, told by `message`, over HTTP/`protocol`.
  basic_result(error_kind e, std::string message, unsigned protocol = 1)
      : protocol_(protocol), error_(e), message_(std::move(message)) {}

  /// Whether a response came.
  explicit operator bool() const noexcept { return response_.has_value(); }
  /// The response (only when one came).
  const Response* operator->() const noexcept { return &*response_; }
  /// The response (only when one came).
  const Response& operator*() const noexcept { return *response_; }
  /// Why no response came (`none` when one did).
  error_kind error() const noexcept { return error_; }
  /// What went wrong, in words (empty when a response came).
  const std::string& message() const noexcept { return message_; }
  /// The HTTP the request was sent with: 1 (HTTP/1.1) or 2 (HTTP/2).
  unsigned protocol() const noexcept { return protocol_; }

private:
  unsigned protocol_ = 1;
  std::optional<Response> response_;
  error_kind error_ = error_kind::none;
  std::string message_;
};

/// What `send`, `get` and `request` return.
using result = basic_result<response>;
/// What `fetch` and a `session` return.
using full_result = basic_result<full_response>;

/// One request header. `header("Name", "value")` can stand in a call inside
/// `co_await`, where g++ 12 rejects braced lists of string literals ("array used as
/// initializer").
struct header {
  std::string name;   ///< a token (checked before the wire)
  std::string value;  ///< no control character but tab: no CR, LF or NUL (checked before the wire)
  /// `n: v`.
  header(std::string_view n, std::string_view v) : name(n), value(v) {}
  /// `p.first: p.second`.
  header(std::pair<std::string, std::string> p) : name(std::move(p.first)), value(std::move(p.second)) {}
};
/// Headers of a request, in order.
using header_list = std::vector<header>;

/// Which HTTP a client speaks.
enum class protocol {
  http1_1,    ///< HTTP/1.1, a request at a time per connection
  http2,      ///< HTTP/2: prior knowledge (h2c) for http://, ALPN h2 for https:// (a server without h2 is an error)
  automatic,  ///< https: HTTP/2 if the server's ALPN chooses h2, else HTTP/1.1; http://: HTTP/1.1
};

/// Client settings.
struct options {
  http::protocol protocol = http::protocol::http1_1;  ///< which HTTP (HTTP/2: see `connections` and `streams`)
  /// HTTP/2: connections per copy of the client (each shard has its own copy), opened
  /// as requests need them.
  std::size_t connections = 1;
  /// HTTP/2: most streams at once per connection (fewer if the server's
  /// MAX_CONCURRENT_STREAMS says so); a request that finds every stream busy waits for
  /// one (its wait is part of its latency).
  std::uint32_t streams = 100;
  std::chrono::steady_clock::duration connect_timeout = std::chrono::seconds(5);  ///< TLS handshake included
  std::chrono::steady_clock::duration request_timeout = std::chrono::seconds(30);  ///< from the request's send to its response's end
  std::size_t max_idle_connections = 1024;  ///< kept for reuse, per copy of the client
  /// https: check the server's certificate and host name. Turn off only for a
  /// server whose certificate you cannot trust otherwise.
  bool verify_peer = true;
  /// https: a PEM file of certificates to trust; empty: the system's.
  std::string ca_file;
  /// Over plain TCP (HTTP/1.1 and h2c), on Linux: the kernel stamps each segment as it
  /// arrives, and a response's `received` is the stamp of its last one (HTTP/2: of the
  /// read that ended its stream), so a response read late (its reader was busy) is
  /// still timed by when it came. Costs an `epoll_ctl` per wait for the socket. TLS
  /// responses have no stamp (OpenSSL reads them).
  bool receive_timestamps = true;
};

namespace detail {
inline error_kind classify(const boost::system::error_code& ec) {
  namespace err = boost::asio::error;
  if (ec == err::connection_refused) return error_kind::refused;
  if (ec == boost::beast::error::timeout || ec == err::timed_out) return error_kind::timeout;
  if (ec == err::connection_reset || ec == err::broken_pipe || ec == err::eof ||
      ec == boost::beast::http::error::end_of_stream || ec == boost::beast::http::error::partial_message)
    return error_kind::reset;
  if (ec.category() == boost::beast::http::make_error_code(boost::beast::http::error::bad_version).category())
    return error_kind::protocol;
  if (ec.category() == boost::asio::error::get_ssl_category() || ec == boost::asio::ssl::error::stream_truncated)
    return error_kind::tls;
  return error_kind::other;
}
/// Parses a response keeping only its status and body size: no allocation per
/// response, whatever its headers.
class counting_parser : public boost::beast::http::basic_parser<false> {
public:
  unsigned status = 0;
  std::uint64_t body_bytes = 0;

private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;
  void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status = static_cast<unsigned>(code); }
  void on_field_impl(boost::beast::http::field, string_view, string_view, error_code&) override {}
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code&) override {
    body_bytes += body.size();
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    body_bytes += body.size();
    return body.size();
  }
  void on_finish_impl(error_code&) override {}
};
} // namespace detail

/// A request serialized once, sent as is as often as wanted: its HTTP/1.1 bytes and
/// its HTTP/2 form.
class prepared_request {
public:
  /// `head`: the response has no body, whatever its headers say (a HEAD request).
  explicit prepared_request(std::string wire, bool head = false, h2::request_form h2 = {})
      : wire_(std::move(wire)), head_(head), h2_(std::move(h2)) {}
  /// The request as it goes on the wire, over HTTP/1.1.
  std::string_view wire() const noexcept { return wire_; }
  /// Whether it is a HEAD request (its response has no body).
  bool head() const noexcept { return head_; }
  /// The request as HTTP/2 carries it.
  const h2::request_form& h2_form() const noexcept { return h2_; }

private:
  std::string wire_;
  bool head_;
  h2::request_form h2_;
};

/// An HTTP/1.1 client. Heavy parts (resolution) happen once, at construction;
/// copying is cheap and gives the copy its own, empty, connection pool, so each
/// shard of an executor reuses its own connections.
class client {
public:
  /// `url` is `http[s]://[user:password@]host[:port][/base]` (user and password
  /// become Basic credentials); throws `karga::error` if it is not one or its host
  /// does not resolve.
  explicit client(std::string_view url, options opt = {}) : url_(parse_url(url)), options_(opt) {
    boost::asio::io_context ctx;
    boost::asio::ip::tcp::resolver resolver(ctx);
    boost::system::error_code ec;
    auto results = resolver.resolve(url_.host, url_.port, ec);
    if (ec) karga::detail::throw_error("cannot resolve \"" + url_.host + "\": " + ec.message());
    for (const auto& r : results) endpoints_.push_back(r.endpoint());
    if (url_.tls) {
      namespace ssl = boost::asio::ssl;
      tls_ = std::make_shared<ssl::context>(ssl::context::tls_client);
      tls_->set_verify_mode(options_.verify_peer ? ssl::verify_peer : ssl::verify_none);
      boost::system::error_code tls_ec;
      if (options_.ca_file.empty())
        tls_->set_default_verify_paths(tls_ec);
      else
        tls_->load_verify_file(options_.ca_file, tls_ec);
      if (tls_ec) karga::detail::throw_error("cannot load trusted certificates: " + tls_ec.message());
      // ALPN offers h2 first and http/1.1 besides, also when only HTTP/2 will do: a
      // server that has no h2 then answers http/1.1 (rather than a fatal TLS alert), and
      // the connection can say in a sentence that the server does not speak HTTP/2.
      static constexpr unsigned char h2_or_1[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
      if (options_.protocol != protocol::http1_1)
        SSL_CTX_set_alpn_protos(tls_->native_handle(), h2_or_1, sizeof h2_or_1);
    }
    if (options_.streams == 0) karga::detail::throw_error("HTTP/2 needs at least one stream per connection, got 0");
    if (options_.connections == 0) karga::detail::throw_error("HTTP/2 needs at least one connection, got 0");
  }

  /// A copy with its own connection pool, empty (shards copy the client).
  client(const client& o)
      : url_(o.url_), options_(o.options_), endpoints_(o.endpoints_), tls_(o.tls_) {}
  /// The same as a copy: `o`'s settings, a pool of its own, empty.
  client& operator=(const client& o) {
    if (this != &o) *this = client(o);
    return *this;
  }
  /// Takes `o`'s pool.
  client(client&&) noexcept = default;
  /// Takes `o`'s pool.
  client& operator=(client&&) noexcept = default;

  /// GET `target` (appended to the URL's path).
  boost::asio::awaitable<result> get(std::string_view target) const {
    return request(boost::beast::http::verb::get, target, {});
  }

  /// Builds and serializes a request once, to `send` many times. Throws
  /// `karga::error` for a target or header that cannot go on the wire as given
  /// (spaces, CR/LF, a `#fragment`, a bad header name).
  prepared_request make_request(boost::beast::http::verb method, std::string_view target, std::string body = {},
                                header_list headers = {}) const {
    namespace http = boost::beast::http;
    std::string path = url_.base_path + std::string(target);
    if (path.empty()) path = "/";
    check_target(path);
    for (const auto& h : headers) check_header(h.name, h.value);
    http::request<http::string_body> req{method, path, 11};
    req.set(http::field::host, url_.host_header);
    req.set(http::field::user_agent, "karga");
    if (!url_.authorization.empty()) req.set(http::field::authorization, url_.authorization);
    for (auto& h : headers) req.set(h.name, h.value);
    if (!body.empty() || method == http::verb::post || method == http::verb::put) {
      req.body() = std::move(body);
      req.prepare_payload();
    }
    req.keep_alive(true);
    std::ostringstream wire;
    wire << req;
    h2::request_form form;
    if (options_.protocol != protocol::http1_1)
      form = h2::make_request_form(std::string_view(http::to_string(method)), url_, path, headers, req.body());
    return prepared_request(std::move(wire).str(), method == http::verb::head, std::move(form));
  }

  /// Any method, with an optional body and extra headers.
  boost::asio::awaitable<result> request(boost::beast::http::verb method, std::string_view target, std::string body,
                                         header_list headers = {}) const {
    const auto req = make_request(method, target, std::move(body), std::move(headers));
    co_return co_await send(req);
  }

  /// Sends `req` (from `make_request`) on a pooled connection, or a new one, and
  /// counts the response: status and body size, nothing kept, nothing allocated.
  boost::asio::awaitable<result> send(const prepared_request& req) const {
    if (speaks_h2()) {
      h2::stream s(co_await boost::asio::this_coro::executor);
      auto [kind, message] = co_await h2_exchange(req, s);
      if (!h2_->fallback) {  // (else the server chose HTTP/1.1: speak that)
        if (kind != error_kind::none) co_return result(kind, std::move(message), 2);
        co_return result(response{s.status, s.body_bytes, 2, s.header_wire_bytes, s.header_plain_bytes, s.received});
      }
    }
    std::optional<detail::counting_parser> parser;
    clock::time_point received{};
    auto [kind, message] = co_await exchange(req, parser, received);
    if (kind != error_kind::none) co_return result(kind, std::move(message));
    co_return result(response{parser->status, parser->body_bytes, 1, 0, 0, received});
  }

  /// Sends `req` and keeps the whole response: status, headers and body.
  boost::asio::awaitable<full_result> fetch(const prepared_request& req) const {
    if (speaks_h2()) {
      h2::stream s(co_await boost::asio::this_coro::executor);
      s.keep = true;
      auto [kind, message] = co_await h2_exchange(req, s);
      if (!h2_->fallback && kind != error_kind::none) co_return full_result(kind, std::move(message), 2);
      if (!h2_->fallback) {
        full_response out;
        out.status_code = s.status;
        out.body_bytes = s.body_bytes;
        out.protocol = 2;
        out.header_wire_bytes = s.header_wire_bytes;
        out.header_plain_bytes = s.header_plain_bytes;
        out.received = s.received;
        out.headers = std::move(s.headers);
        out.body = std::move(s.body);
        co_return full_result(std::move(out));
      }
    }
    std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser;
    clock::time_point received{};
    auto [kind, message] = co_await exchange(req, parser, received);
    if (kind != error_kind::none) co_return full_result(kind, std::move(message));
    auto msg = parser->release();
    full_response out;
    out.received = received;
    out.status_code = msg.result_int();
    out.body_bytes = msg.body().size();
    out.headers = std::move(msg.base());
    out.body = std::move(msg.body());
    co_return full_result(std::move(out));
  }

  /// HTTP/2 only: sends `req` on `s` and waits for the stream's end, at most `timeout`
  /// (zero: the client's request timeout). `s` takes what comes back as it comes: the
  /// status, the headers and trailers (with `s.keep`), each piece of the body (through
  /// `s.on_data`). For protocols carried by HTTP/2, such as gRPC. Throws
  /// `karga::error` if the client does not speak HTTP/2.
  boost::asio::awaitable<std::pair<error_kind, std::string>> exchange(const prepared_request& req, h2::stream& s,
                                                                      std::chrono::steady_clock::duration timeout = {}) const {
    if (options_.protocol != protocol::http2)
      karga::detail::throw_error("http::client::exchange needs a client that speaks HTTP/2 (options::protocol)");
    co_return co_await h2_exchange(req, s, timeout);
  }

  /// Connections kept for reuse by this copy (HTTP/1.1).
  std::size_t idle_connections() const noexcept { return pool_->idle.size(); }
  /// HTTP/2 connections this copy has open.
  std::size_t h2_connections() const noexcept {
    return static_cast<std::size_t>(std::count_if(h2_->conns.begin(), h2_->conns.end(), [](const auto& c) { return !c->closed(); }));
  }
  /// The settings.
  const http::options& settings() const noexcept { return options_; }

  /// The URL this client talks to, as parsed.
  const url& base_url() const noexcept { return url_; }

private:
  // One request and its response, read by `Parser` (made afresh for each attempt):
  // what went wrong, if anything, and its message; `received`: the kernel's stamp of
  // the response's last segment, if it has one.
  template <class Parser>
  boost::asio::awaitable<std::pair<error_kind, std::string>> exchange(const prepared_request& req, std::optional<Parser>& res,
                                                                      clock::time_point& received) const {
    namespace http = boost::beast::http;
    pool& p = *pool_;
    for (bool retried = false;; retried = true) {
      const bool reused = !retried && !p.idle.empty();
      std::unique_ptr<connection> c;
      if (reused) {
        c = std::move(p.idle.back());
        p.idle.pop_back();
        begin(*c, options_.request_timeout);
      } else {
        c = std::make_unique<connection>(co_await boost::asio::this_coro::executor);
        begin(*c, options_.connect_timeout);
        auto [ec, ep] = co_await boost::asio::async_connect(c->socket, endpoints_,
                                                            boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec) co_return std::pair{end(*c, ec), ec.message()};
        boost::system::error_code ignored;
        c->socket.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
        if (tls_) {
          if (auto hec = co_await handshake(*c)) co_return std::pair{end(*c, hec), hec.message()};
        } else {
          c->socket.non_blocking(true, ignored);  // for write_now and read_now
          c->stamped = options_.receive_timestamps && enable_receive_stamps(c->socket);
        }
        c->deadline = clock::now() + options_.request_timeout;
      }
      boost::system::error_code ec;
      if (c->tls) {
        std::tie(ec, std::ignore) = co_await boost::asio::async_write(*c->tls, boost::asio::buffer(req.wire()), tuple_awaitable);
      } else if (const std::size_t sent = write_now(*c, req.wire(), ec); !ec && sent < req.wire().size()) {
        std::tie(ec, std::ignore) =
            co_await boost::asio::async_write(c->socket, boost::asio::buffer(req.wire()) + sent, tuple_awaitable);
      }
      res.emplace();
      c->received = {};
      res->body_limit(boost::none);
      if (req.head()) res->skip(true);  // a HEAD response has headers only
      if (!ec && c->tls) {
        std::tie(ec, std::ignore) = co_await http::async_read(*c->tls, c->buffer, *res, tuple_awaitable);
      } else if (!ec) {
        // One asynchronous read (asio's: at once if the answer is there, else when the
        // socket is readable; cheaper than a wait, which re-arms epoll), then what
        // else the socket holds, read at once: no pass of the event loop per read.
        // With receive stamps, every read is read_now's (a recvmsg, which takes the
        // stamps) after a wait until the socket is readable.
        read_state state = c->buffer.size() ? read_now(*c, *res, ec) : read_state::empty;
        while (state != read_state::over) {
          if (state == read_state::empty && c->stamped) {
            std::tie(ec) = co_await c->socket.async_wait(boost::asio::ip::tcp::socket::wait_read, tuple_awaitable);
            if (ec) break;
          } else if (state == read_state::empty) {
            std::size_t n = 0;
            std::tie(ec, n) = co_await c->socket.async_read_some(
                c->buffer.prepare(boost::beast::read_size(c->buffer, 65536)), tuple_awaitable);
            c->buffer.commit(n);
            if (ec == boost::asio::error::eof) ec = {};  // read_now reads it again: the parser decides
            if (ec) break;
          } else {
            co_await boost::asio::post(c->socket.get_executor(), boost::asio::use_awaitable);  // let others run
          }
          state = read_now(*c, *res, ec);
        }
      }
      received = c->received;
      const error_kind kind = end(*c, ec);
      if (kind != error_kind::none) {
        // A kept-alive connection the server had closed: nothing came back, so the
        // request was not served. Try once more on a new connection (never another
        // pooled one, which the server may have closed as well).
        if (reused && kind == error_kind::reset && !res->got_some()) continue;
        co_return std::pair{kind, c->timed_out ? std::string("no response within the timeout") : ec.message()};
      }
      if (res->keep_alive() && p.idle.size() < options_.max_idle_connections) p.idle.push_back(std::move(c));
      co_return std::pair{error_kind::none, std::string()};
    }
  }

  using clock = std::chrono::steady_clock;
  static constexpr auto tuple_awaitable = boost::asio::as_tuple(boost::asio::use_awaitable);

  // HTTP/2 -----------------------------------------------------------------------------
  // The HTTP/2 connections of one copy of the client, and the requests waiting for a
  // stream: they wait on one timer that never expires; cancelling one wait wakes one.
  struct h2_pool {
    std::vector<std::shared_ptr<h2::connection>> conns;
    std::size_t opening = 0;
    std::uint64_t waiting = 0;
    std::optional<boost::asio::steady_timer> room;
    bool fallback = false;  // automatic, and the server chose HTTP/1.1: speak that
    void wake(std::size_t n) {
      for (n = std::max<std::size_t>(n, 1); n != 0 && waiting != 0; --n) {
        --waiting;
        room->cancel_one();
      }
    }
    ~h2_pool() {
      for (auto& c : conns) {
        c->on_room(nullptr);  // its read loop may outlive the pool
        c->close();
      }
    }
  };

  bool speaks_h2() const noexcept {
    return options_.protocol == protocol::http2 || (options_.protocol == protocol::automatic && tls_ && !h2_->fallback);
  }

  // One request on a stream of this copy's connections: sent again (on another stream)
  // when the server refused its stream without processing it. `s` keeps the response.
  boost::asio::awaitable<std::pair<error_kind, std::string>> h2_exchange(const prepared_request& req, h2::stream& s,
                                                                         clock::duration timeout = {}) const {
    // A given timeout bounds the whole exchange, attempts included (a gRPC deadline);
    // the request timeout bounds each attempt.
    const bool whole = timeout != clock::duration{};
    const clock::time_point deadline = whole ? clock::now() + timeout : clock::time_point{};
    for (int attempt = 0; attempt < 8; ++attempt) {
      if (attempt != 0) s.reset();
      auto [c, kind, message] = co_await h2_acquire();
      if (!c) co_return std::pair{kind, std::move(message)};
      if (!c->submit(s, req.h2_form())) co_return std::pair{error_kind::protocol, s.message};
      if (whole)
        s.done.expires_at(deadline);
      else
        s.done.expires_after(options_.request_timeout);
      co_await s.done.async_wait(tuple_awaitable);
      if (s.end == h2::stream_end::open) {  // the deadline, or the run's cancellation
        c->abandon(s);
        const auto state = co_await boost::asio::this_coro::cancellation_state;
        if (state.cancelled() != boost::asio::cancellation_type::none)
          co_return std::pair{error_kind::other, std::string("cancelled")};
        co_return std::pair{error_kind::timeout, std::string("no response within the timeout")};
      }
      switch (s.end) {
        case h2::stream_end::complete: co_return std::pair{error_kind::none, std::string()};
        case h2::stream_end::refused: continue;  // not processed: on another stream
        case h2::stream_end::lost:
          // Sent on a connection idle since its last stream, which the server had
          // closed: nothing came back, so it was not served. Again, on another.
          if (s.after_idle && !s.got_headers) continue;
          co_return std::pair{c->goaway_received() ? error_kind::goaway : error_kind::reset, s.message};
        case h2::stream_end::reset: co_return std::pair{error_kind::stream_reset, s.message};
        case h2::stream_end::protocol: co_return std::pair{error_kind::protocol, s.message};
        default: co_return std::pair{c->goaway_received() ? error_kind::goaway : error_kind::reset, s.message};
      }
    }
    co_return std::pair{error_kind::stream_reset, std::string("the server refused the stream 8 times")};
  }

  // A connection with a free stream: an open one, or a new one while there are fewer
  // than `connections`, or the next one to free a stream.
  boost::asio::awaitable<std::tuple<std::shared_ptr<h2::connection>, error_kind, std::string>> h2_acquire() const {
    h2_pool& p = *h2_;
    for (;;) {
      std::erase_if(p.conns, [](const auto& c) { return c->closed(); });
      std::size_t accepting = 0;
      for (const auto& c : p.conns) {
        if (c->has_room()) co_return std::tuple{c, error_kind::none, std::string()};
        accepting += c->accepting();
      }
      if (accepting + p.opening < options_.connections) {
        ++p.opening;
        auto opened = co_await h2_open();
        --p.opening;
        if (!std::get<0>(opened)) {
          p.wake(p.waiting);  // they try for themselves
          co_return opened;
        }
        p.conns.push_back(std::get<0>(opened));
        continue;
      }
      if (!p.room) p.room.emplace(co_await boost::asio::this_coro::executor, clock::time_point::max());
      ++p.waiting;
      co_await p.room->async_wait(tuple_awaitable);
      const auto state = co_await boost::asio::this_coro::cancellation_state;
      if (state.cancelled() != boost::asio::cancellation_type::none) {
        p.waiting -= std::min<std::uint64_t>(p.waiting, 1);
        co_return std::tuple{nullptr, error_kind::other, std::string("cancelled")};
      }
    }
  }

  // A new HTTP/2 connection: connected, TLS with ALPN h2 for https, started.
  boost::asio::awaitable<std::tuple<std::shared_ptr<h2::connection>, error_kind, std::string>> h2_open() const {
    using namespace boost::asio::experimental::awaitable_operators;
    using opened = std::tuple<std::shared_ptr<h2::connection>, error_kind, std::string>;
    const auto ex = co_await boost::asio::this_coro::executor;
    auto c = std::make_shared<h2::connection>(ex, options_.streams);
    boost::asio::steady_timer deadline(ex, options_.connect_timeout);
    auto connected = co_await (boost::asio::async_connect(c->socket(), endpoints_, tuple_awaitable) ||
                               deadline.async_wait(tuple_awaitable));
    if (connected.index() == 1) co_return opened{nullptr, error_kind::timeout, "no connection within the timeout"};
    if (const auto ec = std::get<0>(std::get<0>(connected))) co_return opened{nullptr, detail::classify(ec), ec.message()};
    boost::system::error_code ignored;
    c->socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    if (!tls_ && options_.receive_timestamps) c->stamp_receives();
    if (tls_) {
      namespace ssl = boost::asio::ssl;
      auto& stream = c->tls().emplace(c->socket(), *tls_);
      SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str());
      SSL_set_options(stream.native_handle(), SSL_OP_NO_RENEGOTIATION);  // HTTP/2 forbids it (RFC 9113, 9.2.1)
      if (options_.verify_peer) stream.set_verify_callback(ssl::host_name_verification(url_.host));
      auto shaken = co_await (stream.async_handshake(ssl::stream_base::client, tuple_awaitable) || deadline.async_wait(tuple_awaitable));
      if (shaken.index() == 1) co_return opened{nullptr, error_kind::timeout, "no TLS handshake within the timeout"};
      if (const auto ec = std::get<0>(std::get<0>(shaken))) co_return opened{nullptr, detail::classify(ec), ec.message()};
      const unsigned char* alpn = nullptr;
      unsigned int alpn_len = 0;
      SSL_get0_alpn_selected(stream.native_handle(), &alpn, &alpn_len);
      if (std::string_view(reinterpret_cast<const char*>(alpn), alpn_len) != "h2") {
        if (options_.protocol == protocol::automatic) {
          h2_->fallback = true;  // HTTP/1.1 from now on, for this copy
          co_return opened{nullptr, error_kind::none, "the server chose HTTP/1.1"};
        }
        co_return opened{nullptr, error_kind::protocol, "the server does not speak HTTP/2 (its ALPN did not choose h2)"};
      }
    }
    c->on_room([p = h2_.get()](std::size_t n) { p->wake(n); });
    c->start();
    co_return opened{c, error_kind::none, std::string()};
  }

  struct connection {
    explicit connection(const boost::asio::any_io_executor& ex) : socket(ex) {}
    boost::asio::ip::tcp::socket socket;
    std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls;  // https only
    boost::beast::flat_buffer buffer;
    clock::time_point deadline = clock::time_point::max();
    bool timed_out = false;
    bool stamped = false;          // the kernel stamps what the socket receives
    clock::time_point received{};  // the stamp of the last segment read
    std::size_t busy_index = 0;
  };

  // The connections of one copy of the client. Deadlines are enforced by one
  // watchdog per pool, which runs only while a request is in flight: cheaper than
  // arming a timer for every read and write.
  struct pool {
    std::vector<std::unique_ptr<connection>> idle;
    std::vector<connection*> busy;
    boost::asio::steady_timer* watchdog = nullptr;
    bool watching = false;
  };

  // Plain TCP: the request is written at once, as the socket takes it (a request fits
  // its buffer); asio would complete an async write a pass of the event loop later.
  // Returns what was written; the rest, if any, goes out asynchronously.
  static std::size_t write_now(connection& c, std::string_view wire, boost::system::error_code& ec) {
    std::size_t sent = 0;
    while (sent < wire.size()) {
      sent += c.socket.write_some(boost::asio::buffer(wire.data() + sent, wire.size() - sent), ec);
      if (ec) break;
    }
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) ec = {};
    return sent;
  }

  // Plain TCP: parses what the buffer holds and reads on at once, up to the response's
  // end (`over`), or until the socket is empty (`empty`: the next read is asynchronous),
  // or for at most 16 reads (`more`: a large response lets other actions run). A response
  // that takes more than one read grows the buffer, up to 64 KiB, so that a large body
  // is not read 512 bytes at a time (the buffer starts small: most answers are).
  enum class read_state { over, empty, more };
  template <class Parser>
  static read_state read_now(connection& c, Parser& res, boost::system::error_code& ec) {
    for (int reads = 0; reads < 16; ++reads) {
      if (res.is_done()) return read_state::over;
      if (res.got_some() && c.buffer.capacity() < 65536)
        c.buffer.reserve(std::min<std::size_t>(2 * c.buffer.capacity(), 65536));
      if (c.stamped) {
        stamped_reader reader(c.socket, &c.received);
        boost::beast::http::read_some(reader, c.buffer, res, ec);
      } else {
        boost::beast::http::read_some(c.socket, c.buffer, res, ec);
      }
      if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
        ec = {};
        return read_state::empty;
      }
      if (ec) return read_state::over;
    }
    return res.is_done() ? read_state::over : read_state::more;
  }

  // TLS on a connected socket: server name, certificate and host name checks.
  boost::asio::awaitable<boost::system::error_code> handshake(connection& c) const {
    namespace ssl = boost::asio::ssl;
    auto& stream = c.tls.emplace(c.socket, *tls_);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str()))
      co_return boost::system::error_code(static_cast<int>(::ERR_get_error()), boost::asio::error::get_ssl_category());
    if (options_.verify_peer) stream.set_verify_callback(ssl::host_name_verification(url_.host));
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, tuple_awaitable);
    co_return ec;
  }

  void begin(connection& c, clock::duration timeout) const {
    pool& p = *pool_;
    c.deadline = clock::now() + timeout;
    c.timed_out = false;
    c.busy_index = p.busy.size();
    p.busy.push_back(&c);
    if (!p.watching) {
      p.watching = true;
      boost::asio::co_spawn(c.socket.get_executor(), watch(pool_, watch_period()), boost::asio::detached);
    }
  }

  // The request on `c` is over, with `ec`: what kind of error, if any.
  error_kind end(connection& c, const boost::system::error_code& ec) const {
    pool& p = *pool_;
    p.busy[c.busy_index] = p.busy.back();
    p.busy[c.busy_index]->busy_index = c.busy_index;
    p.busy.pop_back();
    if (p.busy.empty() && p.watchdog) p.watchdog->cancel();
    if (c.timed_out) return error_kind::timeout;
    return ec ? detail::classify(ec) : error_kind::none;
  }

  clock::duration watch_period() const {
    const auto shortest = std::min(options_.connect_timeout, options_.request_timeout);
    return std::clamp<clock::duration>(shortest / 10, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
  }

  static boost::asio::awaitable<void> watch(std::shared_ptr<pool> p, clock::duration period) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    p->watchdog = &timer;
    while (!p->busy.empty()) {
      timer.expires_after(period);
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      const auto now = clock::now();
      for (connection* c : p->busy)
        if (!c->timed_out && c->deadline <= now) {
          c->timed_out = true;
          boost::system::error_code ignored;
          c->socket.cancel(ignored);
        }
    }
    p->watchdog = nullptr;
    p->watching = false;
  }

  http::url url_;
  options options_;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // https only; shared by copies
  std::shared_ptr<pool> pool_ = std::make_shared<pool>();
  std::shared_ptr<h2_pool> h2_ = std::make_shared<h2_pool>();
};

} // namespace karga::http
