#pragma once
/// @file executors/constant_vus_executor.hpp
/// A closed model: a fixed number of virtual users, each running the action again
/// as soon as its previous run ends, for a duration. The load follows the system's
/// speed (like wrk); use `stage_executor` to impose a rate instead.

#include <karga/concepts.hpp>
#include <karga/detail/builder_settings.hpp>
#include <karga/detail/closed_loop.hpp>
#include <karga/detail/format.hpp>
#include <karga/error.hpp>
#include <karga/run_options.hpp>
#include <karga/schedule.hpp>
#include <karga/sharded_runner.hpp>

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
class constant_vus_executor {
public:
  static constant_vus_executor_builder builder();

  std::uint64_t vus() const noexcept { return vus_; }
  clock::duration duration() const noexcept { return duration_; }
  unsigned threads() const noexcept { return runner_.threads(); }
  /// Whether SIGINT and SIGTERM stop its runs (the builder's `stop_on_signals`).
  bool stop_on_signals() const noexcept { return runner_.settings().stop_on_signals; }
  clock::duration grace_period() const noexcept { return runner_.settings().grace; }
  /// The load model in a few words, as `run_info::model` gives it.
  std::string description() const {
    return fmt::format("{} users for {}", vus_, detail::seconds(std::chrono::duration<double>(duration_).count()));
  }

  template <class F, class A>
  A run(const F& act, A initial, const run_options& opt = {}) const {
    if constexpr (detail::check_executor_call<F, A>())
      return runner_.run(act, std::move(initial), plan(), opt, body<F, A>());
    else
      return initial;
  }
  template <class F, class A>
    requires detail::runnable<F, A>
  boost::asio::awaitable<A> async_run(const F& act, A initial, const run_options& opt) const {
    return runner_.async_run(act, std::move(initial), plan(), opt, body<F, A>());
  }
  // An overload, not a default argument: g++ 12 destroys a default argument of a
  // call inside `co_await` twice.
  template <class F, class A>
    requires detail::runnable<F, A>
  boost::asio::awaitable<A> async_run(const F& act, A initial) const {
    return runner_.async_run(act, std::move(initial), plan(), run_options{}, body<F, A>());
  }

private:
  friend class constant_vus_executor_builder;
  constant_vus_executor(std::uint64_t vus, clock::duration d, sharded_runner runner)
      : vus_(vus), duration_(d), runner_(runner) {}

  load_plan plan() const { return {description(), load_kind::closed, duration_}; }

  template <class F, class A>
  auto body() const {
    return [vus = vus_, d = duration_](shard<F, A>& s) {
      const std::uint64_t users = vus / s.count() + (s.index() < vus % s.count() ? 1 : 0);
      return detail::closed_loop<F, A>::body(s, users, s.start() + d);
    };
  }

  std::uint64_t vus_;
  clock::duration duration_;
  sharded_runner runner_;
};

/// Settings of a `constant_vus_executor`; `build()` checks them and throws
/// `karga::error` before any load is sent.
class constant_vus_executor_builder : public detail::builder_settings<constant_vus_executor_builder> {
public:
  /// Virtual users (required, at least 1).
  constant_vus_executor_builder& vus(std::uint64_t n) & {
    vus_ = n;
    return *this;
  }
  constant_vus_executor_builder&& vus(std::uint64_t n) && { return std::move(vus(n)); }
  /// How long the users run (required).
  constant_vus_executor_builder& duration(std::chrono::duration<double> d) & {
    duration_ = d;
    return *this;
  }
  constant_vus_executor_builder&& duration(std::chrono::duration<double> d) && { return std::move(duration(d)); }

  constant_vus_executor build() const {
    if (vus_ == 0) detail::throw_error("vus must be at least 1, got 0");
    if (!duration_) detail::throw_error("a duration is required");
    const karga::segment seg = segment_value();
    const std::uint64_t mine = seg.share(vus_);
    if (mine == 0)
      detail::throw_error(fmt::format("segment {}/{} of {} users has none: use fewer segments", seg.index, seg.count, vus_));
    return constant_vus_executor(mine, schedule::checked_duration(*duration_, "duration"), runner());
  }

private:
  std::uint64_t vus_ = 0;
  std::optional<std::chrono::duration<double>> duration_;
};

inline constant_vus_executor_builder constant_vus_executor::builder() { return {}; }

} // namespace karga
