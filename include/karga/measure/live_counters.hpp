#pragma once
/// @file measure/live_counters.hpp
/// A run seen while it goes on. Each shard keeps live counters and a histogram of
/// the current interval; a sampling thread sums them once per interval and hands the
/// sum, a `live_sample`, to the observers of `run_options::live`: a progress line,
/// live thresholds, a metrics endpoint. On the action's path there is no lock, no
/// allocation and no atomic read-modify-write: each shard writes its own counters
/// with relaxed stores, the sampler reads them with relaxed loads. Live figures are
/// exact counts; the last interval's percentiles may miss the few values recorded
/// while the sampler switched histograms. The final report is exact.

#include <karga/core/live_sample.hpp>
#include <karga/core/metric.hpp>
#include <karga/core/run_info.hpp>
#include <karga/core/timing.hpp>
#include <karga/measure/detail/hdr_layout.hpp>
#include <karga/measure/detail/nearest_rank.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace karga {

/// The live figures of one shard (written by its thread only).
class live_counters {
public:
  /// The latency histogram's buckets: HdrHistogram's, 2 significant digits, ns.
  using layout = detail::hdr_layout<8>;

  /// `labels`: how many labelled counters the metric has (`has_live_labels`).
  explicit live_counters(unsigned labels = 0) : labels_(labels) {}

  /// An action started.
  void started() noexcept { bump(started_); }
  /// The shard has `n` active users now.
  void users(std::uint64_t n) noexcept { users_.store(n, std::memory_order_relaxed); }
  /// `n` arrivals were dropped.
  void dropped(std::uint64_t n) noexcept { add(dropped_, n); }
  /// `n` actions were interrupted.
  void interrupted(std::uint64_t n) noexcept { add(interrupted_, n); }
  /// An action ended: its outcome, bytes and latency.
  void ended(bool success, std::uint64_t bytes, std::uint64_t latency_ns) noexcept {
    bump(success ? ok_ : failed_);
    add(bytes_, bytes);
    add(latency_sum_, latency_ns);
    auto& h = histograms_[active_.load(std::memory_order_relaxed)];
    bump(h[layout::index_of(latency_ns)]);
  }

  /// Counts one action under the metric's live label `i` (ignored when out of range).
  void label(unsigned i) noexcept {
    if (i < labels_.size()) bump(labels_[i]);
  }

