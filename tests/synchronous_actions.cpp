// Actions that return their metric directly, on every executor.
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
  CHECK(open.ok() == 450);
  CHECK(open.failed() == 50);
  CHECK(open.exceptions().sorted() == std::vector<std::pair<std::string, std::uint64_t>>{{"tenth", 50}});
  CHECK(calls == 500);
  CHECK(open.run().peak_in_flight <= 2);  // each ends before the next starts: one per shard
  const auto users = run_with(karga::per_vu_iterations_executor::builder().vus(3).iterations(20).build());
  CHECK(users.ok() == 54);
  CHECK(users.failed() == 6);
  const auto closed = run_with(karga::constant_vus_executor::builder().vus(2).duration(50ms).build());
  CHECK(closed.started() == calls);
  CHECK(closed.started() > 20);
  CHECK(closed.failed() * 10 <= closed.started());       // each user's every tenth iteration
  CHECK(closed.failed() * 10 + 20 >= closed.started());
}

} // namespace
