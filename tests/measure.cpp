// What karga measures with, exactly: the histograms, basic_aggregate, error counts,
// basic_report, the time series, the window aggregate.
#include "catch.hpp"
#include "error_message.hpp"

#include <karga/karga.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

TEST_CASE("histogram: values below 2048 ns are exact", "[histogram]") {
  karga::histogram h;
  for (std::uint64_t v = 0; v < 2048; ++v) h.record(v);
  CHECK(h.count() == 2048);
  CHECK(h.min() == 0);
  CHECK(h.max() == 2047);
  CHECK(h.mean() == Approx(1023.5));
  CHECK(h.percentile(50) == 1023);
  CHECK(h.percentile(100) == 2047);
  CHECK(h.percentile(0) == 0);
  for (std::uint64_t v = 0; v < 2048; ++v) CHECK(h.count_at(v) == 1);
}

TEST_CASE("histogram: percentiles within 1/2048 of the exact sorted value", "[histogram]") {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> spread(13.0, 2.5);  // ~ from ns to hours
  std::vector<std::uint64_t> values;
  karga::histogram h;
  for (int i = 0; i < 200000; ++i) {
    const auto v = static_cast<std::uint64_t>(std::min(spread(rng), 1e16));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 99.999}) {
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100 * values.size()));
    const double exact = static_cast<double>(values[rank - 1]);
    const double got = static_cast<double>(h.percentile(p));
    CHECK(std::abs(got - exact) <= exact * karga::histogram::relative_error);
  }
  CHECK(h.min() == values.front());
  CHECK(h.max() == values.back());
  double sum = 0;
  for (auto v : values) sum += static_cast<double>(v);
  CHECK(h.mean() == Approx(sum / values.size()).epsilon(1e-12));
  double sq = 0;
  for (auto v : values) sq += (v - h.mean()) * (v - h.mean());
  CHECK(h.stddev() == Approx(std::sqrt(sq / values.size())).epsilon(1e-3));
}

TEST_CASE("histogram: merging shards equals one histogram of all values", "[histogram]") {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::uint64_t> any(0, std::numeric_limits<std::uint64_t>::max() >> 8);
  karga::histogram all, a, b, c;
  for (int i = 0; i < 30000; ++i) {
    const auto v = any(rng) >> (i % 50);
    all.record(v);
    (i % 3 == 0 ? a : i % 3 == 1 ? b : c).record(v);
  }
  karga::histogram ab = a;
  ab.merge(b);
  ab.merge(c);
  CHECK(ab == all);
  karga::histogram cb = c;
  cb.merge(b);
  cb.merge(a);
  CHECK(cb == all);
  karga::histogram empty;
  empty.merge(all);
  CHECK(empty == all);
}

TEST_CASE("histogram: edges", "[histogram]") {
  karga::histogram h;
  CHECK(h.percentile(50) == 0);
  CHECK(h.mean() == 0);
  CHECK(h.min() == 0);
  h.record(-5ms);  // a negative duration counts as zero
  CHECK(h.count_at(0) == 1);
  h.record(std::numeric_limits<std::uint64_t>::max());
  CHECK(h.max() == std::numeric_limits<std::uint64_t>::max());
  CHECK(h.percentile(100) == std::numeric_limits<std::uint64_t>::max());
  h.record(1h);
  CHECK(std::abs(static_cast<double>(h.percentile(60)) - 3.6e12) <= 3.6e12 / 2048);
}


karga::basic_aggregate sample(int seed) {
  std::mt19937 rng(seed);
  karga::basic_aggregate a;
  const auto t0 = karga::clock::now();
  for (int i = 0; i < 1000; ++i) {
    const auto lat = std::chrono::microseconds(rng() % 5000);
    const auto sched = t0 + std::chrono::milliseconds(i);
    const auto lag = std::chrono::microseconds(rng() % 100);
    a.consume(karga::basic_metric{lat, rng() % 10 != 0, rng() % 1000},
              karga::timing{sched, sched + lag, sched + lag + lat});
  }
  a.record_dropped(seed, karga::drop_reason::late);
  a.record_dropped(seed % 2, karga::drop_reason::max_in_flight);
  a.record_interrupted(seed % 3);
  a.record_exception("boom " + std::to_string(seed % 2));
  return a;
}

