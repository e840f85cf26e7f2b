// The stage executor running real coroutines: counts, the open model, caps, errors,
// grace and cancellation, shards, and running inside a caller's io_context.
#include "catch.hpp"
#include "error_message.hpp"

#include <karga/karga.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <atomic>
#include <csignal>
#include <memory>
#include <stdexcept>
#include <thread>

namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using karga::basic_metric;

auto noop() {
  return []() -> asio::awaitable<basic_metric> { co_return basic_metric{.success = true}; };
}

auto sleeper(karga::clock::duration d) {
  return [d]() -> asio::awaitable<basic_metric> {
    const auto start = karga::clock::now();
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
    co_return basic_metric{karga::clock::now() - start, true, 1};
  };
}

template <class F>
karga::basic_aggregate run(F f, karga::stage_executor e) {
  return karga::scenario<karga::basic_aggregate>::builder().name("test").action(f).executor(e).build().run();
}

// Nothing measured is lost: every scheduled arrival has exactly one outcome.
void check_accounted(const karga::basic_aggregate& a) {
  CHECK(a.run().scheduled == a.succeeded() + a.failed() + a.dropped() + a.interrupted());
}

TEST_CASE("executor: every arrival of the schedule runs once", "[executor]") {
  const auto a = run(noop(), karga::stage_executor::builder().stages({{200ms, 2000.0}, {300ms, 2000.0}}).build());
  CHECK(a.run().scheduled == 800);
  CHECK(a.succeeded() == 800);
  CHECK(a.dropped() == 0);
  CHECK(a.response_time().count() == 800);  // the executor's timing reached the aggregate
  CHECK(a.start_lag().count() == 800);
  check_accounted(a);
}

TEST_CASE("executor: open model: slow actions do not slow the arrivals", "[executor]") {
  // 50 ms actions at 1000/s: a closed loop of one worker would start 40 in 2 s.
  const auto a = run(sleeper(50ms), karga::stage_executor::builder().stage(0s, 1000.0).stage(2s, 1000.0).build());
  CHECK(a.run().scheduled == 2000);
  CHECK(a.succeeded() == 2000);
  CHECK(a.run().peak_in_flight >= 40);   // about 50 in flight
  CHECK(a.latency().min() >= 50'000'000);
  check_accounted(a);
}

TEST_CASE("executor: max_in_flight drops arrivals, never delays them", "[executor]") {
  const auto a = run(sleeper(50ms), karga::stage_executor::builder().stage(0s, 1000.0).stage(1s, 1000.0).max_in_flight(10).build());
  CHECK(a.run().scheduled == 1000);
  CHECK(a.run().peak_in_flight <= 10);
  CHECK(a.dropped() > 500);  // 10 in flight × 20 per second = ~200 can start
  CHECK(a.succeeded() > 50);
  // Those that started were not held back for a free slot (that would take ~50 ms each).
  CHECK(a.start_lag().percentile(50) < 10'000'000);
  check_accounted(a);
}

TEST_CASE("executor: an exception is a failed action with its message, and the run goes on", "[executor]") {
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto thrower = [calls]() -> asio::awaitable<basic_metric> {
    const int n = ++*calls;
    if (n % 3 == 0) throw std::runtime_error("every third call fails");
    if (n % 5 == 0) {
      asio::steady_timer t(co_await asio::this_coro::executor, 1ms);
      co_await t.async_wait(asio::use_awaitable);
      throw 42;  // not a std::exception, after a suspension
    }
    co_return basic_metric{.success = true};
  };
  const auto a = run(thrower, karga::stage_executor::builder().stage(0s, 3000.0).stage(100ms, 3000.0).build());
  CHECK(*calls == 300);
  // Calls 3, 6, …, 300 throw a message (100); of the rest, 5, 10, …, 295 throw 42
  // (60 multiples of 5, less the 20 that are multiples of 15).
  CHECK(a.failed() == 100 + 40);
  CHECK(a.succeeded() == 160);
  const auto errors = a.exceptions().sorted();
  REQUIRE(errors.size() == 2);
  CHECK(errors[0] == std::pair<std::string, std::uint64_t>{"every third call fails", 100});
  CHECK(errors[1] == std::pair<std::string, std::uint64_t>{"unknown exception", 40});
  check_accounted(a);
}

