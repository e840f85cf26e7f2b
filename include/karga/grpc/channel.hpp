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

#include <karga/core/error.hpp>
#include <karga/grpc/call.hpp>
#include <karga/grpc/detail/answer.hpp>
#include <karga/grpc/framing.hpp>
#include <karga/grpc/gzip.hpp>
#include <karga/grpc/status.hpp>
#include <karga/grpc/stream_call.hpp>
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
      const std::string packed = opt.compress ? gzip_compress(r) : std::string();
      const std::string_view m = opt.compress ? std::string_view(packed) : r;
      if (m.size() > opt.max_send)
        karga::detail::throw_error("a request message of " + std::to_string(m.size()) + " bytes is over the send limit of " +
                                   std::to_string(opt.max_send));
      append_message(body, m, opt.compress);
    }
    p.request_ = client_.make_request(boost::beast::http::verb::post, p.path_, std::move(body), headers_of(opt));
    p.options_ = std::move(opt);
    return p;
  }

  /// Opens a call to `method` whose messages are written as it goes and whose answer
  /// is read a message at a time (stream_call.hpp): a client or bidi stream written at
  /// a pace, say. The call starts at once; the channel must outlive it. Throws
  /// `karga::error` for a method or metadata that cannot go on the wire.
  boost::asio::awaitable<stream_call> open(call_kind kind, std::string_view method, call_options opt = {}) const {
    prepared_call p;
    p.path_ = path_of(method);
    p.kind_ = kind;
    // Its length is not known when it starts: no content-length.
    http::h2::request_form form = http::h2::make_request_form("POST", client_.base_url(), client_.base_url().base_path + p.path_,
                                                                 headers_of(opt), {});
    std::erase_if(form.fields, [](const http::h2::field& f) { return f.name == "content-length"; });
    p.request_ = http::prepared_request(std::string(), false, std::move(form));
    p.options_ = std::move(opt);
    co_return stream_call(client_, co_await boost::asio::this_coro::executor, std::move(p), options_.timeout);
  }

  /// Makes the call `p`.
  boost::asio::awaitable<call_result> call(const prepared_call& p) const {
    call_result out;
    out.messages_sent = p.messages();
    const bool keep = p.options().keep_messages || p.kind() == call_kind::unary || p.kind() == call_kind::client_streaming;
    detail::answer a{out, message_reader(p.options().max_receive), keep, std::chrono::steady_clock::now()};
    http::h2::stream s(co_await boost::asio::this_coro::executor);
    s.keep = true;
    s.on_data = &detail::answer::on_data;
    s.hook_arg = &a;
    a.stream = &s;
    const auto [kind, why] = co_await client_.exchange(p.request(), s, p.options().deadline);
    out.latency = std::chrono::steady_clock::now() - a.start;
    out.metadata = std::move(s.headers);
    detail::settle(out, p.kind(), p.options(), a, s, kind, why, options_.timeout);
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

  // A call's headers: gRPC's, then its metadata.
  static http::header_list headers_of(const call_options& opt) {
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
    return headers;
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
