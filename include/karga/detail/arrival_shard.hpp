#pragma once
/// @file detail/arrival_shard.hpp
/// One shard of an open-model run: takes every n-th arrival of a schedule, starts
/// each at its due time on one executor, and folds the metrics into its aggregate.
///
/// Workers are reused coroutines. At any time one worker, the *leader*, owns the
/// next arrival: it waits for the arrival's time, starts the action and runs it
/// inline. A *guard* handler, posted before the leader's first action after each
/// suspension, runs only when the shard's executor gets control back; if it finds
/// the leader still inside its action, the action has suspended, so the guard hands
/// the leadership to an idle worker (or a new one). Actions that complete without
/// suspending thus run back to back with no scheduling cost, and a slow action
/// never delays the next arrival.

#include <karga/concepts.hpp>
#include <karga/detail/stop_signals.hpp>
#include <karga/schedule.hpp>
#include <karga/timing.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <deque>
#include <exception>
#include <optional>
#include <string_view>

namespace karga::detail {

/// Settings a shard takes from its executor.
struct shard_options {
  std::uint64_t max_in_flight = 0;  ///< 0: no cap
  clock::duration grace{};          ///< after the schedule, before cancelling
  clock::duration late_start_limit{};  ///< past the schedule's end, unstarted arrivals are dropped
  bool stop_on_signals = true;         ///< SIGINT/SIGTERM end the run early, with a report
};

template <action F, aggregate_for<metric_of_t<F>> A>
class arrival_shard {
  using metric_type = metric_of_t<F>;
  static constexpr bool timed = timed_aggregate_for<A, metric_type>;

  // Arrivals run between two clock reads when the shard is behind schedule, and
  // clock reads between two yields to the executor (so its I/O and timers run).
  static constexpr std::uint64_t batch = 256;
  static constexpr unsigned batches_per_yield = 16;

public:
  using executor_type = boost::asio::any_io_executor;

  arrival_shard(executor_type ex, const schedule& s, F& act, A initial, shard_options opt,
                unsigned index, unsigned count, clock::time_point start)
      : ex_(std::move(ex)), schedule_(s), cursor_(s), action_(act), aggregate_(std::move(initial)),
        opt_(opt), stride_(count), next_(index), start_(start), arrival_timer_(ex_), done_(ex_), idle_timer_(ex_, clock::time_point::max()),
        signals_(ex_, opt.stop_on_signals, [this] { request_stop(); }) {}

  arrival_shard(const arrival_shard&) = delete;
  arrival_shard& operator=(const arrival_shard&) = delete;