TEST_CASE("executor: after the grace period in-flight actions are cancelled and counted", "[executor]") {
  const auto before = karga::clock::now();
  const auto a = run(sleeper(60s), karga::stage_executor::builder().stage(0s, 100.0).stage(100ms, 100.0).grace_period(200ms).build());
  CHECK(karga::clock::now() - before < 30s);  // nobody waited for the 60 s actions
  CHECK(a.run().scheduled == 10);
  CHECK(a.interrupted() == 10);
  CHECK(a.succeeded() == 0);
  CHECK(a.failed() == 0);  // their cancellation error is not a failure
  check_accounted(a);
}

TEST_CASE("executor: actions that finish within the grace period are kept", "[executor]") {
  const auto a = run(sleeper(300ms), karga::stage_executor::builder().stage(0s, 100.0).stage(100ms, 100.0).grace_period(5s).build());
  CHECK(a.succeeded() == 10);
  CHECK(a.interrupted() == 0);
}

TEST_CASE("executor: overload is reported, not hidden", "[executor]") {
  // Each action blocks its thread for 2 ms: one thread can start ~500/s of the 2000/s asked.
  auto busy = []() -> asio::awaitable<basic_metric> {
    const auto start = karga::clock::now();
    while (karga::clock::now() - start < 2ms) {
    }
    co_return basic_metric{karga::clock::now() - start, true, 0};
  };
  const auto a = run(busy, karga::stage_executor::builder().stage(0s, 2000.0).stage(500ms, 2000.0).late_start_limit(0s).build());
  const karga::basic_report r{a};
  CHECK(r.scheduled == 1000);
  CHECK(r.started < 500);
  CHECK(r.dropped == r.scheduled - r.started);
  CHECK(r.achieved_rate < r.target_rate / 2);
  CHECK(r.latency.p50 < 3ms);              // the action's own view looks fine...
  CHECK(r.response_time.max > 100ms);      // ...the view from the intended start does not
  check_accounted(a);
}

TEST_CASE("executor: shards split the schedule and merge", "[executor]") {
  auto threads_seen = std::make_shared<std::array<std::atomic<int>, 2>>();
  auto ids = std::make_shared<std::array<std::atomic<std::thread::id>, 2>>();
  auto act = [ids, threads_seen]() -> asio::awaitable<basic_metric> {
    const auto me = std::this_thread::get_id();
    for (int i = 0; i < 2; ++i) {
      std::thread::id none{};
      if ((*ids)[i].compare_exchange_strong(none, me) || (*ids)[i].load() == me) {
        ++(*threads_seen)[i];
        break;
      }
    }
    co_return basic_metric{.success = true};
  };
  const auto a = run(act, karga::stage_executor::builder().stage(0s, 4000.0).stage(250ms, 4000.0).threads(2).build());
  CHECK(a.succeeded() == 1000);
  CHECK((*threads_seen)[0] == 500);  // every other arrival on each thread
  CHECK((*threads_seen)[1] == 500);
  check_accounted(a);
}

TEST_CASE("executor: async_run shares the caller's io_context", "[executor]") {
  asio::io_context ctx;
  int ticks = 0;
  std::optional<karga::basic_aggregate> result;
  auto s = karga::scenario<karga::basic_aggregate>::builder()
               .action(sleeper(5ms))
               .executor(karga::stage_executor::builder().stage(0s, 200.0).stage(200ms, 200.0).build())
               .build();
  asio::co_spawn(ctx, [&]() -> asio::awaitable<void> { result = co_await s.async_run(); }, asio::detached);
  asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (!result) {
      t.expires_after(10ms);
      co_await t.async_wait(asio::use_awaitable);
      ++ticks;
    }
  }, asio::detached);
  ctx.run();
  REQUIRE(result);
  CHECK(result->succeeded() == 40);
  CHECK(ticks >= 10);  // the caller's own work went on during the run
}

TEST_CASE("executor: async_run with two threads", "[executor]") {
  asio::io_context ctx;
  std::optional<karga::basic_aggregate> result;
  const auto e = karga::stage_executor::builder().stage(0s, 1000.0).stage(200ms, 1000.0).threads(2).build();
  asio::co_spawn(ctx, [&]() -> asio::awaitable<void> { result = co_await e.async_run(noop(), karga::basic_aggregate{}); }, asio::detached);
  ctx.run();
  REQUIRE(result);
  CHECK(result->succeeded() == 200);
}

