#pragma once
/// @file push/influxdb.hpp
/// Live samples and a run's time series in InfluxDB's line protocol, for its v1
/// `/write` API (which VictoriaMetrics also takes). Measurements:
///
/// | measurement       | tags                          | fields                                           |
/// |-------------------|-------------------------------|--------------------------------------------------|
/// | `karga`           | scenario, the extra tags      | totals so far (integers), rates, latency ms, `final` |
/// | `karga_COUNTER`   | scenario, the label, extra    | `total`: a labelled counter (status, error kind) so far |
/// | `karga_series`    | scenario, extra               | one point per interval of the report's series, exact: what `--out csv` writes |
///
/// Live points are stamped with the time they were taken; the series, sent once the
/// run is over, with the wall-clock start of each interval.

#include <karga/core/error.hpp>
#include <karga/push/http_push.hpp>
#include <karga/push/live_push.hpp>
#include <karga/report/basic_report.hpp>

#include <boost/asio/awaitable.hpp>

#include <fmt/format.h>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace karga {

/// Tags every point carries besides `scenario` (a segment, a host).
using influxdb_tags = std::vector<std::pair<std::string, std::string>>;

namespace detail {
/// A measurement name, tag key or tag value, escaped: commas, spaces and (not for
/// measurements, but harmless there) equals signs take a backslash.
inline std::string influx_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == ',' || c == ' ' || c == '=' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

inline std::string influx_tags(std::string_view scenario, const influxdb_tags& extra) {
  std::string out = ",scenario=" + influx_escape(scenario.empty() ? "-" : scenario);
  for (const auto& [k, v] : extra)
    if (!v.empty()) out += "," + influx_escape(k) + "=" + influx_escape(v);
  return out;
}

inline std::int64_t unix_ns(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

inline double ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }
} // namespace detail

/// The lines of a batch of live samples (measurements `karga` and `karga_COUNTER`).
inline std::string influxdb_lines(std::span<const stamped_sample> batch, const influxdb_tags& extra = {}) {
  std::string out;
  auto line = std::back_inserter(out);
  for (const auto& [s, at] : batch) {
    const std::string tags = detail::influx_tags(s.scenario, extra);
    const std::int64_t ts = detail::unix_ns(at);
    fmt::format_to(line,
                   "karga{} scheduled={}i,started={}i,ok={}i,failed={}i,dropped={}i,interrupted={}i,in_flight={}i,users={}i,"
                   "bytes={}i,target_rate={},achieved_rate={},latency_p50_ms={},latency_p90_ms={},latency_p99_ms={},"
                   "latency_max_ms={},elapsed_s={},final={} {}\n",
                   tags, s.scheduled, s.started, s.ok, s.failed, s.dropped, s.interrupted, s.in_flight, s.users, s.bytes,
                   s.target_rate, s.achieved_rate, detail::ms(s.p50), detail::ms(s.p90), detail::ms(s.p99), detail::ms(s.max),
                   std::chrono::duration<double>(s.elapsed).count(), s.final ? "true" : "false", ts);
    for (const auto& [label, n] : s.labels)
      fmt::format_to(line, "karga_{}{},{}={} total={}i {}\n", detail::influx_escape(label.counter), tags,
                     detail::influx_escape(label.name), detail::influx_escape(label.value.empty() ? "-" : label.value), n, ts);
  }
  return out;
}

/// The live format for `live_push`: POST of line protocol (the URL names the
/// database: `http://HOST:8086/write?db=NAME`).
inline live_format influxdb_format(influxdb_tags extra = {}) {
  live_format f;
  f.name = "influxdb";
  f.content_type = "text/plain; charset=utf-8";
  f.encode = [extra = std::move(extra)](std::span<const stamped_sample> batch) { return influxdb_lines(batch, extra); };
  return f;
}

/// The lines of a report's time series (measurement `karga_series`): per interval,
/// the figures `--out csv` writes, stamped with the interval's wall-clock start.
template <class R>
  requires std::derived_from<R, basic_report> && requires(const R& r) { r.series; }
std::string influxdb_series_lines(const R& r, const influxdb_tags& extra = {}) {
  std::string out;
  const std::string tags = detail::influx_tags(r.scenario, extra);
  for (const auto& row : r.series.rows) {
    const auto at = r.started_at + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       std::chrono::duration<double>(row.start));
    fmt::format_to(std::back_inserter(out),
                   "karga_series{} scheduled={}i,started={}i,ok={}i,failed={}i,dropped={}i,interrupted={}i,in_flight={}i,"
                   "bytes={}i,target_rate={},achieved_rate={},latency_p50_ms={},latency_p90_ms={},latency_p99_ms={},"
                   "latency_max_ms={},start_s={},end_s={} {}\n",
                   tags, row.scheduled, row.started, row.ok, row.failed, row.dropped, row.interrupted, row.in_flight, row.bytes,
                   row.target_rate, row.achieved_rate, detail::ms(row.p50), detail::ms(row.p90), detail::ms(row.p99),
                   detail::ms(row.max), row.start, row.end, detail::unix_ns(at));
  }
  return out;
}

/// Writes a report's time series to InfluxDB once the run is over (an asynchronous
/// reporter): the exact intervals beside the live points. Throws `karga::error`
/// when no attempt was taken.
struct influxdb_series_reporter {
  push_target target;    ///< `http://HOST:8086/write?db=NAME`
  push_options options;  ///< headers, authorization, timeout, retries
  influxdb_tags tags;    ///< besides `scenario`

  /// Sends the series of `r`, awaited on the caller's executor.
  template <class R>
    requires std::derived_from<R, basic_report> && requires(const R& r) { r.series; }
  boost::asio::awaitable<void> report(const R& r) const {
    const push_outcome out = co_await http_push(target, options, boost::beast::http::verb::post, "text/plain; charset=utf-8",
                                                influxdb_series_lines(r, tags));
    if (!out.ok) throw error(fmt::format("push the series to InfluxDB at {}: {}", target.url, out.describe()));
  }
};

} // namespace karga
