#pragma once
/// @file executors/detail/open_loop.hpp
/// The body of an open-model shard: takes every n-th arrival of a schedule and
/// starts each at its due time, whatever the earlier actions are doing.
///
/// Workers are reused coroutines. At any time one worker, the *leader*, owns the
/// next arrival: it waits for the arrival's time, starts the action and runs it
/// inline. A *guard* handler, posted before the leader's first action after each
/// suspension, runs only when the shard's executor gets control back; if it finds
/// the leader still inside its action, the action has suspended, so the guard hands
/// the leadership on: it wakes an idle worker for each arrival already due (or makes
/// a new one), and each of them, running while the leader before it is suspended in
/// its action, leads in turn. A worker whose action ends while the leader is
/// suspended leads as well, instead of parking. Actions that complete without
/// suspending thus run back to back with no scheduling cost, the arrivals of one
/// wake start in one pass of the executor, and a slow action never delays the next
/// arrival.

#include <karga/core/concepts.hpp>
#include <karga/core/timing.hpp>
#include <karga/executors/detail/pacing_slot.hpp>
#include <karga/load/schedule.hpp>
#include <karga/load/segment.hpp>
#include <karga/run/shard.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>

namespace karga::detail {

/// What an open-model shard takes from its executor.
struct open_options {
  std::uint64_t max_in_flight = 0;     ///< per shard; 0: no cap
  clock::duration late_start_limit{};  ///< past the schedule's end, unstarted arrivals are dropped
  segment part{};                      ///< this process's part: shards split it again
  clock::duration pacing_slot = default_pacing_slot;  ///< the shortest time between two timer wakes
};

template <class F, class A>
class open_loop : public std::enable_shared_from_this<open_loop<F, A>> {
  using metric_type = metric_of_t<F>;
  static constexpr bool timed = shard<F, A>::timed;
  static constexpr bool synchronous = synchronous_action<F>;
  static constexpr bool is_task = task_action<F>;

  // Arrivals run between two clock reads when the shard is behind schedule, and
  // clock reads between two yields to the executor (so its I/O and timers run).
  static constexpr std::uint64_t batch = 256;
  static constexpr unsigned batches_per_yield = 16;

public:
  /// The body of shard `s`: runs its share of `sched`.
  static boost::asio::awaitable<void> body(shard<F, A>& s, schedule sched, open_options opt) {
    auto self = std::make_shared<open_loop>(s, std::move(sched), opt);
    s.keep(self);  // workers may outlive the body: the loop lives as long as the shard
    s.on_stop([self] { self->arrival_timer_.cancel(); });  // a waiting leader looks again
    self->spawn_worker();
    while (!self->finished_) {
      self->done_.expires_at(clock::time_point::max());
      co_await self->done_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      const auto state = co_await boost::asio::this_coro::cancellation_state;
      if (state.cancelled() != boost::asio::cancellation_type::none) break;
    }
    s.add_scheduled(self->mine_ - self->not_scheduled_);
  }

  open_loop(shard<F, A>& s, schedule sched, open_options opt)
      : shard_(s), schedule_(std::move(sched)), cursor_(schedule_), opt_(opt), stride_(opt.part.count * s.count()),
        next_(opt.part.index + opt.part.count * std::uint64_t{s.index()}),
        total_(schedule_.total()),
        last_start_(s.start() + schedule_.length_duration() + opt.late_start_limit),
        arrival_timer_(s.executor()), done_(s.executor()),
        idle_timer_(s.executor(), clock::time_point::max()) {
    mine_ = next_ < total_ ? (total_ - next_ + stride_ - 1) / stride_ : 0;
    if (mine_ != 0) last_due_ = s.start() + schedule::to_duration(schedule_.time_of(next_ + (mine_ - 1) * stride_));
  }

private:
  // A worker's frame is part of every in-flight action's memory, so it holds little:
  // the leader's state is the loop's (only one worker leads at a time), an action's
  // times are its worker's, and what runs without suspending is in plain functions.
  struct worker {
    bool busy = false;
    clock::time_point scheduled{};  // the current action's intended start (if timed or with a context)
    clock::time_point started{};
  };
  struct no_context {};
  using context_slot = std::conditional_t<shard<F, A>::wants_context, context, no_context>;
  static auto call(F& f, [[maybe_unused]] const context_slot& ctx) {
    if constexpr (shard<F, A>::wants_context)
      return f(ctx);
    else
      return f();
  }

  void spawn_worker() {
    worker& w = workers_.emplace_back();
    shard_.spawn(work(w));
  }

