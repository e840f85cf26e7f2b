#pragma once
/// @file measure/time_series.hpp
/// How a run went, interval by interval. Every action is counted in the interval of
/// its *intended* start, so what was asked and what happened line up: an arrival
/// due in second 12 that started late, or failed, is second 12's.
///
/// `series_aggregate<A>` wraps any aggregate `A` (default `basic_aggregate`) and
/// keeps, besides what `A` keeps, a `time_series`: per interval (1 s by default,
/// aligned to the run's start) the arrivals scheduled, the actions started, ok,
/// failed, dropped and interrupted, those in flight at its end, the bytes, and the
/// latency distribution — the action's own and from the intended start.
///
/// Intervals are closed at their end: interval k holds what is due in (k·i, (k+1)·i]
/// from the start, as an arrival schedule counts arrivals due by a time.
///
/// Memory: a latency distribution per interval is an HdrHistogram with 2
/// significant digits (any value within 1/256 of the truth), kept sparse: only the
/// buckets that hold values, 12 bytes each. The last few intervals are dense while
/// their actions are still ending, then made sparse. An hour of 1 s intervals of a
/// typical service takes a few MiB.

#include <karga/core/concepts.hpp>
#include <karga/core/hooks.hpp>
#include <karga/core/metric.hpp>
#include <karga/core/run_info.hpp>
#include <karga/core/timing.hpp>
#include <karga/measure/basic_aggregate.hpp>
#include <karga/measure/detail/hdr_layout.hpp>
#include <karga/measure/sparse_histogram.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

namespace karga {

/// One interval's figures. By the intended start unless said otherwise.
struct interval_figures {
  std::uint64_t scheduled = 0;     ///< arrivals due (open models; closed: = started), set by `record_run`
  std::uint64_t ok = 0;  ///< actions that succeeded
  std::uint64_t failed = 0;  ///< actions that failed
  std::uint64_t interrupted = 0;  ///< actions cancelled at the end of the grace period
  std::uint64_t bytes = 0;  ///< what the actions reported
  std::uint64_t starts = 0;        ///< actions that started in it (by when they started)
  std::uint64_t ends = 0;          ///< actions that ended in it (by when they ended)
  std::uint64_t user_ns = 0;       ///< closed models: active users × ns during it (its mean users × its length)
  sparse_histogram latency;        ///< the actions' own
  sparse_histogram response_time;  ///< from the intended start to the end

  /// Actions of this interval that started: ok + failed + interrupted.
  std::uint64_t started() const noexcept { return ok + failed + interrupted; }

  /// Adds `o`'s figures.
  void merge(const interval_figures& o) {
    scheduled += o.scheduled;
    ok += o.ok;
    failed += o.failed;
    interrupted += o.interrupted;
    bytes += o.bytes;
    starts += o.starts;
    ends += o.ends;
    user_ns += o.user_ns;
    latency.merge(o.latency);
    response_time.merge(o.response_time);
  }
  friend bool operator==(const interval_figures&, const interval_figures&) = default;
};

/// The figures of a run, interval by interval, from its start.
class time_series {
  // Intervals whose latency is still recorded dense, and the most intervals kept.
  static constexpr std::size_t window = 8;
  static constexpr std::size_t max_intervals = 10'000'000;

public:
  /// An empty series of intervals of `interval`.
  explicit time_series(clock::duration interval = std::chrono::seconds(1))
      : interval_ns_(std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::nanoseconds>(interval).count())),
        per_ns_(1.0 / static_cast<double>(interval_ns_)) {}

  // A copy takes the intervals, sealed; not the dense window of the original.
  /// A copy of `o`'s intervals, sealed.
  time_series(const time_series& o)
      : interval_ns_(o.interval_ns_), per_ns_(o.per_ns_), start_(o.start_),
        unattributed_interrupted_(o.unattributed_interrupted_), untimed_(o.untimed_), kind_(o.kind_),
        scheduled_set_(o.scheduled_set_) {
    o.seal();
    intervals_ = o.intervals_;
  }
  /// Takes a copy of `o`'s intervals, sealed.
  time_series& operator=(const time_series& o) {
    if (this != &o) *this = time_series(o);
    return *this;
  }
  /// Takes `o`'s intervals.
  time_series(time_series&&) noexcept = default;
  /// Takes `o`'s intervals.
  time_series& operator=(time_series&&) noexcept = default;

  /// The length of every interval.
  clock::duration interval() const noexcept { return std::chrono::nanoseconds(interval_ns_); }

  /// The run's start: every interval is counted from it.
  void start(clock::time_point t) noexcept {
    start_ = t;
    last_from_ = last_to_ = t;
    users_since_ = t;
  }

