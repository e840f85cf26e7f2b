#pragma once
/// @file executors/stage_executor.hpp
/// The open model of the seed example: stages of linearly ramping arrival rate.
/// Every arrival starts at its scheduled time whatever earlier actions are doing.

#include <karga/concepts.hpp>
#include <karga/detail/builder_settings.hpp>
#include <karga/detail/format.hpp>
#include <karga/detail/open_loop.hpp>
#include <karga/error.hpp>
#include <karga/profiles.hpp>
#include <karga/run_options.hpp>
#include <karga/schedule.hpp>
#include <karga/sharded_runner.hpp>

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
class stage_executor {
public:
  /// Starts a builder; see `stage_executor_builder` for the settings and defaults.
  static stage_executor_builder builder();

  const karga::schedule& schedule() const noexcept { return schedule_; }
  unsigned threads() const noexcept { return runner_.threads(); }
  /// Whether SIGINT and SIGTERM stop its runs (the builder's `stop_on_signals`).
  bool stop_on_signals() const noexcept { return runner_.settings().stop_on_signals; }
  /// The most actions in flight at once, over all shards (0: no cap).
  std::uint64_t max_in_flight() const noexcept { return max_in_flight_; }
  clock::duration grace_period() const noexcept { return runner_.settings().grace; }
  clock::duration late_start_limit() const noexcept { return late_start_limit_; }
  clock::duration pacing_slot() const noexcept { return pacing_slot_; }
  /// The load model in a few words, as `run_info::model` gives it.
  const std::string& description() const noexcept { return description_; }

  /// Runs `act` to the end of the schedule and returns the merged aggregate.
  /// Blocks the calling thread, which runs shard 0.
  template <class F, class A>
  A run(const F& act, A initial, const run_options& opt = {}) const {
    if constexpr (detail::check_executor_call<F, A>())
      return runner_.run(act, std::move(initial), plan(), opt, body<F, A>());
    else
      return initial;
  }

  /// Same as `run`, inside the caller's executor: shard 0 runs there (through a
  /// strand), the other shards on threads of their own.
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
  friend class stage_executor_builder;

  stage_executor(karga::schedule s, sharded_runner runner, std::uint64_t cap, clock::duration late, karga::segment seg)
      : schedule_(std::move(s)), runner_(runner), max_in_flight_(cap), late_start_limit_(late), segment_(seg) {}

  load_plan plan() const {
    return {description_, load_kind::open, schedule_.length_duration(), [s = schedule_, seg = segment_](clock::duration d) {
              return seg.share(s.due_by(std::chrono::duration<double>(d).count()));
            }};
  }

  template <class F, class A>
  auto body() const {
    return [sched = schedule_, cap = max_in_flight_, late = late_start_limit_, seg = segment_,
            slot = pacing_slot_](shard<F, A>& s) {
      // The cap, split exactly over the shards.
      const std::uint64_t mine = cap == 0 ? 0 : cap / s.count() + (s.index() < cap % s.count() ? 1 : 0);
      return detail::open_loop<F, A>::body(s, sched, detail::open_options{mine, late, seg, slot});
    };
  }

  karga::schedule schedule_;
  sharded_runner runner_;
  std::uint64_t max_in_flight_;
  clock::duration late_start_limit_;
  karga::segment segment_;
  clock::duration pacing_slot_ = detail::default_pacing_slot;
  std::string description_;
};

