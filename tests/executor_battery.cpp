// One battery of behaviour for every executor: karga's stage_executor, and an
// executor written only with the public toolkit (examples/interval_executor.hpp).
// Exact counts and timing, exceptions, caps, the grace period and cancellation,
// abandonment, shards, a failing aggregate, and Ctrl-C.
#include "actions.hpp"
#include "catch.hpp"

#include "../examples/interval_executor.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

namespace {

using namespace std::chrono_literals;
using namespace test;

struct settings {
  unsigned threads = 1;
  std::uint64_t max_in_flight = 0;
  karga::clock::duration grace = 5s;
  karga::clock::duration cancel_wait = 1s;
};

// n arrivals, about `interval` apart, from karga's open-model executor.
struct stage_kit {
  static karga::stage_executor make(std::uint64_t n, karga::clock::duration interval, settings s = {}) {
    const double rate = 1.0 / std::chrono::duration<double>(interval).count();
    return karga::stage_executor::builder()
        .start_rate(rate)
        .stage(std::chrono::duration<double>(interval) * static_cast<double>(n), rate)
        .threads(s.threads)
        .max_in_flight(s.max_in_flight)
        .grace_period(s.grace)
        .cancel_wait(s.cancel_wait)
        .build();
  }
};

// The same from the executor of examples/interval_executor.hpp.
struct interval_kit {
  static interval_executor make(std::uint64_t n, karga::clock::duration interval, settings s = {}) {
    karga::shard_settings ss;
    ss.grace = s.grace;
    ss.cancel_wait = s.cancel_wait;
    return interval_executor{n, interval, s.threads, s.max_in_flight, ss};
  }
};


TEMPLATE_TEST_CASE("battery: every arrival runs once, with its timing and the scenario's name", "[battery]", stage_kit,
                   interval_kit) {
  const auto a = run<ordered_aggregate>(noop(), TestType::make(300, 1ms));
  CHECK(a.run().scheduled == 300);
  CHECK(a.ok() == 300);
  CHECK(a.response_time().count() == 300);  // the executor's timing reached the aggregate
  CHECK(a.out_of_order == 0);               // scheduled ≤ started ≤ finished, always
  CHECK(a.run().scenario == "test");
  CHECK_FALSE(a.run().model.empty());
  CHECK(a.run().kind == karga::load_kind::open);
  CHECK(a.run().threads == 1);
  CHECK_FALSE(a.run().stopped());
  check_accounted(a);
}

TEMPLATE_TEST_CASE("battery: an exception is a failed action with its message", "[battery]", stage_kit, interval_kit) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto thrower = [calls]() -> asio::awaitable<basic_metric> {
    if (++*calls % 3 == 0) throw std::runtime_error("every third call fails");
    co_return basic_metric{.success = true};
  };
  const auto a = run(thrower, TestType::make(300, 1ms));
  CHECK(a.failed() == 100);
  CHECK(a.ok() == 200);
  CHECK(a.exceptions().sorted() == std::vector<std::pair<std::string, std::uint64_t>>{{"every third call fails", 100}});
  check_accounted(a);
}

TEMPLATE_TEST_CASE("battery: max_in_flight drops what it cannot start", "[battery]", stage_kit, interval_kit) {
  const auto a = run(sleeper(50ms), TestType::make(200, 1ms, {.threads = 2, .max_in_flight = 10}));
  CHECK(a.run().peak_in_flight <= 10);
  CHECK(a.dropped_by_cap() > 0);
  CHECK(a.dropped_late() == 0);
  CHECK(a.ok() == a.started());
  check_accounted(a);
}

TEMPLATE_TEST_CASE("battery: after the grace period what runs is cancelled and counted", "[battery]", stage_kit,
                   interval_kit) {
  const auto before = karga::clock::now();
  const auto a = run(sleeper(60s), TestType::make(10, 10ms, {.grace = 200ms}));
  CHECK(karga::clock::now() - before < 30s);  // nobody waited for the 60 s actions
  CHECK(a.interrupted() == 10);
  CHECK(a.ok() == 0);
  CHECK(a.failed() == 0);  // their cancellation is not a failure
  check_accounted(a);
}