  /// An action that returned: its outcome, own latency and bytes, with its timing.
  void record(bool success, clock::duration latency, std::uint64_t bytes, const timing& t) {
    const std::size_t k = index(t.scheduled);
    if (k >= max_intervals) return;
    interval_figures& f = at(k);
    ++(success ? f.ok : f.failed);
    f.bytes += bytes;
    ++at(index(t.started)).starts;
    ++at(index(t.finished)).ends;
    dense& d = dense_for(k);
    d.latency.record(to_nanoseconds(latency));
    d.response_time.record(to_nanoseconds(t.finished - t.scheduled));
  }
  /// An action that threw: a failure with no latency of its own.
  void record_failure(const timing& t) {
    const std::size_t k = index(t.scheduled);
    if (k >= max_intervals) return;
    ++at(k).failed;
    ++at(index(t.started)).starts;
    ++at(index(t.finished)).ends;
    dense_for(k).response_time.record(to_nanoseconds(t.finished - t.scheduled));
  }
  /// An action cancelled at the end of the grace period, as it ended.
  void record_interrupted(const timing& t) {
    const std::size_t k = index(t.scheduled);
    if (k >= max_intervals) return;
    ++at(k).interrupted;
    ++at(index(t.started)).starts;
    ++at(index(t.finished)).ends;
  }
  /// Closed models: from `t` on, `n` users are active (this series' shard's).
  void record_users(clock::time_point t, std::uint64_t n) {
    std::int64_t from = std::chrono::duration_cast<std::chrono::nanoseconds>(users_since_ - start_).count();
    const std::int64_t to = std::chrono::duration_cast<std::chrono::nanoseconds>(t - start_).count();
    while (users_ != 0 && from < to) {
      const std::int64_t k = from / interval_ns_;  // the interval (k·i, (k+1)·i] that holds (from, …
      if (static_cast<std::size_t>(k) >= max_intervals) break;
      const std::int64_t end = std::min(to, (k + 1) * interval_ns_);
      at(static_cast<std::size_t>(k)).user_ns += users_ * static_cast<std::uint64_t>(end - from);
      from = end;
    }
    users_ = n;
    users_since_ = t;
  }
  /// Interrupted actions that never ended (abandoned): no interval is theirs.
  void record_unattributed_interrupted(std::uint64_t n) noexcept { unattributed_interrupted_ += n; }
  /// Actions recorded without timing (an executor that gives none): totals only.
  void record_untimed() noexcept { ++untimed_; }

  /// The load model: each interval's scheduled arrivals (open models) or started
  /// actions (closed), once the run is over.
  void record_run(const run_info& info) {
    seal();
    kind_ = info.kind;
    if (info.due_by) {
      // Intervals up to the last arrival, even if nothing happened in them.
      const std::uint64_t total = info.due_by(clock::duration::max());
      std::uint64_t before = 0;
      for (std::size_t k = 0; before < total && k < max_intervals; ++k) {
        const std::uint64_t by_end = info.due_by(std::chrono::nanoseconds(static_cast<std::int64_t>(k + 1) * interval_ns_));
        at(k).scheduled += by_end - before;
        before = by_end;
      }
    } else {
      for (auto& f : intervals_) f.scheduled += f.started();
    }
    scheduled_set_ = true;
  }

  /// Adds `o`'s intervals to these, interval by interval (both from their own
  /// start): shards of a run, or processes of one test.
  void merge(const time_series& o) {
    seal();
    o.seal();
    const auto& other = o.intervals_;
    if (other.size() > intervals_.size()) intervals_.resize(other.size());
    for (std::size_t k = 0; k < other.size(); ++k) intervals_[k].merge(other[k]);
    unattributed_interrupted_ += o.unattributed_interrupted_;
    untimed_ += o.untimed_;
    scheduled_set_ = scheduled_set_ || o.scheduled_set_;
    kind_ = o.kind_;
  }

  /// The intervals, from the start (call after the run; `seal` makes them final).
  const std::vector<interval_figures>& intervals() const {
    seal();
    return intervals_;
  }
  /// Interrupted actions that never ended, so in no interval.
  std::uint64_t unattributed_interrupted() const noexcept { return unattributed_interrupted_; }
  /// Actions recorded without timing, so in no interval.
  std::uint64_t untimed() const noexcept { return untimed_; }
  /// The run's load kind, once `record_run` has told it.
  load_kind kind() const noexcept { return kind_; }
  /// Moves the dense recent intervals into the sparse ones (reading does it too).
  void seal() const {
    if (window_)
      for (dense& d : *window_) flush(d);
    if (scratch_) flush(*scratch_);
  }

  /// Dropped arrivals of interval k (open models): scheduled but not started.
  std::uint64_t dropped(std::size_t k) const {
    const auto& f = intervals().at(k);
    return kind_ == load_kind::open && f.scheduled > f.started() ? f.scheduled - f.started() : 0;
  }
  /// Actions in flight at the end of interval k: started by then, not yet ended.
  std::uint64_t in_flight(std::size_t k) const {
    std::uint64_t starts = 0, ends = 0;
    const auto& all = intervals();
    for (std::size_t i = 0; i <= k && i < all.size(); ++i) starts += all[i].starts, ends += all[i].ends;
    return starts > ends ? starts - ends : 0;
  }

  friend bool operator==(const time_series& a, const time_series& b) {
    return a.interval_ns_ == b.interval_ns_ && a.intervals() == b.intervals() &&
           a.unattributed_interrupted_ == b.unattributed_interrupted_ && a.untimed_ == b.untimed_ &&
           a.kind_ == b.kind_;
  }