TEST_CASE("basic_aggregate: merge is associative and commutative", "[aggregate]") {
  const auto a = sample(1), b = sample(2), c = sample(3);
  auto ab_c = a;
  ab_c.merge(b);
  ab_c.merge(c);
  auto bc = b;
  bc.merge(c);
  auto a_bc = a;
  a_bc.merge(bc);
  CHECK(ab_c.latency() == a_bc.latency());
  CHECK(ab_c.response_time() == a_bc.response_time());
  CHECK(ab_c.ok() == a_bc.ok());
  CHECK(ab_c.exceptions().total() == a_bc.exceptions().total());
  auto ba = b;
  ba.merge(a);
  auto ab = a;
  ab.merge(b);
  CHECK(ab.latency() == ba.latency());
  CHECK(ab.dropped() == ba.dropped());
  CHECK(ab.dropped_late() == a.dropped_late() + b.dropped_late());
  CHECK(ab.dropped_by_cap() == a.dropped_by_cap() + b.dropped_by_cap());
  CHECK(ab.failed() == ba.failed());
  CHECK(ab.started() == a.started() + b.started());
  CHECK(ab.exceptions().sorted() == ba.exceptions().sorted());
}

TEST_CASE("basic_aggregate: counts each outcome", "[aggregate]") {
  karga::basic_aggregate a;
  const auto t = karga::clock::now();
  a.consume({3ms, true, 100});
  a.consume({5ms, false, 20}, {t, t + 1ms, t + 6ms});
  a.record_exception("refused");
  a.record_exception("refused");
  a.record_dropped(4, karga::drop_reason::max_in_flight);
  a.record_dropped(1, karga::drop_reason::late);
  a.record_interrupted(2);
  CHECK(a.ok() == 1);
  CHECK(a.failed() == 3);
  CHECK(a.dropped() == 5);
  CHECK(a.dropped_by_cap() == 4);
  CHECK(a.dropped_late() == 1);
  CHECK(a.interrupted() == 2);
  CHECK(a.started() == 6);
  CHECK(a.bytes() == 120);
  CHECK(a.latency().count() == 2);
  CHECK(a.response_time().count() == 1);
  CHECK(a.response_time().max() == 6'000'000);
  CHECK(a.start_lag().max() == 1'000'000);
  CHECK(a.exceptions().sorted() == std::vector<std::pair<std::string, std::uint64_t>>{{"refused", 2}});
}

TEST_CASE("error_counts: keeps 16 messages, counts the rest as other", "[aggregate]") {
  karga::error_counts e;
  for (int i = 0; i < 20; ++i) e.add(fmt::format("m{}", i), 2);
  e.add("m0");
  CHECK(e.sorted().size() == 16);
  CHECK(e.sorted().front() == std::pair<std::string, std::uint64_t>{"m0", 3});
  CHECK(e.other() == 8);
  CHECK(e.total() == 41);
}

