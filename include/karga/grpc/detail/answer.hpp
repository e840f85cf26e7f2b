#pragma once
/// @file grpc/detail/answer.hpp
/// A call's answer as it comes (each message counted, timed and, if asked, kept), and
/// the status the call comes to. Shared by the calls made whole (`channel::call`) and
/// those written as they go (`stream_call`).

#include <karga/core/detail/format.hpp>
#include <karga/grpc/call.hpp>
#include <karga/grpc/framing.hpp>
#include <karga/grpc/gzip.hpp>
#include <karga/grpc/status.hpp>
#include <karga/http/client.hpp>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace karga::grpc::detail {

/// The answer's messages, read as they come from the stream's DATA.
struct answer {
  using clock = std::chrono::steady_clock;

  call_result& out;
  message_reader reader;
  bool keep;                 // keep the messages in `out.messages`
  clock::time_point start;   // the call's
  clock::time_point last{};  // the last message's arrival
  const http::h2::stream* stream = nullptr;
  boost::asio::steady_timer* arrived = nullptr;  // cancelled at each message (a reader waits on it)
  bool bad_encoding = false;
  bool too_large_unpacked = false;

  /// `h2::stream::on_data`, with the answer as its argument.
  static void on_data(void* arg, std::string_view piece) {
    auto& a = *static_cast<answer*>(arg);
    a.reader.feed(piece, [&a](std::string_view m, bool compressed) { a.message(m, compressed); });
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
    if (arrived) arrived->cancel();
  }
};

/// The call's status in `out`, from what ended its stream `s` (`kind`, `why`), the
/// answer's headers and trailers (`out.metadata`) and its messages; `timeout` is the
/// channel's, for a call without a deadline.
inline void settle(call_result& out, call_kind call, const call_options& options, answer& a, const http::h2::stream& s,
                   http::error_kind kind, const std::string& why, std::chrono::steady_clock::duration timeout) {
  using clock = std::chrono::steady_clock;
  auto fail = [&out](status_code c, std::string m) {
    out.code = c;
    out.message = std::move(m);
  };
  if (kind != http::error_kind::none) {
    if (kind == http::error_kind::timeout)
      return fail(status_code::deadline_exceeded,
                  options.deadline != clock::duration{}
                      ? "the deadline passed (" + karga::detail::human_duration(options.deadline) + ")"
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
  a.reader.finish();
  if (a.too_large_unpacked)
    return fail(status_code::resource_exhausted,
                "a compressed answer message comes to more than the limit of " + std::to_string(a.reader.max_message()) +
                    " bytes");
  if (a.reader.error() == framing_error::too_large)
    return fail(status_code::resource_exhausted, "an answer message of " + std::to_string(a.reader.refused_length()) +
                                                     " bytes is over the limit of " + std::to_string(a.reader.max_message()));
  if (a.reader.error() != framing_error::none) return fail(status_code::internal, std::string(to_string(a.reader.error())));
  if (a.bad_encoding) return fail(status_code::internal, "a compressed message the answer's grpc-encoding cannot decode");
  const std::string_view status = header("grpc-status");
  const auto code = parse_grpc_status(status);
  if (!code)
    return fail(status_code::internal, status.empty() ? "the answer ended without grpc-status"
                                                      : "grpc-status \"" + std::string(status) + "\" is not a number");
  if (*code != status_code::ok) return fail(*code, decode_grpc_message(header("grpc-message")));
  const bool one = call == call_kind::unary || call == call_kind::client_streaming;
  if (one && out.messages_received != 1)
    return fail(status_code::internal,
                "the answer to a call of one response carried " + std::to_string(out.messages_received) + " messages");
}

} // namespace karga::grpc::detail