TEMPLATE_TEST_CASE("battery: actions that ignore cancellation are abandoned, counted as interrupted", "[battery]",
                   stage_kit, interval_kit) {
  const auto before = karga::clock::now();
  const auto a = run(stubborn(), TestType::make(5, 10ms, {.threads = 2, .grace = 100ms, .cancel_wait = 300ms}));
  CHECK(karga::clock::now() - before < 30s);
  CHECK(a.interrupted() == 5);
  CHECK(a.ok() == 0);
  check_accounted(a);
}

TEMPLATE_TEST_CASE("battery: shards split the arrivals and merge", "[battery]", stage_kit, interval_kit) {
  auto ids = std::make_shared<std::array<std::atomic<std::thread::id>, 2>>();
  auto seen = std::make_shared<std::array<std::atomic<int>, 2>>();
  auto act = [ids, seen]() -> asio::awaitable<basic_metric> {
    const auto me = std::this_thread::get_id();
    for (int i = 0; i < 2; ++i) {
      std::thread::id none{};
      if ((*ids)[i].compare_exchange_strong(none, me) || (*ids)[i].load() == me) {
        ++(*seen)[i];
        break;
      }
    }
    co_return basic_metric{.success = true};
  };
  const auto a = run(act, TestType::make(1000, 250us, {.threads = 2}));
  CHECK(a.ok() == 1000);
  CHECK((*seen)[0] == 500);  // every other arrival on each thread
  CHECK((*seen)[1] == 500);
  CHECK(a.run().threads == 2);
  check_accounted(a);
}

TEMPLATE_TEST_CASE("battery: an aggregate that throws ends the run, and run() rethrows it", "[battery]", stage_kit,
                   interval_kit) {
  const auto before = karga::clock::now();
  std::string what = "nothing thrown";
  try {
    run<throwing_aggregate>(sleeper(1ms), TestType::make(2000, 1ms, {.threads = 2}));
  } catch (const std::runtime_error& e) {
    what = e.what();
  }
  CHECK(what == "the aggregate is broken");
  CHECK(karga::clock::now() - before < 30s);
}

TEMPLATE_TEST_CASE("battery: Ctrl-C stops the run with what was measured", "[battery]", stage_kit, interval_kit) {
  const auto before = karga::clock::now();
  std::optional<karga::basic_aggregate> a;
  {
    interrupt_after ctrl_c({300ms});
    a = run(sleeper(50ms), TestType::make(1000, 10ms, {.threads = 2}));
  }
  CHECK(karga::clock::now() - before < 5s);
  CHECK(a->run().stop == karga::stop_reason::signal);
  CHECK(a->run().signal == SIGINT);
  CHECK(a->run().scheduled >= 10);   // about 30 were due by the stop...
  CHECK(a->run().scheduled <= 500);  // ...not the 1000 of the plan
  CHECK(a->run().planned < 5s);
  CHECK(a->interrupted() == 0);  // in-flight actions finished in the grace period
  check_accounted(*a);
  CHECK(karga::format_report(karga::basic_report{*a}).find("stopped early by a signal (SIGINT)") != std::string::npos);
}

TEMPLATE_TEST_CASE("battery: three Ctrl-C end a run whose actions ignore cancellation", "[battery]", stage_kit,
                   interval_kit) {
  const auto before = karga::clock::now();
  std::optional<karga::basic_aggregate> a;
  {
    // Stop; end the grace period (the actions are cancelled and ignore it); abandon them.
    interrupt_after ctrl_c({200ms, 400ms, 600ms});
    a = run(stubborn(), TestType::make(1000, 20ms, {.grace = 30s, .cancel_wait = 30s}));
  }
  CHECK(karga::clock::now() - before < 20s);
  CHECK(a->run().stopped());
  CHECK(a->interrupted() >= 3);
  CHECK(a->interrupted() == a->started());
  check_accounted(*a);
}

} // namespace