TEST_CASE("basic_report: target vs achieved, ratios, percentiles", "[report]") {
  karga::basic_aggregate a;
  for (int i = 1; i <= 100; ++i) a.consume({std::chrono::milliseconds(i), i <= 90, 1000});
  a.record_dropped(50, karga::drop_reason::max_in_flight);
  karga::run_info info;
  info.scenario = "checkout";
  info.model = "stages 10s→20/s";
  info.scheduled = 200;
  info.planned = 10s;
  info.elapsed = 12s;
  info.peak_in_flight = 7;
  a.record_run(info);
  const karga::basic_report r{a};
  CHECK(r.scheduled == 200);
  CHECK(r.target_rate == Approx(20.0));
  CHECK(r.started == 100);
  CHECK(r.achieved_rate == Approx(10.0));
  CHECK(r.dropped == 50);
  CHECK(r.success_ratio == Approx(0.9));
  CHECK(r.bytes_per_second == Approx(100000.0 / 12));
  CHECK(r.latency.count == 100);
  CHECK(r.latency.min == 1ms);
  CHECK(r.latency.max == 100ms);
  CHECK(r.latency.mean == std::chrono::microseconds(50500));
  CHECK(std::abs((r.latency.p50 - 50ms).count()) <= 50'000'000 / 2048);
  CHECK(std::abs((r.latency.p99 - 99ms).count()) <= 99'000'000 / 2048);
  CHECK(r.response_time.count == 0);
  CHECK(r.peak_in_flight == 7);

  CHECK(r.scenario == "checkout");
  const std::string text = karga::format_report(r);
  CHECK(text.find("scenario        checkout: stages 10s→20/s") != std::string::npos);
  CHECK(text.find("dropped         all at max_in_flight") != std::string::npos);
  CHECK(text.find("200 arrivals over 10.000s (20.0/s)") != std::string::npos);
  CHECK(text.find("achieved 10.0/s, 50.00% of target") != std::string::npos);
  CHECK(text.find("ok 90  failed 10  dropped 50  interrupted 0") != std::string::npos);
  CHECK(text.find("latency") != std::string::npos);
  CHECK(text.find("from intended") == std::string::npos);  // nothing recorded, nothing shown
}

TEST_CASE("basic_report: a closed model has no target, a count-based one no planned length", "[report]") {
  karga::basic_aggregate a;
  for (int i = 0; i < 91; ++i) a.consume({1ms, true, 0});
  karga::run_info info;
  info.kind = karga::load_kind::closed;
  info.scheduled = 91;
  info.elapsed = 500ms;  // no planned length: the rate is over the elapsed time
  a.record_run(info);
  const karga::basic_report r{a};
  CHECK(r.target_rate == 0);
  CHECK(r.achieved_rate == Approx(182.0));
  const std::string text = karga::format_report(r);
  CHECK(text.find("91 iterations in 0.500s (182.0/s)") != std::string::npos);
  CHECK(text.find("of target") == std::string::npos);
  CHECK(text.find("over 0.000s") == std::string::npos);
}

TEST_CASE("basic_report: an empty aggregate reports zeros", "[report]") {
  const karga::basic_report r{karga::basic_aggregate{}};
  CHECK(r.started == 0);
  CHECK(r.achieved_rate == 0);
  CHECK(r.success_ratio == 0);
  CHECK(r.latency.p99 == 0ns);
  CHECK(karga::format_report(r).find("nothing was scheduled") != std::string::npos);
}


// sparse_histogram and time_series ---------------------------------------------------
TEST_CASE("sparse_histogram: percentiles within 1/256 of the exact value, merge is exact", "[series]") {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> dist(13.0, 1.2);  // around 0.4 ms, long tail
  std::vector<std::uint64_t> values;
  karga::sparse_histogram all, a, b;
  for (int i = 0; i < 50'000; ++i) {
    const auto v = static_cast<std::uint64_t>(dist(rng));
    values.push_back(v);
    all.record(v);
    (i % 3 ? a : b).record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9}) {
    const auto exact = values[static_cast<std::size_t>(std::ceil(p / 100 * values.size())) - 1];
    CHECK(std::abs(static_cast<double>(all.percentile(p)) - static_cast<double>(exact)) <=
          static_cast<double>(exact) * karga::sparse_histogram::relative_error);
  }
  CHECK(all.min() == values.front());
  CHECK(all.max() == values.back());
  a.merge(b);
  CHECK(a == all);
}

