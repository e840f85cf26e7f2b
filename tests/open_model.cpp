// The open model (stage_executor): slow and overloaded actions, late drops, running
// inside a caller's io_context, edges, bad input, pacing slots, contexts, Poisson
// arrivals. What every executor shares is in executor_battery.cpp.
#include "actions.hpp"
#include "catch.hpp"
#include "error_message.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace {

using namespace std::chrono_literals;
using namespace test;

TEST_CASE("stage_executor: slow actions do not slow the arrivals", "[executor]") {
  // 50 ms actions at 1000/s: a closed loop of one worker would start 40 in 2 s.
  const auto a = run(sleeper(50ms), karga::stage_executor::builder().stage(0s, 1000.0).stage(2s, 1000.0).build());
  CHECK(a.run().scheduled == 2000);
  CHECK(a.ok() == 2000);
  CHECK(a.run().peak_in_flight >= 40);  // about 50 in flight
  CHECK(a.latency().min() >= 50'000'000);
  check_accounted(a);
}

TEST_CASE("stage_executor: overload is reported, not hidden", "[executor]") {
  // Each action holds its thread for 2 ms: one thread can start at most 500/s of the
  // 2000/s asked, fewer on a busy machine.
  auto busy = []() -> asio::awaitable<basic_metric> {
    const auto start = karga::clock::now();
    while (karga::clock::now() - start < 2ms) {
    }
    co_return basic_metric{karga::clock::now() - start, true, 0};
  };
  const auto a = run(busy, karga::stage_executor::builder().stage(0s, 2000.0).stage(500ms, 2000.0).late_start_limit(0s).build());
  const karga::basic_report r{a};
  CHECK(r.scheduled == 1000);
  CHECK(r.started <= 251);
  CHECK(r.dropped == r.scheduled - r.started);
  CHECK(r.dropped_late == r.dropped);  // behind schedule, not capped
  CHECK(r.achieved_rate < r.target_rate / 2);
  CHECK(r.latency.min >= 2ms);                     // the action's own view...
  CHECK(r.response_time.p50 > r.latency.p50);      // ...hides the wait that the view from the intended start shows
  CHECK(r.response_time.max > 100ms);
  check_accounted(a);
}

TEST_CASE("stage_executor: the cap is split exactly over the shards", "[executor]") {
  const auto a = run(sleeper(100ms), karga::stage_executor::builder().stage(0s, 1000.0).stage(300ms, 1000.0).threads(3).max_in_flight(5).build());
  CHECK(a.run().peak_in_flight <= 5);  // 2 + 2 + 1, not 2 + 2 + 2
  CHECK(a.dropped_by_cap() > 0);
  check_accounted(a);
}

TEST_CASE("stage_executor: async_run shares the caller's io_context", "[executor]") {
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
  CHECK(result->ok() == 40);
  CHECK(ticks >= 5);  // the caller's own work went on during the run
}

TEST_CASE("stage_executor: async_run with two threads", "[executor]") {
  asio::io_context ctx;
  std::optional<karga::basic_aggregate> result;
  const auto e = karga::stage_executor::builder().stage(0s, 1000.0).stage(200ms, 1000.0).threads(2).build();
  asio::co_spawn(ctx, [&]() -> asio::awaitable<void> { result = co_await e.async_run(noop(), karga::basic_aggregate{}); }, asio::detached);
  ctx.run();
  REQUIRE(result);
  CHECK(result->ok() == 200);
}

TEST_CASE("stage_executor: async_run on an io_context run by two threads counts every outcome", "[executor]") {
  // The shard runs through a strand: the caller's threads never run it at once.
  asio::io_context ctx(2);
  std::optional<karga::basic_aggregate> result;
  const auto e = karga::stage_executor::builder().stage(0s, 20000.0).stage(1s, 20000.0).build();
  asio::co_spawn(ctx, [&]() -> asio::awaitable<void> { result = co_await e.async_run(sleeper(1ms), karga::basic_aggregate{}); }, asio::detached);
  std::thread other([&] { ctx.run(); });
  ctx.run();
  other.join();
  REQUIRE(result);
  CHECK(result->run().scheduled == 20000);
  check_accounted(*result);
  CHECK(result->latency().count() == result->ok());
}

