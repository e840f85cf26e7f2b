#pragma once
/// @file grpc/channel.hpp
/// A gRPC channel: calls of the four kinds over karga's HTTP/2 client, on the
/// calling coroutine's executor (a shard's own), no thread of its own. A call is one
/// HTTP/2 stream: its request messages go out framed as the body, its answer's
/// messages are read as they come, each timed, and its status comes from the
/// trailers (or from what ended the stream: the mapping of grpc/status.hpp).
///
/// Messages are bytes, or any type with protobuf's `SerializeToString` and
/// `ParseFromString` (`co_await ch.unary<HelloReply>("helloworld.Greeter/SayHello", req)`);
/// karga itself does not depend on protobuf.

#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>
#include <karga/core/metric.hpp>
#include <karga/grpc/framing.hpp>
#include <karga/grpc/gzip.hpp>
#include <karga/grpc/status.hpp>
#include <karga/http/client.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace karga::grpc {

/// A message type of protobuf's C++ API (or anything that serializes the same way).
template <class M>
concept protobuf_message = requires(const M& m, M& out, std::string* s, const std::string& in) {
  { m.SerializeToString(s) } -> std::convertible_to<bool>;
  { out.ParseFromString(in) } -> std::convertible_to<bool>;
};

/// The kinds of call: how many messages go each way.
enum class call_kind : std::uint8_t {
  unary,             ///< one request, one response
  server_streaming,  ///< one request, any number of responses
  client_streaming,  ///< any number of requests, one response
  bidi_streaming,    ///< any number each way
};

/// A channel's settings.
struct channel_options {
  std::size_t connections = 1;  ///< HTTP/2 connections per copy of the channel (each shard has its own copy)
  std::uint32_t streams = 100;  ///< calls at once per connection (fewer if the server says so)
  std::chrono::steady_clock::duration connect_timeout = std::chrono::seconds(5);  ///< TLS handshake included
  /// The longest a call without a deadline of its own may take (30 s).
  std::chrono::steady_clock::duration timeout = std::chrono::seconds(30);
  bool verify_peer = true;  ///< https: check the server's certificate and name
  std::string ca_file;      ///< https: a PEM file of certificates to trust; empty: the system's
};

/// A call's settings.
struct call_options {
  /// The call's deadline, from its start: sent as `grpc-timeout`, and the call ends
  /// DEADLINE_EXCEEDED (its stream cancelled) when it passes. Zero (the default): no
  /// deadline is sent, as gRPC's own clients do by default (a server arms a timer per
  /// call that has one: about a fifth of a small call's cost on libgrpc++), and the
  /// call still ends DEADLINE_EXCEEDED after `channel_options::timeout`.
  std::chrono::steady_clock::duration deadline{};
  http::header_list metadata;        ///< sent with the call (names in lower case; "-bin" values already base64)
  bool compress = false;             ///< gzip each request message (`grpc-encoding: gzip`)
  std::size_t max_receive = default_max_receive;  ///< the longest answer message taken (RESOURCE_EXHAUSTED beyond)
  bool keep_messages = false;        ///< keep the answer's messages (a unary call always keeps its one)
};

/// What a call came to.
struct call_result {
  status_code code = status_code::ok;  ///< the call's status
  std::string message;                 ///< `grpc-message`, or what went wrong
  std::chrono::steady_clock::duration latency{};  ///< from the call's start to its end
  std::uint64_t messages_sent = 0;      ///< request messages
  std::uint64_t messages_received = 0;  ///< answer messages
  std::uint64_t bytes_received = 0;     ///< the answer messages' bytes, as sent (compressed if they were)
  /// From the call's start to its first answer message; negative when none came.
  std::chrono::steady_clock::duration first_message{-1};
  /// Between each answer message and the next (streams: one fewer than the messages).
  std::vector<std::chrono::steady_clock::duration> gaps;
  std::vector<std::string> messages;  ///< the answer messages (unary, or `keep_messages`), decompressed
  boost::beast::http::fields metadata;  ///< the answer's headers and trailers
  /// Whether the call ended OK.
  bool ok() const noexcept { return code == status_code::ok; }
};

