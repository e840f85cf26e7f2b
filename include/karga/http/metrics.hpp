#pragma once
/// @file http/metrics.hpp
/// The HTTP metric, aggregate and report: basic_aggregate's counts and latencies,
/// plus how many responses had each status code and how many requests failed with
/// each error kind.

#include <karga/http/client.hpp>
#include <karga/measure/basic_aggregate.hpp>
#include <karga/measure/extends_basic.hpp>
#include <karga/core/detail/format.hpp>
#include <karga/report/basic_report.hpp>
#include <karga/reporters/detail/text_out.hpp>
#include <karga/reporters/stdout_reporter.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <concepts>
#include <map>
#include <optional>
#include <string_view>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace karga::http {

/// One request's outcome. It succeeded when a response came with a status below 400.
struct metric {
  clock::duration latency{};  ///< as the action measured it
  unsigned status = 0;                    ///< 0 when no response came
  std::uint64_t bytes = 0;                ///< response body bytes
  error_kind error = error_kind::none;  ///< why no response came
  std::string message;                    ///< what went wrong, when no response came
  unsigned protocol = 1;                  ///< the HTTP it was sent with: 1 (HTTP/1.1) or 2 (HTTP/2)
  std::uint64_t header_wire_bytes = 0;    ///< HTTP/2: request and response HEADERS frames, HPACK-coded
  std::uint64_t header_plain_bytes = 0;   ///< HTTP/2: the same fields as text
  /// When the response reached the socket (the kernel's stamp), if the action passed it
  /// on (`to_metric(r, start)`): executors end the action's timing there
  /// (`karga::arrival_timing`), not when they saw it end. The epoch: not known.
  clock::time_point received{};

  /// A response with a status below 400.
  bool success() const noexcept { return error == error_kind::none && status > 0 && status < 400; }

  // Live labels (`karga::has_live_labels`): responses by status, failures by kind.
  /// Live labels: the statuses 100 to 599, "other", then the error kinds.
  static constexpr unsigned live_label_count = 500 + 1 + (static_cast<unsigned>(error_kind::other));
  /// The live label this request counts under: its status, or its error's kind.
  unsigned live_label() const noexcept {
    if (error != error_kind::none) return 500 + static_cast<unsigned>(error);
    return status >= 100 && status < 600 ? status - 100 : 500;
  }
  /// What live label `i` counts (Prometheus: `karga_http_responses_total{status="503"}`).
  static karga::live_label describe_live_label(unsigned i) {
    constexpr const char* responses = "HTTP responses by status code.";
    if (i < 500) return {"http_responses", "status", std::to_string(i + 100), responses};
    if (i == 500) return {"http_responses", "status", "other", responses};
    return {"http_errors", "kind", std::string(to_string(static_cast<error_kind>(i - 500))),
            "HTTP requests that got no response, by kind of error."};
  }
};

/// `r` as a metric, with the latency the action measured.
template <class Response>
metric to_metric(const basic_result<Response>& r, clock::duration latency) {
  return r ? metric{latency, r->status(), r->body_bytes, error_kind::none, {}, r.protocol(), r->header_wire_bytes,
                    r->header_plain_bytes}
           : metric{latency, 0, 0, r.error(), r.message(), r.protocol(), 0, 0};
}

/// `r` as a metric, timed from `start` (taken before the request) to when the response
/// reached the socket, if the client knows (`response::received`), else to now: a
/// response read late is still timed by when it came. (A template on `start`'s type,
/// so that `to_metric(r, {})` still means a zero latency.)
template <class Response, std::same_as<clock::time_point> TimePoint>
metric to_metric(const basic_result<Response>& r, TimePoint start) {
  const clock::time_point received = r ? r->received : clock::time_point{};
  const clock::time_point end = received != clock::time_point{} ? std::max(received, start) : clock::now();
  metric m = to_metric(r, end - start);
  m.received = received;
  return m;
}

/// How many error kinds there are (`none` included).
inline constexpr std::size_t error_kind_count = static_cast<std::size_t>(error_kind::other) + 1;

/// basic_aggregate plus counts by status code (100–599) and by error kind, with the
/// first message seen of each kind.
class aggregate : public extends_basic {
public:
  /// Counts one request.
  void consume(const metric& m) {
    base_.consume(as_basic(m));
    count(m);
  }
  /// Counts one request, with the executor's timing.
  void consume(const metric& m, const timing& t) {
    base_.consume(as_basic(m), t);
    count(m);
  }

