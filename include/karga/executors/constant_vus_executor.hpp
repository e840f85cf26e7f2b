#pragma once
/// @file executors/constant_vus_executor.hpp
/// A closed model: a fixed number of virtual users, each running the action again
/// as soon as its previous run ends, for a duration. The load follows the system's
/// speed (like wrk); use `stage_executor` to impose a rate instead.

#include <karga/concepts.hpp>
#include <karga/detail/sharded_run.hpp>
#include <karga/detail/vu_shard.hpp>
#include <karga/error.hpp>
#include <karga/schedule.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>

namespace karga {

class constant_vus_executor_builder;

/// Runs `vus` virtual users for `duration`; with `threads(n)` the users are split
/// over n shards, each with its own thread, io_context, action and aggregate.
/// Iterations still running at the end get `grace_period`, then are cancelled and
/// counted as interrupted.
class constant_vus_executor {
public:
  static constant_vus_executor_builder builder();

  std::uint64_t vus() const noexcept { return vus_; }
  clock::duration duration() const noexcept { return duration_; }
  unsigned threads() const noexcept { return threads_; }
  clock::duration grace_period() const noexcept { return grace_; }

  template <action F, aggregate_for<metric_of_t<F>> A>
  A run(const F& act, A initial = A{}) const {
    const clock::time_point start = clock::now();
    auto merged = detail::run_sharded<A>(threads_, act, shard_maker<F, A>(initial, start));
    return finish(merged, start);
  }

  template <action F, aggregate_for<metric_of_t<F>> A>
  boost::asio::awaitable<A> async_run(const F& act, A initial = A{}) const {
    const clock::time_point start = clock::now();
    auto merged = co_await detail::async_run_sharded<A>(threads_, act, shard_maker<F, A>(initial, start));
    co_return finish(merged, start);
  }

private:
  friend class constant_vus_executor_builder;
  constant_vus_executor(std::uint64_t vus, clock::duration d, unsigned threads, clock::duration grace, bool signals)
      : vus_(vus), duration_(d), threads_(threads), grace_(grace), stop_on_signals_(signals) {}

  template <class F, class A>
  auto shard_maker(const A& initial, clock::time_point start) const {
    return [this, initial, start](boost::asio::any_io_executor ex, F& act, unsigned i) {
      const std::uint64_t users = vus_ / threads_ + (i < vus_ % threads_ ? 1 : 0);
      return detail::vu_shard<F, A>(std::move(ex), act, initial, users, start + duration_, grace_, stop_on_signals_);
    };
  }

  // A closed model schedules what it starts: the run info says so.
  template <class A>
  A finish(detail::sharded_result<A>& merged, clock::time_point start) const {
    if constexpr (run_aware_aggregate<A>) {
      const auto& a = merged.aggregate;
      std::uint64_t started = 0;
      if constexpr (requires { a.started(); }) started = a.started();
      const auto planned = merged.stopped_at ? std::min(*merged.stopped_at - start, duration_) : duration_;
      merged.aggregate.record_run(
          run_info{started, planned, clock::now() - start, merged.peak_in_flight, merged.stopped_at.has_value()});
    }
    return std::move(merged.aggregate);
  }

  std::uint64_t vus_;
  clock::duration duration_;
  unsigned threads_;
  clock::duration grace_;
  bool stop_on_signals_;
};

/// Settings of a `constant_vus_executor`; `build()` checks them and throws
/// `karga::error` before any load is sent.
class constant_vus_executor_builder {
public:
  /// Virtual users (required, at least 1).
  constant_vus_executor_builder& vus(std::uint64_t n) {
    vus_ = n;
    return *this;
  }
  /// How long the users run (required).
  constant_vus_executor_builder& duration(std::chrono::duration<double> d) {
    duration_ = d;
    return *this;
  }
  /// Shards, one thread and io_context each. Default 1.
  constant_vus_executor_builder& threads(unsigned n) {
    threads_ = n;
    return *this;
  }
  /// How long running iterations may go on after the duration. Default 30 s.
  constant_vus_executor_builder& grace_period(std::chrono::duration<double> d) {
    grace_ = d;
    return *this;
  }

  /// Whether SIGINT and SIGTERM stop the run early, with a report of what was
  /// measured. Default true.
  constant_vus_executor_builder& stop_on_signals(bool on) {
    stop_on_signals_ = on;
    return *this;
  }

  constant_vus_executor build() const {
    if (vus_ == 0) detail::throw_error("vus must be at least 1, got 0");
    if (threads_ == 0) detail::throw_error("threads must be at least 1, got 0");
    if (!duration_) detail::throw_error("a duration is required");
    return constant_vus_executor(vus_, schedule::checked_duration(*duration_, "duration"), threads_,
                                 schedule::checked_duration(grace_, "grace period"), stop_on_signals_);
  }

private:

  std::uint64_t vus_ = 0;
  std::optional<std::chrono::duration<double>> duration_;
  unsigned threads_ = 1;
  std::chrono::duration<double> grace_{30.0};
  bool stop_on_signals_ = true;
};

inline constant_vus_executor_builder constant_vus_executor::builder() { return {}; }

} // namespace karga
