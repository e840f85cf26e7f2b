#pragma once
// Actions, aggregates and helpers the executor tests share.
#include "catch.hpp"

#include <karga/karga.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <csignal>
#include <string>
#include <utility>
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

/// Runs `f` under executor `e` as scenario `name`, into an `A`.
template <class A = karga::basic_aggregate, class F, class E>
A run(F f, E e, std::string name = "test") {
  return karga::scenario<A>::builder().name(std::move(name)).action(f).executor(e).build().run();
}

/// Nothing measured is lost: every scheduled arrival has exactly one outcome.
template <class A>
void check_accounted(const A& aggregate) {
  static_assert(karga::detail::holds_basic<A>());
  const karga::basic_aggregate& a = *karga::detail::basic_of(aggregate);
  CHECK(a.run().scheduled == a.ok() + a.failed() + a.dropped() + a.interrupted());
}

/// An action that keeps each arrival's intended and actual start.
using start_pairs = std::vector<std::pair<karga::clock::time_point, karga::clock::time_point>>;
inline auto recording_starts(start_pairs& starts) {
  return [&starts](const karga::context& c) -> asio::awaitable<basic_metric> {
    starts.emplace_back(c.intended_start, karga::clock::now());
    co_return basic_metric{.success = true};
  };
}

/// Whether a run of `length` with arrivals 200 µs apart woke about once per `slot`:
/// starts closer than 100 µs shared a wake. A wake comes at most once per slot (on a
/// busy machine, less often), except in the last slot, where each arrival has its own;
/// a preemption inside a wake's run of starts may split it, hence the margin.
inline bool woke_once_per_slot(start_pairs starts, karga::clock::duration length, karga::clock::duration slot) {
  using namespace std::chrono_literals;
  std::sort(starts.begin(), starts.end(), [](const auto& x, const auto& y) { return x.second < y.second; });
  std::size_t wakes = 1;
  for (std::size_t k = 1; k < starts.size(); ++k) wakes += starts[k].second - starts[k - 1].second > 100us ? 1 : 0;
  return wakes <= static_cast<std::size_t>(length / slot) * 3 / 2 + 5 + static_cast<std::size_t>(slot / 200us);
}

/// A run with every kind of outcome: ok, failed, thrown, dropped, interrupted.
inline karga::series_aggregate<karga::basic_aggregate> mixed_run() {
  using namespace std::chrono_literals;
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto act = [calls]() -> asio::awaitable<basic_metric> {
    const int n = ++*calls;
    if (n % 7 == 0) throw std::runtime_error("seventh");
    if (n % 50 == 0) co_await sleeper(60s)();  // interrupted at the end
    co_return basic_metric{std::chrono::microseconds(n % 100), n % 5 != 0, static_cast<std::uint64_t>(n)};
  };
  return karga::scenario<karga::series_aggregate<karga::basic_aggregate>>::builder()
      .name("mixed")
      .action(act)
      .executor(karga::stage_executor::builder().start_rate(2000).stage(500ms, 2000.0).max_in_flight(8).grace_period(100ms).build())
      .build()
      .run();
}

} // namespace test
