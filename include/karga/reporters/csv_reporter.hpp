#pragma once
/// @file reporters/csv_reporter.hpp
/// The time series as CSV, one row per interval (RFC 4180, a header row first;
/// latencies in milliseconds). For the report of a `series_aggregate`.

#include <karga/report/series_report.hpp>
#include <karga/reporters/detail/text_out.hpp>

#include <fmt/format.h>

#include <string>

namespace karga {

/// The series of `r` as CSV.
template <class R>
  requires requires(const R& r) { r.series; }
std::string format_csv(const R& r) {
  std::string out =
      "start_s,end_s,scheduled,started,ok,failed,dropped,interrupted,starts,in_flight,users,bytes,target_rate,achieved_rate,"
      "latency_p50_ms,latency_p90_ms,latency_p99_ms,latency_max_ms,"
      "response_time_p50_ms,response_time_p90_ms,response_time_p99_ms,response_time_max_ms\n";
  auto ms = [](std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; };
  for (const auto& row : r.series.rows)
    fmt::format_to(std::back_inserter(out), "{:.3f},{:.3f},{},{},{},{},{},{},{},{},{:.2f},{},{:.3f},{:.3f},{},{},{},{},{},{},{},{}\n",
                   row.start, row.end, row.scheduled, row.started, row.ok, row.failed, row.dropped, row.interrupted,
                   row.starts, row.in_flight, row.users, row.bytes, row.target_rate, row.achieved_rate, ms(row.p50), ms(row.p90),
                   ms(row.p99), ms(row.max), ms(row.rt_p50), ms(row.rt_p90), ms(row.rt_p99), ms(row.rt_max));
  return out;
}

/// Writes `format_csv(r)` to a file.
struct csv_reporter {
  std::string path;  ///< the file written (replaced)
  /// Writes `r` to `path`; throws `karga::error` if it cannot.
  template <class R>
    requires requires(const R& r) { r.series; }
  void report(const R& r) const {
    detail::write_file(path, format_csv(r));
  }
};

} // namespace karga