  // Idle workers wait on one timer that never expires; cancelling one wait wakes
  // one worker, like a condition variable.
  boost::asio::awaitable<void> park() {
    ++idle_;
    co_await idle_timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }

  // One coroutine per worker: it parks while another worker leads, and leads (in the
  // loop below) when none does. Actions run inline, in this frame.
  boost::asio::awaitable<void> work(worker& me) {
    context_slot ctx;  // for actions that take one: it outlives each action's awaitable
    // A task's Asio operations attach to this worker's cancellation (an interrupt);
    // other actions keep no slot in the frame.
    [[maybe_unused]] std::conditional_t<is_task, boost::asio::cancellation_slot, no_context> slot;
    if constexpr (is_task) {
      const auto state = co_await boost::asio::this_coro::cancellation_state;
      slot = state.slot();
    }
    while (!finished_) {
      if (leader_ != nullptr && !leader_->busy) {
        co_await park();
        continue;
      }
      // No leader, or one inside an action: as this worker runs, that action has
      // suspended (as the guard would find), so this worker takes the next arrival.
      leader_ = &me;
      now_ = clock::now();
      while (leader_ == &me) {
        const step next = next_step();
        if (next == step::done) break;
        if (next == step::yield) {
          co_await boost::asio::post(shard_.executor(), boost::asio::use_awaitable);
          continue;
        }
        if (next == step::wait) {
          co_await arrival_timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
          woke();
          continue;
        }
        // Arrival `arrival_` starts now.
        if constexpr (synchronous) {
          run_synchronous(me, ctx);
        } else if constexpr (is_task) {
          // Inline until it first waits; only then is the guard needed (see guard).
          begin(me, ctx);
          auto t = call(shard_.action(), ctx);
          if (!t.start(slot, &shard_.executor())) {
            post_guard();
            co_await t.async_wait(boost::asio::use_awaitable);
          }
          ended(me, catch_outcome([&] { return t.result(); }));
        } else {
          begin(me, ctx);
          action_outcome<metric_type> out;
          try {
            out.metric.emplace(co_await call(shard_.action(), ctx));
          } catch (...) {
            out.thrown = std::current_exception();
          }
          ended(me, std::move(out));
        }
      }
    }
  }

  enum class step { run, wait, yield, done };

  // The leader's next step, decided without suspending: `run` arrival_, `wait` on the
  // armed arrival timer, `yield` to the executor (so its I/O and timers run), or
  // `done` (no arrival left).
  step next_step() {
    for (;;) {
      if (next_ >= due_end_) {
        if (next_ >= total_) {
          finish();
          return step::done;
        }
        if (batches_++ == batches_per_yield) {
          batches_ = 0;
          return step::yield;
        }
        now_ = clock::now();
        if (shard_.stopping()) {
          cut_at_stop();
          continue;
        }
        if (now_ > last_start_) {
          // Past the end: arrivals not started by now never will be.
          dropped_late_ += (total_ - next_ + stride_ - 1) / stride_;
          next_ = total_;
          continue;
        }
        due_end_ = std::min(cursor_.due_by(seconds_since_start(now_)), next_ + batch * stride_);
        if (next_ >= due_end_) {
          const clock::time_point due = shard_.start() + schedule::to_duration(cursor_.time_of(next_));
          arrival_timer_.expires_at(paced_wake(due, last_wake_, opt_.pacing_slot, last_due_));
          return step::wait;
        }
      }
      // With a clock read per action (timing on), the end of the schedule is
      // checked per action too, not per batch.
      if constexpr (timed) {
        if (now_ > last_start_) {
          due_end_ = next_;
          continue;
        }
      }
      arrival_ = next_;
      next_ += stride_;
      if (opt_.max_in_flight != 0 && shard_.in_flight() >= opt_.max_in_flight) {
        ++dropped_by_cap_;
        continue;
      }
      return step::run;
    }
  }

  // The arrival timer fired (or a stop cancelled it).
  void woke() {
    now_ = clock::now();
    last_wake_ = now_;
    if (shard_.stopping()) {
      cut_at_stop();
      return;
    }
    due_end_ = std::min(cursor_.due_by(seconds_since_start(now_)), next_ + batch * stride_);
    if (next_ >= due_end_) due_end_ = next_ + 1;  // the timer fired: arrival next_ is due
  }