karga::timing at(karga::clock::time_point start, double scheduled_s, double lag_s, double latency_s) {
  const auto s = start + std::chrono::duration_cast<karga::clock::duration>(std::chrono::duration<double>(scheduled_s));
  const auto st = s + std::chrono::duration_cast<karga::clock::duration>(std::chrono::duration<double>(lag_s));
  return {s, st, st + std::chrono::duration_cast<karga::clock::duration>(std::chrono::duration<double>(latency_s))};
}

TEST_CASE("time_series: each action counts in the interval of its intended start", "[series]") {
  const auto t0 = karga::clock::now();
  karga::time_series s(1s);
  s.start(t0);
  s.record(true, 5ms, 10, at(t0, 0.2, 0.001, 0.005));
  s.record(false, 5ms, 0, at(t0, 0.9, 0.3, 0.005));   // due in second 0, started in 1
  s.record(true, 2s, 0, at(t0, 1.5, 0.0, 2.0));      // due in 1, ends in 3
  s.record_failure(at(t0, 2.0, 0.0, 0.1));           // exactly on a boundary: the end of second 1
  s.record_interrupted(at(t0, 2.5, 0.0, 9.0));
  const auto& f = s.intervals();
  REQUIRE(f.size() == 12);  // up to the interrupted action's end, at 11.5 s
  CHECK(f[0].ok == 1);
  CHECK(f[0].failed == 1);
  CHECK(f[0].bytes == 10);
  CHECK(f[0].starts == 1);  // the late one started in second 1
  CHECK(f[1].starts == 3);
  CHECK(f[1].ok == 1);
  CHECK(f[1].failed == 1);
  CHECK(f[2].interrupted == 1);
  CHECK(f[0].latency.count() == 2);
  CHECK(f[0].response_time.max() >= 305'000'000);
  CHECK(s.in_flight(0) == 0);
  CHECK(s.in_flight(1) == 2);  // the 2 s action, started at 1.5, and the failure started at 2.0
  CHECK(s.in_flight(2) == 2);  // the 2 s action and the interrupted one
  CHECK(s.in_flight(3) == 1);
}