  /// For the sampler.
  struct totals {
    std::uint64_t started;      ///< actions started
    std::uint64_t ok;           ///< actions that succeeded
    std::uint64_t failed;       ///< actions that failed
    std::uint64_t dropped;      ///< arrivals dropped
    std::uint64_t interrupted;  ///< actions interrupted
    std::uint64_t bytes;        ///< bytes the actions reported
    std::uint64_t users;        ///< active users now
    std::uint64_t latency_sum;  ///< ns, summed
  };
  /// The shard's totals now.
  totals read() const noexcept {
    return {r(started_), r(ok_), r(failed_), r(dropped_), r(interrupted_), r(bytes_), r(users_), r(latency_sum_)};
  }
  /// Adds the labelled counts to `sums` (as long as the labels).
  void read_labels(std::vector<std::uint64_t>& sums) const noexcept {
    for (std::size_t i = 0; i < labels_.size() && i < sums.size(); ++i) sums[i] += r(labels_[i]);
  }
  /// Switches the shard to the other histogram and adds the one it left (that
  /// interval's values) to `interval` and `total`, then clears it.
  void collect(std::vector<std::uint64_t>& interval, std::vector<std::uint64_t>& total) noexcept {
    const int old = active_.load(std::memory_order_relaxed);
    active_.store(1 - old, std::memory_order_relaxed);
    auto& h = histograms_[old];
    for (std::size_t i = 0; i < h.size(); ++i) {
      const std::uint64_t n = h[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      interval[i] += n;
      total[i] += n;
      h[i].store(0, std::memory_order_relaxed);
    }
  }

private:
  static std::uint64_t r(const std::atomic<std::uint64_t>& a) noexcept { return a.load(std::memory_order_relaxed); }
  // One writer: a relaxed load and store, not a read-modify-write.
  static void bump(std::atomic<std::uint64_t>& a) noexcept { add(a, 1); }
  static void add(std::atomic<std::uint64_t>& a, std::uint64_t n) noexcept {
    a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  static void bump(std::atomic<std::uint32_t>& a) noexcept {
    a.store(a.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  std::atomic<std::uint64_t> started_{0}, ok_{0}, failed_{0}, dropped_{0}, interrupted_{0}, bytes_{0}, users_{0},
      latency_sum_{0};
  std::vector<std::atomic<std::uint64_t>> labels_;
  std::atomic<int> active_{0};
  std::array<std::vector<std::atomic<std::uint32_t>>, 2> histograms_{std::vector<std::atomic<std::uint32_t>>(layout::bucket_count),
                                                                     std::vector<std::atomic<std::uint32_t>>(layout::bucket_count)};
};

namespace detail {
/// The value at percentile p of counts by bucket (layout 2 digits), 0 if empty.
inline std::uint64_t live_percentile(const std::vector<std::uint64_t>& counts, std::uint64_t total, double p) {
  const auto b = nearest_rank(counts.begin(), counts.end(), total, p, [](std::uint64_t n) { return n; });
  return b == counts.end() ? 0 : live_counters::layout::midpoint(static_cast<std::size_t>(b - counts.begin()));
}

/// The sampling thread of a run: once per interval it sums the shards' live
/// counters into a `live_sample` for the observers; `finish()` sends the last one.
class live_sampler {
public:
  /// `due_by(d)`: arrivals due by d from the start (open models), or empty. `labels`:
  /// what each of the metric's live labels means (`has_live_labels`), or none.
  live_sampler(live_options opt, std::vector<live_counters*> shards, clock::time_point start, std::string scenario,
               load_kind kind, clock::duration planned, std::function<std::uint64_t(clock::duration)> due_by,
               std::vector<live_label> labels = {})
      : opt_(std::move(opt)), shards_(std::move(shards)), start_(start), due_by_(std::move(due_by)),
        labels_(std::move(labels)), interval_counts_(live_counters::layout::bucket_count),
        total_counts_(live_counters::layout::bucket_count), label_sums_(labels_.size()) {
    base_.scenario = std::move(scenario);
    base_.kind = kind;
    base_.planned = planned;
    thread_ = std::thread([this] { loop(); });
  }
  live_sampler(const live_sampler&) = delete;
  live_sampler& operator=(const live_sampler&) = delete;
  ~live_sampler() { finish(); }

  /// The run is over: one last sample, then the thread ends.
  void finish() {
    {
      std::lock_guard lock(mutex_);
      if (done_) return;
      done_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

private:
  void loop() {
    auto next = start_ + opt_.interval;
    for (;;) {
      bool last;
      {
        std::unique_lock lock(mutex_);
        wake_.wait_until(lock, next, [this] { return done_; });
        last = done_;
      }
      sample(last);
      if (last) return;
      next += opt_.interval;
      const auto now = clock::now();
      if (next < now) next = now + opt_.interval;  // a slow observer: skip, do not catch up
    }
  }

  void sample(bool last) {
    live_sample s = base_;
    const auto now = clock::now();
    s.elapsed = now - start_;
    s.interval = s.elapsed - previous_elapsed_;
    s.final = last;
    std::fill(interval_counts_.begin(), interval_counts_.end(), 0);
    std::fill(label_sums_.begin(), label_sums_.end(), 0);
    for (live_counters* c : shards_) {
      const auto t = c->read();
      s.started += t.started;
      s.ok += t.ok;
      s.failed += t.failed;
      s.dropped += t.dropped;
      s.interrupted += t.interrupted;
      s.bytes += t.bytes;
      s.users += t.users;
      s.latency_sum_ns += t.latency_sum;
      c->read_labels(label_sums_);
      c->collect(interval_counts_, total_counts_);
    }
    for (std::size_t i = 0; i < labels_.size(); ++i)
      if (label_sums_[i]) s.labels.emplace_back(labels_[i], label_sums_[i]);
    const std::uint64_t ended = s.ok + s.failed + s.interrupted;
    s.in_flight = s.started > ended ? s.started - ended : 0;
    const double seconds = std::chrono::duration<double>(s.interval).count();
    if (due_by_) {
      const std::uint64_t due = due_by_(s.elapsed);
      s.scheduled = due;
      s.target_rate = seconds > 0 ? static_cast<double>(due - std::min(due, previous_due_)) / seconds : 0.0;
      previous_due_ = due;
    } else {
      s.scheduled = s.started;
    }
    s.achieved_rate = seconds > 0 ? static_cast<double>(s.started - previous_started_) / seconds : 0.0;
    previous_started_ = s.started;
    previous_elapsed_ = s.elapsed;
    std::uint64_t n = 0;
    for (auto c : interval_counts_) n += c;
    s.interval_count = n;
    auto pct = [&](double p) {
      return std::chrono::nanoseconds(static_cast<std::int64_t>(live_percentile(interval_counts_, n, p)));
    };
    s.p50 = pct(50);
    s.p90 = pct(90);
    s.p99 = pct(99);
    s.max = pct(100);
    s.latency_buckets = total_counts_;
    for (auto& observe : opt_.observers) observe(s);
  }

  live_options opt_;
  std::vector<live_counters*> shards_;
  clock::time_point start_;
  std::function<std::uint64_t(clock::duration)> due_by_;
  live_sample base_;
  std::vector<live_label> labels_;
  std::vector<std::uint64_t> interval_counts_, total_counts_, label_sums_;
  clock::duration previous_elapsed_{};
  std::uint64_t previous_due_ = 0, previous_started_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

} // namespace detail

} // namespace karga
