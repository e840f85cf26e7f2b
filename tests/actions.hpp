#pragma once
// Actions, aggregates and helpers the executor tests share.
#include <karga/karga.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <csignal>
#include <signal.h>
#include <stdexcept>
#include <thread>
#include <unistd.h>
#include <vector>

namespace test {

namespace asio = boost::asio;
using karga::basic_metric;

/// Returns at once, successful.
inline auto noop() {
  return []() -> asio::awaitable<basic_metric> { co_return basic_metric{.success = true}; };
}

/// Waits `d` on a timer (cancellable), then succeeds with 1 byte.
inline auto sleeper(karga::clock::duration d) {
  return [d]() -> asio::awaitable<basic_metric> {
    const auto start = karga::clock::now();
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
    co_return basic_metric{karga::clock::now() - start, true, 1};
  };
}

/// Never ends, whatever is done to it: it ignores cancellation.
inline auto stubborn() {
  return []() -> asio::awaitable<basic_metric> {
    asio::steady_timer t(co_await asio::this_coro::executor);
    for (;;) {
      co_await asio::this_coro::reset_cancellation_state();
      t.expires_after(std::chrono::seconds(10));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  };
}

/// basic_aggregate that also checks the order of each action's instants.
struct ordered_aggregate : karga::basic_aggregate {
  std::uint64_t out_of_order = 0;
  using karga::basic_aggregate::consume;
  void consume(const basic_metric& m, const karga::timing& t) {
    if (t.started < t.scheduled || t.finished < t.started) ++out_of_order;
    karga::basic_aggregate::consume(m, t);
  }
  void merge(const ordered_aggregate& o) {
    karga::basic_aggregate::merge(o);
    out_of_order += o.out_of_order;
  }
};

/// An aggregate whose consume() throws at the n-th metric of a shard.
struct throwing_aggregate : karga::basic_aggregate {
  int left = 50;
  using karga::basic_aggregate::consume;
  void consume(const basic_metric& m, const karga::timing& t) {
    if (--left == 0) throw std::runtime_error("the aggregate is broken");
    karga::basic_aggregate::consume(m, t);
  }
  void merge(const throwing_aggregate& o) { karga::basic_aggregate::merge(o); }
};

/// Sends SIGINT to this process, as a user's Ctrl-C would, after each delay (from
/// the start).
struct interrupt_after {
  std::thread sender;
  explicit interrupt_after(std::vector<karga::clock::duration> delays)
      : sender([delays] {
          const auto start = karga::clock::now();
          for (auto d : delays) {
            std::this_thread::sleep_until(start + d);
            ::kill(::getpid(), SIGINT);
          }
        }) {}
  ~interrupt_after() { sender.join(); }
};

} // namespace test
