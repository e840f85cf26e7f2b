// The closed models: constant users, iterations per user or shared, ramping users.
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

// The closed model ------------------------------------------------------------------

TEST_CASE("constant_vus: each user runs the action back to back", "[executor][closed]") {
  const auto a = run(sleeper(10ms), karga::constant_vus_executor::builder().vus(4).duration(300ms).build());
  CHECK(a.run().peak_in_flight == 4);
  CHECK(a.ok() <= 4 * 31);  // no user runs faster than its action
  CHECK(a.ok() >= 4);
  CHECK(a.interrupted() == 0);
  CHECK(a.start_lag().max() == 0);  // a closed model starts each iteration when it is ready
  CHECK(a.run().kind == karga::load_kind::closed);
  CHECK(a.run().model == "4 users for 300ms");
  CHECK(a.run().scheduled == a.started());
  check_accounted(a);
}

TEST_CASE("constant_vus: actions that never suspend still stop at the deadline", "[executor][closed]") {
  const auto before = karga::clock::now();
  const auto a = run(noop(), karga::constant_vus_executor::builder().vus(3).duration(100ms).threads(2).build());
  CHECK(karga::clock::now() - before < 5s);
  CHECK(a.ok() > 1000);
  CHECK(a.run().peak_in_flight <= 3);
  check_accounted(a);
}

TEST_CASE("constant_vus: the grace period ends in cancellation", "[executor][closed]") {
  const auto before = karga::clock::now();
  const auto a = run(sleeper(60s), karga::constant_vus_executor::builder().vus(5).duration(1s).grace_period(100ms).build());
  CHECK(karga::clock::now() - before < 30s);
  CHECK(a.started() <= 5);
  CHECK(a.interrupted() == a.started());  // every iteration started was cut short
  CHECK(a.ok() == 0);
  CHECK(a.failed() == 0);
  check_accounted(a);
}

TEST_CASE("constant_vus: exceptions are failures with their message", "[executor][closed]") {
  auto thrower = []() -> asio::awaitable<basic_metric> {
    throw std::runtime_error("no");
    co_return basic_metric{};
  };
  const auto a = run(thrower, karga::constant_vus_executor::builder().vus(1).duration(300ms).build());
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
  const auto a = run(stubborn(), karga::constant_vus_executor::builder().vus(3).duration(100ms).grace_period(100ms).cancel_wait(200ms).build());
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
  CHECK(result->ok() > 0);
  CHECK(result->ok() <= 2 * 21);
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
    a = run(sleeper(10ms), karga::constant_vus_executor::builder().vus(3).duration(10s).build());
  }
  CHECK(karga::clock::now() - before < 5s);
  CHECK(a->run().stop == karga::stop_reason::signal);
  CHECK(a->run().planned < 5s);
  CHECK(a->ok() >= 3);
  CHECK(a->interrupted() == 0);
  check_accounted(*a);
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
  CHECK(a.ok() == 91);
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
  CHECK(a.ok() == 100);
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
  CHECK(a.ok() <= 2 * 7);
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
  CHECK(a.ok() == 0);
  CHECK(a.run().scheduled == a.started());
}

} // namespace
