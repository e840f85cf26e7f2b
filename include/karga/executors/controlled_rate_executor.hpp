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

#include <karga/concepts.hpp>
#include <karga/context.hpp>
#include <karga/detail/builder_settings.hpp>
#include <karga/detail/pacing_slot.hpp>
#include <karga/error.hpp>
#include <karga/rate_control.hpp>
#include <karga/run_options.hpp>
#include <karga/schedule.hpp>
#include <karga/sharded_runner.hpp>

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
class controlled_rate_executor {
public:
  static controlled_rate_executor_builder builder();

  const std::shared_ptr<rate_control>& control() const noexcept { return control_; }
  clock::duration duration() const noexcept { return duration_; }
  unsigned threads() const noexcept { return runner_.threads(); }
  /// Whether SIGINT and SIGTERM stop its runs (the builder's `stop_on_signals`).
  bool stop_on_signals() const noexcept { return runner_.settings().stop_on_signals; }
  std::uint64_t max_in_flight() const noexcept { return max_in_flight_; }
  /// The shortest time between two wakes of a shard for its arrivals (see the builder).
  clock::duration pacing_slot() const noexcept { return pacing_slot_; }
  std::string description() const {
    return "controlled rate from " + detail::number(control_->rate()) + "/s for " +
           detail::seconds(std::chrono::duration<double>(duration_).count());
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
  template <class F, class A>
    requires detail::runnable<F, A>
  boost::asio::awaitable<A> async_run(const F& act, A initial) const {
    return runner_.async_run(act, std::move(initial), plan(), run_options{}, body<F, A>());
  }

private:
  friend class controlled_rate_executor_builder;
  controlled_rate_executor(std::shared_ptr<rate_control> c, clock::duration d, std::uint64_t cap, clock::duration slot,
                           sharded_runner r)
      : control_(std::move(c)), duration_(d), max_in_flight_(cap), pacing_slot_(slot), runner_(r) {}

  load_plan plan() const {
    return {description(), load_kind::open, duration_, [c = control_, d = duration_](clock::duration t) {
              const double s = std::chrono::duration<double>(std::min(t, d)).count();
              return static_cast<std::uint64_t>(std::floor(rate_control::arrivals_by(c->log(), s)));
            }};
  }

  template <class F, class A>
  auto body() const {
    return [c = control_, d = duration_, cap = max_in_flight_, slot = pacing_slot_](shard<F, A>& s) {
      return loop(s, c, d, cap, slot);
    };
  }

  template <class F, class A>
  static boost::asio::awaitable<void> loop(shard<F, A>& s, std::shared_ptr<rate_control> c, clock::duration length,
                                           std::uint64_t cap, clock::duration slot) {
    c->begin(s.start());
    const std::uint64_t mine = cap == 0 ? 0 : cap / s.count() + (s.index() < cap % s.count() ? 1 : 0);
    auto timer = std::make_shared<boost::asio::steady_timer>(s.executor());
    const auto key = c->subscribe(s.executor(), [timer] { timer->cancel(); });  // a change: look again
    s.on_stop([timer] { timer->cancel(); });
    const double end = std::chrono::duration<double>(length).count();
    std::uint64_t seen = 0;
    auto log = c->log(seen);
    clock::time_point last_wake{};
    for (std::uint64_t k = s.index(); !s.stopping();) {
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
      k += s.count();
      if (mine != 0 && s.in_flight() >= mine)
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
  sharded_runner runner_;
};

/// Settings of a `controlled_rate_executor`; `build()` checks them.
class controlled_rate_executor_builder : public detail::builder_settings<controlled_rate_executor_builder> {
public:
  /// The control whose rate the run follows (required).
  controlled_rate_executor_builder& control(std::shared_ptr<rate_control> c) & {
    control_ = std::move(c);
    return *this;
  }
  controlled_rate_executor_builder&& control(std::shared_ptr<rate_control> c) && { return std::move(control(std::move(c))); }
  /// How long the run goes on (required).
  controlled_rate_executor_builder& duration(std::chrono::duration<double> d) & {
    duration_ = d;
    return *this;
  }
  controlled_rate_executor_builder&& duration(std::chrono::duration<double> d) && { return std::move(duration(d)); }
  /// Most actions in flight at once over all shards; arrivals beyond are dropped.
  /// Default 0: no cap.
  controlled_rate_executor_builder& max_in_flight(std::uint64_t n) & {
    max_in_flight_ = n;
    return *this;
  }
  controlled_rate_executor_builder&& max_in_flight(std::uint64_t n) && { return std::move(max_in_flight(n)); }
  /// The shortest time between two wakes of a shard for its arrivals (0 to 10 ms):
  /// a wake starts every arrival due by then, so an arrival starts at most this late,
  /// and closer arrivals cost fewer timer wakes. Default 500 µs.
  controlled_rate_executor_builder& pacing_slot(std::chrono::duration<double> d) & {
    pacing_slot_ = d;
    return *this;
  }
  controlled_rate_executor_builder&& pacing_slot(std::chrono::duration<double> d) && { return std::move(pacing_slot(d)); }

  controlled_rate_executor build() const {
    if (!control_) detail::throw_error("a controlled rate executor needs a rate_control: call .control(...)");
    if (!(duration_.count() > 0)) detail::throw_error("a controlled rate executor needs a duration more than 0");
    const sharded_runner r = runner();
    if (max_in_flight_ != 0 && max_in_flight_ < r.threads())
      detail::throw_error(fmt::format("max_in_flight ({}) must be 0 (no cap) or at least threads ({})", max_in_flight_,
                                      r.threads()));
    return controlled_rate_executor(control_, schedule::checked_duration(duration_, "duration"), max_in_flight_,
                                    detail::checked_pacing_slot(pacing_slot_), r);
  }

private:
  std::shared_ptr<rate_control> control_;
  std::chrono::duration<double> duration_{0};
  std::uint64_t max_in_flight_ = 0;
  std::chrono::duration<double> pacing_slot_{detail::default_pacing_slot};
};

inline controlled_rate_executor_builder controlled_rate_executor::builder() { return {}; }

} // namespace karga
