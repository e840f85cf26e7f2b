// What is particular to each of karga's executors (what they share is in
// battery.cpp): the open model under slow and overloaded actions, late drops,
// running inside a caller's io_context, edges and bad input; the closed model.
#include "actions.hpp"
#include "catch.hpp"
#include "error_message.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace {

using namespace std::chrono_literals;
using namespace test;

template <class F>
karga::basic_aggregate run(F f, karga::stage_executor e) {
  return karga::scenario<karga::basic_aggregate>::builder().name("test").action(f).executor(e).build().run();
}

template <class F>
karga::basic_aggregate run_closed(F f, karga::constant_vus_executor e) {
  return karga::scenario<karga::basic_aggregate>::builder().action(f).executor(e).build().run();
}

// Nothing measured is lost: every scheduled arrival has exactly one outcome.
void check_accounted(const karga::basic_aggregate& a) {
  CHECK(a.run().scheduled == a.succeeded() + a.failed() + a.dropped() + a.interrupted());
}

TEST_CASE("stage_executor: slow actions do not slow the arrivals", "[executor]") {
  // 50 ms actions at 1000/s: a closed loop of one worker would start 40 in 2 s.
  const auto a = run(sleeper(50ms), karga::stage_executor::builder().stage(0s, 1000.0).stage(2s, 1000.0).build());
  CHECK(a.run().scheduled == 2000);
  CHECK(a.succeeded() == 2000);
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
  CHECK(result->succeeded() == 40);
  CHECK(ticks >= 5);  // the caller's own work went on during the run
}

