#pragma once
/// @file executors/controlled_rate_executor.hpp
/// An open model whose target rate a program changes while the run goes on (k6:
/// externally-controlled): `rate_control::set_rate` from any thread.
///
/// ```cpp
/// auto rate = std::make_shared<karga::rate_control>(100.0);
/// auto exec = karga::controlled_rate_executor::builder().control(rate).duration(10min).build();
/// // elsewhere, while it runs:
/// rate->set_rate(250);
/// ```

#include <karga/core/context.hpp>
#include <karga/core/error.hpp>
#include <karga/executors/detail/open_model_settings.hpp>
#include <karga/executors/detail/pacing_slot.hpp>
#include <karga/load/rate_control.hpp>
#include <karga/load/schedule.hpp>
#include <karga/run/executor_base.hpp>
#include <karga/run/run_action.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace karga {

class controlled_rate_executor_builder;

/// Arrivals at the rate a `rate_control` gives, for `duration`. As with
/// `stage_executor`: every arrival due starts then, whatever earlier actions do
/// (with `max_in_flight` reached it is dropped), its latency from the intended start
/// is kept, shards take every n-th arrival. A change of rate takes effect at once.
/// One run at a time per control; the run's rates stay in `rate_control::log()`.
class controlled_rate_executor : public executor_base<controlled_rate_executor> {
public:
  /// Starts a builder: every setting, its default and its check are there.
  static controlled_rate_executor_builder builder();

  /// The control whose rate the run follows.
  const std::shared_ptr<rate_control>& control() const noexcept { return control_; }
  /// How long the run goes on.
  clock::duration duration() const noexcept { return duration_; }
  /// The most actions in flight at once, over all shards (0: no cap).
  std::uint64_t max_in_flight() const noexcept { return max_in_flight_; }
  /// The shortest time between two wakes of a shard for its arrivals (see the builder).
  clock::duration pacing_slot() const noexcept { return pacing_slot_; }
  /// The load model in a few words, as `run_info::model` gives it.
  std::string description() const {
    return "controlled rate from " + detail::number(control_->rate()) + "/s for " +
           detail::seconds(std::chrono::duration<double>(duration_).count()) +
           (segment().count > 1 ? fmt::format(", segment {}/{}", segment().index, segment().count) : "");
  }

private:
  friend class controlled_rate_executor_builder;
  friend class executor_base<controlled_rate_executor>;
  controlled_rate_executor(std::shared_ptr<rate_control> c, clock::duration d, std::uint64_t cap, clock::duration slot,
                           sharded_runner r, karga::segment seg)
      : executor_base(r, seg), control_(std::move(c)), duration_(d), max_in_flight_(cap), pacing_slot_(slot) {}

  load_plan plan() const {
    return {description(), load_kind::open, duration_, [c = control_, d = duration_, seg = segment()](clock::duration t) {
              const double s = std::chrono::duration<double>(std::min(t, d)).count();
              return seg.share(static_cast<std::uint64_t>(std::floor(rate_control::arrivals_by(c->log(), s))));
            }};
  }

  template <class F, class A>
  auto body() const {
    return [c = control_, d = duration_, cap = max_in_flight_, slot = pacing_slot_, seg = segment()](shard<F, A>& s) {
      return loop(s, c, d, s.share(cap), slot, seg);
    };
  }

  template <class F, class A>
  static boost::asio::awaitable<void> loop(shard<F, A>& s, std::shared_ptr<rate_control> c, clock::duration length,
                                           std::uint64_t cap, clock::duration slot, karga::segment seg) {
    c->begin(s.start());
    auto timer = std::make_shared<boost::asio::steady_timer>(s.executor());
    const auto key = c->subscribe(s.executor(), [timer] { timer->cancel(); });  // a change: look again
    s.on_stop([timer] { timer->cancel(); });
    const double end = std::chrono::duration<double>(length).count();
    std::uint64_t seen = 0;
    auto log = c->log(seen);
    clock::time_point last_wake{};
    // This shard takes every n-th arrival of its segment's.
    const std::uint64_t stride = std::uint64_t{seg.count} * s.count();
    for (std::uint64_t k = seg.index + std::uint64_t{seg.count} * s.index(); !s.stopping();) {
      if (c->version() != seen) log = c->log(seen);
      const double due = rate_control::time_of(log, static_cast<double>(k) + 1);
      if (due > end) {
        // Nothing more at this rate before the end: wait for a change (or the end).
        timer->expires_at(s.start() + length);
        co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (clock::now() >= s.start() + length && c->version() == seen) break;
        continue;
      }
      const clock::time_point at = s.start() + schedule::to_duration(due);
      if (clock::now() < at) {
        timer->expires_at(detail::paced_wake(at, last_wake, slot, s.start() + length));
        co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        last_wake = clock::now();
        continue;  // due now, or the rate changed, or a stop: look again
      }
      if (c->version() != seen) continue;  // changed since: was it due at all?
      context ctx;
      ctx.arrival = ctx.iteration = k;
      k += stride;
      if (cap != 0 && s.in_flight() >= cap)
        s.record_dropped(1, drop_reason::max_in_flight);
      else
        s.spawn(run_action(s, at, ctx));
    }
    c->unsubscribe(key);
  }

  std::shared_ptr<rate_control> control_;
  clock::duration duration_;
  std::uint64_t max_in_flight_;
  clock::duration pacing_slot_;
};

/// Settings of a `controlled_rate_executor`; `build()` checks them.
class controlled_rate_executor_builder : public detail::open_model_settings<controlled_rate_executor_builder> {
public:
  /// The control whose rate the run follows (required).
  controlled_rate_executor_builder& control(std::shared_ptr<rate_control> c) {
    control_ = std::move(c);
    return *this;
  }
  /// How long the run goes on (required).
  controlled_rate_executor_builder& duration(std::chrono::duration<double> d) {
    duration_ = d;
    return *this;
  }

  /// The executor; throws `karga::error` for a bad setting, before any load.
  controlled_rate_executor build() const {
    if (!control_) detail::throw_error("a controlled rate executor needs a rate_control: call .control(...)");
    if (!(duration_.count() > 0)) detail::throw_error("a controlled rate executor needs a duration more than 0");
    const sharded_runner r = runner();
    return controlled_rate_executor(control_, schedule::checked_duration(duration_, "duration"),
                                    checked_max_in_flight(r.threads()), checked_pacing_slot(), r, segment_value());
  }

private:
  std::shared_ptr<rate_control> control_;
  std::chrono::duration<double> duration_{0};
};

inline controlled_rate_executor_builder controlled_rate_executor::builder() { return {}; }

} // namespace karga