TEST_CASE("executor: the action's captures outlive every coroutine it started", "[executor]") {
  auto payload = std::make_shared<std::vector<int>>(1000, 7);
  std::weak_ptr<std::vector<int>> watch = payload;
  auto act = [payload]() -> asio::awaitable<basic_metric> {
    asio::steady_timer t(co_await asio::this_coro::executor, 20ms);
    co_await t.async_wait(asio::use_awaitable);
    co_return basic_metric{.success = payload->at(999) == 7};  // read after the suspension
  };
  const auto e = karga::stage_executor::builder().stage(0s, 500.0).stage(100ms, 500.0).threads(2).build();
  const auto a = run(std::move(act), e);
  CHECK(a.succeeded() == 50);
  payload.reset();
  CHECK(watch.expired());  // and nothing kept a copy alive past the run
}

TEST_CASE("executor: edges: zero rate, zero length, huge rate", "[executor]") {
  auto calls = std::make_shared<std::atomic<long>>(0);
  auto counting = [calls]() -> asio::awaitable<basic_metric> {
    ++*calls;
    co_return basic_metric{.success = true};
  };
  SECTION("zero rate") {
    const auto a = run(counting, karga::stage_executor::builder().stage(200ms, 0.0).build());
    CHECK(a.run().scheduled == 0);
    CHECK(*calls == 0);
  }
  SECTION("one stage of zero length") {
    const auto a = run(counting, karga::stage_executor::builder().stage(0s, 1e6).build());
    CHECK(a.run().scheduled == 0);
    CHECK(*calls == 0);
  }
  SECTION("a rate no machine can follow ends on time, with the shortfall dropped") {
    const auto before = karga::clock::now();
    const auto a = run(counting, karga::stage_executor::builder().stage(0s, 1e10).stage(200ms, 1e10).build());
    CHECK(karga::clock::now() - before < 10s);
    CHECK(a.run().scheduled == 2'000'000'000);
    CHECK(a.dropped() > 1'000'000'000);
    CHECK(static_cast<long>(a.succeeded()) == *calls);
    check_accounted(a);
  }
}

TEST_CASE("executor: bad input throws before any load", "[executor]") {
  auto calls = std::make_shared<std::atomic<long>>(0);
  auto counting = [calls]() -> asio::awaitable<basic_metric> {
    ++*calls;
    co_return basic_metric{};
  };
  auto attempt = [&](auto configure) {
    try {
      auto b = karga::stage_executor::builder();
      configure(b);
      run(counting, b.build());
    } catch (const karga::error&) {
      return true;
    }
    return false;
  };
  CHECK(attempt([](auto& b) { b.stage(1s, std::numeric_limits<double>::quiet_NaN()); }));
  CHECK(attempt([](auto& b) { b.stage(-1s, 10.0); }));
  CHECK(attempt([](auto& b) { b.stage(1s, 10.0).threads(0); }));
  CHECK(attempt([](auto&) {}));
  CHECK(*calls == 0);
}

} // namespace

namespace {

template <class F>
karga::basic_aggregate run_closed(F f, karga::constant_vus_executor e) {
  return karga::scenario<karga::basic_aggregate>::builder().action(f).executor(e).build().run();
}

TEST_CASE("constant_vus: each user runs the action back to back", "[executor][closed]") {
  const auto a = run_closed(sleeper(10ms), karga::constant_vus_executor::builder().vus(4).duration(300ms).build());
  CHECK(a.run().peak_in_flight == 4);
  CHECK(a.succeeded() <= 4 * 31);  // no user runs faster than its action
  CHECK(a.succeeded() >= 40);
  CHECK(a.interrupted() == 0);
  CHECK(a.start_lag().max() == 0);  // a closed model starts each iteration when it is ready
  CHECK(a.run().scheduled == a.started());
  check_accounted(a);
}

TEST_CASE("constant_vus: actions that never suspend still stop at the deadline", "[executor][closed]") {
  const auto before = karga::clock::now();
  const auto a = run_closed(noop(), karga::constant_vus_executor::builder().vus(3).duration(100ms).threads(2).build());
  CHECK(karga::clock::now() - before < 5s);
  CHECK(a.succeeded() > 1000);
  CHECK(a.run().peak_in_flight <= 3);
  check_accounted(a);
}

TEST_CASE("constant_vus: the grace period ends in cancellation", "[executor][closed]") {
  const auto before = karga::clock::now();
  const auto a = run_closed(sleeper(60s), karga::constant_vus_executor::builder().vus(5).duration(50ms).grace_period(100ms).build());
  CHECK(karga::clock::now() - before < 30s);
  CHECK(a.interrupted() == 5);
  CHECK(a.succeeded() == 0);
  CHECK(a.failed() == 0);
  check_accounted(a);
}

TEST_CASE("constant_vus: exceptions are failures with their message", "[executor][closed]") {
  auto thrower = []() -> asio::awaitable<basic_metric> {
    throw std::runtime_error("no");
    co_return basic_metric{};
  };
  const auto a = run_closed(thrower, karga::constant_vus_executor::builder().vus(1).duration(20ms).build());
  CHECK(a.failed() > 0);
  CHECK(a.exceptions().sorted().front().first == "no");
  check_accounted(a);
}

TEST_CASE("constant_vus: async_run in the caller's io_context", "[executor][closed]") {
  asio::io_context ctx;
  std::optional<karga::basic_aggregate> result;
  const auto e = karga::constant_vus_executor::builder().vus(2).duration(100ms).threads(2).build();
  asio::co_spawn(ctx, [&]() -> asio::awaitable<void> { result = co_await e.async_run(sleeper(5ms), karga::basic_aggregate{}); }, asio::detached);
  ctx.run();
  REQUIRE(result);
  CHECK(result->succeeded() > 0);
  CHECK(result->succeeded() <= 2 * 21);
}

TEST_CASE("constant_vus: bad input is a clear karga::error", "[executor][closed]") {
  using b = karga::constant_vus_executor;
  CHECK(error_message([] { b::builder().duration(1s).build(); }) == "karga: vus must be at least 1, got 0");
  CHECK(error_message([] { b::builder().vus(1).build(); }) == "karga: a duration is required");
  CHECK(error_message([] { b::builder().vus(1).duration(-1s).build(); }).starts_with("karga: duration must be finite"));
  CHECK(error_message([] { b::builder().vus(1).duration(1s).threads(0).build(); }) == "karga: threads must be at least 1, got 0");
  CHECK(error_message([] { b::builder().vus(1).duration(1s).build(); }) == "no error");
  STATIC_REQUIRE(karga::executor<karga::constant_vus_executor>);
}

} // namespace

namespace {

// Sends SIGINT to this process after each of the given delays (from the start).
struct interrupt_after {
  std::thread sender;
  explicit interrupt_after(std::vector<karga::clock::duration> delays)
      : sender([delays] {
          const auto start = karga::clock::now();
          for (auto d : delays) {
            std::this_thread::sleep_until(start + d);
            std::raise(SIGINT);
          }
        }) {}
  ~interrupt_after() { sender.join(); }
};

TEST_CASE("stop: Ctrl-C ends an open-model run early with what was measured", "[executor][stop]") {
  const auto before = karga::clock::now();
  std::optional<karga::basic_aggregate> a;
  {
    interrupt_after ctrl_c({300ms});
    a = run(sleeper(50ms), karga::stage_executor::builder().start_rate(100).stage(10s, 100.0).threads(2).build());
  }
  CHECK(karga::clock::now() - before < 5s);
  CHECK(a->run().stopped());
  CHECK(a->run().scheduled >= 20);   // about 30 were due by the stop...
  CHECK(a->run().scheduled <= 100);  // ...not the 1000 of the plan
  CHECK(a->run().planned < 1s);
  CHECK(a->succeeded() == a->run().scheduled - a->dropped());  // in-flight actions finished in the grace period
  check_accounted(*a);
  const karga::basic_report r{*a};
  CHECK(karga::format_report(r).find("stopped early by a signal") != std::string::npos);
}

TEST_CASE("stop: a second Ctrl-C ends the grace period", "[executor][stop]") {
  const auto before = karga::clock::now();
  std::optional<karga::basic_aggregate> a;
  {
    interrupt_after ctrl_c({200ms, 400ms});
    a = run(sleeper(60s), karga::stage_executor::builder().start_rate(50).stage(10s, 50.0).grace_period(30s).build());
  }
  CHECK(karga::clock::now() - before < 10s);
  CHECK(a->run().stopped());
  CHECK(a->interrupted() >= 5);
  CHECK(a->interrupted() == a->run().scheduled - a->dropped());
  check_accounted(*a);
}

TEST_CASE("stop: Ctrl-C ends a closed-model run early", "[executor][stop]") {
  const auto before = karga::clock::now();
  std::optional<karga::basic_aggregate> a;
  {
    interrupt_after ctrl_c({200ms});
    a = run_closed(sleeper(10ms), karga::constant_vus_executor::builder().vus(3).duration(10s).build());
  }
  CHECK(karga::clock::now() - before < 5s);
  CHECK(a->run().stopped());
  CHECK(a->succeeded() > 10);
  CHECK(a->interrupted() == 0);
  check_accounted(*a);
}

} // namespace
