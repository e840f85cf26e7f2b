#pragma once
/// @file run/shard.hpp
/// One shard of a run: its executor, its own copy of the action and of the
/// aggregate, what it has in flight, and how it stops. Every executor — karga's and
/// yours — runs actions through a shard, so they all count, time, drop, interrupt
/// and stop the same way. `sharded_runner` makes the shards and runs a *body* on each.
///
/// A shard's life:
///  1. its body runs (it starts actions, inline or in coroutines of its own made with
///     `spawn`) until it returns or a stop is requested (Ctrl-C, `run_control`);
///  2. the grace period: actions in flight may finish; it ends early at a second
///     stop request;
///  3. what is still running is cancelled (asio per-operation cancellation) and
///     counted as interrupted; an action that ignores cancellation is abandoned after
///     `cancel_wait` or at the next stop request, still counted as interrupted.
/// Everything here runs on the shard's executor; nothing is thread-safe but
/// `run_control`.

#include <karga/core/concepts.hpp>
#include <karga/core/hooks.hpp>
#include <karga/core/metric.hpp>
#include <karga/core/run_options.hpp>
#include <karga/core/timing.hpp>
#include <karga/load/segment.hpp>
#include <karga/measure/live_counters.hpp>
#include <karga/run/action_outcome.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <optional>
#include <utility>
#include <vector>

namespace karga {

/// How shards end a run.
struct shard_settings {
  /// After the plan (or a stop), how long actions in flight may go on.
  clock::duration grace = std::chrono::seconds(30);
  /// After cancelling the actions left at the end of the grace period, how long to
  /// wait for those that ignore cancellation before abandoning them.
  clock::duration cancel_wait = std::chrono::seconds(1);
  /// Whether SIGINT and SIGTERM request a stop.
  bool stop_on_signals = true;
};

/// One shard of a run (see the file's comment): its executor, its copy of the action
/// and of the aggregate, its actions in flight and how it stops.
template <action F, aggregate_for<metric_of_t<F>> A>
class shard : public std::enable_shared_from_this<shard<F, A>> {
  static_assert(detail::check_hooks<A>());

public:
  /// The action's type.
  using action_type = F;
  /// The aggregate's type.
  using aggregate_type = A;
  /// What the action returns.
  using metric_type = metric_of_t<F>;
  /// Where the shard's coroutines run.
  using executor_type = boost::asio::any_io_executor;
  /// Whether the aggregate takes the executor's timing (if not, executors may skip
  /// reading the clock for it).
  static constexpr bool timed = wants_timing<A, metric_type>;

  /// Shard `index` of `count`, running on `ex`; `run_wide` stops every shard of the
  /// run (an error in one stops all), `user` is the run's `run_options::control`.
  shard(executor_type ex, const F& act, A initial, unsigned index, unsigned count, clock::time_point start,
        shard_settings settings, std::shared_ptr<run_control> run_wide, std::shared_ptr<run_control> user = {},
        std::string scenario = {})
      : ex_(std::move(ex)), action_(act), aggregate_(std::move(initial)), index_(index), count_(count), start_(start),
        settings_(settings), run_wide_(std::move(run_wide)), user_(std::move(user)), scenario_(std::move(scenario)),
        wake_(ex_) {}

  shard(const shard&) = delete;
  shard& operator=(const shard&) = delete;

  // Where and what ----------------------------------------------------------------
  /// This shard's index, from 0.
  unsigned index() const noexcept { return index_; }
  /// How many shards the run has.
  unsigned count() const noexcept { return count_; }
  /// This shard's part of `n` things split over the shards as arrivals are (items
  /// index, index + count, …): a cap, users, iterations.
  std::uint64_t share(std::uint64_t n) const noexcept { return karga::segment{index_, count_}.share(n); }
  /// The shard's executor: every coroutine of the shard runs on it.
  const executor_type& executor() const noexcept { return ex_; }
  /// This shard's own copy of the action.
  F& action() noexcept { return action_; }
  /// This shard's aggregate.
  A& aggregate() noexcept { return aggregate_; }
  /// The run's start, the same for every shard.
  clock::time_point start() const noexcept { return start_; }
  /// The scenario's name.
  const std::string& scenario() const noexcept { return scenario_; }
  /// Whether the action takes a `karga::context` (if not, executors need not build one).
  static constexpr bool wants_context = takes_context<F>;
  /// A context for an action of this shard (the rest of its fields are the caller's).
  context make_context(clock::time_point intended_start) const noexcept {
    context c;
    c.scenario = scenario_;
    c.intended_start = intended_start;
    c.shard = index_;
    return c;
  }

