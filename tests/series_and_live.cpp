// Runs seen interval by interval: the time series of a run, and live observers.
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
  CHECK(ok == b.ok());
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
  CHECK(last.ok == a.ok());
  CHECK(last.scheduled == a.run().scheduled);
  CHECK(last.in_flight == 0);
  std::uint64_t buckets = 0;
  for (auto n : last.latency_buckets) buckets += n;
  CHECK(buckets == a.ok());  // every latency, once
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
