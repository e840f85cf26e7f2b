#pragma once
/// @file executors/stage_executor.hpp
/// The open model of the seed example: stages of linearly ramping arrival rate.
/// Every arrival starts at its scheduled time whatever earlier actions are doing.

#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>
#include <karga/executors/detail/open_loop.hpp>
#include <karga/executors/detail/open_model_settings.hpp>
#include <karga/load/profiles.hpp>
#include <karga/load/schedule.hpp>
#include <karga/run/executor_base.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
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
///   arrival that finds the cap reached is dropped (`drop_reason::max_in_flight`),
///   never delayed.
/// - Arrivals still unstarted `late_start_limit` after the schedule's end (the
///   executor could not keep up) are dropped (`drop_reason::late`).
/// - After the schedule, in-flight actions get `grace_period`; then they are
///   cancelled and counted as interrupted.
/// - SIGINT or SIGTERM (Ctrl-C), or `run_options::control`, stops the run early, as
///   if the schedule ended there; `run()` returns what was measured.
/// - With `threads(n)`, shard i runs on its own thread and `io_context` and takes
///   arrivals i, i+n, i+2n, … of the one schedule, with its own copy of the action
///   and of the aggregate; the aggregates are merged at the end.
class stage_executor : public executor_base<stage_executor> {
public:
  /// Starts a builder; see `stage_executor_builder` for the settings and defaults.
  static stage_executor_builder builder();

  /// The arrival schedule.
  const karga::schedule& schedule() const noexcept { return schedule_; }
  /// The most actions in flight at once, over all shards (0: no cap).
  std::uint64_t max_in_flight() const noexcept { return max_in_flight_; }
  /// How long past the schedule's end late arrivals may still start.
  clock::duration late_start_limit() const noexcept { return late_start_limit_; }
  /// The shortest time between two wakes of a shard for its arrivals.
  clock::duration pacing_slot() const noexcept { return pacing_slot_; }
  /// The load model in a few words, as `run_info::model` gives it.
  const std::string& description() const noexcept { return description_; }

private:
  friend class stage_executor_builder;
  friend class executor_base<stage_executor>;

  stage_executor(karga::schedule s, sharded_runner runner, karga::segment seg, std::uint64_t cap, clock::duration late,
                 clock::duration slot, std::string description)
      : executor_base(runner, seg), schedule_(std::move(s)), max_in_flight_(cap), late_start_limit_(late),
        pacing_slot_(slot), description_(std::move(description)) {}

  load_plan plan() const {
    return {description_, load_kind::open, schedule_.length_duration(), [s = schedule_, seg = segment()](clock::duration d) {
              return seg.share(s.due_by(std::chrono::duration<double>(d).count()));
            }};
  }

  template <class F, class A>
  auto body() const {
    return [sched = schedule_, cap = max_in_flight_, late = late_start_limit_, seg = segment(),
            slot = pacing_slot_](shard<F, A>& s) {
      return detail::open_loop<F, A>::body(s, sched, detail::open_options{s.share(cap), late, seg, slot});
    };
  }

  karga::schedule schedule_;
  std::uint64_t max_in_flight_;
  clock::duration late_start_limit_;
  clock::duration pacing_slot_;
  std::string description_;
};

/// Settings of a `stage_executor`. Every setter returns the builder, for chained
/// calls on a temporary or calls on a named builder alike; `build()` checks them
/// all and throws `karga::error` before any load is sent.
class stage_executor_builder : public detail::open_model_settings<stage_executor_builder> {
public:
  /// The stages, in order (required, at least one).
  stage_executor_builder& stages(std::vector<stage> s) {
    stages_ = std::move(s);
    return *this;
  }
  /// Appends one stage: ramp linearly to `target_rate` arrivals/s over `duration`.
  stage_executor_builder& stage(std::chrono::duration<double> duration, double target_rate) {
    stages_.push_back(karga::stage{duration, target_rate});
    return *this;
  }
  /// The rate the first stage ramps from, in arrivals per second. Default 0.
  stage_executor_builder& start_rate(double r) {
    start_rate_ = r;
    return *this;
  }
  /// A whole rate curve instead of stages: one of `karga::profiles` or your own.
  stage_executor_builder& profile(karga::profile p) {
    profile_ = std::move(p);
    return *this;
  }
  /// A rate function instead of stages: `f(t)` arrivals/s at t seconds, for
  /// `length`, sampled every `step` (see `schedule::from_rate` for the error bound).
  stage_executor_builder& rate(std::function<double(double)> f, std::chrono::duration<double> length,
                               std::chrono::duration<double> step = std::chrono::milliseconds(1)) {
    return profile(profiles::function(std::move(f), length, step));
  }
  /// Poisson arrivals over the same rate curve instead of evenly spaced ones:
  /// random gaps, exponentially distributed, from `seed` (the same seed gives the
  /// same times). Default: evenly spaced.
  stage_executor_builder& poisson(std::uint64_t seed) {
    poisson_seed_ = seed;
    return *this;
  }
  /// How long after the schedule's end the executor may still start arrivals it is
  /// late for; the rest are dropped. Default 100 ms.
  stage_executor_builder& late_start_limit(std::chrono::duration<double> d) {
    late_ = d;
    return *this;
  }

  /// The executor; throws `karga::error` for a bad setting, before any load is sent.
  stage_executor build() const {
    const sharded_runner r = runner();
    const std::uint64_t cap = checked_max_in_flight(r.threads());
    const auto late = schedule::checked_duration(late_, "late start limit");
    const auto slot = checked_pacing_slot();
    if (profile_ && !stages_.empty()) detail::throw_error("give stages or a profile (or rate function), not both");
    karga::schedule s = profile_ ? profile_->schedule(poisson_seed_) : karga::schedule(start_rate_, stages_, poisson_seed_);
    const karga::segment seg = segment_value();
    std::string description = profile_ ? profile_->description : describe();
    if (poisson_seed_) description += fmt::format(", Poisson arrivals (seed {})", *poisson_seed_);
    if (seg.count > 1) description += fmt::format(", segment {}/{}", seg.index, seg.count);
    return stage_executor(std::move(s), r, seg, cap, late, slot, std::move(description));
  }

private:
  // "10s→100/s, 30s at 100/s, 5s→0/s": ramps with an arrow, flat stages with "at".
  std::string describe() const {
    std::string out = "stages";
    double rate = start_rate_;
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      const auto& st = stages_[i];
      const std::string d = detail::seconds(st.duration.count()), r = detail::number(st.target_rate);
      std::string part = st.duration.count() == 0 ? "jump to " + r + "/s"
                         : st.target_rate == rate ? d + " at " + r + "/s"
                         : (i == 0 && rate != 0 ? "from " + detail::number(rate) + "/s " : "") + d + "→" + r + "/s";
      out += (i == 0 ? " " : ", ") + part;
      rate = st.target_rate;
    }
    return out;
  }

  std::vector<karga::stage> stages_;
  double start_rate_ = 0;
  std::optional<karga::profile> profile_;
  std::optional<std::uint64_t> poisson_seed_;
  std::chrono::duration<double> late_{0.1};
};

inline stage_executor_builder stage_executor::builder() { return {}; }

} // namespace karga