/// A call's result with its answer as a `Response`.
template <class Response>
struct typed_result : call_result {
  Response response;  ///< the answer (default when none came or the call failed)
};

/// A call prepared once, to make many times: its method, messages and settings, as
/// its HTTP/2 request.
class prepared_call {
public:
  /// The method's path ("/pkg.Service/Method").
  const std::string& path() const noexcept { return path_; }
  /// The call's kind.
  call_kind kind() const noexcept { return kind_; }
  /// The request messages.
  std::uint64_t messages() const noexcept { return messages_; }
  /// The settings.
  const call_options& options() const noexcept { return options_; }
  /// The HTTP/2 request.
  const http::prepared_request& request() const noexcept { return request_; }

private:
  friend class channel;
  std::string path_;
  call_kind kind_ = call_kind::unary;
  std::uint64_t messages_ = 0;
  call_options options_;
  http::prepared_request request_{std::string()};
};

/// A gRPC channel to one server. Copies share nothing but the settings (a shard's
/// copy opens its own connections).
class channel {
public:
  /// `target` is `host:port` or `http://host:port` (h2c, HTTP/2 without TLS) or
  /// `https://host:port` (TLS, ALPN h2). Throws `karga::error` if it is none of those
  /// or its host does not resolve.
  explicit channel(std::string_view target, channel_options opt = {})
      : client_(url_of(target), http_options(opt)), options_(std::move(opt)) {}

  /// Prepares a call of `kind` to `method` ("pkg.Service/Method") sending `requests`.
  /// Throws `karga::error` for a method or metadata that cannot go on the wire, or a
  /// unary or server-streaming call not given exactly one request.
  prepared_call prepare(call_kind kind, std::string_view method, std::span<const std::string_view> requests,
                        call_options opt = {}) const {
    if ((kind == call_kind::unary || kind == call_kind::server_streaming) && requests.size() != 1)
      karga::detail::throw_error("a " + std::string(kind == call_kind::unary ? "unary" : "server-streaming") +
                                 " call sends exactly one message, not " + std::to_string(requests.size()));
    prepared_call p;
    p.path_ = path_of(method);
    p.kind_ = kind;
    p.messages_ = requests.size();
    std::string body;
    for (std::string_view r : requests) {
      if (opt.compress)
        append_message(body, gzip_compress(r), true);
      else
        append_message(body, r);
    }
    http::header_list headers{{"content-type", "application/grpc"}, {"te", "trailers"},
                              {"user-agent", "karga-grpc"}, {"grpc-accept-encoding", "identity,gzip"}};
    if (opt.deadline != std::chrono::steady_clock::duration{}) headers.emplace_back("grpc-timeout", encode_timeout(opt.deadline));
    if (opt.compress) headers.emplace_back("grpc-encoding", "gzip");
    for (const auto& m : opt.metadata) {
      if (m.name.starts_with(':') || m.name == "content-type" || m.name == "te" || m.name == "grpc-timeout" ||
          m.name == "grpc-encoding")
        karga::detail::throw_error("metadata \"" + m.name + "\" is set by the call itself");
      headers.push_back(m);
    }
    p.request_ = client_.make_request(boost::beast::http::verb::post, p.path_, std::move(body), std::move(headers));
    p.options_ = std::move(opt);
    return p;
  }

  /// Makes the call `p`.
  boost::asio::awaitable<call_result> call(const prepared_call& p) const {
    call_result out;
    out.messages_sent = p.messages();
    const bool keep = p.options().keep_messages || p.kind() == call_kind::unary || p.kind() == call_kind::client_streaming;
    receiving r{out, message_reader(p.options().max_receive), keep, std::chrono::steady_clock::now()};
    http::h2::stream s(co_await boost::asio::this_coro::executor);
    s.keep = true;
    s.on_data = &receiving::on_data;
    s.on_data_arg = &r;
    r.stream = &s;
    const auto [kind, why] = co_await client_.exchange(p.request(), s, p.options().deadline);
    out.latency = std::chrono::steady_clock::now() - r.start;
    out.metadata = std::move(s.headers);
    settle(out, p, r, s, kind, why, options_.timeout);
    co_return out;
  }

