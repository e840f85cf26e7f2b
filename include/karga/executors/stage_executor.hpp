#pragma once
/// @file executors/stage_executor.hpp
/// The open model of the seed example: stages of linearly ramping arrival rate.
/// Every arrival starts at its scheduled time whatever earlier actions are doing.

#include <karga/concepts.hpp>
#include <karga/detail/arrival_shard.hpp>
#include <karga/detail/sharded_run.hpp>
#include <karga/error.hpp>
#include <karga/schedule.hpp>


#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace karga {

class stage_executor_builder;

/// Runs an action on an arrival schedule (an open model).
///
/// - Arrival k is due at the time the schedule gives; it starts then, whatever the
///   earlier actions are doing, so a slow system under test never slows the load.
/// - Actions run concurrently on reused coroutines; with `max_in_flight` set, an
///   arrival that finds the cap reached is counted as dropped, never delayed.
/// - Arrivals still unstarted `late_start_limit` after the schedule's end (the
///   executor could not keep up) are dropped.
/// - After the schedule, in-flight actions get `grace_period`; then they are
///   cancelled and counted as interrupted.
/// - SIGINT or SIGTERM (Ctrl-C) stops the run early, as if the schedule ended there;
///   `run()` returns what was measured.
/// - With `threads(n)`, shard i runs on its own thread and `io_context` and takes
///   arrivals i, i+n, i+2n, … of the one schedule, with its own copy of the action
///   and of the aggregate; the aggregates are merged at the end.
class stage_executor {
public:
  /// Starts a builder; see `stage_executor_builder` for the settings and defaults.
  static stage_executor_builder builder();

  const karga::schedule& schedule() const noexcept { return schedule_; }
  unsigned threads() const noexcept { return threads_; }
  std::uint64_t max_in_flight() const noexcept { return options_.max_in_flight; }
  clock::duration grace_period() const noexcept { return options_.grace; }
  clock::duration late_start_limit() const noexcept { return options_.late_start_limit; }

  /// Runs `act` to the end of the schedule and returns the merged aggregate.
  /// Blocks the calling thread, which runs shard 0.
  template <action F, aggregate_for<metric_of_t<F>> A>
  A run(const F& act, A initial = A{}) const {
    const clock::time_point start = clock::now();
    auto merged = detail::run_sharded<A>(threads_, act, shard_maker<F, A>(initial, start));
    record_run(merged, start);
    return std::move(merged.aggregate);
  }

  /// Same as `run`, inside the caller's executor: shard 0 runs there, the other
  /// shards on threads of their own.
  template <action F, aggregate_for<metric_of_t<F>> A>
  boost::asio::awaitable<A> async_run(const F& act, A initial = A{}) const {
    const clock::time_point start = clock::now();
    auto merged = co_await detail::async_run_sharded<A>(threads_, act, shard_maker<F, A>(initial, start));
    record_run(merged, start);
    co_return std::move(merged.aggregate);
  }

private:
  friend class stage_executor_builder;

  stage_executor(karga::schedule s, unsigned threads, detail::shard_options opt)
      : schedule_(std::move(s)), threads_(threads), options_(opt) {}

  template <class F, class A>
  auto shard_maker(const A& initial, clock::time_point start) const {
    return [this, initial, start](boost::asio::any_io_executor ex, F& act, unsigned index) {
      return detail::arrival_shard<F, A>(std::move(ex), schedule_, act, initial, options_, index, threads_, start);
    };
  }

  template <class A>
  void record_run(detail::sharded_result<A>& merged, clock::time_point start) const {
    if constexpr (run_aware_aggregate<A>) {
      const auto planned = merged.stopped_at ? std::min(*merged.stopped_at - start, schedule_.length_duration())
                                             : schedule_.length_duration();
      merged.aggregate.record_run(run_info{schedule_.total() - merged.not_scheduled, planned, clock::now() - start,
                                           merged.peak_in_flight, merged.stopped_at.has_value()});
    }
  }

  karga::schedule schedule_;
  unsigned threads_;
  detail::shard_options options_;
};

/// Settings of a `stage_executor`. Every setter returns the builder; `build()`
/// checks them all and throws `karga::error` before any load is sent.
class stage_executor_builder {
public:
  /// The stages, in order (required, at least one).
  stage_executor_builder& stages(std::vector<stage> s) {
    stages_ = std::move(s);
    return *this;
  }
  /// Appends one stage.
  stage_executor_builder& stage(std::chrono::duration<double> duration, double target_rate) {
    stages_.push_back(karga::stage{duration, target_rate});
    return *this;
  }
  /// The rate the first stage ramps from, in arrivals per second. Default 0.
  stage_executor_builder& start_rate(double r) {
    start_rate_ = r;
    return *this;
  }
  /// Shards, one thread and `io_context` each. Default 1.
  stage_executor_builder& threads(unsigned n) {
    threads_ = n;
    return *this;
  }
  /// Most actions in flight at once per shard; arrivals beyond it are dropped.
  /// Default 0: no cap.
  stage_executor_builder& max_in_flight(std::uint64_t n) {
    options_.max_in_flight = n;
    return *this;
  }
  /// How long in-flight actions may go on after the schedule ends before they are
  /// cancelled and counted as interrupted. Default 30 s.
  stage_executor_builder& grace_period(std::chrono::duration<double> d) {
    grace_ = d;
    return *this;
  }
  /// Whether SIGINT and SIGTERM stop the run early: no arrival starts after the
  /// signal, in-flight actions get the grace period, and `run()` returns what was
  /// measured (the report says the run was stopped). Default true.
  stage_executor_builder& stop_on_signals(bool on) {
    options_.stop_on_signals = on;
    return *this;
  }
  /// How long after the schedule's end the executor may still start arrivals it is
  /// late for; the rest are dropped. Default 100 ms.
  stage_executor_builder& late_start_limit(std::chrono::duration<double> d) {
    late_ = d;
    return *this;
  }

  stage_executor build() const {
    if (threads_ == 0) detail::throw_error("threads must be at least 1, got 0");
    detail::shard_options opt = options_;
    opt.grace = schedule::checked_duration(grace_, "grace period");
    opt.late_start_limit = schedule::checked_duration(late_, "late start limit");
    karga::schedule s(start_rate_, stages_);
    return stage_executor(std::move(s), threads_, opt);
  }

private:
  std::vector<karga::stage> stages_;
  double start_rate_ = 0;
  unsigned threads_ = 1;
  detail::shard_options options_{};
  std::chrono::duration<double> grace_{30.0};
  std::chrono::duration<double> late_{0.1};
};

inline stage_executor_builder stage_executor::builder() { return {}; }

} // namespace karga
