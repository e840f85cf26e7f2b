#pragma once
/// @file load/rate_control.hpp
/// A target arrival rate that another thread may change while a run goes on (k6:
/// externally-controlled), for `controlled_rate_executor`.
///
/// The rate is constant between changes, so the arrivals due by t are exactly
/// ⌊N(t)⌋, N the integral of the rate as logged: arrival k is due when N reaches
/// k + 1, whichever shard runs it. Every change is logged with its time from the
/// run's start, for the report.

#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>
#include <karga/core/timing.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <vector>

namespace karga {

/// A target rate that any thread may change while a run goes on (see the file's comment).
class rate_control {
public:
  /// One rate of the log: from `at` seconds after the start, `rate` arrivals/s.
  struct change {
    double at;  ///< seconds from the run's start
    double rate;  ///< arrivals per second from then on
    double arrivals_before;  ///< N(at)
  };

  /// Starts at `rate` arrivals per second.
  explicit rate_control(double rate) { changes_.push_back({0, checked(rate), 0}); }

  /// Sets the rate from now on. Thread-safe; throws `karga::error` for a negative,
  /// infinite or NaN rate (the run goes on at the rate it had).
  void set_rate(double rate) {
    checked(rate);
    std::lock_guard lock(mutex_);  // held while telling: a run unsubscribes before its loop ends
    // Odd while changing, from before the clock is read: a shard that checks the
    // version after its own clock read sees any change made at an earlier instant.
    version_.fetch_add(1);
    {
      const double at = start_ ? std::chrono::duration<double>(clock::now() - *start_).count() : 0;
      const change& last = changes_.back();
      if (at <= last.at) {
        changes_.back().rate = rate;
      } else {
        changes_.push_back({at, rate, last.arrivals_before + last.rate * (at - last.at)});
      }
      version_.fetch_add(1);
    }
    for (auto& f : listeners_) f();
  }

  /// The rate now.
  double rate() const {
    std::lock_guard lock(mutex_);
    return changes_.back().rate;
  }
  /// Every rate of the run so far, in order.
  std::vector<change> log() const {
    std::lock_guard lock(mutex_);
    return changes_;
  }

  // For the executor ------------------------------------------------------------------
  /// The run starts at `t`: the log restarts from the rate set last.
  void begin(clock::time_point t) {
    std::lock_guard lock(mutex_);
    if (start_ == t) return;
    start_ = t;
    changes_ = {{0, changes_.back().rate, 0}};
  }
  /// Changes so far, twice (compare to know whether a log is stale).
  std::uint64_t version() const noexcept { return version_.load(); }
  /// The log and its version, consistent.
  std::vector<change> log(std::uint64_t& version) const {
    std::lock_guard lock(mutex_);
    version = version_.load();
    return changes_;
  }
  /// `f()` runs (on `ex`) at every change.
  std::size_t subscribe(boost::asio::any_io_executor ex, std::function<void()> f) {
    std::lock_guard lock(mutex_);
    listeners_.push_back([ex, f] { boost::asio::post(ex, f); });
    return listeners_.size() - 1;
  }
  /// Stops calling the function `key`.
  void unsubscribe(std::size_t key) {
    std::lock_guard lock(mutex_);
    listeners_[key] = [] {};
  }

  /// When N reaches `m` according to `log` (seconds from the start), or infinity if
  /// it does not at the last rate.
  static double time_of(const std::vector<change>& log, double m) {
    for (std::size_t i = 0; i < log.size(); ++i) {
      const change& c = log[i];
      const double end = i + 1 < log.size() ? log[i + 1].arrivals_before : std::numeric_limits<double>::infinity();
      if (m <= end && c.rate > 0) return std::max(c.at, c.at + (m - c.arrivals_before) / c.rate);
    }
    return std::numeric_limits<double>::infinity();
  }
  /// N(t) according to `log`.
  static double arrivals_by(const std::vector<change>& log, double t) {
    if (t <= 0) return 0;
    std::size_t i = log.size() - 1;
    while (i > 0 && log[i].at > t) --i;
    return log[i].arrivals_before + log[i].rate * (t - log[i].at);
  }

private:
  static double checked(double rate) {
    if (!std::isfinite(rate) || rate < 0)
      detail::throw_error("a controlled rate must be finite and not negative, got " + detail::number(rate) + "/s");
    return rate;
  }

  mutable std::mutex mutex_;
  std::vector<change> changes_;
  std::optional<clock::time_point> start_;
  std::atomic<std::uint64_t> version_{0};
  std::vector<std::function<void()>> listeners_;
};

} // namespace karga