  /// Adds `o`'s counts (the first message of each kind is kept).
  void merge(const aggregate& o) {
    base_.merge(o.base_);
    for (std::size_t i = 0; i < statuses_.size(); ++i) statuses_[i] += o.statuses_[i];
    for (std::size_t i = 0; i < errors_.size(); ++i) {
      errors_[i] += o.errors_[i];
      if (first_messages_[i].empty()) first_messages_[i] = o.first_messages_[i];
    }
    other_statuses_ += o.other_statuses_;
    http1_ += o.http1_;
    http2_ += o.http2_;
    header_wire_ += o.header_wire_;
    header_plain_ += o.header_plain_;
  }

  /// Responses with status `code` (100–599; others are counted together as 0).
  std::uint64_t status_count(unsigned code) const noexcept {
    return code >= 100 && code < 600 ? statuses_[code - 100] : other_statuses_;
  }
  /// Requests that got no response for reason `k`.
  std::uint64_t error_count(error_kind k) const noexcept { return errors_[static_cast<std::size_t>(k)]; }
  /// Requests sent over HTTP/`version` (1 or 2).
  std::uint64_t protocol_count(unsigned version) const noexcept { return version == 2 ? http2_ : http1_; }
  /// HTTP/2: the HEADERS frames' bytes, HPACK-coded, both ways.
  std::uint64_t header_wire_bytes() const noexcept { return header_wire_; }
  /// HTTP/2: the same header fields as text ("name: value\r\n" each).
  std::uint64_t header_plain_bytes() const noexcept { return header_plain_; }
  /// Sets the counts by protocol and the header bytes (for decoders).
  void restore_protocols(std::uint64_t http1, std::uint64_t http2, std::uint64_t wire, std::uint64_t plain) noexcept {
    http1_ = http1;
    http2_ = http2;
    header_wire_ = wire;
    header_plain_ = plain;
  }
  /// Sets the counts of status code `code` (100–599; others: 0) and of error kind
  /// `k` with its first message (for decoders).
  void restore_status(unsigned code, std::uint64_t n) noexcept {
    (code >= 100 && code < 600 ? statuses_[code - 100] : other_statuses_) = n;
  }
  /// Sets the count of error kind `k` and its first message (for decoders).
  void restore_error(error_kind k, std::uint64_t n, std::string first) {
    errors_[static_cast<std::size_t>(k)] = n;
    first_messages_[static_cast<std::size_t>(k)] = std::move(first);
  }
  /// The first message seen of errors of kind `k` (empty if none).
  const std::string& first_message(error_kind k) const noexcept { return first_messages_[static_cast<std::size_t>(k)]; }
  /// Requests that failed with the error kind named `name` ("timeout", "refused", …),
  /// for the threshold `errors(NAME)`; nullopt for a name that is no kind's.
  std::optional<std::uint64_t> errors_named(std::string_view name) const noexcept {
    for (std::size_t k = 1; k < error_kind_count; ++k)
      if (to_string(static_cast<error_kind>(k)) == name) return errors_[k];
    return std::nullopt;
  }

  friend bool operator==(const aggregate&, const aggregate&) = default;

private:
  static basic_metric as_basic(const metric& m) noexcept { return {m.latency, m.success(), m.bytes}; }
  void count(const metric& m) {
    ++(m.protocol == 2 ? http2_ : http1_);
    header_wire_ += m.header_wire_bytes;
    header_plain_ += m.header_plain_bytes;
    if (m.error != error_kind::none) {
      const auto k = static_cast<std::size_t>(m.error);
      if (errors_[k]++ == 0 && first_messages_[k].empty()) first_messages_[k] = m.message;
    }
    else if (m.status >= 100 && m.status < 600)
      ++statuses_[m.status - 100];
    else
      ++other_statuses_;
  }

  std::array<std::uint64_t, 500> statuses_{};
  std::array<std::uint64_t, error_kind_count> errors_{};
  std::array<std::string, error_kind_count> first_messages_{};
  std::uint64_t other_statuses_ = 0;
  std::uint64_t http1_ = 0, http2_ = 0, header_wire_ = 0, header_plain_ = 0;
};