TEST_CASE("time_series: late results go sparse, and the order of recording does not matter", "[series]") {
  const auto t0 = karga::clock::now();
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> when(0, 30), latency(0, 0.05);
  std::vector<karga::timing> timings;
  for (int i = 0; i < 20'000; ++i) timings.push_back(at(t0, when(rng), 0, latency(rng)));
  karga::time_series in_order(1s), shuffled(1s), half_a(1s), half_b(1s);
  for (auto* s : {&in_order, &shuffled, &half_a, &half_b}) s->start(t0);
  auto sorted = timings;
  std::sort(sorted.begin(), sorted.end(), [](auto& x, auto& y) { return x.scheduled < y.scheduled; });
  for (const auto& t : sorted) in_order.record(true, t.finished - t.started, 1, t);
  for (const auto& t : timings) shuffled.record(true, t.finished - t.started, 1, t);  // far out of order
  for (std::size_t i = 0; i < timings.size(); ++i)
    (i % 2 ? half_a : half_b).record(true, timings[i].finished - timings[i].started, 1, timings[i]);
  half_a.merge(half_b);
  CHECK(shuffled == in_order);
  CHECK(half_a == in_order);
  std::uint64_t total = 0;
  for (const auto& f : in_order.intervals()) total += f.ok;
  CHECK(total == 20'000);
}

TEST_CASE("time_series: scheduled per interval from the schedule, exactly", "[series]") {
  // Ramp 0→100/s over 10 s: N(t) = 5t², arrival m (from 1) is due at √(m/5), so
  // second k, (k, k+1], holds the m with 5k² < m ≤ 5(k+1)²: 5(2k+1) of them.
  const karga::schedule sched(0, {{10s, 100.0}});
  karga::run_info info;
  info.kind = karga::load_kind::open;
  info.due_by = [&](karga::clock::duration d) { return sched.due_by(std::chrono::duration<double>(d).count()); };
  karga::time_series s(1s);
  s.record_run(info);
  const auto& f = s.intervals();
  REQUIRE(f.size() == 10);
  for (std::size_t k = 0; k < 10; ++k) CHECK(f[k].scheduled == 5 * (2 * k + 1));
  const karga::series_report r{s};
  CHECK(r.rows[3].target_rate == Approx(35.0));
  CHECK(r.rows[3].dropped == 35);  // nothing started
}

// window_aggregate ----------------------------------------------------------------------
TEST_CASE("window_aggregate: only actions due within the window count (its end excluded), and the run is the window's", "[aggregate][window]") {
  const auto start = karga::clock::now() - 10s;  // the run began 10 s ago
  auto at = [&](double s) { return start + std::chrono::duration_cast<karga::clock::duration>(std::chrono::duration<double>(s)); };
  karga::window_aggregate<karga::basic_aggregate> w(2s, 5s);
  w.record_start(start);
  for (int i = 0; i < 10; ++i) {  // one action due each second, 0 s … 9 s
    const auto due = at(i);
    w.consume(karga::basic_metric{1ms, true, 1}, karga::timing{due, due + 1ms, due + 2ms});
  }
  CHECK(w.base().ok() == 3);  // due at 2, 3 and 4 s; not 5 s: the end is excluded
  CHECK(w.base().bytes() == 3);
  CHECK(w.base().response_time().count() == 3);
  w.record_exception("before", karga::timing{at(1.5), at(1.5), at(2.5)});
  w.record_exception("inside", karga::timing{at(4.5), at(4.5), at(6)});
  CHECK(w.base().failed() == 1);
  CHECK(w.base().exceptions().sorted().front().first == "inside");
  w.record_interrupted(1, karga::timing{at(5), at(5), at(40)});
  w.record_interrupted(1, karga::timing{at(2), at(2), at(40)});
  CHECK(w.base().interrupted() == 1);
  w.record_dropped(4, karga::drop_reason::late);  // dropped now, 10 s in: inside the window's reach
  CHECK(w.base().dropped_late() == 4);
  // The run as the window sees it: 100 arrivals/s, arrival k due at (k + 1)/100 s.
  karga::run_info info;
  info.kind = karga::load_kind::open;
  info.planned = 10s;
  info.elapsed = 10500ms;
  info.scheduled = 1000;
  info.due_by = [](karga::clock::duration d) {
    return static_cast<std::uint64_t>(std::floor(std::chrono::duration<double>(d).count() * 100 + 1e-9));
  };
  w.record_run(info);
  CHECK(w.base().run().scheduled == 300);  // due in [2 s, 5 s): arrivals 200 … 499
  CHECK(w.base().run().planned == 3s);
  CHECK(w.base().run().elapsed == 8500ms);

  // A window that has not begun yet counts no drop.
  karga::window_aggregate<karga::basic_aggregate> later(2s, 5s);
  later.record_start(karga::clock::now());
  later.record_dropped(7, karga::drop_reason::max_in_flight);
  CHECK(later.base().dropped() == 0);
  // A window past the plan's end is cut at the end; merging adds windows of shards.
  karga::window_aggregate<karga::basic_aggregate> tail(8s, 20s), shard(8s, 20s);
  tail.record_start(start);
  shard.record_start(start);
  tail.consume(karga::basic_metric{1ms, true, 0}, karga::timing{at(9), at(9), at(9)});
  shard.consume(karga::basic_metric{1ms, false, 0}, karga::timing{at(8), at(8), at(9)});
  tail.merge(shard);
  tail.record_run(info);
  CHECK(tail.base().ok() == 1);
  CHECK(tail.base().failed() == 1);
  CHECK(tail.base().run().planned == 2s);
  CHECK(tail.base().run().scheduled == 200);  // due in [8 s, 10 s)
}

} // namespace