TEST_CASE("stage_executor: the action's captures outlive every coroutine it started", "[executor]") {
  auto payload = std::make_shared<std::vector<int>>(1000, 7);
  std::weak_ptr<std::vector<int>> watch = payload;
  auto act = [payload]() -> asio::awaitable<basic_metric> {
    asio::steady_timer t(co_await asio::this_coro::executor, 20ms);
    co_await t.async_wait(asio::use_awaitable);
    co_return basic_metric{.success = payload->at(999) == 7};  // read after the suspension
  };
  const auto e = karga::stage_executor::builder().stage(0s, 500.0).stage(100ms, 500.0).threads(2).build();
  const auto a = run(std::move(act), e);
  CHECK(a.ok() == 50);
  payload.reset();
  CHECK(watch.expired());  // and nothing kept a copy alive past the run
}

TEST_CASE("stage_executor: a mutable action runs on each shard's own copy", "[executor]") {
  auto counts = std::make_shared<std::array<std::atomic<int>, 2>>();
  int n = 0;
  auto act = [n, counts]() mutable -> asio::awaitable<basic_metric> {
    ++n;  // per copy: the copies never share
    co_return basic_metric{.success = n <= 50};
  };
  const auto a = run(act, karga::stage_executor::builder().stage(0s, 1000.0).stage(100ms, 1000.0).threads(2).build());
  CHECK(a.ok() == 100);  // 50 per shard, each counting its own
  CHECK(n == 0);                // the caller's copy was never called
}

