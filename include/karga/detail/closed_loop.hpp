#pragma once
/// @file detail/closed_loop.hpp
/// The body of a closed-model shard: virtual users, each running the action again
/// as soon as its previous run ends, until the deadline.

#include <karga/concepts.hpp>
#include <karga/shard.hpp>
#include <karga/timing.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>

namespace karga::detail {

template <class F, class A>
struct closed_loop {
  using metric_type = metric_of_t<F>;
  static constexpr bool timed = shard<F, A>::timed;
  // Without the executor's timing, the clock is read every so many iterations only;
  // a user whose actions never suspend yields to the executor every so many more.
  static constexpr unsigned clock_every = 64;
  static constexpr unsigned yield_every = 64 * clock_every;

  /// The body of shard `s`: `users` users until `end`.
  static boost::asio::awaitable<void> body(shard<F, A>& s, std::uint64_t users, clock::time_point end) {
    auto deadline = std::make_shared<boost::asio::steady_timer>(s.executor(), end);
    s.on_stop([deadline] { deadline->cancel(); });
    for (std::uint64_t i = 0; i < users; ++i) s.spawn(user(s, end));
    co_await deadline->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }

  static boost::asio::awaitable<void> user(shard<F, A>& s, clock::time_point end) {
    clock::time_point now = clock::now();
    for (unsigned n = 1; !s.stopping(); ++n) {
      if constexpr (!timed) {
        if (n % clock_every == 0) now = clock::now();
      }
      if (now >= end) break;
      if (n % yield_every == 0) co_await boost::asio::post(s.executor(), boost::asio::use_awaitable);
      s.begin_action();
      std::optional<metric_type> m;
      std::exception_ptr thrown;
      try {
        m.emplace(co_await s.action()());
      } catch (...) {
        thrown = std::current_exception();
      }
      const clock::time_point finished = timed ? clock::now() : now;
      const timing t{now, now, finished};  // a closed model starts each iteration when it is ready
      if (m)
        s.end_action(*m, t);
      else
        s.end_action(std::move(thrown), t);
      now = finished;
    }
  }
};

} // namespace karga::detail
