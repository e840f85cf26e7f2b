#pragma once
/// @file executors/detail/closed_loop.hpp
/// Bodies of closed-model shards: virtual users, each running the action again as
/// soon as its previous run ends — for a duration, a number of iterations (each
/// user's or shared), or while a ramping target of users says so.

#include <karga/core/concepts.hpp>
#include <karga/core/timing.hpp>
#include <karga/run/shard.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

namespace karga::detail {

/// When a user of a ramping model is active: [join, leave).
struct active_period {
  clock::duration join;
  clock::duration leave;
};

template <class F, class A>
struct closed_loop {
  using metric_type = metric_of_t<F>;
  static constexpr bool timed = shard<F, A>::timed;
  // Without the executor's timing, the clock is read every so many iterations only;
  // a user whose actions never suspend yields to the executor every so many more.
  static constexpr unsigned clock_every = 64;
  static constexpr unsigned yield_every = 64 * clock_every;
  static constexpr std::uint64_t unlimited = std::numeric_limits<std::uint64_t>::max();

  /// What one shard's users share.
  struct shard_state {
    explicit shard_state(shard<F, A>& s) : done(s.executor()) {}
    std::uint64_t active = 0;      // users active now
    std::uint64_t running = 0;     // user coroutines not yet over
    std::uint64_t iterations = 0;  // started by the shard, for contexts
    std::uint64_t pool = unlimited;  // shared iterations left
    boost::asio::steady_timer done;  // woken when the last user is over
  };

  /// One user.
  struct user_state {
    std::uint64_t id = 0;
    std::uint64_t iterations = 0;  // done, over all its active periods
    bool busy = false;             // inside an action
    bool cut = false;              // its action was cancelled on a ramp-down
  };

  /// The body of a shard whose `users` users iterate until `end`, each at most
  /// `per_user` times, together at most `pool` times; returns when all are over (or
  /// at `end`). User i of the shard is user `s.index() + i × s.count()` of the run.
  static boost::asio::awaitable<void> body(shard<F, A>& s, std::uint64_t users, clock::time_point end,
                                           std::uint64_t per_user = unlimited, std::uint64_t pool = unlimited) {
    auto st = std::make_shared<shard_state>(s);
    st->pool = pool;
    auto deadline = std::make_shared<boost::asio::steady_timer>(s.executor(), end);
    s.on_stop([deadline, st] {
      deadline->cancel();
      st->done.cancel();
    });
    st->active = users;
    if (users != 0) s.set_users(users);
    for (std::uint64_t i = 0; i < users; ++i) {
      ++st->running;
      s.spawn(user(s, st, s.index() + i * s.count(), end, per_user));
    }
    if (per_user == unlimited && pool == unlimited) {
      // A duration: the plan ends at the deadline (or a stop), whatever the users do.
      if (!s.stopping()) co_await deadline->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    } else {
      // Iterations: the plan ends when the users are done (or at the deadline).
      boost::asio::steady_timer& done = st->done;
      while (st->running != 0 && clock::now() < end && !s.stopping()) {
        done.expires_at(end);
        co_await done.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      }
    }
  }

  /// The body of a ramping shard: user `ids[i]` is active during `periods[i]`.
  static boost::asio::awaitable<void> ramping_body(shard<F, A>& s, std::vector<std::uint64_t> ids,
                                                   std::vector<std::vector<active_period>> periods,
                                                   clock::duration plan_length, clock::duration ramp_down_grace) {
    auto st = std::make_shared<shard_state>(s);
    auto deadline = std::make_shared<boost::asio::steady_timer>(s.executor(), s.start() + plan_length);
    s.on_stop([deadline] { deadline->cancel(); });
    for (std::size_t i = 0; i < ids.size(); ++i) {
      ++st->running;
      auto u = std::make_shared<user_state>();
      u->id = ids[i];
      auto handle = std::make_shared<typename shard<F, A>::spawn_handle>();
      *handle = s.spawn(driver(s, st, u, handle, std::move(periods[i]), ramp_down_grace));
    }
    if (!s.stopping()) co_await deadline->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }

private:
  static boost::asio::awaitable<void> user(shard<F, A>& s, std::shared_ptr<shard_state> st, std::uint64_t id,
                                           clock::time_point end, std::uint64_t per_user) {
    user_state u;
    u.id = id;
    co_await iterate(s, *st, u, end, per_user);
    s.set_users(--st->active);
    if (--st->running == 0) st->done.cancel();
  }