  /// Runs the shard to its end on its executor.
  boost::asio::awaitable<void> run() {
    spawn_worker();
    while (workers_ > 0) {
      done_.expires_at(clock::time_point::max());
      co_await done_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    signals_.close();
    if (dropped_ != 0) record_dropped(dropped_);
    if (interrupted_ != 0) record_interrupted(interrupted_);
  }

  /// Ends the run early: no arrival starts after this; those in flight get the
  /// grace period, which a second request (or one during it) ends at once. Call it
  /// on the shard's executor.
  void request_stop() {
    if (!stop_time_) stop_time_ = clock::now();
    arrival_timer_.cancel();  // a waiting leader looks again; a grace period ends
  }

  A& result() noexcept { return aggregate_; }
  std::uint64_t peak_in_flight() const noexcept { return peak_in_flight_; }
  std::uint64_t dropped() const noexcept { return dropped_; }
  std::uint64_t interrupted() const noexcept { return interrupted_; }
  /// Arrivals of this shard that were never due because the run stopped early.
  std::uint64_t not_scheduled() const noexcept { return not_scheduled_; }
  /// When the run was stopped early, if it was.
  std::optional<clock::time_point> stopped_at() const noexcept { return stop_time_; }

private:
  struct worker {
    boost::asio::cancellation_signal cancel;
    bool busy = false;
    bool interrupted = false;
  };

  void spawn_worker() {
    worker& w = workers_list_.emplace_back();
    ++workers_;
    boost::asio::co_spawn(ex_, work(w),
                          boost::asio::bind_cancellation_slot(w.cancel.slot(), boost::asio::detached));
  }

  // Idle workers wait on one timer that never expires; cancelling one wait wakes
  // one worker, like a condition variable.
  boost::asio::awaitable<void> park() {
    ++idle_;
    co_await idle_timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }

  void wake_one() {
    --idle_;
    idle_timer_.cancel_one();
  }

  // One coroutine per worker: it parks while another worker leads, and leads
  // (in the loop below) when none does. Actions run inline, in this frame.
  boost::asio::awaitable<void> work(worker& me) {
    const std::uint64_t total = schedule_.total();
    unsigned batches = 0;
    clock::time_point now{};  // the last clock read
    while (!finished_) {
      if (leader_ != nullptr) {
        co_await park();
        continue;
      }
      leader_ = &me;
      now = clock::now();
      while (leader_ == &me) {
        if (next_ >= due_end_) {
          if (next_ >= total) {
            co_await finish();
            break;
          }
          if (batches++ == batches_per_yield) {
            batches = 0;
            co_await boost::asio::post(ex_, boost::asio::use_awaitable);
            if (leader_ != &me) break;
          }
          now = clock::now();
          if (stop_time_) {
            cut_at_stop();
            continue;
          }
          const double elapsed = seconds_since_start(now);
          if (elapsed > schedule_.length() + to_seconds(opt_.late_start_limit)) {
            // Past the end: arrivals not started by now never will be.
            dropped_ += (total - next_ + stride_ - 1) / stride_;
            next_ = total;
            continue;
          }
          due_end_ = std::min(schedule_.due_by(elapsed), next_ + batch * stride_);
          if (next_ >= due_end_) {
            arrival_timer_.expires_at(start_ + schedule::to_duration(cursor_.time_of(next_)));
            co_await arrival_timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            now = clock::now();
            if (stop_time_) {
              cut_at_stop();
              continue;
            }
            due_end_ = std::min(schedule_.due_by(seconds_since_start(now)), next_ + batch * stride_);
            if (next_ >= due_end_) due_end_ = next_ + 1;  // the timer fired: arrival next_ is due
            continue;
          }
        }

        // Arrival next_ is due.
        const std::uint64_t k = next_;
        next_ += stride_;
        if (opt_.max_in_flight != 0 && in_flight_ >= opt_.max_in_flight) {
          ++dropped_;
          continue;
        }
        clock::time_point scheduled{};
        if constexpr (timed) scheduled = start_ + schedule::to_duration(cursor_.time_of(k));
        [[maybe_unused]] const clock::time_point started = now;

        if (!guard_pending_) {
          guard_pending_ = true;
          boost::asio::post(ex_, [this] { guard(); });
        }
        begin(me);
        std::optional<metric_type> m;
        try {
          m.emplace(co_await action_());
        } catch (const std::exception& e) {
          end(me, e.what());
        } catch (...) {
          end(me, "unknown exception");
        }
        if (!m) continue;
        if constexpr (timed) {
          const clock::time_point finished = clock::now();
          // Still the leader: the action did not suspend, so the next one starts now.
          if (leader_ == &me) now = finished;
          if (end(me, {})) aggregate_.consume(*m, timing{scheduled, started, finished});
        } else {
          if (end(me, {})) aggregate_.consume(*m);
        }
      }
    }
    if (--workers_ == 0) done_.cancel();
  }

  // Bookkeeping when an action starts.
  void begin(worker& me) noexcept {
    me.busy = true;
    if (++in_flight_ > peak_in_flight_) peak_in_flight_ = in_flight_;
  }

  // Bookkeeping when an action ends, with the message of what it threw if it did;
  // returns whether its metric should be consumed.
  bool end(worker& me, std::optional<std::string_view> thrown) {
    me.busy = false;
    --in_flight_;
    if (finished_ && in_flight_ == 0) arrival_timer_.cancel();  // ends the grace period
    if (me.interrupted) {
      me.interrupted = false;  // counted when it was cancelled
      return false;
    }
    if (thrown) record_exception(*thrown);
    return !thrown;
  }

  // Runs when the executor gets control back from the leader.
  void guard() {
    guard_pending_ = false;
    if (leader_ == nullptr || !leader_->busy) return;
    leader_ = nullptr;  // its action suspended: someone else takes the next arrival
    if (idle_ != 0)
      wake_one();
    else
      spawn_worker();
  }

  // Arrivals of this shard due by the stop but not started are dropped; the
  // later ones were never part of the run.
  void cut_at_stop() {
    const std::uint64_t total = schedule_.total();
    const std::uint64_t due = std::max(next_, schedule_.due_by(seconds_since_start(*stop_time_)));
    const std::uint64_t due_left = (due - next_ + stride_ - 1) / stride_;
    const std::uint64_t all_left = next_ < total ? (total - next_ + stride_ - 1) / stride_ : 0;
    dropped_ += std::min(due_left, all_left);
    not_scheduled_ += all_left - std::min(due_left, all_left);
    next_ = total;
  }

  // No arrival left: release the idle workers, give in-flight actions their grace
  // period, then cancel what is left and count it as interrupted.
  boost::asio::awaitable<void> finish() {
    finished_ = true;
    leader_ = nullptr;
    idle_ = 0;
    idle_timer_.cancel();
    if (in_flight_ == 0) co_return;
    arrival_timer_.expires_at((stop_time_ ? *stop_time_ : start_ + schedule_.length_duration()) + opt_.grace);
    co_await arrival_timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (in_flight_ == 0) co_return;
    for (worker& w : workers_list_)
      if (w.busy && !w.interrupted) {
        w.interrupted = true;
        ++interrupted_;
      }
    for (worker& w : workers_list_)
      if (w.interrupted) w.cancel.emit(boost::asio::cancellation_type::all);
  }

  double seconds_since_start(clock::time_point t) const noexcept {
    return std::chrono::duration<double>(t - start_).count();
  }
  static double to_seconds(clock::duration d) noexcept { return std::chrono::duration<double>(d).count(); }

  void record_dropped(std::uint64_t n) {
    if constexpr (run_aware_aggregate<A>) aggregate_.record_dropped(n);
  }
  void record_interrupted(std::uint64_t n) {
    if constexpr (run_aware_aggregate<A>) aggregate_.record_interrupted(n);
  }
  void record_exception(std::string_view what) {
    if constexpr (run_aware_aggregate<A>) aggregate_.record_exception(what);
  }

  executor_type ex_;
  const schedule& schedule_;
  schedule::cursor cursor_;
  F& action_;
  A aggregate_;
  shard_options opt_;
  std::uint64_t stride_;
  std::uint64_t next_;         // the next global arrival index of this shard
  std::uint64_t due_end_ = 0;  // arrivals below this index are due
  clock::time_point start_;

  std::deque<worker> workers_list_;
  std::uint64_t idle_ = 0;  // workers waiting on idle_timer_
  worker* leader_ = nullptr;
  std::uint64_t workers_ = 0;
  std::uint64_t in_flight_ = 0;
  std::uint64_t peak_in_flight_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t interrupted_ = 0;
  std::uint64_t not_scheduled_ = 0;
  std::optional<clock::time_point> stop_time_;
  bool guard_pending_ = false;
  bool finished_ = false;
  boost::asio::steady_timer arrival_timer_;
  boost::asio::steady_timer done_;
  boost::asio::steady_timer idle_timer_;
  stop_signals signals_;
};

} // namespace karga::detail