TEST_CASE("stage_executor: async_run with two threads", "[executor]") {
  asio::io_context ctx;
  std::optional<karga::basic_aggregate> result;
  const auto e = karga::stage_executor::builder().stage(0s, 1000.0).stage(200ms, 1000.0).threads(2).build();
  asio::co_spawn(ctx, [&]() -> asio::awaitable<void> { result = co_await e.async_run(noop(), karga::basic_aggregate{}); }, asio::detached);
  ctx.run();
  REQUIRE(result);
  CHECK(result->succeeded() == 200);
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
  CHECK(result->latency().count() == result->succeeded());
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
  CHECK(a.succeeded() == 50);
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
  CHECK(a.succeeded() == 100);  // 50 per shard, each counting its own
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
    CHECK(static_cast<long>(a.succeeded()) == *calls);
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
using start_pairs = std::vector<std::pair<karga::clock::time_point, karga::clock::time_point>>;
auto recording_starts(start_pairs& starts) {
  return [&starts](const karga::context& c) -> asio::awaitable<basic_metric> {
    starts.emplace_back(c.intended_start, karga::clock::now());
    co_return basic_metric{.success = true};
  };
}

// Whether a run of `length` with arrivals 200 µs apart woke about once per `slot`:
// starts closer than 100 µs shared a wake. A wake comes at most once per slot (on a
// busy machine, less often), except in the last slot, where each arrival has its own;
// a preemption inside a wake's run of starts may split it, hence the margin.
bool woke_once_per_slot(start_pairs starts, karga::clock::duration length, karga::clock::duration slot) {
  std::sort(starts.begin(), starts.end(), [](const auto& x, const auto& y) { return x.second < y.second; });
  std::size_t wakes = 1;
  for (std::size_t k = 1; k < starts.size(); ++k) wakes += starts[k].second - starts[k - 1].second > 100us ? 1 : 0;
  return wakes <= static_cast<std::size_t>(length / slot) * 3 / 2 + 5 + static_cast<std::size_t>(slot / 200us);
}

TEST_CASE("stage_executor: a pacing slot starts arrivals together, never early, each with its own intended time",
          "[executor]") {
  for (auto slot : {0ms, 2ms, 10ms}) {
    INFO("slot " << slot.count() << " ms");
    start_pairs starts;
    const auto act = recording_starts(starts);
    const auto exec = karga::stage_executor::builder().start_rate(5000).stage(200ms, 5000).pacing_slot(slot).build();
    CHECK(exec.pacing_slot() == slot);
    const auto a = karga::scenario<karga::basic_aggregate>::builder().name("slots").action(act).executor(exec).build().run();
    REQUIRE(a.succeeded() == 1000);
    REQUIRE(starts.size() == 1000);
    const auto start = starts[0].first - karga::schedule::to_duration(exec.schedule().time_of(0));
    for (std::size_t k = 0; k < starts.size(); ++k) {
      CHECK(std::chrono::abs(starts[k].first - (start + karga::schedule::to_duration(exec.schedule().time_of(k)))) <= 1ns);
      CHECK(starts[k].second >= starts[k].first);  // never before its time
    }
    if (slot > 0ms) CHECK(woke_once_per_slot(starts, 200ms, slot));
  }
}

// The closed model ------------------------------------------------------------------

TEST_CASE("constant_vus: each user runs the action back to back", "[executor][closed]") {
  const auto a = run_closed(sleeper(10ms), karga::constant_vus_executor::builder().vus(4).duration(300ms).build());
  CHECK(a.run().peak_in_flight == 4);
  CHECK(a.succeeded() <= 4 * 31);  // no user runs faster than its action
  CHECK(a.succeeded() >= 4);
  CHECK(a.interrupted() == 0);
  CHECK(a.start_lag().max() == 0);  // a closed model starts each iteration when it is ready
  CHECK(a.run().kind == karga::load_kind::closed);
  CHECK(a.run().model == "4 users for 300ms");
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
  const auto a = run_closed(sleeper(60s), karga::constant_vus_executor::builder().vus(5).duration(1s).grace_period(100ms).build());
  CHECK(karga::clock::now() - before < 30s);
  CHECK(a.started() <= 5);
  CHECK(a.interrupted() == a.started());  // every iteration started was cut short
  CHECK(a.succeeded() == 0);
  CHECK(a.failed() == 0);
  check_accounted(a);
}

TEST_CASE("constant_vus: exceptions are failures with their message", "[executor][closed]") {
  auto thrower = []() -> asio::awaitable<basic_metric> {
    throw std::runtime_error("no");
    co_return basic_metric{};
  };
  const auto a = run_closed(thrower, karga::constant_vus_executor::builder().vus(1).duration(300ms).build());
  REQUIRE(a.failed() > 0);
  CHECK(a.exceptions().sorted().front().first == "no");
  check_accounted(a);
}

TEST_CASE("constant_vus: an aggregate that throws ends the run, and run() rethrows it", "[executor][closed]") {
  std::string what = "nothing thrown";
  try {
    karga::scenario<throwing_aggregate>::builder()
        .action(noop())
        .executor(karga::constant_vus_executor::builder().vus(2).duration(10s).build())
        .build()
        .run();
  } catch (const std::runtime_error& e) {
    what = e.what();
  }
  CHECK(what == "the aggregate is broken");
}

TEST_CASE("constant_vus: users that ignore cancellation are abandoned", "[executor][closed]") {
  const auto before = karga::clock::now();
  const auto a = run_closed(stubborn(), karga::constant_vus_executor::builder().vus(3).duration(100ms).grace_period(100ms).cancel_wait(200ms).build());
  CHECK(karga::clock::now() - before < 30s);
  CHECK(a.interrupted() == 3);
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

TEST_CASE("constant_vus: Ctrl-C ends the run early", "[executor][closed][stop]") {
  const auto before = karga::clock::now();
  std::optional<karga::basic_aggregate> a;
  {
    interrupt_after ctrl_c({200ms});
    a = run_closed(sleeper(10ms), karga::constant_vus_executor::builder().vus(3).duration(10s).build());
  }
  CHECK(karga::clock::now() - before < 5s);
  CHECK(a->run().stop == karga::stop_reason::signal);
  CHECK(a->run().planned < 5s);
  CHECK(a->succeeded() >= 3);
  CHECK(a->interrupted() == 0);
  check_accounted(*a);
}

TEST_CASE("run_control: a stop from another thread ends a run like Ctrl-C", "[executor][stop]") {
  auto control = std::make_shared<karga::run_control>();
  std::thread stopper([control] {
    std::this_thread::sleep_for(200ms);
    control->request_stop();
  });
  karga::run_options opt;
  opt.control = control;
  const auto a = karga::scenario<karga::basic_aggregate>::builder()
                     .action(sleeper(10ms))
                     .executor(karga::stage_executor::builder().start_rate(100).stage(10s, 100.0).threads(2).build())
                     .build()
                     .run(opt);
  stopper.join();
  CHECK(a.run().stop == karga::stop_reason::requested);
  CHECK(a.run().scheduled < 500);
  CHECK(a.interrupted() == 0);
  check_accounted(a);
}

} // namespace

namespace {

using namespace std::chrono_literals;
using namespace test;
using series = karga::series_aggregate<karga::basic_aggregate>;

template <class F, class E>
series run_series(F f, E e) {
  return karga::scenario<series>::builder().name("series").action(f).executor(e).build().run();
}

// Every interval adds up, and the intervals add up to the totals.
void check_rows(const series& a) {
  const karga::series_report r{a.series()};
  std::uint64_t scheduled = 0, ok = 0, failed = 0, dropped = 0, interrupted = 0;
  for (const auto& row : r.rows) {
    CHECK(row.started == row.ok + row.failed + row.interrupted);
    if (r.kind == karga::load_kind::open) CHECK(row.scheduled == row.started + row.dropped);
    scheduled += row.scheduled, ok += row.ok, failed += row.failed, dropped += row.dropped, interrupted += row.interrupted;
  }
  const auto& b = a.base();
  CHECK(scheduled == b.run().scheduled);
  CHECK(ok == b.succeeded());
  CHECK(failed == b.failed());
  CHECK(dropped == b.dropped());
  CHECK(interrupted + r.unattributed_interrupted == b.interrupted());
}

TEST_CASE("series_aggregate: an open run second by second, over two shards", "[executor][series]") {
  const auto a = run_series(noop(), karga::stage_executor::builder().start_rate(1000).stage(2s, 1000.0).threads(2).build());
  const karga::series_report r{a.series()};
  REQUIRE(r.rows.size() == 2);  // arrivals at 1 ms, 2 ms, … 2000 ms: (0, 1 s] and (1 s, 2 s]
  CHECK(r.rows[0].scheduled == 1000);
  CHECK(r.rows[1].scheduled == 1000);
  CHECK(r.rows[1].started == 1000);
  CHECK(r.rows[1].target_rate == Approx(1000.0));
  CHECK(r.rows[1].rt_p99 < 1s);
  check_rows(a);
}

TEST_CASE("series_aggregate: overload shows interval by interval", "[executor][series]") {
  auto busy = []() -> asio::awaitable<basic_metric> {
    const auto start = karga::clock::now();
    while (karga::clock::now() - start < 2ms) {
    }
    co_return basic_metric{karga::clock::now() - start, true, 0};
  };
  const auto a = run_series(busy, karga::stage_executor::builder().start_rate(2000).stage(1s, 2000.0).late_start_limit(0s).build());
  const karga::series_report r{a.series()};
  REQUIRE(r.rows.size() >= 1);
  CHECK(r.rows[0].dropped > r.rows[0].started);  // at most 500 of ~2000 could start
  CHECK(r.rows[0].achieved_rate < r.rows[0].target_rate / 2);
  check_rows(a);
}

TEST_CASE("series_aggregate: a closed run schedules what it starts, interval by interval", "[executor][series]") {
  const auto a = run_series(sleeper(10ms), karga::constant_vus_executor::builder().vus(2).duration(300ms).build());
  const karga::series_report r{a.series()};
  REQUIRE(r.rows.size() >= 1);
  CHECK(r.rows[0].scheduled == r.rows[0].started);
  CHECK(r.rows[0].target_rate == 0);
  check_rows(a);
}

TEST_CASE("series_aggregate: interrupted actions count where they were due", "[executor][series]") {
  const auto a = run_series(sleeper(60s), karga::stage_executor::builder().start_rate(100).stage(100ms, 100.0).grace_period(100ms).build());
  const karga::series_report r{a.series()};
  REQUIRE(r.rows.size() >= 1);
  CHECK(r.rows[0].interrupted == 10);
  CHECK(r.rows[0].starts == 10);
  CHECK(r.rows[0].in_flight == 0);  // cut short at the end of the grace period, within second 0
  check_rows(a);
}

} // namespace

namespace {

using namespace std::chrono_literals;
using namespace test;

TEST_CASE("live: observers see the run once per interval, and the exact totals at the end", "[executor][live]") {
  std::vector<karga::live_sample> samples;
  std::mutex m;
  karga::run_options opt;
  opt.live.interval = 100ms;
  opt.live.observers.push_back([&](const karga::live_sample& s) {
    std::lock_guard lock(m);
    samples.push_back(s);
  });
  const auto a = karga::scenario<karga::basic_aggregate>::builder()
                     .name("watched")
                     .action(sleeper(2ms))
                     .executor(karga::stage_executor::builder().start_rate(1000).stage(1s, 1000.0).threads(2).build())
                     .build()
                     .run(opt);
  REQUIRE(!samples.empty());
  const auto& last = samples.back();
  CHECK(last.final);
  CHECK(last.scenario == "watched");
  CHECK(last.started == a.started());
  CHECK(last.ok == a.succeeded());
  CHECK(last.scheduled == a.run().scheduled);
  CHECK(last.in_flight == 0);
  std::uint64_t buckets = 0;
  for (auto n : last.latency_buckets) buckets += n;
  CHECK(buckets == a.succeeded());  // every latency, once
  for (std::size_t i = 1; i < samples.size(); ++i) CHECK(samples[i].started >= samples[i - 1].started);
  // The progress line of a sample in the middle of the run.
  const auto line = karga::progress::format_line(samples[samples.size() / 2], true);
  CHECK(line.starts_with("["));
  CHECK(line.find("target") != std::string::npos);
}

TEST_CASE("live: a closed run, sampled", "[executor][live][closed]") {
  std::atomic<int> calls{0};
  std::optional<karga::live_sample> final;
  karga::run_options opt;
  opt.live.interval = 50ms;
  opt.live.observers.push_back([&](const karga::live_sample& s) {
    ++calls;
    if (s.final) final = s;
  });
  const auto a = karga::scenario<karga::basic_aggregate>::builder()
                     .action(sleeper(5ms))
                     .executor(karga::constant_vus_executor::builder().vus(3).duration(300ms).build())
                     .build()
                     .run(opt);
  REQUIRE(final);
  CHECK(final->kind == karga::load_kind::closed);
  CHECK(final->started == a.started());
  CHECK(final->scheduled == final->started);
  CHECK(calls >= 1);
}

} // namespace

namespace {

using namespace std::chrono_literals;
using namespace test;

TEST_CASE("synchronous actions: a metric returned directly runs on every executor, context and exceptions included",
          "[executor][sync]") {
  static_assert(karga::synchronous_action<decltype([] { return basic_metric{}; })>);
  static_assert(!karga::synchronous_action<decltype([]() -> asio::awaitable<basic_metric> { co_return basic_metric{}; })>);
  static_assert(karga::action<decltype([](const karga::context&) { return basic_metric{}; })>);
  std::atomic<std::uint64_t> calls{0};
  auto act = [&calls](const karga::context& c) {
    ++calls;
    if (c.iteration % 10 == 9) throw std::runtime_error("tenth");
    return basic_metric{.success = true};
  };
  auto run_with = [&](const auto& exec) {
    calls = 0;
    return karga::scenario<karga::basic_aggregate>::builder().action(act).executor(exec).build().run();
  };
  const auto open = run_with(karga::stage_executor::builder().start_rate(2000).stage(250ms, 2000).threads(2).build());
  CHECK(open.started() == 500);
  CHECK(open.succeeded() == 450);
  CHECK(open.failed() == 50);
  CHECK(open.exceptions().sorted() == std::vector<std::pair<std::string, std::uint64_t>>{{"tenth", 50}});
  CHECK(calls == 500);
  CHECK(open.run().peak_in_flight <= 2);  // each ends before the next starts: one per shard
  const auto users = run_with(karga::per_vu_iterations_executor::builder().vus(3).iterations(20).build());
  CHECK(users.succeeded() == 54);
  CHECK(users.failed() == 6);
  const auto closed = run_with(karga::constant_vus_executor::builder().vus(2).duration(50ms).build());
  CHECK(closed.started() == calls);
  CHECK(closed.started() > 20);
  CHECK(closed.failed() * 10 <= closed.started());       // each user's every tenth iteration
  CHECK(closed.failed() * 10 + 20 >= closed.started());
}

TEST_CASE("per_vu_iterations: 13 users × 7 iterations = 91 actions, each user's 7", "[executor][closed][models]") {
  std::mutex m;
  std::map<std::uint64_t, std::set<std::uint64_t>> seen;  // user → its iterations
  auto act = [&](const karga::context& c) -> asio::awaitable<basic_metric> {
    {
      std::lock_guard lock(m);
      seen[c.user].insert(c.iteration);
    }
    co_await sleeper(1ms)();
    co_return basic_metric{.success = true};
  };
  const auto a = karga::scenario<karga::basic_aggregate>::builder()
                     .action(act)
                     .executor(karga::per_vu_iterations_executor::builder().vus(13).iterations(7).threads(2).build())
                     .build()
                     .run();
  CHECK(a.succeeded() == 91);
  CHECK(a.run().scheduled == 91);
  CHECK(a.run().model == "13 users × 7 iterations");
  CHECK(a.run().planned == karga::clock::duration::zero());
  REQUIRE(seen.size() == 13);
  for (const auto& [user, iterations] : seen) {
    CHECK(user < 13);
    CHECK(iterations == std::set<std::uint64_t>{0, 1, 2, 3, 4, 5, 6});
  }
}

TEST_CASE("shared_iterations: 100 iterations over 8 users = 100", "[executor][closed][models]") {
  std::atomic<int> calls{0};
  auto act = [&]() -> asio::awaitable<basic_metric> {
    ++calls;
    co_await sleeper(1ms)();
    co_return basic_metric{.success = true};
  };
  const auto a = karga::scenario<karga::basic_aggregate>::builder()
                     .action(act)
                     .executor(karga::shared_iterations_executor::builder().vus(8).iterations(100).threads(2).build())
                     .build()
                     .run();
  CHECK(calls == 100);
  CHECK(a.succeeded() == 100);
  CHECK(a.run().scheduled == 100);
  CHECK(a.run().peak_in_flight <= 8);
}

TEST_CASE("iterations executors stop at max_duration", "[executor][closed][models]") {
  const auto before = karga::clock::now();
  const auto a = karga::scenario<karga::basic_aggregate>::builder()
                     .action(sleeper(50ms))
                     .executor(karga::per_vu_iterations_executor::builder().vus(2).iterations(1000).max_duration(300ms).build())
                     .build()
                     .run();
  CHECK(karga::clock::now() - before < 10s);
  CHECK(a.succeeded() <= 2 * 7);
  CHECK(a.run().scheduled == a.started());
}

TEST_CASE("ramping_vus: the active users follow the stages", "[executor][closed][models]") {
  // 0→10 users over 1 s, 10 for 1 s, 10→0 over 1 s; user i joins when the ramp
  // reaches i + 1: at (i + 1) / 10 s, and leaves at 3 - (i + 1) / 10 s.
  const auto e = karga::ramping_vus_executor::builder().stage(1s, 10).stage(1s, 10).stage(1s, 0).graceful_ramp_down(1s).threads(2).build();
  REQUIRE(e.max_vus() == 10);
  for (std::uint64_t i = 0; i < 10; ++i) {
    REQUIRE(e.periods(i).size() == 1);
    CHECK(std::chrono::duration<double>(e.periods(i)[0].join).count() == Approx((i + 1) / 10.0));
    CHECK(std::chrono::duration<double>(e.periods(i)[0].leave).count() == Approx(3.0 - (i + 1) / 10.0));
  }
  CHECK(e.target_at(500ms) == Approx(5.0));
  CHECK(e.description() == "users 0→10 over 1s, 10 for 1s, 10→0 over 1s");
  using series = karga::series_aggregate<karga::basic_aggregate, 250>;
  const auto a = karga::scenario<series>::builder().action(sleeper(5ms)).executor(e).build().run();
  const karga::series_report r{a.series()};
  REQUIRE(r.rows.size() >= 11);
  // The mean of ⌊target⌋ over each quarter second, within a user (joins and leaves
  // land on the executor's clock).
  const double expected[] = {0.5, 3.0, 5.5, 8.0, 10, 10, 10, 10, 9.0, 6.5, 4.0, 1.5};
  for (std::size_t k = 0; k < 12 && k < r.rows.size(); ++k) CHECK(std::abs(r.rows[k].users - expected[k]) <= 1.0);
  CHECK(a.base().interrupted() == 0);  // 5 ms iterations end well within the ramp-down
  CHECK(a.base().run().scheduled == a.base().started());
}

TEST_CASE("ramping_vus: a user leaving mid-iteration is cut short after the graceful ramp-down", "[executor][closed][models]") {
  const auto before = karga::clock::now();
  const auto a = karga::scenario<karga::basic_aggregate>::builder()
                     .action(sleeper(60s))
                     .executor(karga::ramping_vus_executor::builder()
                                   .start_vus(4)
                                   .stage(0s, 4)
                                   .stage(200ms, 4)
                                   .stage(0s, 1)  // three users leave at 0.2 s
                                   .stage(300ms, 1)
                                   .graceful_ramp_down(100ms)
                                   .grace_period(100ms)
                                   .build())
                     .build()
                     .run();
  CHECK(karga::clock::now() - before < 20s);
  CHECK(a.interrupted() == 4);  // three at the ramp-down, one at the end
  CHECK(a.succeeded() == 0);
  CHECK(a.run().scheduled == a.started());
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
  CHECK(a.succeeded() == 100);
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

// Composed scenarios ---------------------------------------------------------------
// The first intended start each scenario's action saw.
struct first_seen {
  std::mutex m;
  std::optional<karga::clock::time_point> first;
  void saw(karga::clock::time_point t) {
    std::lock_guard lock(m);
    if (!first || t < *first) first = t;
  }
};

auto open_scenario(std::string name, first_seen& seen, double rate, karga::clock::duration length) {
  auto act = [&seen](const karga::context& c) -> asio::awaitable<basic_metric> {
    seen.saw(c.intended_start);
    co_return basic_metric{.success = true};
  };
  return karga::scenario<karga::basic_aggregate>::builder()
      .name(std::move(name))
      .action(act)
      .executor(karga::stage_executor::builder().start_rate(rate).stage(length, rate).build())
      .build();
}

TEST_CASE("run_together: each scenario from its offset, with its own aggregate and a combined one", "[executor][compose]") {
  first_seen a_seen, b_seen;
  const auto before = karga::clock::now();
  const auto r = karga::run_together(open_scenario("browse", a_seen, 1000, 400ms),
                                     karga::after(300ms, open_scenario("buy", b_seen, 1000, 200ms)));
  const auto& [a, b] = r.each;
  CHECK(a.succeeded() == 400);
  CHECK(b.succeeded() == 200);
  CHECK(a.run().scenario == "browse");
  CHECK(b.run().scenario == "buy");
  REQUIRE(b_seen.first);
  CHECK(*b_seen.first - before >= 300ms);  // the first arrival was due 1 ms after its start
  CHECK(r.combined.succeeded() == 600);
  CHECK(r.combined.run().scheduled == 600);
  CHECK(r.combined.run().scenario == "browse, buy");
  CHECK(r.combined.run().model == "together");
  CHECK(r.combined.run().planned == 500ms);
  CHECK(r.combined.run().stop == karga::stop_reason::none);
  check_accounted(r.combined);
}

TEST_CASE("run_in_sequence: each scenario after the one before has ended", "[executor][compose]") {
  first_seen a_seen, b_seen;
  const auto r = karga::run_in_sequence(open_scenario("warm", a_seen, 1000, 200ms),
                                        karga::after(100ms, open_scenario("hot", b_seen, 2000, 100ms)));
  const auto& [a, b] = r.each;
  CHECK(a.succeeded() == 200);
  CHECK(b.succeeded() == 200);
  REQUIRE(a_seen.first);
  REQUIRE(b_seen.first);
  // 200 ms of the first (its first arrival due at 1 ms), then 100 ms, then 0.5 ms to the
  // second's first arrival.
  CHECK(*b_seen.first - *a_seen.first >= 299ms);
  CHECK(r.combined.run().planned == 400ms);
  CHECK(r.combined.run().model == "in sequence");
  check_accounted(r.combined);
}

TEST_CASE("composed runs: one Ctrl-C stops every scenario once, running or to come", "[executor][compose][stop]") {
  const auto closed = [](std::string name) {
    return karga::scenario<karga::basic_aggregate>::builder()
        .name(std::move(name))
        .action(sleeper(150ms))
        .executor(karga::constant_vus_executor::builder().vus(4).duration(10s).build())
        .build();
  };
  const auto before = karga::clock::now();
  std::optional<decltype(karga::run_together(closed("a"), closed("b"), karga::after(5s, closed("c"))))> r;
  {
    interrupt_after ctrl_c({400ms});
    r = karga::run_together(closed("a"), closed("b"), karga::after(5s, closed("c")));
  }
  CHECK(karga::clock::now() - before < 4s);
  const auto& [a, b, c] = r->each;
  for (const karga::basic_aggregate* x : {&a, &b, &c}) {
    CHECK(x->run().stop == karga::stop_reason::signal);
    CHECK(x->run().signal == SIGINT);
    CHECK(x->interrupted() == 0);  // counted once: actions in flight had their grace period
    check_accounted(*x);
  }
  CHECK(a.succeeded() >= 4);
  CHECK(b.succeeded() >= 4);
  CHECK(c.started() == 0);  // stopped before its start
  CHECK(r->combined.run().stop == karga::stop_reason::signal);

  // In sequence: the first is stopped, the second never starts.
  std::optional<decltype(karga::run_in_sequence(closed("a"), closed("b")))> q;
  const auto again = karga::clock::now();
  {
    interrupt_after ctrl_c({400ms});
    q = karga::run_in_sequence(closed("first"), closed("second"));
  }
  CHECK(karga::clock::now() - again < 4s);
  CHECK(std::get<0>(q->each).run().stop == karga::stop_reason::signal);
  CHECK(std::get<0>(q->each).succeeded() >= 4);
  CHECK(std::get<1>(q->each).started() == 0);
  CHECK(std::get<1>(q->each).run().stop == karga::stop_reason::signal);
}

TEST_CASE("composed runs: with stop_on_signals(false) on every scenario, signals are left alone",
          "[executor][compose][stop]") {
  const auto quiet = [](std::string name) {
    return karga::scenario<karga::basic_aggregate>::builder()
        .name(std::move(name))
        .action(sleeper(50ms))
        .executor(karga::constant_vus_executor::builder().vus(2).duration(600ms).stop_on_signals(false).build())
        .build();
  };
  CHECK_FALSE(quiet("x").executor().stop_on_signals());
  // The program's own listener takes the signal (without one, SIGINT would end the
  // test); the composed run goes on to its end.
  asio::io_context io;
  asio::signal_set own(io, SIGINT);
  int caught = 0;
  own.async_wait([&](const boost::system::error_code& ec, int) { caught += ec ? 0 : 1; });
  std::thread listener([&] { io.run_for(10s); });
  const auto before = karga::clock::now();
  std::optional<decltype(karga::run_together(quiet("a"), quiet("b")))> r;
  {
    interrupt_after ctrl_c({200ms});
    r = karga::run_together(quiet("a"), quiet("b"));
  }
  listener.join();
  CHECK(caught == 1);
  CHECK(karga::clock::now() - before >= 600ms);
  for (const karga::basic_aggregate* x : {&std::get<0>(r->each), &std::get<1>(r->each)}) {
    CHECK(x->run().stop == karga::stop_reason::none);
    CHECK(x->succeeded() >= 2);
    check_accounted(*x);
  }
  CHECK(r->combined.run().stop == karga::stop_reason::none);
}

TEST_CASE("composed runs: an exception in one scenario stops the others and is rethrown", "[executor][compose]") {
  const auto long_one = karga::scenario<karga::basic_aggregate>::builder()
                            .name("long")
                            .action(sleeper(10ms))
                            .executor(karga::constant_vus_executor::builder().vus(2).duration(10s).build())
                            .build();
  const auto failing = karga::scenario<throwing_aggregate>::builder()
                           .name("failing")
                           .action(noop())
                           .executor(karga::stage_executor::builder().start_rate(100).stage(1s, 100.0).build())
                           .build();
  const auto before = karga::clock::now();
  CHECK_THROWS(karga::run_together(long_one, failing));
  CHECK(karga::clock::now() - before < 5s);
}

// Controlled rate -------------------------------------------------------------------
TEST_CASE("controlled rate: another thread changes the rate, the count follows the logged integral exactly", "[executor][rate_control]") {
  auto rate = std::make_shared<karga::rate_control>(1000.0);
  std::mutex m;
  std::vector<std::pair<std::uint64_t, karga::clock::time_point>> due;
  auto act = [&](const karga::context& c) -> asio::awaitable<basic_metric> {
    std::lock_guard lock(m);
    due.emplace_back(c.arrival, c.intended_start);
    co_return basic_metric{.success = true};
  };
  std::thread changer([rate] {
    std::this_thread::sleep_for(200ms);
    rate->set_rate(3000);
    std::this_thread::sleep_for(100ms);
    rate->set_rate(0);  // a pause
    std::this_thread::sleep_for(100ms);
    rate->set_rate(2000);
  });
  const auto a = karga::scenario<karga::basic_aggregate>::builder()
                     .name("controlled")
                     .action(act)
                     .executor(karga::controlled_rate_executor::builder().control(rate).duration(600ms).threads(2).build())
                     .build()
                     .run();
  changer.join();
  const auto log = rate->log();
  REQUIRE(log.size() == 4);
  CHECK(log[1].rate == 3000);
  CHECK(log[2].rate == 0);
  CHECK(log[3].arrivals_before == log[2].arrivals_before);  // nothing due in the pause
  // Exactly ⌊N(600 ms)⌋ arrivals, each with one outcome.
  const auto expected = static_cast<std::uint64_t>(std::floor(karga::rate_control::arrivals_by(log, 0.6)));
  CHECK(a.run().scheduled == expected);
  CHECK(a.started() + a.dropped() == expected);
  CHECK(a.succeeded() == a.started());
  // Roughly 200 + 300 + 0 + 400 (the changes come when the other thread wakes).
  CHECK(expected > 500);
  CHECK(expected < 1300);
  // Each arrival's intended start is where N reached k + 1.
  std::sort(due.begin(), due.end());
  REQUIRE(due.size() == a.started());
  for (std::size_t k = 0; k < due.size(); ++k) REQUIRE(due[k].first == k);
  const auto start = due[0].second - karga::schedule::to_duration(karga::rate_control::time_of(log, 1));
  for (const auto& [k, t] : due)
    CHECK(std::chrono::abs(t - (start + karga::schedule::to_duration(karga::rate_control::time_of(log, k + 1.0)))) <= 1ns);
  // None was due in the pause.
  for (const auto& [k, t] : due) {
    const double at = std::chrono::duration<double>(t - start).count();
    CHECK_FALSE((at > log[2].at && at < log[3].at));
  }
}

TEST_CASE("controlled rate: a pacing slot starts arrivals together, never early", "[executor][rate_control]") {
  CHECK(error_message([] {
    karga::controlled_rate_executor::builder().control(std::make_shared<karga::rate_control>(1)).duration(1s).pacing_slot(20ms).build();
  }) == "karga: pacing slot (0.02s) must be from 0 to 10ms");
  for (auto slot : {0ms, 2ms, 10ms}) {
    INFO("slot " << slot.count() << " ms");
    start_pairs starts;
    const auto act = recording_starts(starts);
    const auto rate = std::make_shared<karga::rate_control>(5000);
    const auto exec = karga::controlled_rate_executor::builder().control(rate).duration(200ms).pacing_slot(slot).build();
    CHECK(exec.pacing_slot() == slot);
    const auto a = karga::scenario<karga::basic_aggregate>::builder().action(act).executor(exec).build().run();
    const auto expected = static_cast<std::uint64_t>(std::floor(karga::rate_control::arrivals_by(rate->log(), 0.2)));
    CHECK(a.run().scheduled == expected);
    REQUIRE(a.succeeded() == expected);
    REQUIRE(starts.size() == expected);
    std::sort(starts.begin(), starts.end());
    for (const auto& [intended, actual] : starts) CHECK(actual >= intended);  // never before its time
    if (slot > 0ms) CHECK(woke_once_per_slot(starts, 200ms, slot));
  }
}

TEST_CASE("controlled rate: bad rates are refused, the run keeps its rate", "[executor][rate_control]") {
  karga::rate_control c(10);
  CHECK(error_message([&] { c.set_rate(-1); }) == "karga: a controlled rate must be finite and not negative, got -1/s");
  CHECK(error_message([&] { c.set_rate(std::nan("")); }).starts_with("karga: a controlled rate must be finite"));
  CHECK(c.rate() == 10);
  CHECK(error_message([] { karga::controlled_rate_executor::builder().duration(1s).build(); }) ==
        "karga: a controlled rate executor needs a rate_control: call .control(...)");
  CHECK(error_message([] {
    karga::controlled_rate_executor::builder().control(std::make_shared<karga::rate_control>(1)).build();
  }) == "karga: a controlled rate executor needs a duration more than 0");
  // At rate 0 nothing is due, and the run still ends on time.
  const auto before = karga::clock::now();
  const auto a = karga::scenario<karga::basic_aggregate>::builder()
                     .action(noop())
                     .executor(karga::controlled_rate_executor::builder()
                                   .control(std::make_shared<karga::rate_control>(0))
                                   .duration(200ms)
                                   .build())
                     .build()
                     .run();
  CHECK(a.started() == 0);
  CHECK(a.run().scheduled == 0);
  CHECK(karga::clock::now() - before < 5s);
}

// Segments ---------------------------------------------------------------------------
TEST_CASE("segments: n processes of t threads take every arrival of the one schedule exactly once", "[executor][segment]") {
  for (const bool poisson : {false, true}) {
    auto builder = karga::stage_executor::builder().start_rate(0).stage(400ms, 3000.0).threads(2);
    if (poisson) builder.poisson(8);
    const auto whole = builder.build().schedule();
    std::mutex m;
    std::map<std::uint64_t, int> seen;  // arrival → times run
    karga::basic_aggregate merged;
    for (unsigned i = 0; i < 4; ++i) {
      auto act = [&](const karga::context& c) -> asio::awaitable<basic_metric> {
        std::lock_guard lock(m);
        ++seen[c.arrival];
        co_return basic_metric{.success = true};
      };
      auto part = builder;
      const auto exec = part.threads(i % 2 + 1).segment({i, 4}).build();  // 1 or 2 threads: any mix adds up
      CHECK(exec.description().ends_with(", segment " + std::to_string(i) + "/4"));
      const auto a = karga::scenario<karga::basic_aggregate>::builder().action(act).executor(exec).build().run();
      CHECK(a.run().scheduled == karga::segment{i, 4}.share(whole.total()));
      merged.merge(a);
    }
    INFO("poisson " << poisson);
    CHECK(merged.run().scheduled == whole.total());
    CHECK(merged.succeeded() + merged.dropped() == whole.total());
    REQUIRE(seen.size() == merged.succeeded());
    for (const auto& [k, n] : seen) {
      REQUIRE(k < whole.total());
      REQUIRE(n == 1);
    }
  }
}

TEST_CASE("segments: closed models split users, shared iterations too", "[executor][segment]") {
  std::uint64_t users = 0, shared = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const auto e = karga::constant_vus_executor::builder().vus(10).duration(1s).segment({i, 4}).build();
    CHECK(e.vus() == (i < 2 ? 3u : 2u));
    users += e.vus();
    const auto s = karga::shared_iterations_executor::builder().vus(8).iterations(101).segment({i, 4}).build();
    shared += s.iterations();
    CHECK(s.vus() == 2);
    CHECK(karga::per_vu_iterations_executor::builder().vus(8).iterations(5).segment({i, 4}).build().iterations() == 5);
  }
  CHECK(users == 10);
  CHECK(shared == 101);
  CHECK(error_message([] { karga::constant_vus_executor::builder().vus(2).duration(1s).segment({3, 4}).build(); }) ==
        "karga: segment 3/4 of 2 users has none: use fewer segments");
  CHECK(error_message([] { karga::stage_executor::builder().stage(1s, 1.0).segment({4, 4}).build(); }) ==
        "karga: segment 4/4: the index must be below the count (0/4 … 3/4)");
}

TEST_CASE("segments: from I/N and from a launcher's environment", "[segment]") {
  CHECK(karga::segment::parse("2/4") == karga::segment{2, 4});
  CHECK(error_message([] { karga::segment::parse("4/4"); }) == "karga: segment 4/4: the index must be below the count (0/4 … 3/4)");
  CHECK(error_message([] { karga::segment::parse("1of4"); }) == "karga: segment \"1of4\" is not I/N (e.g. 0/4)");
  CHECK(error_message([] { karga::segment::parse("-1/4"); }) == "karga: segment \"-1/4\" is not I/N (e.g. 0/4)");
  for (const char* v : {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "PMI_RANK", "PMI_SIZE", "SLURM_PROCID", "SLURM_NTASKS",
                        "JOB_COMPLETION_INDEX", "KARGA_SEGMENTS"})
    ::unsetenv(v);
  CHECK_FALSE(karga::segment::from_environment());
  ::setenv("JOB_COMPLETION_INDEX", "3", 1);
  CHECK(error_message([] { karga::segment::from_environment(); }) ==
        "karga: JOB_COMPLETION_INDEX is set but KARGA_SEGMENTS is not: how many processes are there?");
  ::setenv("KARGA_SEGMENTS", "5", 1);
  std::string source;
  CHECK(karga::segment::from_environment(&source) == karga::segment{3, 5});
  CHECK(source == "JOB_COMPLETION_INDEX/KARGA_SEGMENTS");
  ::setenv("OMPI_COMM_WORLD_RANK", "1", 1);  // Open MPI's comes first
  ::setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
  CHECK(karga::segment::from_environment() == karga::segment{1, 4});
  ::setenv("OMPI_COMM_WORLD_SIZE", "x", 1);
  CHECK(error_message([] { karga::segment::from_environment(); }) ==
        "karga: OMPI_COMM_WORLD_RANK=1, OMPI_COMM_WORLD_SIZE=x: not whole numbers");
  for (const char* v : {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "JOB_COMPLETION_INDEX", "KARGA_SEGMENTS"}) ::unsetenv(v);
}

} // namespace
