// find_max_rate: the highest rate within an SLO, against a server of known capacity.
#include "catch.hpp"
#include "error_message.hpp"

#include <karga/http.hpp>
#include <karga/http/testing/embedded_server.hpp>
#include <karga/karga.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
namespace http = karga::http;

TEST_CASE("find_max_rate: the highest rate within the SLO is within 10% of the server's true capacity", "[find_max_rate]") {
  http::embedded_server server(2);
  const http::client client{server.url()};
  // One worker of 333 µs per request: about 3,000 requests/s, whatever the connections.
  auto action = [client]() -> boost::asio::awaitable<http::metric> {
    const auto start = karga::clock::now();
    auto res = co_await client.get("/queue/333");
    co_return http::to_metric(res, karga::clock::now() - start);
  };
  // The true capacity, measured: a closed loop that keeps the worker busy.
  const auto saturated = karga::scenario<http::aggregate>::builder()
                             .action(action)
                             .executor(karga::constant_vus_executor::builder().vus(32).duration(2s).build())
                             .build()
                             .run();
  const double capacity = static_cast<double>(saturated.basic().ok()) /
                          std::chrono::duration<double>(saturated.basic().run().elapsed).count();
  INFO("true capacity " << capacity << "/s");
  CHECK(capacity > 2500);
  CHECK(capacity < 3100);

  using namespace karga::thresholds;
  karga::find_max_options opt;
  opt.start_rate = 500;
  std::vector<std::string> log;
  opt.on_step = [&](const karga::rate_step& s) {
    log.push_back(karga::detail::number(s.rate) + (s.passed ? " pass" : " fail"));
  };
  // A search is a measurement: on a machine busy with other work a step can fail for
  // want of CPU. Up to three searches; a wrong search lands off every time.
  karga::max_rate_result found;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    log.clear();
    found = karga::find_max_rate<http::aggregate>(action, {p(99) < 50ms, error_rate() < 0.01, achieved() >= 0.99}, opt);
    if (found.highest_passing && std::abs(*found.highest_passing - capacity) <= 0.10 * capacity) break;
    WARN("search " << attempt << " found " << found.highest_passing.value_or(0) << "/s; capacity " << capacity << "/s");
  }
  for (const auto& line : log) INFO(line);
  REQUIRE(found.highest_passing);
  REQUIRE(found.first_failing);
  INFO("highest passing " << *found.highest_passing << "/s, first failing " << *found.first_failing << "/s");
  CHECK(std::abs(*found.highest_passing - capacity) <= 0.10 * capacity);
  CHECK(*found.first_failing > *found.highest_passing);
  CHECK(*found.first_failing <= *found.highest_passing * 1.05 + 1);
  CHECK(found.elapsed <= 60s);
  CHECK(found.stop == karga::stop_reason::none);
  // Each step's verdict is its thresholds', on its measured window only.
  for (const auto& s : found.steps) {
    bool all = true;
    for (const auto& t : s.thresholds) all = all && t.passed;
    CHECK(s.passed == all);
    CHECK(s.measured.run().planned == 2s);
    CHECK(s.measured.run().scheduled == static_cast<std::uint64_t>(std::floor(s.rate * 2)));
  }
  CHECK(found.steps.size() == log.size());
}

TEST_CASE("find_max_rate: bad settings are refused", "[find_max_rate]") {
  using namespace karga::thresholds;
  auto act = []() -> boost::asio::awaitable<karga::basic_metric> { co_return karga::basic_metric{.success = true}; };
  CHECK(error_message([&] { karga::find_max_rate(act, {}); }) == "karga: find_max_rate needs at least one threshold");
  karga::find_max_options opt;
  opt.start_rate = 0;
  CHECK(error_message([&] { karga::find_max_rate(act, {p(99) < 50ms}, opt); }).starts_with("karga: find_max_rate: start_rate"));
}

} // namespace