TEST_CASE("stage_executor: edges: zero rate, zero length, huge rate", "[executor]") {
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
  SECTION("a rate no machine can follow ends on time, with the shortfall dropped as late") {
    const auto before = karga::clock::now();
    const auto a = run(counting, karga::stage_executor::builder().stage(0s, 1e10).stage(200ms, 1e10).build());
    CHECK(karga::clock::now() - before < 10s);
    CHECK(a.run().scheduled == 2'000'000'000);
    CHECK(a.dropped_late() > 1'000'000'000);
    CHECK(a.dropped_by_cap() == 0);
    CHECK(static_cast<long>(a.ok()) == *calls);
    check_accounted(a);
  }
}

TEST_CASE("stage_executor: bad input throws before any load", "[executor]") {
  auto calls = std::make_shared<std::atomic<long>>(0);
  auto counting = [calls]() -> asio::awaitable<basic_metric> {
    ++*calls;
    co_return basic_metric{};
  };
  auto attempt = [&](auto configure) {
    return error_message([&] {
      auto b = karga::stage_executor::builder();  // a named builder, configured in steps
      configure(b);
      run(counting, b.build());
    });
  };
  CHECK(attempt([](auto& b) { b.stage(1s, std::numeric_limits<double>::quiet_NaN()); }) ==
        "karga: stage 1: target rate must be finite and not negative, got nan/s");
  CHECK(attempt([](auto& b) { b.stage(-1s, 10.0); }) ==
        "karga: stage 1: duration must be finite and not negative, got -1 s");
  CHECK(attempt([](auto& b) { b.stage(1s, 10.0).threads(0); }) == "karga: threads must be at least 1, got 0");
  CHECK(attempt([](auto& b) { b.stage(1s, 10.0).cancel_wait(-1s); }).starts_with("karga: cancel wait must be finite"));
  CHECK(attempt([](auto&) {}) == "karga: a schedule needs at least one stage");
  CHECK(attempt([](auto& b) { b.stage(1s, 10.0).pacing_slot(-1ms); }) == "karga: pacing slot (-0.001s) must be from 0 to 10ms");
  CHECK(attempt([](auto& b) { b.stage(1s, 10.0).pacing_slot(11ms); }) == "karga: pacing slot (0.011s) must be from 0 to 10ms");
  CHECK(*calls == 0);
}

// The starts of a paced run's actions, (intended, actual), as an action records them.

TEST_CASE("stage_executor: a pacing slot starts arrivals together, never early, each with its own intended time",
          "[executor]") {
  for (auto slot : {0ms, 2ms, 10ms}) {
    INFO("slot " << slot.count() << " ms");
    start_pairs starts;
    const auto act = recording_starts(starts);
    const auto exec = karga::stage_executor::builder().start_rate(5000).stage(200ms, 5000).pacing_slot(slot).build();
    CHECK(exec.pacing_slot() == slot);
    const auto a = karga::scenario<karga::basic_aggregate>::builder().name("slots").action(act).executor(exec).build().run();
    REQUIRE(a.ok() == 1000);
    REQUIRE(starts.size() == 1000);
    const auto start = starts[0].first - karga::schedule::to_duration(exec.schedule().time_of(0));
    for (std::size_t k = 0; k < starts.size(); ++k) {
      CHECK(std::chrono::abs(starts[k].first - (start + karga::schedule::to_duration(exec.schedule().time_of(k)))) <= 1ns);
      CHECK(starts[k].second >= starts[k].first);  // never before its time
    }
    if (slot > 0ms) CHECK(woke_once_per_slot(starts, 200ms, slot));
  }
}


TEST_CASE("context: an open model gives each action its arrival and intended start", "[executor][context]") {
  std::mutex m;
  std::vector<karga::context> seen;
  std::vector<std::string> names;  // the context's name is valid only while the action runs
  auto act = [&](const karga::context& c) -> asio::awaitable<basic_metric> {
    std::lock_guard lock(m);
    seen.push_back(c);
    names.emplace_back(c.scenario);
    co_return basic_metric{.success = true};
  };
  const auto a = karga::scenario<karga::basic_aggregate>::builder()
                     .name("ctx")
                     .action(act)
                     .executor(karga::stage_executor::builder().start_rate(1000).stage(100ms, 1000.0).threads(2).build())
                     .build()
                     .run();
  REQUIRE(seen.size() == 100);
  std::set<std::uint64_t> arrivals;
  for (const auto& name : names)
    CHECK(name == "ctx");
  for (const auto& c : seen) {
    arrivals.insert(c.arrival);
    CHECK(c.shard == c.arrival % 2);
    CHECK(c.iteration == c.arrival);
  }
  CHECK(arrivals.size() == 100);
  CHECK(*arrivals.rbegin() == 99);
  CHECK(a.ok() == 100);
}

TEST_CASE("poisson: every arrival of a seeded schedule starts once, at its own intended time", "[executor][poisson]") {
  std::mutex m;
  std::map<std::uint64_t, karga::clock::time_point> due;
  auto act = [&](const karga::context& c) -> asio::awaitable<basic_metric> {
    std::lock_guard lock(m);
    due.emplace(c.arrival, c.intended_start);
    co_return basic_metric{.success = true};
  };
  const auto exec = karga::stage_executor::builder().profile(karga::profiles::ramp(500, 2000, 500ms)).poisson(11).threads(2).build();
  const auto& s = exec.schedule();
  const auto a = karga::scenario<karga::basic_aggregate>::builder().name("poisson").action(act).executor(exec).build().run();
  // Every arrival has one outcome; those that started had the schedule's times.
  CHECK(a.run().scheduled == s.total());
  CHECK(a.started() + a.dropped() == s.total());
  CHECK(a.interrupted() == 0);
  REQUIRE(due.size() == a.started());
  REQUIRE(due.count(0) == 1);
  const auto start = due.at(0) - karga::schedule::to_duration(s.time_of(0));
  for (const auto& [k, t] : due) {
    REQUIRE(k < s.total());
    CHECK(std::chrono::abs(t - (start + karga::schedule::to_duration(s.time_of(k)))) <= 1ns);
  }
}

} // namespace
