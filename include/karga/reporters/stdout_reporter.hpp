#pragma once
/// @file reporters/stdout_reporter.hpp
/// A readable, aligned summary of a basic_report on the terminal.

#include <karga/core/detail/format.hpp>
#include <karga/report/basic_report.hpp>

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

namespace karga {

namespace detail {
inline void append_latency(std::string& out, const char* title, const latency_summary& s) {
  if (s.count == 0) return;
  const auto h = human_duration;
  fmt::format_to(std::back_inserter(out), "  {:<15} min {:>8}  mean {:>8}  stddev {:>8}  max {:>8}\n", title,
                 h(s.min), h(s.mean), h(s.stddev), h(s.max));
  fmt::format_to(std::back_inserter(out),
                 "  {:<15} p50 {:>8}  p90 {:>8}  p95 {:>8}  p99 {:>8}  p99.9 {:>8}  p99.99 {:>8}\n", "", h(s.p50),
                 h(s.p90), h(s.p95), h(s.p99), h(s.p999), h(s.p9999));
}

/// How a run ended early, in words: "stopped early by a signal (SIGINT)".
inline std::string stop_words(stop_reason why, int signal) {
  switch (why) {
    case stop_reason::none: return "";
    case stop_reason::signal:
      return signal == SIGINT ? "stopped early by a signal (SIGINT)"
             : signal == SIGTERM ? "stopped early by a signal (SIGTERM)"
                                 : "stopped early by a signal";
    case stop_reason::threshold: return "stopped early: a threshold failed";
    case stop_reason::requested: return "stopped early on request";
    case stop_reason::error: return "stopped early by an error";
  }
  return "";
}
} // namespace detail

namespace detail {
inline void append_thresholds(std::string& out, const basic_report& r) {
  for (const auto& t : r.thresholds)
    fmt::format_to(std::back_inserter(out), "  {:<15} {} {}  (observed {})\n", "threshold", t.passed ? "pass" : "FAIL",
                   t.expression, t.observed_text);
}

/// The summary without the thresholds (adapters add their lines before them).
inline std::string format_basic(const basic_report& r) {
  std::string out;
  auto it = std::back_inserter(out);
  const std::string stop = r.stopped() ? ", " + detail::stop_words(r.stop, r.signal) : "";
  if (!r.scenario.empty() || !r.model.empty())
    fmt::format_to(it, "  {:<15} {}{}{}\n", "scenario", r.scenario, r.scenario.empty() || r.model.empty() ? "" : ": ",
                   r.model);
  if (r.kind == load_kind::open) {
    fmt::format_to(it, "  {:<15} {} arrivals over {:.3f}s ({:.1f}/s){}\n", "scheduled", r.scheduled, r.planned.count(),
                   r.target_rate, stop);
    fmt::format_to(it, "  {:<15} {} in {:.3f}s (achieved {:.1f}/s, {:.2f}% of target)\n", "started", r.started,
                   r.elapsed.count(), r.achieved_rate,
                   r.scheduled ? 100.0 * static_cast<double>(r.started) / static_cast<double>(r.scheduled) : 0.0);
  } else {
    fmt::format_to(it, "  {:<15} {} iterations in {:.3f}s ({:.1f}/s){}\n", "started", r.started, r.elapsed.count(),
                   r.achieved_rate, stop);
  }
  if (r.scheduled == 0) fmt::format_to(it, "  {:<15} nothing was scheduled: the load model starts no action\n", "note");
  fmt::format_to(it, "  {:<15} ok {}  failed {}  dropped {}  interrupted {}  (success {:.2f}%)\n", "outcome",
                 r.ok, r.failed, r.dropped, r.interrupted, 100.0 * r.success_ratio);
  if (r.dropped_by_cap != 0 && r.dropped_late != 0)
    fmt::format_to(it, "  {:<15} {} at max_in_flight, {} late\n", "dropped", r.dropped_by_cap, r.dropped_late);
  else if (r.dropped != 0)
    fmt::format_to(it, "  {:<15} {}\n", "dropped", r.dropped_by_cap != 0 ? "all at max_in_flight" : "all late (the executor could not keep up)");
  fmt::format_to(it, "  {:<15} {}\n", "peak in flight", r.peak_in_flight);
  if (r.bytes) fmt::format_to(it, "  {:<15} {} ({}/s)\n", "bytes", detail::human_bytes(static_cast<double>(r.bytes)),
                              detail::human_bytes(r.bytes_per_second));
  detail::append_latency(out, "latency", r.latency);
  detail::append_latency(out, "from intended", r.response_time);
  detail::append_latency(out, "start lag", r.start_lag);
  for (const auto& [what, n] : r.exceptions) fmt::format_to(it, "  {:<15} {} × {}\n", "exception", n, what);
  if (r.other_exceptions) fmt::format_to(it, "  {:<15} {} × (other messages)\n", "exception", r.other_exceptions);
  return out;
}
} // namespace detail

/// The summary `stdout_reporter` prints, as a string: what was asked, what happened,
/// the latencies, the exceptions, the thresholds' verdicts.
inline std::string format_report(const basic_report& r) {
  std::string out = detail::format_basic(r);
  detail::append_thresholds(out, r);
  return out;
}

/// A report that has a text summary: `format_report(r)`, found by argument-
/// dependent lookup, returns it (adapters add their own, e.g. for HTTP reports).
template <class R>
concept formattable_report = requires(const R& r) {
  { format_report(r) } -> std::convertible_to<std::string>;
};

/// Prints a report's summary, `format_report(r)` (to stdout unless told otherwise).
struct stdout_reporter {
  std::FILE* out = stdout;  ///< where the summary goes

  /// Writes `format_report(r)` to `out`.
  template <formattable_report R>
  void report(const R& r) const {
    const std::string text = format_report(r);
    std::fwrite(text.data(), 1, text.size(), out);
    std::fflush(out);
  }
};

} // namespace karga