  // Actions -------------------------------------------------------------------------
  /// Call as an action starts.
  void begin_action() noexcept {
    if (live_) live_->started();
    ++started_;
    if (++in_flight_ > peak_) peak_ = in_flight_;
    if (interrupting_) {  // started after the cancellation: it cannot count
      ++interrupted_;
      if (live_) live_->interrupted(1);
      count_interrupted(1);
    }
  }
  /// Call as an action returns its metric: folds it into the aggregate, with the
  /// timing if the aggregate takes it, unless the action was interrupted.
  void end_action(const metric_type& m, const timing& executor_timing) {
    if (!end(executor_timing)) return;
    const timing t = arrival_timing(m, executor_timing);
    if (live_) {
      live_->ended(metric_success(m), metric_bytes(m), to_nanoseconds(timed ? t.finished - t.scheduled : metric_latency(m)));
      if constexpr (has_live_labels<metric_type>) live_->label(static_cast<unsigned>(m.live_label()));
    }
    karga::consume(aggregate_, m, t);
  }
  /// Call as an action throws: a failed action with the exception's message, unless
  /// the action was interrupted.
  void end_action(std::exception_ptr thrown, const timing& t) {
    if (!end(t)) return;
    if (live_) live_->ended(false, 0, to_nanoseconds(t.finished - t.scheduled));
    karga::record_exception(aggregate_, exception_message(std::move(thrown)), t);
  }
  /// Call as an action ends, whichever way: its metric or what it threw.
  void end_action(action_outcome<metric_type>&& outcome, const timing& t) {
    if (outcome.metric)
      end_action(*outcome.metric, t);
    else
      end_action(std::move(outcome.thrown), t);
  }
  /// karga 0.1's form, without a reason: counted as late.
  [[deprecated("karga: record_dropped(n) needs a reason since 0.2: record_dropped(n, karga::drop_reason::late) "
               "or drop_reason::max_in_flight")]] void
  record_dropped(std::uint64_t n) {
    record_dropped(n, drop_reason::late);
  }
  /// `n` arrivals were due but not started.
  void record_dropped(std::uint64_t n, drop_reason why) {
    if (live_) live_->dropped(n);
    dropped_ += n;
    karga::record_dropped(aggregate_, n, why);
  }
  /// For load models that plan arrivals (open models): `n` more arrivals belong to
  /// this shard's part of the plan. Without it, the plan is what was started or dropped.
  void add_scheduled(std::uint64_t n) noexcept {
    scheduled_ += n;
    planned_ = true;
  }

  /// Actions running now.
  std::uint64_t in_flight() const noexcept { return in_flight_; }
  /// Actions started so far.
  std::uint64_t started() const noexcept { return started_; }
  /// The most actions that ran at once.
  std::uint64_t peak_in_flight() const noexcept { return peak_; }
  /// Actions counted as interrupted.
  std::uint64_t interrupted() const noexcept { return interrupted_; }
  /// Arrivals dropped so far.
  std::uint64_t dropped() const noexcept { return dropped_; }
  /// This shard's share of `run_info::scheduled`.
  std::uint64_t scheduled() const noexcept { return planned_ ? scheduled_ : started_ + dropped_; }

