#pragma once
/// @file measure/series_aggregate.hpp
/// `series_aggregate<A>`: any aggregate `A`, and its run interval by interval.
///
/// ```cpp
/// using by_second = karga::series_aggregate<karga::basic_aggregate>;  // 1 s intervals
/// auto r = karga::scenario<by_second>::builder().action(action).executor(executor).build().run();
/// karga::basic_report totals{r.base()};
/// karga::series_report seconds{r.series()};  // seconds.rows: one row per interval
/// karga::report_with_series<karga::basic_report> both{r};  // what json_reporter and html_reporter take
/// ```

#include <karga/core/concepts.hpp>
#include <karga/core/hooks.hpp>
#include <karga/core/metric.hpp>
#include <karga/core/run_info.hpp>
#include <karga/core/timing.hpp>
#include <karga/measure/basic_aggregate.hpp>
#include <karga/measure/time_series.hpp>

#include <chrono>
#include <cstdint>
#include <string_view>

namespace karga {

/// `A` and a `time_series` of intervals of `IntervalMs` milliseconds. Every hook
/// reaches `A` as if it were used alone.
template <aggregate A = basic_aggregate, unsigned IntervalMs = 1000>
class series_aggregate {
  static_assert(IntervalMs > 0, "karga::series_aggregate: the interval must be at least 1 ms");

public:
  series_aggregate() : series_(std::chrono::milliseconds(IntervalMs)) {}

  /// An action without the executor's timing: `A` counts it, the series cannot place it.
  template <class M>
    requires aggregate_for<A, M>
  void consume(const M& m) {
    base_.consume(m);
    series_.record_untimed();
  }
  /// An action, in `A` and in the interval of its intended start.
  template <class M>
    requires aggregate_for<A, M>
  void consume(const M& m, const timing& t) {
    karga::consume(base_, m, t);
    series_.record(metric_success(m), metric_latency(m), metric_bytes(m), t);
  }

  /// The run's start: the series counts its intervals from it.
  void record_start(clock::time_point t) {
    karga::record_start(base_, t);
    series_.start(t);
  }
  /// Passed to `A` (a series counts drops from what was due and started).
  void record_dropped(std::uint64_t n, drop_reason why) { karga::record_dropped(base_, n, why); }
  /// Closed models: `A` and the series learn the active users.
  void record_users(clock::time_point t, std::uint64_t n) {
    karga::record_users(base_, t, n);
    series_.record_users(t, n);
  }
  /// Interrupted actions that never ended: in `A`, and in no interval.
  void record_interrupted(std::uint64_t n) {
    karga::record_interrupted(base_, n);
    series_.record_unattributed_interrupted(n);
  }
  /// An interrupted action, as it ended: in `A` and in the interval it was due.
  void record_interrupted(std::uint64_t n, const timing& t) {
    karga::record_interrupted(base_, n, t);
    for (std::uint64_t i = 0; i < n; ++i) series_.record_interrupted(t);
  }
  /// A failed action: in `A` and in the interval it was due.
  void record_exception(std::string_view what, const timing& t) {
    karga::record_exception(base_, what, t);
    series_.record_failure(t);
  }
  /// A failed action without timing: in `A`.
  void record_exception(std::string_view what) {
    karga::record_exception(base_, what);
    series_.record_untimed();
  }
  /// The run: `A`'s account, and the series' scheduled arrivals per interval.
  void record_run(const run_info& info) {
    karga::record_run(base_, info);
    series_.record_run(info);
  }

  /// Adds `o`: `A` to `A`, interval to interval.
  void merge(const series_aggregate& o) {
    base_.merge(o.base_);
    series_.merge(o.series_);
  }

  /// The wrapped aggregate.
  const A& base() const noexcept { return base_; }
  /// The wrapped aggregate.
  A& base() noexcept { return base_; }
  /// The run, interval by interval.
  const time_series& series() const noexcept { return series_; }
  /// The run, interval by interval.
  time_series& series() noexcept { return series_; }

  friend bool operator==(const series_aggregate&, const series_aggregate&) = default;

private:
  A base_;
  time_series series_;
};

} // namespace karga
