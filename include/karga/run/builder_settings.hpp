#pragma once
/// @file run/builder_settings.hpp
/// The settings every executor builder has — threads, grace period, cancel wait,
/// signals, segment — written once, for karga's executors and yours: a builder
/// derives from `builder_settings<itself>` and calls `runner()` in its `build()`.
///
/// Setters return the builder, so calls chain on a temporary
/// (`stage_executor::builder().threads(2).build()`) as on a named builder. They have
/// no ref-qualifier (C++20 has no `this` parameter to deduce): one setter serves
/// both. Keep a copy of a chain on a temporary (`auto b = ...builder().threads(2);`),
/// not a reference to it.

#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>
#include <karga/core/timing.hpp>
#include <karga/load/schedule.hpp>
#include <karga/load/segment.hpp>
#include <karga/run/shard.hpp>
#include <karga/run/sharded_runner.hpp>

#include <chrono>
#include <cstdint>

namespace karga {

/// The common setters of a builder `Derived` (see the file's comment).
template <class Derived>
class builder_settings {
public:
  /// Shards, one thread and `io_context` each. Default 1.
  Derived& threads(unsigned n) {
    threads_ = n;
    return self();
  }
  /// After the plan (or a stop), how long actions in flight may go on before they
  /// are cancelled and counted as interrupted. Default 30 s.
  Derived& grace_period(std::chrono::duration<double> d) {
    grace_ = d;
    return self();
  }
  /// After the grace period, how long to wait for cancelled actions that ignore the
  /// cancellation before abandoning them (they stay counted as interrupted; a stop
  /// request, such as another Ctrl-C, abandons them at once). Default 1 s.
  Derived& cancel_wait(std::chrono::duration<double> d) {
    cancel_wait_ = d;
    return self();
  }
  /// Whether SIGINT and SIGTERM stop the run early: nothing new starts, actions in
  /// flight get the grace period (a second signal ends it, a third abandons what
  /// ignores cancellation), and `run()` returns what was measured. Default true.
  Derived& stop_on_signals(bool on) {
    stop_on_signals_ = on;
    return self();
  }
  /// This process's part of a test run by several (`karga::segment`): segment i of
  /// n takes every n-th arrival, user or iteration. Default 0/1: all of it.
  Derived& segment(karga::segment s) {
    segment_ = s;
    return self();
  }

protected:
  /// The runner these settings make; throws `karga::error` for bad ones.
  sharded_runner runner() const {
    shard_settings settings;
    settings.grace = schedule::checked_duration(grace_, "grace period");
    settings.cancel_wait = schedule::checked_duration(cancel_wait_, "cancel wait");
    settings.stop_on_signals = stop_on_signals_;
    return sharded_runner(threads_, settings);
  }
  /// The segment, checked (throws `karga::error` for a bad one).
  karga::segment segment_value() const {
    segment_.check();
    return segment_;
  }
  /// This segment's share of `users` (closed models); throws `karga::error` when it
  /// has none.
  std::uint64_t segment_users(std::uint64_t users) const {
    const karga::segment seg = segment_value();
    const std::uint64_t mine = seg.share(users);
    if (mine == 0)
      detail::throw_error(fmt::format("segment {}/{} of {} users has none: use fewer segments", seg.index, seg.count, users));
    return mine;
  }
  /// The builder, for setters to return.
  Derived& self() noexcept { return static_cast<Derived&>(*this); }

private:
  unsigned threads_ = 1;
  std::chrono::duration<double> grace_{30.0};
  std::chrono::duration<double> cancel_wait_{1.0};
  bool stop_on_signals_ = true;
  karga::segment segment_;
};

} // namespace karga
