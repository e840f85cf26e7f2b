// controlled_rate_executor: a rate another thread changes while the run goes on.
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
  CHECK(a.ok() == a.started());
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
    REQUIRE(a.ok() == expected);
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

} // namespace