  // Arrival `arrival_` starts in worker `me` (a suspending action: the guard is posted).
  void begin(worker& me, [[maybe_unused]] context_slot& ctx) {
    if constexpr (timed || shard<F, A>::wants_context)
      me.scheduled = shard_.start() + schedule::to_duration(cursor_.time_of(arrival_));
    me.started = now_;
    if constexpr (shard<F, A>::wants_context) {
      ctx = shard_.make_context(me.scheduled);
      ctx.arrival = ctx.iteration = arrival_;
    }
    if constexpr (!synchronous && !is_task) post_guard();
    me.busy = true;
    shard_.begin_action();
  }

  void post_guard() {
    if (guard_pending_) return;
    guard_pending_ = true;
    boost::asio::post(shard_.executor(), [self = this->shared_from_this()] { self->guard(); });
  }

  // A synchronous action cannot suspend: no guard, no hand-over, and, in a plain
  // function, no local in the worker's frame.
  void run_synchronous(worker& me, context_slot& ctx) {
    begin(me, ctx);
    ended(me, catch_outcome([&] { return call(shard_.action(), ctx); }));
  }

  void ended(worker& me, action_outcome<metric_type>&& out) {
    me.busy = false;
    const clock::time_point finished = timed ? clock::now() : me.started;
    // Still the leader: the action did not suspend, so the next one starts now.
    if (timed && leader_ == &me) now_ = finished;
    shard_.end_action(std::move(out), timing{timed ? me.scheduled : me.started, me.started, finished});
  }

  // Runs when the executor gets control back from the leader. If its action
  // suspended, idle workers wake for the arrivals already due, all in the executor's
  // next pass: each takes one while the one before is suspended.
  void guard() {
    guard_pending_ = false;
    if (leader_ == nullptr || !leader_->busy) return;
    leader_ = nullptr;  // its action suspended: someone else takes the next arrival
    if (idle_ == 0) {
      spawn_worker();
      return;
    }
    const std::uint64_t due = due_end_ > next_ ? (due_end_ - next_ + stride_ - 1) / stride_ : 1;
    for (std::uint64_t n = std::min(idle_, due); n != 0; --n) {
      --idle_;
      idle_timer_.cancel_one();
    }
  }

  // Arrivals of this shard due by the stop but not started are dropped; the later
  // ones were never part of the run.
  void cut_at_stop() {
    const auto stop = shard_.stop_time().value_or(clock::now());
    const std::uint64_t due = std::max(next_, schedule_.due_by(seconds_since_start(stop)));
    const std::uint64_t due_left = (due - next_ + stride_ - 1) / stride_;
    const std::uint64_t all_left = next_ < total_ ? (total_ - next_ + stride_ - 1) / stride_ : 0;
    dropped_late_ += std::min(due_left, all_left);
    not_scheduled_ += all_left - std::min(due_left, all_left);
    next_ = total_;
  }

  // No arrival left: the idle workers leave, the body returns.
  void finish() {
    finished_ = true;
    leader_ = nullptr;
    idle_ = 0;
    idle_timer_.cancel();
    done_.cancel();
    shard_.record_dropped(dropped_by_cap_, drop_reason::max_in_flight);
    shard_.record_dropped(dropped_late_, drop_reason::late);
  }

  double seconds_since_start(clock::time_point t) const noexcept {
    return std::chrono::duration<double>(t - shard_.start()).count();
  }

  shard<F, A>& shard_;
  schedule schedule_;
  schedule::cursor cursor_;
  open_options opt_;
  std::uint64_t stride_;
  std::uint64_t next_;         // the next global arrival index of this shard
  std::uint64_t total_;
  clock::time_point last_start_;  // arrivals not started by then are dropped
  clock::time_point last_wake_{};  // the arrival timer's last wake
  clock::time_point last_due_{};   // when this shard's last arrival is due
  std::uint64_t mine_ = 0;     // arrivals of this shard in the whole schedule
  std::uint64_t due_end_ = 0;  // arrivals below this index are due
  std::uint64_t dropped_by_cap_ = 0;
  std::uint64_t dropped_late_ = 0;
  std::uint64_t not_scheduled_ = 0;

  std::deque<worker> workers_;
  // The leader's state.
  clock::time_point now_{};  // its last clock read
  unsigned batches_ = 0;     // batches since it last yielded
  std::uint64_t arrival_ = 0;  // the arrival it starts
  std::uint64_t idle_ = 0;  // workers waiting on idle_timer_
  worker* leader_ = nullptr;
  bool guard_pending_ = false;
  bool finished_ = false;
  boost::asio::steady_timer arrival_timer_;
  boost::asio::steady_timer done_;
  boost::asio::steady_timer idle_timer_;
};

} // namespace karga::detail
