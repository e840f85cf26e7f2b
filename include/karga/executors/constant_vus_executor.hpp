#pragma once
/// @file executors/constant_vus_executor.hpp
/// A closed model: a fixed number of virtual users, each running the action again
/// as soon as its previous run ends, for a duration. The load follows the system's
/// speed (like wrk); use `stage_executor` to impose a rate instead.

#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>
#include <karga/executors/detail/closed_loop.hpp>
#include <karga/load/schedule.hpp>
#include <karga/run/builder_settings.hpp>
#include <karga/run/executor_base.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace karga {

class constant_vus_executor_builder;

/// Runs `vus` virtual users for `duration`; with `threads(n)` the users are split
/// over n shards, each with its own thread, io_context, action and aggregate.
/// Iterations still running at the end get `grace_period`, then are cancelled and
/// counted as interrupted. A closed model schedules what it starts:
/// `run_info::scheduled` is the number of iterations started. (k6: constant-vus.)
class constant_vus_executor : public executor_base<constant_vus_executor> {
public:
  /// Starts a builder: every setting, its default and its check are there.
  static constant_vus_executor_builder builder();

  /// This process's users (its segment's share).
  std::uint64_t vus() const noexcept { return vus_; }
  /// How long the users run.
  clock::duration duration() const noexcept { return duration_; }
  /// The load model in a few words, as `run_info::model` gives it.
  std::string description() const {
    return fmt::format("{} users for {}", vus_, detail::seconds(std::chrono::duration<double>(duration_).count()));
  }

private:
  friend class constant_vus_executor_builder;
  friend class executor_base<constant_vus_executor>;
  constant_vus_executor(std::uint64_t vus, clock::duration d, sharded_runner runner, karga::segment seg)
      : executor_base(runner, seg), vus_(vus), duration_(d) {}

  load_plan plan() const { return {description(), load_kind::closed, duration_}; }

  template <class F, class A>
  auto body() const {
    return [vus = vus_, d = duration_](shard<F, A>& s) { return detail::closed_loop<F, A>::body(s, s.share(vus), s.start() + d); };
  }

  std::uint64_t vus_;
  clock::duration duration_;
};

/// Settings of a `constant_vus_executor`; `build()` checks them and throws
/// `karga::error` before any load is sent.
class constant_vus_executor_builder : public builder_settings<constant_vus_executor_builder> {
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

  /// The executor; throws `karga::error` for a bad setting, before any load.
  constant_vus_executor build() const {
    if (vus_ == 0) detail::throw_error("vus must be at least 1, got 0");
    if (!duration_) detail::throw_error("a duration is required");
    const std::uint64_t mine = segment_users(vus_);
    return constant_vus_executor(mine, schedule::checked_duration(*duration_, "duration"), runner(), segment_value());
  }

private:
  std::uint64_t vus_ = 0;
  std::optional<std::chrono::duration<double>> duration_;
};

inline constant_vus_executor_builder constant_vus_executor::builder() { return {}; }

} // namespace karga
