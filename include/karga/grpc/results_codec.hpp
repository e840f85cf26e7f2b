#pragma once
/// @file grpc/results_codec.hpp
/// `grpc::aggregate` in results files (see karga/files/results_file.hpp), so that the
/// processes of one test merge (`--segment`, karga-merge).

#include <karga/files/results_file.hpp>
#include <karga/grpc/metrics.hpp>

namespace karga {

/// `grpc::aggregate` in results files: the basic figures, the calls by status with
/// their first messages, the message counts and the answers' timing.
template <>
struct codec<grpc::aggregate> {
  /// The type's name in the file.
  static constexpr std::string_view name = "karga.grpc.aggregate";
  /// Writes `a`.
  static void write(results_writer& w, const grpc::aggregate& a) {
    codec<basic_aggregate>::write(w, a.basic());
    w.u64(grpc::status_count);
    for (std::size_t i = 0; i < grpc::status_count; ++i) {
      w.u64(a.code_count(static_cast<grpc::status_code>(i)));
      w.str(a.first_message_of(static_cast<grpc::status_code>(i)));
    }
    w.u64(a.messages_sent());
    w.u64(a.messages_received());
    detail::write_histogram(w, a.time_to_first_message());
    detail::write_histogram(w, a.message_gaps());
  }
  /// Reads what `write` wrote.
  static grpc::aggregate read(results_reader& r) {
    grpc::aggregate a;
    a.basic() = codec<basic_aggregate>::read(r);
    if (r.u64("the number of gRPC status codes") != grpc::status_count) r.fail("another set of gRPC status codes");
    std::uint64_t calls = 0;
    for (std::size_t i = 0; i < grpc::status_count; ++i) {
      const auto n = r.u64("a status count");
      calls += n;
      a.restore_code(static_cast<grpc::status_code>(i), n, r.str("a status's first message"));
    }
    const basic_aggregate& b = a.basic();
    if (calls != b.ok() + b.failed() - b.exceptions().total()) r.fail("the status counts do not add up to the calls");
    const auto sent = r.u64("the messages sent"), received = r.u64("the messages received");
    auto first = detail::read_histogram(r, "the time-to-first-message histogram");
    auto gaps = detail::read_histogram(r, "the message-gap histogram");
    a.restore_messages(sent, received, std::move(first), std::move(gaps));
    return a;
  }
};

} // namespace karga