  // A ramping user: waits for each of its active periods, iterates during it; leaving
  // mid-iteration, it gets `ramp_down_grace` to finish, then its action is cancelled.
  static boost::asio::awaitable<void> driver(shard<F, A>& s, std::shared_ptr<shard_state> st, std::shared_ptr<user_state> u,
                                             std::shared_ptr<typename shard<F, A>::spawn_handle> handle,
                                             std::vector<active_period> periods, clock::duration ramp_down_grace) {
    boost::asio::steady_timer wait(s.executor());
    for (const active_period& p : periods) {
      if (s.stopping()) break;
      if (clock::now() < s.start() + p.join) {
        wait.expires_at(s.start() + p.join);
        co_await wait.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (s.stopping()) break;
      }
      s.set_users(++st->active);
      const clock::time_point leave = s.start() + p.leave;
      s.spawn(watch_ramp_down(s, u, handle, leave + ramp_down_grace));
      co_await iterate(s, *st, *u, leave, unlimited);
      s.set_users(--st->active);
      if (u->cut) {  // its last action was cancelled: the next period starts afresh
        u->cut = false;
        co_await boost::asio::this_coro::reset_cancellation_state();
      }
    }
    if (--st->running == 0) st->done.cancel();
  }

  // At `deadline`, cuts the user's action short if it is still inside it.
  static boost::asio::awaitable<void> watch_ramp_down(shard<F, A>& s, std::shared_ptr<user_state> u,
                                                      std::shared_ptr<typename shard<F, A>::spawn_handle> handle,
                                                      clock::time_point deadline) {
    const std::uint64_t iteration = u->iterations;
    boost::asio::steady_timer t(s.executor(), deadline);
    co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    const auto state = co_await boost::asio::this_coro::cancellation_state;
    if (state.cancelled() != boost::asio::cancellation_type::none) co_return;  // the run is ending anyway
    if (u->busy && u->iterations == iteration) {
      u->cut = true;
      s.cancel(*handle);
    }
  }

  // Iterations of user `u` until `end`, `per_user` of them, the pool's end, a stop.
  static boost::asio::awaitable<void> iterate(shard<F, A>& s, shard_state& st, user_state& u, clock::time_point end,
                                              std::uint64_t per_user) {
    clock::time_point now = clock::now();
    context ctx;  // for actions that take one
    // A task's Asio operations attach to this user's cancellation (a cut, an interrupt);
    // other actions keep no slot in the frame.
    struct no_slot {};
    [[maybe_unused]] std::conditional_t<task_action<F>, boost::asio::cancellation_slot, no_slot> slot;
    if constexpr (task_action<F>) {
      const auto state = co_await boost::asio::this_coro::cancellation_state;
      slot = state.slot();
    }
    for (unsigned n = 1; !s.stopping() && u.iterations < per_user; ++n) {
      if constexpr (!timed) {
        if (shard<F, A>::wants_context || n % clock_every == 0) now = clock::now();
      }
      if (now >= end) break;
      if (st.pool != unlimited) {
        if (st.pool == 0) break;
        --st.pool;
      }
      if (n % yield_every == 0) co_await boost::asio::post(s.executor(), boost::asio::use_awaitable);
      if constexpr (shard<F, A>::wants_context) {
        ctx = s.make_context(now);
        ctx.user = u.id;
        ctx.iteration = u.iterations;
        ctx.arrival = st.iterations;
      }
      ++st.iterations;
      u.busy = true;
      s.begin_action();
      action_outcome<metric_type> out;
      if constexpr (synchronous_action<F>) {
        out = catch_outcome([&] { return invoke_action(s.action(), ctx); });
      } else if constexpr (task_action<F>) {
        auto t = invoke_action(s.action(), ctx);
        if (!t.start(slot, &s.executor())) co_await t.async_wait(boost::asio::use_awaitable);
        out = catch_outcome([&] { return t.result(); });
      } else {
        try {
          out.metric.emplace(co_await invoke_action(s.action(), ctx));
        } catch (...) {
          out.thrown = std::current_exception();
        }
      }
      u.busy = false;
      ++u.iterations;
      const clock::time_point finished = timed ? clock::now() : now;
      const timing t{now, now, finished};  // a closed model starts each iteration when it is ready
      if (u.cut)
        s.end_interrupted(t);
      else
        s.end_action(std::move(out), t);
      now = finished;
      if (u.cut) break;
    }
  }
};

} // namespace karga::detail
