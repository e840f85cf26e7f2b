#pragma once
/// @file detail/vu_shard.hpp
/// One shard of a closed-model run: a fixed number of virtual users, each running
/// the action again as soon as its previous run ends, until the deadline.

#include <karga/concepts.hpp>
#include <karga/detail/stop_signals.hpp>
#include <karga/timing.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <exception>
#include <optional>
#include <string_view>

namespace karga::detail {

template <action F, aggregate_for<metric_of_t<F>> A>
class vu_shard {
  using metric_type = metric_of_t<F>;
  static constexpr bool timed = timed_aggregate_for<A, metric_type>;
  // Without the executor's timing, the clock is read every so many iterations only.
  static constexpr unsigned clock_every = 64;

public:
  vu_shard(boost::asio::any_io_executor ex, F& act, A initial, std::uint64_t users, clock::time_point end,
           clock::duration grace, bool stop_on_signals)
      : ex_(std::move(ex)), action_(act), aggregate_(std::move(initial)), users_(users), end_(end), grace_(grace),
        timer_(ex_), done_(ex_), signals_(ex_, stop_on_signals, [this] { request_stop(); }) {}

  vu_shard(const vu_shard&) = delete;
  vu_shard& operator=(const vu_shard&) = delete;

  boost::asio::awaitable<void> run() {
    for (std::uint64_t i = 0; i < users_; ++i) {
      user& u = user_list_.emplace_back();
      ++running_;
      boost::asio::co_spawn(ex_, loop(u), boost::asio::bind_cancellation_slot(u.cancel.slot(), boost::asio::detached));
    }
    // The deadline, then the grace period for iterations still running.
    if (!stop_time_) {
      timer_.expires_at(end_);
      co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    stopping_ = true;
    if (in_flight_ != 0 && !grace_cut_) {
      timer_.expires_at((stop_time_ ? std::min(*stop_time_, end_) : end_) + grace_);
      co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    for (user& u : user_list_)
      if (u.busy) {
        u.interrupted = true;
        ++interrupted_;
        u.cancel.emit(boost::asio::cancellation_type::all);
      }
    while (running_ != 0) {
      done_.expires_at(clock::time_point::max());
      co_await done_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    signals_.close();
    if constexpr (run_aware_aggregate<A>)
      if (interrupted_ != 0) aggregate_.record_interrupted(interrupted_);
  }

  /// Ends the run early: users start no new iteration; those running get the grace
  /// period (a second request during it ends the grace period).
  void request_stop() {
    if (stopping_) grace_cut_ = true;  // already stopping: end the grace period
    if (!stop_time_) stop_time_ = clock::now();
    stopping_ = true;
    timer_.cancel();
  }

  A& result() noexcept { return aggregate_; }
  std::uint64_t peak_in_flight() const noexcept { return peak_in_flight_; }
  std::uint64_t not_scheduled() const noexcept { return 0; }  // a closed model plans no arrivals
  std::optional<clock::time_point> stopped_at() const noexcept { return stop_time_; }

private:
  struct user {
    boost::asio::cancellation_signal cancel;
    bool busy = false;
    bool interrupted = false;
  };

  boost::asio::awaitable<void> loop(user& me) {
    clock::time_point now = clock::now();
    for (unsigned n = 0; !stopping_; ++n) {
      if constexpr (!timed) {
        if (n % clock_every == 0) now = clock::now();
      }
      if (now >= end_) {
        stopping_ = true;
        break;
      }
      me.busy = true;
      if (++in_flight_ > peak_in_flight_) peak_in_flight_ = in_flight_;
      std::optional<metric_type> m;
      try {
        m.emplace(co_await action_());
      } catch (const std::exception& e) {
        end(me, e.what());
      } catch (...) {
        end(me, "unknown exception");
      }
      if (m ? !end(me, {}) : me.interrupted) break;
      if constexpr (timed) {
        const clock::time_point finished = clock::now();
        if (m) aggregate_.consume(*m, timing{now, now, finished});  // a closed model starts when ready
        now = finished;
      } else {
        if (m) aggregate_.consume(*m);
      }
    }
    if (--running_ == 0) done_.cancel();
  }

  // Bookkeeping when an iteration ends, with the message of what it threw if it
  // did; returns whether its metric should be consumed.
  bool end(user& me, std::optional<std::string_view> thrown) {
    me.busy = false;
    --in_flight_;
    if (stopping_ && in_flight_ == 0) timer_.cancel();  // ends the grace period
    if (me.interrupted) return false;                   // counted when cancelled
    if constexpr (run_aware_aggregate<A>)
      if (thrown) aggregate_.record_exception(*thrown);
    return !thrown;
  }

  boost::asio::any_io_executor ex_;
  F& action_;
  A aggregate_;
  std::uint64_t users_;
  clock::time_point end_;
  clock::duration grace_;
  std::deque<user> user_list_;
  std::uint64_t running_ = 0;
  std::uint64_t in_flight_ = 0;
  std::uint64_t peak_in_flight_ = 0;
  std::uint64_t interrupted_ = 0;
  bool stopping_ = false;
  bool grace_cut_ = false;
  std::optional<clock::time_point> stop_time_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer done_;
  stop_signals signals_;
};

} // namespace karga::detail
