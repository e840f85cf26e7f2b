// Stopping runs from elsewhere, and composed scenarios: together, in sequence, one
// Ctrl-C for all, an exception in one.
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

TEST_CASE("run_together: each scenario from its offset on one timeline, with its own aggregate and a combined one", "[executor][compose]") {
  first_seen a_seen, b_seen;
  const auto before = karga::clock::now();
  const auto r = karga::run_together(open_scenario("browse", a_seen, 1000, 400ms),
                                     karga::after(300ms, open_scenario("buy", b_seen, 1000, 200ms)));
  const auto& [a, b] = r.each;
  CHECK(a.ok() == 400);
  CHECK(b.ok() == 200);
  CHECK(a.run().scenario == "browse");
  CHECK(b.run().scenario == "buy");
  REQUIRE(a_seen.first);
  REQUIRE(b_seen.first);
  CHECK(*b_seen.first - before >= 300ms);  // the first arrival was due 1 ms after its start
  // One timeline: both first arrivals are due 1 ms after their scenario's origin, and
  // the origins are 300 ms apart, to the nanosecond, however late each thread woke.
  CHECK(*b_seen.first - *a_seen.first == 300ms);
  CHECK(r.combined.ok() == 600);
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
  CHECK(a.ok() == 200);
  CHECK(b.ok() == 200);
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
  CHECK(a.ok() >= 4);
  CHECK(b.ok() >= 4);
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
  CHECK(std::get<0>(q->each).ok() >= 4);
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
    CHECK(x->ok() >= 2);
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

// Two scenarios in one program: each report carries its own name and load model.
TEST_CASE("reports carry the scenario's name and load model", "[report]") {
  auto ok = []() -> boost::asio::awaitable<karga::basic_metric> { co_return karga::basic_metric{.success = true}; };
  auto builder = karga::scenario<karga::basic_aggregate>::builder();  // a named builder, set in steps
  builder.name("browse");
  auto browse = builder.action(ok).executor(karga::stage_executor::builder().start_rate(100).stage(100ms, 100.0).build()).build();
  auto buy = karga::scenario<karga::basic_aggregate>::builder()
                 .name("buy")
                 .action(ok)
                 .executor(karga::constant_vus_executor::builder().vus(2).duration(50ms).build())
                 .build();
  const karga::basic_report a{browse.run()}, b{buy.run()};
  CHECK(a.scenario == "browse");
  CHECK(a.model == "stages 100ms at 100/s");
  CHECK(b.scenario == "buy");
  CHECK(b.model == "2 users for 50ms");
  CHECK(karga::format_report(a).find("scenario        browse: stages 100ms at 100/s") != std::string::npos);
  CHECK(karga::format_report(b).find("scenario        buy: 2 users for 50ms") != std::string::npos);
}


} // namespace
