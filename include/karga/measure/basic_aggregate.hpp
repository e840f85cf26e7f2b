#pragma once
/// @file measure/basic_aggregate.hpp
/// basic_aggregate: counts, bytes, the failures' messages, and three latency
/// histograms (the action's own, from the intended start, and the executor's lag).

#include <karga/core/hooks.hpp>
#include <karga/core/metric.hpp>
#include <karga/core/run_info.hpp>
#include <karga/core/timing.hpp>
#include <karga/measure/histogram.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace karga {

/// How often each distinct exception message was seen. Keeps at most `capacity`
/// messages; further distinct ones are counted under "other".
class error_counts {
public:
  /// Distinct messages kept.
  static constexpr std::size_t capacity = 16;

  /// Counts `n` exceptions with message `what`.
  void add(std::string_view what, std::uint64_t n = 1) {
    for (auto& [message, count] : entries_)
      if (message == what) {
        count += n;
        return;
      }
    if (entries_.size() < capacity)
      entries_.emplace_back(std::string(what), n);
    else
      other_ += n;
  }
  /// Adds `o`'s counts.
  void merge(const error_counts& o) {
    for (const auto& [message, count] : o.entries_) add(message, count);
    other_ += o.other_;
  }
  /// Messages with their counts, most frequent first (then by message).
  std::vector<std::pair<std::string, std::uint64_t>> sorted() const {
    auto v = entries_;
    std::sort(v.begin(), v.end(), [](auto& a, auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return v;
  }
  /// Exceptions whose messages were not kept (beyond the capacity).
  std::uint64_t other() const noexcept { return other_; }
  /// Counts `n` exceptions whose messages are not kept.
  void add_other(std::uint64_t n) noexcept { other_ += n; }
  /// Every exception counted.
  std::uint64_t total() const noexcept {
    std::uint64_t t = other_;
    for (const auto& e : entries_) t += e.second;
    return t;
  }
  friend bool operator==(const error_counts&, const error_counts&) = default;

private:
  std::vector<std::pair<std::string, std::uint64_t>> entries_;
  std::uint64_t other_ = 0;
};

/// The aggregate of the seed example. Consumes `basic_metric`; with an executor's
/// timing it also records latency from the intended start and the start lag.
class basic_aggregate {
public:
  /// Counts one action by its own account: ok or failed, bytes, latency.
  void consume(const basic_metric& m) noexcept {
    ++(m.success ? ok_ : failed_);
    bytes_ += m.bytes;
    latency_.record(m.latency);
  }

  /// The same, with the executor's timing: latency from the intended start and start lag.
  void consume(const basic_metric& m, const timing& t) noexcept {
    consume(m);
    response_time_.record(t.finished - t.scheduled);
    start_lag_.record(t.started - t.scheduled);
  }

  /// Counts `n` arrivals due and never started, by reason.
  void record_dropped(std::uint64_t n, drop_reason why) noexcept {
    (why == drop_reason::max_in_flight ? dropped_by_cap_ : dropped_late_) += n;
  }
  /// karga 0.1's form, without a reason: counted as late.
  [[deprecated("karga: record_dropped(n) needs a reason since 0.2: record_dropped(n, karga::drop_reason::late) "
               "or drop_reason::max_in_flight")]] void
  record_dropped(std::uint64_t n) noexcept {
    record_dropped(n, drop_reason::late);
  }
  /// Counts `n` actions cancelled at the end of the grace period.
  void record_interrupted(std::uint64_t n) noexcept { interrupted_ += n; }
  /// An action threw: a failed action, whose message is kept.
  void record_exception(std::string_view what) {
    ++failed_;
    exceptions_.add(what);
  }
  /// Keeps the run's account: the load model and how it went.
  void record_run(const run_info& info) { run_ = info; }

  /// Adds `o` (another shard or process): counts, histograms bucket for bucket, the run.
  void merge(const basic_aggregate& o) {
    ok_ += o.ok_;
    failed_ += o.failed_;
    dropped_by_cap_ += o.dropped_by_cap_;
    dropped_late_ += o.dropped_late_;
    interrupted_ += o.interrupted_;
    bytes_ += o.bytes_;
    latency_.merge(o.latency_);
    response_time_.merge(o.response_time_);
    start_lag_.merge(o.start_lag_);
    exceptions_.merge(o.exceptions_);
    run_.merge(o.run_);
  }

  /// Actions that returned a successful metric.
  std::uint64_t ok() const noexcept { return ok_; }
  /// The 0.1 name of `ok()`.
  [[deprecated("karga: basic_aggregate::succeeded() is ok() since 0.2")]] std::uint64_t succeeded() const noexcept {
    return ok_;
  }
  /// Failed actions, thrown exceptions included.
  std::uint64_t failed() const noexcept { return failed_; }
  /// Arrivals due but never started, for either reason.
  std::uint64_t dropped() const noexcept { return dropped_by_cap_ + dropped_late_; }
  /// Dropped because `max_in_flight` was reached.
  std::uint64_t dropped_by_cap() const noexcept { return dropped_by_cap_; }
  /// Dropped because the executor could not start them in time.
  std::uint64_t dropped_late() const noexcept { return dropped_late_; }
  /// Actions cancelled at the end of the grace period.
  std::uint64_t interrupted() const noexcept { return interrupted_; }
  /// Actions that started: ok + failed + interrupted.
  std::uint64_t started() const noexcept { return ok_ + failed_ + interrupted_; }
  /// What the actions reported.
  std::uint64_t bytes() const noexcept { return bytes_; }
  /// The actions' own latency (`basic_metric::latency`).
  const histogram& latency() const noexcept { return latency_; }
  /// From the intended start to the end of each action (empty without timing).
  const histogram& response_time() const noexcept { return response_time_; }
  /// From the intended start to the actual start (empty without timing).
  const histogram& start_lag() const noexcept { return start_lag_; }
  /// The failures' messages, by count.
  const error_counts& exceptions() const noexcept { return exceptions_; }
  /// The run: scenario, load model, scheduled, planned, elapsed, how it ended.
  const run_info& run() const noexcept { return run_; }

  /// Sets every figure at once (for decoders). `failed` counts the actions that
  /// returned a failure; the exceptions' count is added to it.
  void restore(std::uint64_t ok, std::uint64_t failed, std::uint64_t dropped_by_cap, std::uint64_t dropped_late,
               std::uint64_t interrupted, std::uint64_t bytes, histogram latency, histogram response_time,
               histogram start_lag, error_counts exceptions, run_info run) {
    ok_ = ok;
    failed_ = failed + exceptions.total();
    dropped_by_cap_ = dropped_by_cap;
    dropped_late_ = dropped_late;
    interrupted_ = interrupted;
    bytes_ = bytes;
    latency_ = std::move(latency);
    response_time_ = std::move(response_time);
    start_lag_ = std::move(start_lag);
    exceptions_ = std::move(exceptions);
    run_ = std::move(run);
  }

  friend bool operator==(const basic_aggregate&, const basic_aggregate&) = default;

private:
  std::uint64_t ok_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t dropped_by_cap_ = 0;
  std::uint64_t dropped_late_ = 0;
  std::uint64_t interrupted_ = 0;
  std::uint64_t bytes_ = 0;
  histogram latency_;
  histogram response_time_;
  histogram start_lag_;
  error_counts exceptions_;
  run_info run_;
};

} // namespace karga
