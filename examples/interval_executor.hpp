#pragma once
// A load model of one's own, built only from karga's public toolkit: `n` arrivals,
// arrival k due at k × `interval` from the start, split over `threads` shards; an
// arrival that finds `max_in_flight` actions running is dropped. The toolkit gives it
// what karga's own executors have: timing, exceptions, the grace period and
// cancellation, shards and merging, Ctrl-C, and the run's figures.
#include <karga/karga.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

struct interval_executor {
  std::uint64_t n = 0;
  karga::clock::duration interval{};
  unsigned threads = 1;
  std::uint64_t max_in_flight = 0;  // over all shards; 0: no cap
  karga::shard_settings settings{};  // grace period, cancel wait, signals

  template <karga::action F, karga::aggregate_for<karga::metric_of_t<F>> A>
  A run(const F& action, A initial, const karga::run_options& opt = {}) const {
    const karga::load_plan plan{fmt::format("{} arrivals, one every {}ns", n, interval.count()), karga::load_kind::open,
                                static_cast<std::int64_t>(n) * interval};
    return karga::sharded_runner(threads, settings)
        .run(action, std::move(initial), plan, opt, [*this](karga::shard<F, A>& s) { return body(s); });
  }

  template <class F, class A>
  boost::asio::awaitable<void> body(karga::shard<F, A>& s) const {
    const std::uint64_t cap = s.share(max_in_flight);  // this shard's part of the cap
    boost::asio::steady_timer timer(s.executor());
    s.on_stop([&timer] { timer.cancel(); });  // a stop wakes the wait below
    for (std::uint64_t k = s.index(); k < n; k += s.count()) {
      const karga::clock::time_point due = s.start() + static_cast<std::int64_t>(k) * interval;
      timer.expires_at(due);
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (s.stopping()) break;
      if (max_in_flight != 0 && s.in_flight() >= cap)
        s.record_dropped(1, karga::drop_reason::max_in_flight);
      else
        s.spawn(karga::run_action(s, due));  // runs concurrently; the shard tracks it
    }
  }
};

static_assert(karga::executor<interval_executor>);