  // Stopping --------------------------------------------------------------------------
  /// True once a stop was requested or the body returned — through the grace period
  /// and after: start no new action.
  bool stopping() const noexcept { return stop_time_.has_value() || phase_ != phase::running; }
  /// When a stop was requested, if one was before the body returned.
  std::optional<clock::time_point> stop_time() const noexcept { return stop_time_; }
  /// Why the run stopped early (`none` if it did not).
  stop_reason why_stopped() const noexcept { return stop_reason_; }
  /// The signal that stopped the run, if one did (0 otherwise).
  int stop_signal() const noexcept { return stop_signal_; }
  /// `f()` runs when a stop is requested, at once if one already was (it replaces an
  /// earlier one): a body that waits on a timer of its own cancels it here. A stop
  /// may come before the body begins: check `stopping()` before each wait too.
  void on_stop(std::function<void()> f) {
    on_stop_ = std::move(f);
    if (stop_time_ && on_stop_) on_stop_();
  }
  /// A stop (on the shard's executor): the first ends the plan, the next ends the
  /// grace period, the next abandons actions that ignore cancellation.
  void request_stop(stop_reason why, int signal = 0) {
    if (phase_ == phase::done) return;
    if (!stop_time_ && phase_ == phase::running) {
      stop_time_ = clock::now();
      stop_reason_ = why;
      stop_signal_ = signal;
      if (on_stop_ && !body_done_) on_stop_();
      if (why == stop_reason::error) cut_ = true;
    } else if (phase_ == phase::cancelling) {
      abandon_ = true;
    } else {
      cut_ = true;
    }
    wake();
  }

  // Concurrency -----------------------------------------------------------------------
  /// A coroutine started with `spawn`, to cancel it alone.
  struct spawn_handle {
    std::size_t slot = 0;  ///< the coroutine's slot in the shard
    std::uint64_t generation = 0;  ///< which of the slot's coroutines
  };
  /// Runs `a` — any `boost::asio::awaitable<void>`, typically one that awaits
  /// `run_action(s)` — as a coroutine of the shard, on the shard's executor, started
  /// in the executor's next pass. The shard's life waits for every such coroutine:
  /// after the body returns (or a stop), they have the grace period to end; then they
  /// are cancelled (asio per-operation cancellation, on every awaited operation), and
  /// after `cancel_wait` those that ignore it are abandoned (still counted). What one
  /// lets out, but `operation_aborted` after the cancellation, ends the run and is
  /// rethrown by the executor's `run()`. Returns a handle for `cancel`.
  spawn_handle spawn(boost::asio::awaitable<void> a) {
    const std::size_t i = spawn_tracked(std::move(a));
    return {i, slots_[i].generation};
  }
  /// Keeps `state` alive as long as the shard: until every coroutine of `spawn` has
  /// ended (or was abandoned: then it is never freed, as an abandoned coroutine may
  /// still use it). What the shard's coroutines share, when they may outlive the
  /// body, without a reference count in each coroutine's frame.
  void keep(std::shared_ptr<void> state) { kept_.push_back(std::move(state)); }
  /// Cancels one coroutine of `spawn` (asio per-operation cancellation), if it still runs.
  void cancel(spawn_handle h) {
    if (h.slot < slots_.size() && slots_[h.slot].live && slots_[h.slot].generation == h.generation)
      slots_[h.slot].signal.emit(boost::asio::cancellation_type::all);
  }
  /// Call as an action that the executor cancelled on its own (a user leaving on a
  /// ramp-down) ends: counted as interrupted, whatever it returned.
  void end_interrupted(const timing& t) {
    --in_flight_;
    if (interrupting_) {
      end_after_interrupt(t);
      return;
    }
    ++interrupted_;
    if (live_) live_->interrupted(1);
    if constexpr (records_timed_interrupted<A>)
      aggregate_.record_interrupted(1, t);
    else
      karga::record_interrupted(aggregate_, 1);
  }
  /// Closed models: the shard now has `n` active users (at each change).
  void set_users(std::uint64_t n) {
    if (live_) live_->users(n);
    karga::record_users(aggregate_, clock::now(), n);
  }

  // For the runner ----------------------------------------------------------------------
  /// Live counters the shard keeps for a sampler (before `run`; none by default).
  void attach(live_counters* live) noexcept { live_ = live; }

