#pragma once
/// @file reporters/json_reporter.hpp
/// The whole report as JSON — totals, latency summaries, exceptions, threshold
/// verdicts, an adapter's extras (HTTP statuses and errors) and the time series — with
/// the stable field names of docs/reports.md.

#include <karga/core/version.hpp>
#include <karga/report/basic_report.hpp>
#include <karga/report/series_report.hpp>
#include <karga/reporters/detail/text_out.hpp>

#include <string>
#include <string_view>

namespace karga {

namespace detail {
inline void json_latency(json_writer& w, std::string_view key, const latency_summary& s) {
  w.begin_object(key)
      .field("count", s.count)
      .field("min", s.min.count())
      .field("mean", s.mean.count())
      .field("stddev", s.stddev.count())
      .field("max", s.max.count())
      .field("p50", s.p50.count())
      .field("p90", s.p90.count())
      .field("p95", s.p95.count())
      .field("p99", s.p99.count())
      .field("p99_9", s.p999.count())
      .field("p99_99", s.p9999.count())
      .end_object();
}

inline void json_series(json_writer& w, const series_report& s) {
  w.begin_object("series")
      .field("interval_s", s.interval.count())
      .field("unattributed_interrupted", s.unattributed_interrupted)
      .begin_array("intervals");
  for (const auto& r : s.rows) {
    w.begin_object()
        .field("start_s", r.start)
        .field("end_s", r.end)
        .field("scheduled", r.scheduled)
        .field("started", r.started)
        .field("ok", r.ok)
        .field("failed", r.failed)
        .field("dropped", r.dropped)
        .field("interrupted", r.interrupted)
        .field("starts", r.starts)
        .field("in_flight", r.in_flight)
        .field("users", r.users)
        .field("bytes", r.bytes)
        .field("target_rate", r.target_rate)
        .field("achieved_rate", r.achieved_rate)
        .field("latency_p50_ns", r.p50.count())
        .field("latency_p90_ns", r.p90.count())
        .field("latency_p99_ns", r.p99.count())
        .field("latency_max_ns", r.max.count())
        .field("response_time_p50_ns", r.rt_p50.count())
        .field("response_time_p90_ns", r.rt_p90.count())
        .field("response_time_p99_ns", r.rt_p99.count())
        .field("response_time_max_ns", r.rt_max.count())
        .end_object();
  }
  w.end_array().end_object();
}
} // namespace detail

/// The report as a JSON document.
template <class R>
  requires std::derived_from<R, basic_report>
std::string format_json(const R& r) {
  detail::json_writer w;
  w.begin_object();
  w.begin_object("karga").field("format", 1).field("version", version).end_object();
  w.field("scenario", r.scenario)
      .field("model", r.model)
      .field("kind", r.kind == load_kind::open ? "open" : "closed")
      .field("started_at", detail::utc_time(r.started_at))
      .field("threads", r.threads)
      .field("stop", to_string(r.stop))
      .field("signal", r.signal)
      .field("scheduled", r.scheduled)
      .field("planned_s", r.planned.count())
      .field("target_rate", r.target_rate)
      .field("elapsed_s", r.elapsed.count())
      .field("started", r.started)
      .field("ok", r.ok)
      .field("failed", r.failed)
      .field("dropped", r.dropped)
      .field("dropped_by_cap", r.dropped_by_cap)
      .field("dropped_late", r.dropped_late)
      .field("interrupted", r.interrupted)
      .field("achieved_rate", r.achieved_rate)
      .field("success_ratio", r.success_ratio)
      .field("peak_in_flight", r.peak_in_flight)
      .field("bytes", r.bytes)
      .field("bytes_per_second", r.bytes_per_second);
  detail::json_latency(w, "latency_ns", r.latency);
  detail::json_latency(w, "response_time_ns", r.response_time);
  detail::json_latency(w, "start_lag_ns", r.start_lag);
  w.begin_array("exceptions");
  for (const auto& [what, n] : r.exceptions) w.begin_object().field("message", what).field("count", n).end_object();
  w.end_array().field("other_exceptions", r.other_exceptions);
  w.field("thresholds_passed", r.thresholds_passed()).begin_array("thresholds");
  for (const auto& t : r.thresholds)
    w.begin_object()
        .field("expression", t.expression)
        .field("passed", t.passed)
        .field("observed", t.observed)
        .field("observed_text", t.observed_text)
        .field("abort_on_fail", t.abort_on_fail)
        .end_object();
  w.end_array();
  if constexpr (requires { write_json_extras(w, r); }) write_json_extras(w, r);  // an adapter's (by ADL)
  if constexpr (requires { r.series; }) detail::json_series(w, r.series);
  w.end_object();
  return w.take() + "\n";
}

/// Writes `format_json(r)` to a file.
struct json_reporter {
  std::string path;  ///< the file written (replaced)
  /// Writes `r` to `path`; throws `karga::error` if it cannot.
  template <class R>
    requires std::derived_from<R, basic_report>
  void report(const R& r) const {
    detail::write_file(path, format_json(r));
  }
};

} // namespace karga