/// Settings of a `stage_executor`. Every setter returns the builder, for chained
/// calls on a temporary or calls on a named builder alike; `build()` checks them
/// all and throws `karga::error` before any load is sent.
class stage_executor_builder : public detail::builder_settings<stage_executor_builder> {
public:
  /// The stages, in order (required, at least one).
  stage_executor_builder& stages(std::vector<stage> s) & {
    stages_ = std::move(s);
    return *this;
  }
  stage_executor_builder&& stages(std::vector<stage> s) && { return std::move(stages(std::move(s))); }
  /// Appends one stage: ramp linearly to `target_rate` arrivals/s over `duration`.
  stage_executor_builder& stage(std::chrono::duration<double> duration, double target_rate) & {
    stages_.push_back(karga::stage{duration, target_rate});
    return *this;
  }
  stage_executor_builder&& stage(std::chrono::duration<double> duration, double target_rate) && {
    return std::move(stage(duration, target_rate));
  }
  /// The rate the first stage ramps from, in arrivals per second. Default 0.
  stage_executor_builder& start_rate(double r) & {
    start_rate_ = r;
    return *this;
  }
  stage_executor_builder&& start_rate(double r) && { return std::move(start_rate(r)); }
  /// A whole rate curve instead of stages: one of `karga::profiles` or your own.
  stage_executor_builder& profile(karga::profile p) & {
    profile_ = std::move(p);
    return *this;
  }
  stage_executor_builder&& profile(karga::profile p) && { return std::move(profile(std::move(p))); }
  /// A rate function instead of stages: `f(t)` arrivals/s at t seconds, for
  /// `length`, sampled every `step` (see `schedule::from_rate` for the error bound).
  stage_executor_builder& rate(std::function<double(double)> f, std::chrono::duration<double> length,
                               std::chrono::duration<double> step = std::chrono::milliseconds(1)) & {
    return profile(profiles::function(std::move(f), length, step));
  }
  stage_executor_builder&& rate(std::function<double(double)> f, std::chrono::duration<double> length,
                                std::chrono::duration<double> step = std::chrono::milliseconds(1)) && {
    return std::move(rate(std::move(f), length, step));
  }
  /// Poisson arrivals over the same rate curve instead of evenly spaced ones:
  /// random gaps, exponentially distributed, from `seed` (the same seed gives the
  /// same times). Default: evenly spaced.
  stage_executor_builder& poisson(std::uint64_t seed) & {
    poisson_seed_ = seed;
    return *this;
  }
  stage_executor_builder&& poisson(std::uint64_t seed) && { return std::move(poisson(seed)); }
  /// Most actions in flight at once, over all shards (split exactly between them);
  /// arrivals beyond it are dropped. Default 0: no cap.
  stage_executor_builder& max_in_flight(std::uint64_t n) & {
    max_in_flight_ = n;
    return *this;
  }
  stage_executor_builder&& max_in_flight(std::uint64_t n) && { return std::move(max_in_flight(n)); }
  /// How long after the schedule's end the executor may still start arrivals it is
  /// late for; the rest are dropped. Default 100 ms.
  stage_executor_builder& late_start_limit(std::chrono::duration<double> d) & {
    late_ = d;
    return *this;
  }
  stage_executor_builder&& late_start_limit(std::chrono::duration<double> d) && {
    return std::move(late_start_limit(d));
  }
  /// The shortest time between two wakes of a shard for its arrivals (0 to 10 ms):
  /// a wake starts every arrival due by then, so an arrival starts at most this late,
  /// and closer arrivals cost fewer timer wakes. Default 500 µs.
  stage_executor_builder& pacing_slot(std::chrono::duration<double> d) & {
    pacing_slot_ = d;
    return *this;
  }
  stage_executor_builder&& pacing_slot(std::chrono::duration<double> d) && { return std::move(pacing_slot(d)); }

  stage_executor build() const {
    const sharded_runner r = runner();
    if (max_in_flight_ != 0 && max_in_flight_ < r.threads())
      detail::throw_error(fmt::format("max_in_flight ({}) must be 0 (no cap) or at least threads ({})",
                                      max_in_flight_, r.threads()));
    const auto late = schedule::checked_duration(late_, "late start limit");
    const auto slot = detail::checked_pacing_slot(pacing_slot_);
    if (profile_ && !stages_.empty()) detail::throw_error("give stages or a profile (or rate function), not both");
    karga::schedule s = profile_ ? profile_->schedule(poisson_seed_) : karga::schedule(start_rate_, stages_, poisson_seed_);
    const karga::segment seg = segment_value();
    stage_executor e(std::move(s), r, max_in_flight_, late, seg);
    e.pacing_slot_ = slot;
    e.description_ = profile_ ? profile_->description : describe();
    if (poisson_seed_) e.description_ += fmt::format(", Poisson arrivals (seed {})", *poisson_seed_);
    if (seg.count > 1) e.description_ += fmt::format(", segment {}/{}", seg.index, seg.count);
    return e;
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
  std::uint64_t max_in_flight_ = 0;
  std::chrono::duration<double> late_{0.1};
  std::chrono::duration<double> pacing_slot_{detail::default_pacing_slot};
};

inline stage_executor_builder stage_executor::builder() { return {}; }

} // namespace karga