/// basic_report plus the status codes seen and the errors by kind.
struct report : basic_report {
  /// Responses by status code, for the codes that occurred: `statuses.at(503)` is the
  /// count of 503s. Code 0 counts the statuses outside 100–599 ("other").
  std::map<unsigned, std::uint64_t> statuses;
  std::vector<std::pair<error_kind, std::uint64_t>> errors;   ///< kinds that occurred
  std::vector<std::pair<error_kind, std::string>> first_messages;  ///< the first message of each kind that occurred
  /// The HTTP the requests were sent with: "HTTP/1.1", "HTTP/2", or both ("HTTP/1.1 and
  /// HTTP/2"); empty when none was sent.
  std::string protocol;
  std::uint64_t header_wire_bytes = 0;   ///< HTTP/2: the HEADERS frames' bytes, HPACK-coded, both ways
  std::uint64_t header_plain_bytes = 0;  ///< HTTP/2: the same header fields as text
  /// HTTP/2: the share of the headers' text HPACK saved on the wire (0 without HTTP/2).
  double hpack_saving = 0;

  report() = default;
  /// The report of `a`.
  explicit report(const aggregate& a)
      : basic_report(a.basic()), header_wire_bytes(a.header_wire_bytes()), header_plain_bytes(a.header_plain_bytes()) {
    const bool one = a.protocol_count(1) != 0, two = a.protocol_count(2) != 0;
    protocol = one && two ? "HTTP/1.1 and HTTP/2" : two ? "HTTP/2" : one ? "HTTP/1.1" : "";
    if (header_plain_bytes != 0)
      hpack_saving = 1.0 - static_cast<double>(header_wire_bytes) / static_cast<double>(header_plain_bytes);
    for (unsigned code = 100; code < 600; ++code)
      if (auto n = a.status_count(code)) statuses.emplace(code, n);
    if (auto n = a.status_count(0)) statuses.emplace(0, n);
    for (std::size_t k = 1; k < error_kind_count; ++k)
      if (auto n = a.error_count(static_cast<error_kind>(k))) {
        errors.emplace_back(static_cast<error_kind>(k), n);
        first_messages.emplace_back(static_cast<error_kind>(k), a.first_message(static_cast<error_kind>(k)));
      }
  }
};

/// HTTP's part of the JSON report: `"http": {"statuses": {"200": n}, "errors":
/// {"refused": {"count": n, "first_message": "…"}}}` (found by json_reporter).
inline void write_json_extras(karga::detail::json_writer& w, const report& r) {
  w.begin_object("http").field("protocol", r.protocol);
  w.begin_object("header_bytes").field("wire", r.header_wire_bytes).field("plain", r.header_plain_bytes)
      .field("hpack_saving", r.hpack_saving).end_object();
  w.begin_object("statuses");
  for (const auto& [code, n] : r.statuses) w.field(code == 0 ? std::string("other") : std::to_string(code), n);
  w.end_object().begin_object("errors");
  for (std::size_t i = 0; i < r.errors.size(); ++i)
    w.begin_object(to_string(r.errors[i].first))
        .field("count", r.errors[i].second)
        .field("first_message", r.first_messages[i].second)
        .end_object();
  w.end_object().end_object();
}

/// The basic summary, then a line of status codes and one of errors by kind.
inline std::string format_report(const report& r) {
  std::string out = karga::detail::format_basic(r);
  auto it = std::back_inserter(out);
  if (!r.protocol.empty()) {
    fmt::format_to(it, "  {:<15} {}", "protocol", r.protocol);
    if (r.header_plain_bytes != 0)
      fmt::format_to(it, ", headers {} on the wire for {} of text (HPACK saved {:.1f}%)",
                     karga::detail::human_bytes(static_cast<double>(r.header_wire_bytes)),
                     karga::detail::human_bytes(static_cast<double>(r.header_plain_bytes)), 100.0 * r.hpack_saving);
    out += '\n';
  }
  if (!r.statuses.empty()) {
    fmt::format_to(it, "  {:<15}", "status");
    for (const auto& [code, n] : r.statuses) fmt::format_to(it, " {}×{}", code == 0 ? std::string("other") : std::to_string(code), n);
    out += '\n';
  }
  if (!r.errors.empty()) {
    fmt::format_to(it, "  {:<15}", "errors");
    for (const auto& [kind, n] : r.errors) fmt::format_to(it, " {}×{}", to_string(kind), n);
    out += '\n';
    for (const auto& [kind, message] : r.first_messages)
      if (!message.empty()) fmt::format_to(it, "  {:<15} first {}: {}\n", "", to_string(kind), message);
  }
  karga::detail::append_thresholds(out, r);
  return out;
}

} // namespace karga::http
