#pragma once
/// @file grpc/call.hpp
/// What a gRPC call is: its kind, its settings, what it came to, and a call prepared
/// once to make many times (its HTTP/2 request built ahead).

#include <karga/grpc/framing.hpp>
#include <karga/grpc/status.hpp>
#include <karga/http/client.hpp>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
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
  /// The longest request message sent, as it goes on the wire (compressed if it is);
  /// none by default, as gRPC's clients. A longer one is refused: by `prepare`, with a
  /// `karga::error`; by `stream_call::write`, ending the call RESOURCE_EXHAUSTED.
  std::size_t max_send = std::numeric_limits<std::size_t>::max();
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

} // namespace karga::grpc