  /// Restores a series from its parts (for decoders).
  static time_series from_parts(clock::duration interval, std::vector<interval_figures> intervals,
                                std::uint64_t unattributed_interrupted, std::uint64_t untimed, load_kind kind) {
    time_series s(interval);
    s.intervals_ = std::move(intervals);
    s.unattributed_interrupted_ = unattributed_interrupted;
    s.untimed_ = untimed;
    s.kind_ = kind;
    s.scheduled_set_ = true;
    return s;
  }

private:
  using layout = sparse_histogram::layout;

  // A dense histogram for an interval whose actions are still ending.
  struct dense_histogram {
    std::vector<std::uint32_t> counts = std::vector<std::uint32_t>(layout::bucket_count, 0);
    std::uint64_t count = 0, min = std::numeric_limits<std::uint64_t>::max(), max = 0, sum = 0;

    void record(std::uint64_t ns) noexcept {
      ++counts[layout::index_of(ns)];  // (2^32 values in one interval of one shard: not at 100 M/s)
      ++count;
      min = std::min(min, ns);
      max = std::max(max, ns);
      sum += ns;
    }
    void move_to(sparse_histogram& out) {
      if (count == 0) return;
      for (std::size_t i = 0; i < counts.size(); ++i)
        if (counts[i] != 0) {
          out.add(static_cast<std::uint32_t>(i), counts[i]);
          counts[i] = 0;
        }
      out.note_extremes(min, max, sum);
      *this = dense_histogram{std::move(counts)};
    }
    explicit dense_histogram(std::vector<std::uint32_t> c) : counts(std::move(c)) {}
    dense_histogram() = default;
  };
  struct dense {
    std::size_t interval = std::numeric_limits<std::size_t>::max();
    dense_histogram latency, response_time;
  };


  // The interval of instant t: intervals are closed at their end, (k·i, (k+1)·i],
  // as arrival schedules count "due by" (the start itself is in interval 0). Most
  // instants fall in the interval of the one before: that one is remembered.
  std::size_t index(clock::time_point t) noexcept {
    if (t > last_from_ && t <= last_to_) return last_k_;
    const std::int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t - start_).count();
    if (ns <= 0) return 0;
    auto k = static_cast<std::int64_t>(static_cast<double>(ns) * per_ns_);
    if (k > 0 && k * interval_ns_ >= ns) --k;
    if ((k + 1) * interval_ns_ < ns) ++k;
    if (k >= static_cast<std::int64_t>(max_intervals)) return max_intervals;
    last_k_ = static_cast<std::size_t>(k);
    last_from_ = start_ + std::chrono::nanoseconds(k * interval_ns_);
    last_to_ = last_from_ + std::chrono::nanoseconds(interval_ns_);
    return last_k_;
  }

  interval_figures& at(std::size_t k) {
    if (k >= intervals_.size()) intervals_.resize(std::min(max_intervals, k + 1));
    return intervals_[std::min(k, max_intervals - 1)];
  }

  // The dense histograms of interval k: a slot of the window, whose previous
  // interval is moved to sparse form; for an interval older than the window, a
  // scratch slot that goes to sparse form at once.
  dense& dense_for(std::size_t k) {
    if (!window_) window_ = std::make_unique<std::vector<dense>>(window);
    dense& d = (*window_)[k % window];
    if (d.interval != k) {
      if (d.interval != std::numeric_limits<std::size_t>::max() && d.interval > k) {
        // k is older than the window: record it sparse (through a scratch slot).
        dense& scratch = scratch_slot();
        flush(scratch);
        scratch.interval = k;
        return scratch;
      }
      flush(d);
      d.interval = k;
    }
    return d;
  }
  dense& scratch_slot() {
    if (!scratch_) scratch_ = std::make_unique<dense>();
    return *scratch_;
  }
  void flush(dense& d) const {
    if (d.interval == std::numeric_limits<std::size_t>::max()) return;
    if (d.interval >= intervals_.size()) intervals_.resize(d.interval + 1);
    d.latency.move_to(intervals_[d.interval].latency);
    d.response_time.move_to(intervals_[d.interval].response_time);
    d.interval = std::numeric_limits<std::size_t>::max();
  }
  std::int64_t interval_ns_;
  double per_ns_;
  clock::time_point start_{};
  std::size_t last_k_ = 0;  // the interval of the last instant looked up, (last_from_, last_to_]
  clock::time_point last_from_{}, last_to_{};
  mutable std::vector<interval_figures> intervals_;
  mutable std::unique_ptr<std::vector<dense>> window_;  // allocated at the first record
  mutable std::unique_ptr<dense> scratch_;
  std::uint64_t unattributed_interrupted_ = 0;
  std::uint64_t untimed_ = 0;
  std::uint64_t users_ = 0;  // active users since users_since_
  clock::time_point users_since_{};
  load_kind kind_ = load_kind::open;
  bool scheduled_set_ = false;
};

} // namespace karga
