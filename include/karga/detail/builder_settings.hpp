#pragma once
/// @file detail/builder_settings.hpp
/// The settings every executor builder has — threads, grace period, cancel wait,
/// signals — written once. Setters work chained on a temporary and on a named
/// builder alike.

#include <karga/schedule.hpp>
#include <karga/segment.hpp>
#include <karga/shard.hpp>
#include <karga/sharded_runner.hpp>

#include <chrono>
#include <utility>

namespace karga::detail {

template <class Derived>
class builder_settings {
public:
  /// Shards, one thread and `io_context` each. Default 1.
  Derived& threads(unsigned n) & {
    threads_ = n;
    return self();
  }
  Derived&& threads(unsigned n) && { return std::move(threads(n)); }
  /// After the plan (or a stop), how long actions in flight may go on before they
  /// are cancelled and counted as interrupted. Default 30 s.
  Derived& grace_period(std::chrono::duration<double> d) & {
    grace_ = d;
    return self();
  }
  Derived&& grace_period(std::chrono::duration<double> d) && { return std::move(grace_period(d)); }
  /// After the grace period, how long to wait for cancelled actions that ignore the
  /// cancellation before abandoning them (they stay counted as interrupted; a stop
  /// request, such as another Ctrl-C, abandons them at once). Default 1 s.
  Derived& cancel_wait(std::chrono::duration<double> d) & {
    cancel_wait_ = d;
    return self();
  }
  Derived&& cancel_wait(std::chrono::duration<double> d) && { return std::move(cancel_wait(d)); }
  /// Whether SIGINT and SIGTERM stop the run early: nothing new starts, actions in
  /// flight get the grace period (a second signal ends it, a third abandons what
  /// ignores cancellation), and `run()` returns what was measured. Default true.
  Derived& stop_on_signals(bool on) & {
    stop_on_signals_ = on;
    return self();
  }
  Derived&& stop_on_signals(bool on) && { return std::move(stop_on_signals(on)); }
  /// This process's part of a test run by several (`karga::segment`): segment i of
  /// n takes every n-th arrival, user or iteration. Default 0/1: all of it.
  Derived& segment(karga::segment s) & {
    segment_ = s;
    return self();
  }
  Derived&& segment(karga::segment s) && { return std::move(segment(s)); }

protected:
  /// The runner these settings make; throws `karga::error` for bad ones.
  sharded_runner runner() const {
    shard_settings settings;
    settings.grace = schedule::checked_duration(grace_, "grace period");
    settings.cancel_wait = schedule::checked_duration(cancel_wait_, "cancel wait");
    settings.stop_on_signals = stop_on_signals_;
    return sharded_runner(threads_, settings);
  }
  unsigned threads_value() const noexcept { return threads_; }
  /// The segment, checked (throws `karga::error` for a bad one).
  karga::segment segment_value() const {
    segment_.check();
    return segment_;
  }

private:
  Derived& self() { return static_cast<Derived&>(*this); }
  unsigned threads_ = 1;
  std::chrono::duration<double> grace_{30.0};
  std::chrono::duration<double> cancel_wait_{1.0};
  bool stop_on_signals_ = true;
  karga::segment segment_;
};

} // namespace karga::detail