  /// A unary call: `request` to `method`; the answer is `messages[0]` of the result.
  boost::asio::awaitable<call_result> unary(std::string_view method, std::string_view request, call_options opt = {}) const {
    const std::string_view one[] = {request};
    const prepared_call p = prepare(call_kind::unary, method, one, std::move(opt));
    co_return co_await call(p);
  }

  /// A unary call with protobuf messages: `co_await ch.unary<Reply>(method, request)`.
  template <protobuf_message Response, protobuf_message Request>
  boost::asio::awaitable<typed_result<Response>> unary(std::string_view method, const Request& request,
                                                       call_options opt = {}) const {
    std::string bytes;
    request.SerializeToString(&bytes);
    typed_result<Response> out;
    static_cast<call_result&>(out) = co_await unary(method, bytes, std::move(opt));
    if (out.ok() && !out.response.ParseFromString(out.messages.front())) {
      out.code = status_code::internal;
      out.message = "the answer does not parse as the response type";
    }
    co_return out;
  }

  /// A server-streaming call: `request` to `method`, its answers counted and timed
  /// (kept with `keep_messages`).
  boost::asio::awaitable<call_result> server_stream(std::string_view method, std::string_view request,
                                                    call_options opt = {}) const {
    const std::string_view one[] = {request};
    const prepared_call p = prepare(call_kind::server_streaming, method, one, std::move(opt));
    co_return co_await call(p);
  }

  /// A client-streaming call: `requests` to `method`, one answer (`messages[0]`).
  boost::asio::awaitable<call_result> client_stream(std::string_view method, std::span<const std::string_view> requests,
                                                    call_options opt = {}) const {
    const prepared_call p = prepare(call_kind::client_streaming, method, requests, std::move(opt));
    co_return co_await call(p);
  }

  /// A bidirectional call: `requests` to `method` as one burst, the answers counted
  /// and timed as they come.
  boost::asio::awaitable<call_result> bidi_stream(std::string_view method, std::span<const std::string_view> requests,
                                                  call_options opt = {}) const {
    const prepared_call p = prepare(call_kind::bidi_streaming, method, requests, std::move(opt));
    co_return co_await call(p);
  }

  /// The HTTP/2 client underneath.
  const http::client& transport() const noexcept { return client_; }
  /// The settings.
  const channel_options& settings() const noexcept { return options_; }

private:
  using clock = std::chrono::steady_clock;

  // A call's answer as it comes: each message counted and timed, kept if asked.
  struct receiving {
    call_result& out;
    message_reader reader;
    bool keep;
    clock::time_point start;
    clock::time_point last{};
    http::h2::stream* stream = nullptr;
    bool bad_encoding = false;
    bool too_large_unpacked = false;

    static void on_data(void* arg, std::string_view piece) {
      auto& r = *static_cast<receiving*>(arg);
      r.reader.feed(piece, [&r](std::string_view m, bool compressed) { r.message(m, compressed); });
    }
    void message(std::string_view m, bool compressed) {
      const clock::time_point now = clock::now();
      if (out.messages_received++ == 0)
        out.first_message = now - start;
      else
        out.gaps.push_back(now - last);
      last = now;
      out.bytes_received += m.size();
      if (compressed) {
        const auto it = stream->headers.find("grpc-encoding");
        if (it == stream->headers.end() || it->value() != "gzip") {
          bad_encoding = true;
          return;
        }
      }
      if (!keep) return;
      std::string& kept = out.messages.emplace_back();
      if (!compressed)
        kept.assign(m);
      else if (!gzip_decompress(m, kept, reader.max_message()))
        (kept.size() > reader.max_message() ? too_large_unpacked : bad_encoding) = true;
    }
  };

