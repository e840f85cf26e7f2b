#pragma once
/// @file grpc/metrics.hpp
/// The gRPC metric, aggregate and report: basic_aggregate's counts and latencies,
/// plus calls by status code (all 17, by name), the messages each way, and for the
/// answers: the time to the first message and the gaps between messages, an HDR
/// histogram each.

#include <karga/core/detail/format.hpp>
#include <karga/core/metric.hpp>
#include <karga/grpc/channel.hpp>
#include <karga/grpc/status.hpp>
#include <karga/measure/extends_basic.hpp>
#include <karga/measure/histogram.hpp>
#include <karga/report/basic_report.hpp>
#include <karga/reporters/detail/text_out.hpp>
#include <karga/reporters/json_reporter.hpp>
#include <karga/reporters/stdout_reporter.hpp>

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace karga::grpc {

/// One call's outcome. It succeeded when its status is OK.
struct metric {
  clock::duration latency{};             ///< as the action measured it
  status_code code = status_code::ok;    ///< the call's status
  std::uint64_t sent = 0;                ///< request messages
  std::uint64_t received = 0;            ///< answer messages
  std::uint64_t bytes = 0;               ///< answer messages' bytes
  clock::duration first_message{-1};     ///< to the first answer message; negative: none came
  std::vector<clock::duration> gaps;     ///< between answer messages
  std::string message;                   ///< what went wrong, when the status is not OK

  /// The status is OK.
  bool success() const noexcept { return code == status_code::ok; }

  /// Live labels (`karga::has_live_labels`): calls by status code.
  static constexpr unsigned live_label_count = status_count;
  /// The live label this call counts under: its status.
  unsigned live_label() const noexcept { return static_cast<unsigned>(code); }
  /// What live label `i` counts (Prometheus: `karga_grpc_calls_total{status="UNAVAILABLE"}`).
  static karga::live_label describe_live_label(unsigned i) {
    return {"grpc_calls", "status", std::string(to_string(static_cast<status_code>(i))), "gRPC calls by status code."};
  }
};

/// `r` as a metric, its latency the call's own (`r.latency`) unless `latency` is given.
inline metric to_metric(call_result&& r, std::optional<clock::duration> latency = std::nullopt) {
  return metric{latency.value_or(r.latency), r.code, r.messages_sent, r.messages_received, r.bytes_received,
                r.first_message, std::move(r.gaps), std::move(r.message)};
}

/// basic_aggregate plus calls by status (with the first message of each that is not
/// OK), messages each way, and the answers' timing.
class aggregate : public extends_basic {
public:
  /// Counts one call.
  void consume(const metric& m) {
    base_.consume(as_basic(m));
    count(m);
  }
  /// Counts one call, with the executor's timing.
  void consume(const metric& m, const timing& t) {
    base_.consume(as_basic(m), t);
    count(m);
  }
  /// Adds `o`'s counts (the first message of each status is kept).
  void merge(const aggregate& o) {
    base_.merge(o.base_);
    for (std::size_t i = 0; i < status_count; ++i) {
      codes_[i] += o.codes_[i];
      if (first_messages_[i].empty()) first_messages_[i] = o.first_messages_[i];
    }
    sent_ += o.sent_;
    received_ += o.received_;
    first_message_.merge(o.first_message_);
    gaps_.merge(o.gaps_);
  }

  /// Calls that ended with status `c`.
  std::uint64_t code_count(status_code c) const noexcept { return codes_[static_cast<std::size_t>(c)]; }
  /// The first message of a call that ended with status `c` (empty if none).
  const std::string& first_message_of(status_code c) const noexcept { return first_messages_[static_cast<std::size_t>(c)]; }
  /// Request messages sent.
  std::uint64_t messages_sent() const noexcept { return sent_; }
  /// Answer messages received.
  std::uint64_t messages_received() const noexcept { return received_; }
  /// From each call's start to its first answer message.
  const histogram& time_to_first_message() const noexcept { return first_message_; }
  /// Between an answer message and the next, over every stream.
  const histogram& message_gaps() const noexcept { return gaps_; }
  /// Calls that ended with the status named `name` ("UNAVAILABLE", "deadline_exceeded",
  /// "14", "OK"), for the threshold `status(NAME)`; nullopt for a name that is no status's.
  std::optional<std::uint64_t> calls_with_status(std::string_view name) const noexcept {
    if (const auto c = status_named(name)) return code_count(*c);
    return std::nullopt;
  }
  /// The same, for the threshold `errors(NAME)`: a call that did not end OK failed
  /// with its status.
  std::optional<std::uint64_t> errors_named(std::string_view name) const noexcept { return calls_with_status(name); }

  /// The answers' timing by the name thresholds give it: `msg` the gaps between a
  /// stream's messages (`msg.p(99) < 20ms`), `first_msg` the time to a call's first
  /// answer message; null for another name.
  const histogram* histogram_named(std::string_view name) const noexcept {
    return name == "msg" ? &gaps_ : name == "first_msg" ? &first_message_ : nullptr;
  }
  /// Sets the count of status `c` and its first message (for decoders).
  void restore_code(status_code c, std::uint64_t n, std::string first) {
    codes_[static_cast<std::size_t>(c)] = n;
    first_messages_[static_cast<std::size_t>(c)] = std::move(first);
  }
  /// Sets the message counts and the answers' timing (for decoders).
  void restore_messages(std::uint64_t sent, std::uint64_t received, histogram first_message, histogram gaps) {
    sent_ = sent;
    received_ = received;
    first_message_ = std::move(first_message);
    gaps_ = std::move(gaps);
  }

  friend bool operator==(const aggregate&, const aggregate&) = default;

private:
  static basic_metric as_basic(const metric& m) noexcept { return {m.latency, m.success(), m.bytes}; }
  void count(const metric& m) {
    const auto i = static_cast<std::size_t>(m.code);
    if (codes_[i]++ == 0 && m.code != status_code::ok && first_messages_[i].empty()) first_messages_[i] = m.message;
    sent_ += m.sent;
    received_ += m.received;
    if (m.first_message >= clock::duration::zero()) first_message_.record(m.first_message);
    for (const auto g : m.gaps) gaps_.record(g);
  }

  std::array<std::uint64_t, status_count> codes_{};
  std::array<std::string, status_count> first_messages_{};
  std::uint64_t sent_ = 0, received_ = 0;
  histogram first_message_, gaps_;
};

/// basic_report plus the calls by status, the messages and their timing.
struct report : basic_report {
  std::vector<std::pair<status_code, std::uint64_t>> codes;        ///< the codes that occurred, in code order
  std::vector<std::pair<status_code, std::string>> first_messages;    ///< the first message of each code but OK that occurred
  std::uint64_t messages_sent = 0;       ///< request messages
  std::uint64_t messages_received = 0;   ///< answer messages
  double messages_received_per_second = 0;  ///< answer messages / elapsed
  latency_summary time_to_first_message;  ///< from a call's start to its first answer message
  latency_summary message_gaps;           ///< between answer messages of a stream

  report() = default;
  /// The report of `a`.
  explicit report(const aggregate& a)
      : basic_report(a.basic()), messages_sent(a.messages_sent()), messages_received(a.messages_received()),
        time_to_first_message(a.time_to_first_message()), message_gaps(a.message_gaps()) {
    for (std::size_t i = 0; i < status_count; ++i) {
      const auto c = static_cast<status_code>(i);
      if (const auto n = a.code_count(c)) {
        codes.emplace_back(c, n);
        if (c != status_code::ok) first_messages.emplace_back(c, a.first_message_of(c));
      }
    }
    if (elapsed.count() > 0) messages_received_per_second = static_cast<double>(messages_received) / elapsed.count();
  }
};

/// gRPC's part of the JSON report: `"grpc": {"statuses": {"OK": n, …}, "first_messages":
/// {"UNAVAILABLE": "…"}, "messages": {"sent": n, "received": n, "received_per_second": x},
/// "time_to_first_message_ns": {…}, "message_gaps_ns": {…}}` (found by json_reporter).
inline void write_json_extras(karga::detail::json_writer& w, const report& r) {
  w.begin_object("grpc").begin_object("statuses");
  for (const auto& [c, n] : r.codes) w.field(to_string(c), n);
  w.end_object().begin_object("first_messages");
  for (const auto& [c, m] : r.first_messages) w.field(to_string(c), m);
  w.end_object().begin_object("messages").field("sent", r.messages_sent).field("received", r.messages_received)
      .field("received_per_second", r.messages_received_per_second).end_object();
  karga::detail::json_latency(w, "time_to_first_message_ns", r.time_to_first_message);
  karga::detail::json_latency(w, "message_gaps_ns", r.message_gaps);
  w.end_object();
}

/// The basic summary, then the codes, the messages and their timing.
inline std::string format_report(const report& r) {
  std::string out = karga::detail::format_basic(r);
  auto it = std::back_inserter(out);
  if (!r.codes.empty()) {
    fmt::format_to(it, "  {:<15}", "grpc status");
    for (const auto& [c, n] : r.codes) fmt::format_to(it, " {}×{}", to_string(c), n);
    out += '\n';
    for (const auto& [c, m] : r.first_messages)
      if (!m.empty()) fmt::format_to(it, "  {:<15} first {}: {}\n", "", to_string(c), m);
  }
  fmt::format_to(it, "  {:<15} sent {}  received {} ({:.1f}/s)\n", "messages", r.messages_sent, r.messages_received,
                 r.messages_received_per_second);
  karga::detail::append_latency(out, "first message", r.time_to_first_message);
  karga::detail::append_latency(out, "message gaps", r.message_gaps);
  karga::detail::append_thresholds(out, r);
  return out;
}

} // namespace karga::grpc
