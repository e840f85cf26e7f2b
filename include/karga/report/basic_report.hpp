#pragma once
/// @file report/basic_report.hpp
/// basic_report: what was asked and what happened, derived from a basic_aggregate.

#include <karga/core/run_info.hpp>
#include <karga/core/timing.hpp>
#include <karga/measure/basic_aggregate.hpp>
#include <karga/measure/histogram.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace karga {

/// A latency distribution in a few numbers. All zero when nothing was recorded.
struct latency_summary {
  std::uint64_t count = 0;             ///< values summarized
  std::chrono::nanoseconds min{};      ///< exact
  std::chrono::nanoseconds mean{};     ///< exact
  std::chrono::nanoseconds stddev{};   ///< within the histogram's relative error
  std::chrono::nanoseconds max{};      ///< exact
  std::chrono::nanoseconds p50{};      ///< the median
  std::chrono::nanoseconds p90{};      ///< 90th percentile
  std::chrono::nanoseconds p95{};      ///< 95th percentile
  std::chrono::nanoseconds p99{};      ///< 99th percentile
  std::chrono::nanoseconds p999{};     ///< 99.9th percentile
  std::chrono::nanoseconds p9999{};    ///< 99.99th percentile

  latency_summary() = default;
  /// The summary of `h` (percentiles by nearest rank, within its relative error).
  explicit latency_summary(const histogram& h)
      : count(h.count()), min(ns(h.min())), mean(ns(h.mean())), stddev(ns(h.stddev())), max(ns(h.max())),
        p50(ns(h.percentile(50))), p90(ns(h.percentile(90))), p95(ns(h.percentile(95))),
        p99(ns(h.percentile(99))), p999(ns(h.percentile(99.9))), p9999(ns(h.percentile(99.99))) {}

  friend bool operator==(const latency_summary&, const latency_summary&) = default;

private:
  static std::chrono::nanoseconds ns(double v) { return std::chrono::nanoseconds(std::llround(v)); }
  static std::chrono::nanoseconds ns(std::uint64_t v) { return std::chrono::nanoseconds(static_cast<std::int64_t>(v)); }
};

/// A threshold's result on a run (see thresholds.hpp).
struct threshold_verdict {
  std::string expression;     ///< as written (or as karga writes a typed one)
  double observed = 0;        ///< the metric's value: ns for latency, a ratio for rates, else a count or rate
  std::string observed_text;  ///< the same, as people write it: 212ms, 0.4%, 1500
  bool passed = false;        ///< whether the observed value met the threshold
  bool abort_on_fail = false; ///< whether a live failure stops the run
  friend bool operator==(const threshold_verdict&, const threshold_verdict&) = default;
};

/// The seed example's report: what was asked and what happened.
struct basic_report {
  // What was asked.
  std::string scenario;               ///< the scenario's name
  std::string model;                  ///< the load model, in a few words
  load_kind kind = load_kind::open;   ///< open (arrivals on a schedule) or closed (users)
  std::uint64_t scheduled = 0;        ///< arrivals (open) or iterations started (closed) of the load model
  std::chrono::duration<double> planned{};  ///< length of the load model (up to a stop); zero when it has none
  double target_rate = 0;             ///< open models: scheduled / planned, per second; closed: 0 (no target)
  unsigned threads = 0;               ///< shards (summed over the processes merged)
  std::chrono::system_clock::time_point started_at{};  ///< wall-clock start
  stop_reason stop = stop_reason::none;  ///< why the run ended early, if it did
  int signal = 0;                     ///< the signal that stopped it, if one did

  // What happened.
  std::chrono::duration<double> elapsed{};  ///< from the start to the last action's end
  std::uint64_t started = 0;          ///< ok + failed + interrupted
  std::uint64_t ok = 0;               ///< actions that returned a successful metric
  std::uint64_t failed = 0;           ///< thrown exceptions included
  std::uint64_t dropped = 0;          ///< due but never started: dropped_by_cap + dropped_late
  std::uint64_t dropped_by_cap = 0;   ///< max_in_flight was reached
  std::uint64_t dropped_late = 0;     ///< the executor could not start them in time
  std::uint64_t interrupted = 0;      ///< cancelled after the grace period
  double achieved_rate = 0;           ///< started / planned (started / elapsed without a planned length)
  double success_ratio = 0;           ///< ok / (ok + failed)
  std::uint64_t peak_in_flight = 0;   ///< most actions running at once
  std::uint64_t bytes = 0;            ///< what the actions reported (`bytes` of their metrics)
  double bytes_per_second = 0;        ///< bytes / elapsed

  latency_summary latency;            ///< the actions' own measure
  latency_summary response_time;      ///< from the intended start (coordinated-omission safe)
  latency_summary start_lag;          ///< how late the executor started actions
  std::vector<std::pair<std::string, std::uint64_t>> exceptions;  ///< most frequent first
  std::uint64_t other_exceptions = 0; ///< exceptions with messages beyond the kept ones
  std::vector<threshold_verdict> thresholds;  ///< verdicts, when thresholds were evaluated (`karga::evaluate`)

  basic_report() = default;
  /// The report of `a`: its figures, and the rates and ratios derived from them.
  explicit basic_report(const basic_aggregate& a)
      : scenario(a.run().scenario), model(a.run().model), kind(a.run().kind), scheduled(a.run().scheduled),
        planned(a.run().planned), threads(a.run().threads), started_at(a.run().started_at), stop(a.run().stop),
        signal(a.run().signal), elapsed(a.run().elapsed), started(a.started()), ok(a.ok()),
        failed(a.failed()), dropped(a.dropped()), dropped_by_cap(a.dropped_by_cap()), dropped_late(a.dropped_late()),
        interrupted(a.interrupted()), peak_in_flight(a.run().peak_in_flight), bytes(a.bytes()),
        latency(a.latency()), response_time(a.response_time()), start_lag(a.start_lag()),
        exceptions(a.exceptions().sorted()), other_exceptions(a.exceptions().other()) {
    if (kind == load_kind::open) target_rate = per_second(static_cast<double>(scheduled), planned.count());
    achieved_rate = per_second(static_cast<double>(started), planned.count() > 0 ? planned.count() : elapsed.count());
    const auto done = ok + failed;
    success_ratio = done ? static_cast<double>(ok) / static_cast<double>(done) : 0.0;
    bytes_per_second = per_second(static_cast<double>(bytes), elapsed.count());
  }

  /// Whether the run ended before its plan did.
  bool stopped() const noexcept { return stop != stop_reason::none; }
  /// Every action scheduled ran and succeeded: nothing failed, dropped or interrupted.
  bool all_ok() const noexcept { return failed == 0 && dropped == 0 && interrupted == 0; }
  /// Every threshold passed (true when none was evaluated).
  bool thresholds_passed() const noexcept {
    for (const auto& t : thresholds)
      if (!t.passed) return false;
    return true;
  }

  friend bool operator==(const basic_report&, const basic_report&) = default;

private:
  static double per_second(double n, double seconds) { return seconds > 0 ? n / seconds : 0.0; }
};

} // namespace karga