  // The call's status, from what ended its stream, the answer's headers and trailers,
  // and its messages.
  static void settle(call_result& out, const prepared_call& p, receiving& r, const http::h2::stream& s, http::error_kind kind,
                     const std::string& why, clock::duration timeout) {
    auto fail = [&out](status_code c, std::string m) {
      out.code = c;
      out.message = std::move(m);
    };
    if (kind != http::error_kind::none) {
      if (kind == http::error_kind::timeout)
        return fail(status_code::deadline_exceeded,
                    p.options().deadline != clock::duration{}
                        ? "the deadline passed (" + karga::detail::human_duration(p.options().deadline) + ")"
                        : "no answer within the channel's timeout (" + karga::detail::human_duration(timeout) + ")");
      return fail(kind == http::error_kind::stream_reset ? from_stream_reset(s.error_code) : from_transport(kind), why);
    }
    if (s.status != 200) return fail(from_http_status(s.status), "HTTP status " + std::to_string(s.status));
    const auto header = [&out](std::string_view name) -> std::string_view {
      const auto it = out.metadata.find(name);
      return it == out.metadata.end() ? std::string_view{} : std::string_view(it->value());
    };
    const std::string_view type = header("content-type");
    if (!type.starts_with("application/grpc"))
      return fail(status_code::unknown, "the answer's content-type is \"" + std::string(type) + "\", not application/grpc");
    r.reader.finish();
    if (r.too_large_unpacked)
      return fail(status_code::resource_exhausted,
                  "a compressed answer message comes to more than the limit of " + std::to_string(r.reader.max_message()) +
                      " bytes");
    if (r.reader.error() == framing_error::too_large)
      return fail(status_code::resource_exhausted, "an answer message of " + std::to_string(r.reader.refused_length()) +
                                                       " bytes is over the limit of " +
                                                       std::to_string(r.reader.max_message()));
    if (r.reader.error() != framing_error::none) return fail(status_code::internal, std::string(to_string(r.reader.error())));
    if (r.bad_encoding) return fail(status_code::internal, "a compressed message the answer's grpc-encoding cannot decode");
    const std::string_view status = header("grpc-status");
    const auto code = parse_grpc_status(status);
    if (!code)
      return fail(status_code::internal, status.empty() ? "the answer ended without grpc-status"
                                                        : "grpc-status \"" + std::string(status) + "\" is not a number");
    if (*code != status_code::ok) return fail(*code, decode_grpc_message(header("grpc-message")));
    const bool one = p.kind() == call_kind::unary || p.kind() == call_kind::client_streaming;
    if (one && out.messages_received != 1)
      return fail(status_code::internal,
                  "the answer to a call of one response carried " + std::to_string(out.messages_received) + " messages");
  }

  static std::string url_of(std::string_view target) {
    if (target.starts_with("http://") || target.starts_with("https://")) return std::string(target);
    if (target.find("://") != std::string_view::npos)
      karga::detail::throw_error("a gRPC target is host:port, http://host:port or https://host:port, not \"" +
                                 std::string(target) + "\"");
    return "http://" + std::string(target);
  }
  static std::string path_of(std::string_view method) {
    if (method.starts_with('/')) method.remove_prefix(1);
    const auto slash = method.find('/');
    if (slash == 0 || slash == std::string_view::npos || slash + 1 == method.size() ||
        method.find('/', slash + 1) != std::string_view::npos)
      karga::detail::throw_error("a gRPC method is \"package.Service/Method\", not \"" + std::string(method) + "\"");
    return "/" + std::string(method);
  }
  static http::options http_options(const channel_options& o) {
    http::options h;
    h.protocol = http::protocol::http2;
    h.connections = o.connections;
    h.streams = o.streams;
    h.connect_timeout = o.connect_timeout;
    h.request_timeout = o.timeout;
    h.verify_peer = o.verify_peer;
    h.ca_file = o.ca_file;
    return h;
  }

  http::client client_;
  channel_options options_;
};

} // namespace karga::grpc