  /// The shard's life, with `body(*this)` as its load model (see the file's comment).
  template <class Body>
  boost::asio::awaitable<void> run(std::shared_ptr<Body> body) {
    karga::record_start(aggregate_, start_);
    listen();
    keep(body);
    spawn_tracked((*body)(*this), true);
    while (!body_done_ && !stop_time_) co_await wait_until(clock::time_point::max());
    phase_ = phase::grace;
    const clock::time_point plan_end = stop_time_ ? *stop_time_ : body_end_;
    while (running_ != 0 && !cut_ && clock::now() < plan_end + settings_.grace) co_await wait_until(plan_end + settings_.grace);
    if (running_ != 0) {
      phase_ = phase::cancelling;
      interrupt();
      const auto give_up = clock::now() + settings_.cancel_wait;
      while (running_ != 0 && !abandon_ && clock::now() < give_up) co_await wait_until(give_up);
      abandoned_ = running_ != 0;
    }
    phase_ = phase::done;
    finished_at_ = clock::now();
    if (!abandoned_) kept_.clear();  // no coroutine of the shard is left to use it
    karga::record_interrupted(aggregate_, unreported_interrupts_);  // abandoned: they never ended
    unreported_interrupts_ = 0;
    close();
  }

  /// Moves the aggregate out (after `run`).
  A take_result() { return std::move(aggregate_); }
  /// The first exception a coroutine of the shard let out, if any.
  std::exception_ptr error() const noexcept { return error_; }
  /// Whether coroutines were left running that ignored cancellation.
  bool abandoned() const noexcept { return abandoned_; }
  /// When the shard's last action ended (or was abandoned).
  clock::time_point finished_at() const noexcept { return finished_at_; }

private:
  enum class phase { running, grace, cancelling, done };


  // One per coroutine in flight: kept small.
  struct slot {
    boost::asio::cancellation_signal signal;
    std::uint32_t generation = 0;  // a handle to an earlier coroutine in this slot does not match
    bool live = false;
  };

  // Returns whether the action's outcome counts (it was not interrupted).
  bool end(const timing& t) {
    --in_flight_;
    if (!interrupting_) return true;
    end_after_interrupt(t);
    return false;
  }
  // An action ends after the grace period's cancellation: counted then; reported now
  // to an aggregate that wants each with its timing.
  void end_after_interrupt([[maybe_unused]] const timing& t) {
    if constexpr (records_timed_interrupted<A>) {
      if (unreported_interrupts_ != 0) {
        --unreported_interrupts_;
        aggregate_.record_interrupted(1, t);
      }
    }
  }

  // Interrupted actions: at once, or, for an aggregate that wants each with its
  // timing, as each ends (the rest when the shard ends).
  void count_interrupted(std::uint64_t n) {
    if constexpr (records_timed_interrupted<A>)
      unreported_interrupts_ += n;
    else
      karga::record_interrupted(aggregate_, n);
  }

  // How a spawned coroutine ends. It is part of each one's spawn frame, twice over,
  // so it is small: its slot's cancellation is found through it, not bound beside it.
  struct spawn_end {
    std::shared_ptr<shard> self;
    std::size_t i;
    using cancellation_slot_type = boost::asio::cancellation_slot;
    cancellation_slot_type get_cancellation_slot() const noexcept { return self->slots_[i].signal.slot(); }
    void operator()(std::exception_ptr e) { self->spawn_done(i, std::move(e)); }
  };

  std::size_t spawn_tracked(boost::asio::awaitable<void> a, bool is_body = false) {
    std::size_t i;
    if (!free_.empty()) {
      i = free_.back();
      free_.pop_back();
    } else {
      i = slots_.size();
      slots_.emplace_back();
    }
    slots_[i].live = true;
    ++slots_[i].generation;
    ++running_;
    if (is_body) body_slot_ = i;  // before it can end
    boost::asio::co_spawn(ex_, std::move(a), spawn_end{this->shared_from_this(), i});
    return i;
  }

