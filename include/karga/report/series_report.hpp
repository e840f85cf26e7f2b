#pragma once
/// @file report/series_report.hpp
/// A time series as rows, one per interval, and the report of a `series_aggregate`:
/// its base aggregate's report with the series beside it.

#include <karga/core/run_info.hpp>
#include <karga/measure/series_aggregate.hpp>
#include <karga/measure/time_series.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

namespace karga {

/// One interval of a run. Counts are of the arrivals due in the interval (by their
/// intended start), except `starts`, `in_flight` and rates said otherwise.
struct interval_row {
  double start = 0;                 ///< seconds from the run's start
  double end = 0;  ///< seconds from the run's start
  std::uint64_t scheduled = 0;      ///< arrivals due (open); actions started (closed)
  std::uint64_t started = 0;        ///< ok + failed + interrupted
  std::uint64_t ok = 0;  ///< actions that succeeded
  std::uint64_t failed = 0;  ///< actions that failed (thrown exceptions included)
  std::uint64_t dropped = 0;        ///< due, never started (open models)
  std::uint64_t interrupted = 0;  ///< actions cancelled at the end of the grace period
  std::uint64_t starts = 0;         ///< actions that started during the interval, whenever due
  std::uint64_t in_flight = 0;      ///< actions running at the interval's end
  double users = 0;                 ///< closed models: mean active virtual users
  std::uint64_t bytes = 0;  ///< what the actions reported
  double target_rate = 0;           ///< scheduled per second (open models; 0 for closed)
  double achieved_rate = 0;         ///< started per second
  std::chrono::nanoseconds p50{};     ///< the actions' own latency, median
  std::chrono::nanoseconds p90{};     ///< the actions' own latency, 90th percentile
  std::chrono::nanoseconds p99{};     ///< the actions' own latency, 99th percentile
  std::chrono::nanoseconds max{};     ///< the actions' own latency, greatest
  std::chrono::nanoseconds rt_p50{};  ///< from the intended start, median
  std::chrono::nanoseconds rt_p90{};  ///< from the intended start, 90th percentile
  std::chrono::nanoseconds rt_p99{};  ///< from the intended start, 99th percentile
  std::chrono::nanoseconds rt_max{};  ///< from the intended start, greatest
  friend bool operator==(const interval_row&, const interval_row&) = default;
};

/// A run interval by interval: a row per interval, from the start to the last one in
/// which something was due.
struct series_report {
  std::chrono::duration<double> interval{};  ///< the length of every interval
  load_kind kind = load_kind::open;  ///< open: rows have a target rate and drops
  std::vector<interval_row> rows;  ///< from the first interval to the last in which something was due
  std::uint64_t unattributed_interrupted = 0;  ///< interrupted actions that never ended
  time_series data;                            ///< the distributions, for reporters that draw or encode them

  series_report() = default;
  /// The rows of `s`.
  explicit series_report(const time_series& s) : interval(s.interval()), kind(s.kind()),
        unattributed_interrupted(s.unattributed_interrupted()), data(s) {
    const auto& all = s.intervals();
    const double seconds = interval.count();
    std::uint64_t starts = 0, ends = 0;
    for (std::size_t k = 0; k < all.size(); ++k) {
      const interval_figures& f = all[k];
      interval_row r;
      r.start = seconds * static_cast<double>(k);
      r.end = seconds * static_cast<double>(k + 1);
      r.scheduled = f.scheduled;
      r.started = f.started();
      r.ok = f.ok;
      r.failed = f.failed;
      r.interrupted = f.interrupted;
      r.dropped = kind == load_kind::open && f.scheduled > r.started ? f.scheduled - r.started : 0;
      r.starts = f.starts;
      starts += f.starts;
      ends += f.ends;
      r.in_flight = starts > ends ? starts - ends : 0;
      r.bytes = f.bytes;
      r.users = static_cast<double>(f.user_ns) / (seconds * 1e9);
      r.target_rate = kind == load_kind::open ? static_cast<double>(f.scheduled) / seconds : 0.0;
      r.achieved_rate = static_cast<double>(r.started) / seconds;
      r.p50 = ns(f.latency.percentile(50));
      r.p90 = ns(f.latency.percentile(90));
      r.p99 = ns(f.latency.percentile(99));
      r.max = ns(f.latency.max());
      r.rt_p50 = ns(f.response_time.percentile(50));
      r.rt_p90 = ns(f.response_time.percentile(90));
      r.rt_p99 = ns(f.response_time.percentile(99));
      r.rt_max = ns(f.response_time.max());
      rows.push_back(r);
    }
    // Intervals after the load model, in which nothing was due, are not rows (their
    // last actions' starts and ends are counted in the data).
    while (!rows.empty() && rows.back().scheduled == 0 && rows.back().started == 0) rows.pop_back();
  }

  friend bool operator==(const series_report&, const series_report&) = default;

private:
  static std::chrono::nanoseconds ns(std::uint64_t v) { return std::chrono::nanoseconds(static_cast<std::int64_t>(v)); }
};

/// The report of a `series_aggregate<A>`: `R`, the report of `A`, and the series.
template <class R>
struct report_with_series : R {
  series_report series;  ///< the run, interval by interval

  report_with_series() = default;
  /// The report of `a`'s base aggregate, and its series.
  template <class A, unsigned IntervalMs>
  explicit report_with_series(const series_aggregate<A, IntervalMs>& a) : R(a.base()), series(a.series()) {}
};

} // namespace karga