  void spawn_done(std::size_t i, std::exception_ptr e) {
    slots_[i].live = false;
    free_.push_back(i);
    --running_;
    if (i == body_slot_) {
      body_slot_ = no_slot;  // the slot may now serve another coroutine
      body_done_ = true;
      body_end_ = clock::now();
      on_stop_ = nullptr;
    }
    // After the cancellation, coroutines end as they can (often by throwing
    // operation_aborted): that is the cancellation working, not an error.
    if (e && !error_ && !interrupting_) {
      error_ = std::move(e);
      request_stop(stop_reason::error);
      cut_ = true;
      run_wide_->request_stop(stop_reason::error);
    }
    wake();
  }

  // The end of the grace period: what is in flight is interrupted.
  void interrupt() {
    interrupting_ = true;
    interrupted_ += in_flight_;
    if (live_) live_->interrupted(in_flight_);
    count_interrupted(in_flight_);
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].live) slots_[i].signal.emit(boost::asio::cancellation_type::all);
  }

  boost::asio::awaitable<void> wait_until(clock::time_point t) {
    wake_.expires_at(t);
    co_await wake_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  void wake() { wake_.cancel(); }

  void listen() {
    auto stop = [weak = this->weak_from_this()](stop_reason why, int signal) {
      if (auto self = weak.lock()) self->request_stop(why, signal);
    };
    run_wide_key_ = run_wide_->subscribe(ex_, stop);
    if (user_ && user_->stop_requested()) {
      // Stopped before it began (a composed run's later scenario): nothing starts.
      request_stop(user_->reason(), user_->signal());
      user_.reset();
    }
    if (user_) user_key_ = user_->subscribe(ex_, stop);
    if (settings_.stop_on_signals) {
      signals_.emplace(ex_, SIGINT, SIGTERM);
      wait_signal();
    }
  }
  void wait_signal() {
    signals_->async_wait([weak = this->weak_from_this()](const boost::system::error_code& ec, int signal) {
      auto self = weak.lock();
      if (ec || !self || self->phase_ == phase::done) return;
      self->request_stop(stop_reason::signal, signal);
      self->wait_signal();
    });
  }
  void close() {
    run_wide_->unsubscribe(run_wide_key_);
    if (user_) user_->unsubscribe(user_key_);
    if (signals_) {
      boost::system::error_code ignored;
      signals_->cancel(ignored);
    }
  }

  executor_type ex_;
  F action_;
  A aggregate_;
  unsigned index_;
  unsigned count_;
  clock::time_point start_;
  shard_settings settings_;
  std::shared_ptr<run_control> run_wide_;
  std::shared_ptr<run_control> user_;
  std::string scenario_;
  std::size_t run_wide_key_ = 0;
  std::size_t user_key_ = 0;

  // in_flight_ and started_ are apart: incremented together, g++ would load them as
  // one vector, which the single store of the last action's end cannot forward to
  // (a stall of a dozen cycles per action).
  std::uint64_t in_flight_ = 0;
  std::uint64_t peak_ = 0;
  std::uint64_t started_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t interrupted_ = 0;
  std::uint64_t scheduled_ = 0;
  bool planned_ = false;
  bool interrupting_ = false;
  std::uint64_t unreported_interrupts_ = 0;

  phase phase_ = phase::running;
  static constexpr std::size_t no_slot = static_cast<std::size_t>(-1);
  std::size_t body_slot_ = no_slot;  // the body's slot while it runs
  bool body_done_ = false;
  clock::time_point body_end_{};
  std::optional<clock::time_point> stop_time_;
  stop_reason stop_reason_ = stop_reason::none;
  int stop_signal_ = 0;
  bool cut_ = false;
  bool abandon_ = false;
  bool abandoned_ = false;
  clock::time_point finished_at_{};
  std::function<void()> on_stop_;
  std::exception_ptr error_;

  live_counters* live_ = nullptr;
  std::deque<slot> slots_;
  std::vector<std::shared_ptr<void>> kept_;
  std::vector<std::size_t> free_;
  std::uint64_t running_ = 0;  // coroutines spawned and not yet ended
  boost::asio::steady_timer wake_;
  std::optional<boost::asio::signal_set> signals_;
};

} // namespace karga
