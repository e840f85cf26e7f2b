// Results that leave the process: the results file (round trips bucket for bucket,
// and never trusts its input), thresholds, and the JSON, CSV, JUnit and Markdown
// reporters. Real readers of these formats run in tests/outputs_test.sh.
#include "actions.hpp"
#include "catch.hpp"
#include "error_message.hpp"

#include <karga/http.hpp>
#include <karga/http/serialize.hpp>
#include <karga/karga.hpp>
#include <karga/prometheus.hpp>
#include <karga/results.hpp>

#include <random>

namespace {

using namespace std::chrono_literals;
using namespace test;
namespace http = karga::http;

// A run with every kind of outcome: ok, failed, thrown, dropped, interrupted.
karga::series_aggregate<karga::basic_aggregate> mixed_run() {
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto act = [calls]() -> asio::awaitable<basic_metric> {
    const int n = ++*calls;
    if (n % 7 == 0) throw std::runtime_error("seventh");
    if (n % 50 == 0) co_await sleeper(60s)();  // interrupted at the end
    co_return basic_metric{std::chrono::microseconds(n % 100), n % 5 != 0, static_cast<std::uint64_t>(n)};
  };
  return karga::scenario<karga::series_aggregate<karga::basic_aggregate>>::builder()
      .name("mixed")
      .action(act)
      .executor(karga::stage_executor::builder().start_rate(2000).stage(500ms, 2000.0).max_in_flight(8).grace_period(100ms).build())
      .build()
      .run();
}

TEST_CASE("results file: a run round-trips bucket for bucket", "[results]") {
  const auto a = mixed_run();
  REQUIRE(a.base().interrupted() > 0);
  REQUIRE(a.base().exceptions().total() > 0);
  const std::string bytes = karga::encode_results(a);
  const auto b = karga::decode_results<karga::series_aggregate<karga::basic_aggregate>>(bytes);
  CHECK(b.base().latency() == a.base().latency());  // every bucket, exact min, max, sum
  CHECK(b.base().response_time() == a.base().response_time());
  CHECK(b.base() == a.base());
  CHECK(b.series() == a.series());
  CHECK(b == a);
  // And the reports of both are the same, to the last JSON field.
  using report = karga::report_with_series<karga::basic_report>;
  CHECK(karga::format_json(report{b}) == karga::format_json(report{a}));
}

TEST_CASE("results file: HTTP aggregates round-trip", "[results][http]") {
  http::embedded_server server;
  const http::client client{server.url()};
  using results = karga::series_aggregate<http::aggregate>;
  const auto a = karga::scenario<results>::builder()
                     .action([client]() -> boost::asio::awaitable<http::metric> {
                       static std::atomic<int> n{0};
                       const auto start = karga::clock::now();
                       auto res = co_await client.get(++n % 4 == 0 ? "/status/503" : "/");
                       co_return http::to_metric(res, karga::clock::now() - start);
                     })
                     .executor(karga::stage_executor::builder().start_rate(400).stage(250ms, 400.0).build())
                     .build()
                     .run();
  const auto b = karga::decode_results<results>(karga::encode_results(a));
  CHECK(b == a);
  CHECK(b.base().status_count(503) == 25);
}

TEST_CASE("results files of 4 segments merge into the histogram of every value", "[results][segment]") {
  // Arrival k reports a latency that depends on k only, so a run in one process and
  // 4 segments must give the same values, however they are split.
  auto act = [](const karga::context& c) -> asio::awaitable<basic_metric> {
    co_return basic_metric{std::chrono::microseconds((c.arrival * 7919) % 5000 + 1), true, 1};
  };
  using results = karga::series_aggregate<karga::basic_aggregate>;
  const auto run = [&](karga::segment seg) {
    return karga::scenario<results>::builder()
        .action(act)
        .executor(karga::stage_executor::builder().start_rate(4000).stage(500ms, 4000.0).segment(seg).build())
        .build()
        .run();
  };
  const results whole = run({0, 1});
  results merged;
  for (unsigned i = 0; i < 4; ++i) {
    const auto part = karga::decode_results<results>(karga::encode_results(run({i, 4})));  // as karga-merge reads it
    if (i == 0) merged = part;
    else merged.merge(part);
  }
  CHECK(merged.base().run().scheduled == whole.base().run().scheduled);
  CHECK(merged.base().succeeded() == 2000);
  CHECK(merged.base().latency() == whole.base().latency());  // every bucket
  for (double q : {50.0, 90.0, 99.0, 99.9})
    CHECK(merged.base().latency().percentile(q) == whole.base().latency().percentile(q));
}

TEST_CASE("results file: truncated, corrupt or foreign bytes are clear errors", "[results]") {
  const std::string good = karga::encode_results(mixed_run().base());
  using A = karga::basic_aggregate;
  // Every prefix: an error, never a crash or a partial result.
  for (std::size_t n = 0; n < good.size(); n += 1 + n / 64)
    CHECK(error_message([&] { karga::decode_results<A>(good.substr(0, n)); }).starts_with("karga: bad results file: "));
  CHECK(error_message([&] { karga::decode_results<A>(good); }) == "no error");
  CHECK(error_message([&] { karga::decode_results<A>(good.substr(0, 20)); }) ==
        "karga: bad results file: it ends in the middle of the type");
  CHECK(error_message([] { karga::decode_results<A>("{\"json\": true}"); }) ==
        "karga: bad results file: it does not start with KARGARES: not a karga results file");
  std::string future = good;
  future[8] = 7;  // version 7
  CHECK(error_message([&] { karga::decode_results<A>(future); }) ==
        "karga: bad results file: format version 7 is newer than this karga reads (1); use a newer karga");
  CHECK(error_message([&] { karga::decode_results<http::aggregate>(good); }) ==
        "karga: bad results file: it holds karga.basic_aggregate, not karga.http.aggregate");
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x40;
  CHECK(error_message([&] { karga::decode_results<A>(flipped); }) ==
        "karga: bad results file: the checksum does not match: the file is corrupt");
  // Random flips of any byte: an error or the very same aggregate, nothing else.
  std::mt19937 rng(5);
  const A original = karga::decode_results<A>(good);
  int errors = 0;
  for (int i = 0; i < 300; ++i) {
    std::string bad = good;
    bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    std::optional<A> decoded;
    try {
      decoded = karga::decode_results<A>(bad);
    } catch (const karga::error&) {
      ++errors;
    }
    if (decoded) CHECK(*decoded == original);
  }
  CHECK(errors > 250);
}

TEST_CASE("results file: a file on disk, and a clear error for one that is not there", "[results]") {
  const auto a = mixed_run().base();
  const std::string path = "/tmp/karga-results-test.karga";
  karga::write_results(path, a);
  CHECK(karga::read_results<karga::basic_aggregate>(path) == a);
  CHECK(error_message([] { karga::read_results<karga::basic_aggregate>("/nonexistent/x.karga"); }) ==
        "karga: cannot read /nonexistent/x.karga");
  std::remove(path.c_str());
}

// thresholds --------------------------------------------------------------------------
karga::basic_aggregate known() {
  karga::basic_aggregate a;
  const auto t = karga::clock::now();
  for (int i = 1; i <= 100; ++i)  // own latency i ms; from the intended start i + 1 ms
    a.consume({std::chrono::milliseconds(i), i <= 95, 0}, {t, t + 1ms, t + 1ms + std::chrono::milliseconds(i)});
  a.record_dropped(5, karga::drop_reason::late);
  karga::run_info info;
  info.scheduled = 105;
  info.planned = 10s;
  a.record_run(info);
  return a;
}

TEST_CASE("thresholds: text and typed forms, evaluated on a run", "[thresholds]") {
  using namespace karga::thresholds;
  const auto a = known();
  const std::vector<karga::threshold> t{
      karga::threshold::parse("p(99) < 250ms"), p(99) < 90ms, own(p(50)) <= 50ms, karga::threshold::parse("avg<100"),
      karga::threshold::parse("error_rate < 1%"), error_rate() < 0.06, karga::threshold::parse("achieved >= 99%"),
      dropped() == 5, karga::threshold::parse("rps>=10"), karga::threshold::parse("own.max <= 100ms abort")};
  const auto v = karga::evaluate(t, a);
  REQUIRE(v.size() == 10);
  CHECK(v[0].passed);                       // p(99) from intended ≈ 100 ms
  CHECK_FALSE(v[1].passed);
  CHECK(v[1].expression == "p(99) < 90ms");
  CHECK(v[2].passed);                       // own p50 = 50 ms
  CHECK(v[3].passed);
  CHECK_FALSE(v[4].passed);                 // 5 % failed
  CHECK(v[4].observed_text == "5%");
  CHECK(v[5].passed);
  CHECK_FALSE(v[6].passed);                 // 100 of 105 started: 95.2 %
  CHECK(v[7].passed);
  CHECK(v[8].passed);                       // 10.0/s over the planned 10 s
  CHECK(v[9].passed);
  CHECK(v[9].abort_on_fail);
  CHECK_FALSE(karga::all_passed(v));
  karga::basic_report r{a};
  r.thresholds = v;
  CHECK_FALSE(r.thresholds_passed());
  CHECK(karga::format_report(r).find("threshold       FAIL error_rate < 1%  (observed 5%)") != std::string::npos);
}

TEST_CASE("thresholds: status codes need an HTTP run", "[thresholds][http]") {
  http::aggregate h;
  h.consume(http::metric{1ms, 503, 0, http::error_kind::none, {}});
  h.consume(http::metric{1ms, 200, 0, http::error_kind::none, {}});
  h.consume(http::metric{1ms, 502, 0, http::error_kind::none, {}});
  const std::vector<karga::threshold> t{karga::threshold::parse("status(503) == 0"), karga::threshold::parse("status(5xx) <= 2"),
                                        karga::thresholds::status(200) == 1};
  const auto v = karga::evaluate(t, h);
  CHECK_FALSE(v[0].passed);
  CHECK(v[1].passed);
  CHECK(v[2].passed);
  const auto on_basic = karga::evaluate(t, karga::basic_aggregate{});
  CHECK_FALSE(on_basic[0].passed);
  CHECK(on_basic[0].observed_text == "not measured by this run");
}

TEST_CASE("thresholds: a bad expression is a clear error", "[thresholds]") {
  auto message = [](const char* text) { return error_message([text] { karga::threshold::parse(text); }); };
  CHECK(message("p(99) < 250ms") == "no error");
  CHECK(message("p99 < 250ms").starts_with("karga: bad threshold \"p99 < 250ms\": unknown metric"));
  CHECK(message("p(101) < 1s") == "karga: bad threshold \"p(101) < 1s\": the percentile must be more than 0 and at most 100");
  CHECK(message("error_rate < 5") == "karga: bad threshold \"error_rate < 5\": a rate is a fraction (0.01) or a percentage (1%)");
  CHECK(message("error_rate = 1%") == "karga: bad threshold \"error_rate = 1%\": expected <, <=, >, >=, == or !=");
  CHECK(message("p(99) < fast") == "karga: bad threshold \"p(99) < fast\": expected a value");
  CHECK(message("status(700) == 0") == "karga: bad threshold \"status(700) == 0\": a status code is 100 to 599");
  CHECK(message("own.error_rate < 1%").starts_with("karga: bad threshold \"own.error_rate < 1%\": own. goes with a latency"));
  CHECK(message("p(99) < 250ms please") == "karga: bad threshold \"p(99) < 250ms please\": unexpected \"please\"");
}

// reporters -----------------------------------------------------------------------------
// An aggregate that takes each interrupted action's timing.
struct interrupt_times {
  std::uint64_t ok = 0, untimed = 0;
  std::vector<karga::timing> timed;
  void consume(const basic_metric&) { ++ok; }
  void record_interrupted(std::uint64_t n) { untimed += n; }
  void record_interrupted(std::uint64_t n, const karga::timing& t) { timed.insert(timed.end(), n, t); }
  void merge(const interrupt_times& o) {
    ok += o.ok;
    untimed += o.untimed;
    timed.insert(timed.end(), o.timed.begin(), o.timed.end());
  }
};

TEST_CASE("series_aggregate: an aggregate it wraps gets each interrupted action's timing", "[results]") {
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto act = [calls]() -> asio::awaitable<basic_metric> {
    if (++*calls % 4 == 0) co_await sleeper(60s)();  // interrupted at the end of the grace period
    co_return basic_metric{.success = true};
  };
  const auto a = karga::scenario<karga::series_aggregate<interrupt_times>>::builder()
                     .action(act)
                     .executor(karga::stage_executor::builder().start_rate(400).stage(100ms, 400).grace_period(50ms).build())
                     .build()
                     .run();
  CHECK(a.base().ok == 30);
  CHECK(a.base().untimed == 0);
  REQUIRE(a.base().timed.size() == 10);
  for (const auto& t : a.base().timed) {
    CHECK(t.started >= t.scheduled);
    CHECK(t.finished >= t.started);
  }
  std::uint64_t interrupted = 0;
  for (const auto& f : a.series().intervals()) interrupted += f.interrupted;
  CHECK(interrupted == 10);
}

TEST_CASE("reporters: JSON, CSV, JUnit and Markdown carry the figures", "[reporters]") {
  using report = karga::report_with_series<karga::basic_report>;
  const auto a = mixed_run();
  report r{a};
  r.thresholds = karga::evaluate({karga::threshold::parse("error_rate < 1%"), karga::threshold::parse("p(99) < 10s")}, a);
  const std::string json = karga::format_json(r);
  CHECK(json.find("\"scenario\":\"mixed\"") != std::string::npos);
  CHECK(json.find(fmt::format("\"interrupted\":{}", a.base().interrupted())) != std::string::npos);
  CHECK(json.find("\"thresholds_passed\":false") != std::string::npos);
  CHECK(json.find("\"intervals\":[{\"start_s\":0") != std::string::npos);
  const std::string csv = karga::format_csv(r);
  CHECK(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')) == r.series.rows.size() + 1);
  CHECK(csv.starts_with("start_s,end_s,scheduled,started,ok,failed,dropped"));
  const std::string junit = karga::format_junit(r);
  CHECK(junit.find("tests=\"2\" failures=\"1\"") != std::string::npos);  // a case per threshold; error_rate failed
  CHECK(junit.find("<testcase classname=\"mixed\" name=\"threshold p(99) &lt; 10s\"") != std::string::npos);
  const std::string md = karga::format_markdown(r);
  CHECK(md.find("### karga: mixed") != std::string::npos);
  CHECK(md.find("| `error_rate < 1%` |") != std::string::npos);
  CHECK(md.find("❌ **fail**") != std::string::npos);
}

// Occurrences of `needle` in `s`.
std::size_t count_of(std::string_view s, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = s.find(needle); at != std::string_view::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

TEST_CASE("reporters: the HTML page holds its charts, verdicts and exceptions, and nothing to fetch", "[reporters]") {
  using report = karga::report_with_series<karga::basic_report>;
  const auto a = mixed_run();
  report r{a};
  r.scenario = "mixed <&>";
  r.thresholds = karga::evaluate({karga::threshold::parse("error_rate < 1%"), karga::threshold::parse("p(99) < 10s")}, a);
  const std::string html = karga::format_html(r);
  CHECK(html.starts_with("<!DOCTYPE html>"));
  CHECK(html.find("<title>karga: mixed &lt;&amp;&gt;</title>") != std::string::npos);
  for (const char* id : {"id=\"rate\"", "id=\"latency-intended\"", "id=\"latency-own\"", "id=\"spectrum\""})
    CHECK(count_of(html, id) == 1);
  // The rate chart: the achieved and target lines, a point per interval each.
  const auto rate = html.substr(html.find("id=\"rate\""), html.find("</svg>", html.find("id=\"rate\"")) - html.find("id=\"rate\""));
  const auto first_line = rate.find("<polyline class=\"line c3\" points=\"");
  REQUIRE(first_line != std::string::npos);
  const auto points = rate.substr(first_line, rate.find("\"/>", first_line) - first_line);
  CHECK(count_of(points, ",") == r.series.rows.size());
  CHECK(count_of(rate, "<polyline") == 2);
  CHECK(html.find("<td class=\"fail\">fail</td>") != std::string::npos);  // error_rate < 1%
  CHECK(html.find("<td class=\"pass\">pass</td>") != std::string::npos);
  CHECK(html.find("<td>seventh</td>") != std::string::npos);
  CHECK(html.find(fmt::format("<tr><td>interrupted</td><td class=n>{}</td></tr>", r.interrupted)) != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("prefers-color-scheme: dark") != std::string::npos);
  CHECK(html.find("@media print") != std::string::npos);
  CHECK(html.find(std::string("karga ") + karga::version) != std::string::npos);
}

TEST_CASE("reporters: the HTML page of a 1-hour run stays under 1 MB", "[reporters]") {
  karga::time_series ts;
  const auto t0 = karga::clock::now();
  ts.start(t0);
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> latency_us(5.0, 0.8);
  for (int second = 0; second < 3600; ++second)
    for (int i = 0; i < 100; ++i) {
      const auto at = t0 + std::chrono::seconds(second) + std::chrono::milliseconds(10 * i);
      const auto took = std::chrono::microseconds(static_cast<std::int64_t>(latency_us(random)));
      ts.record(i % 50 != 0, took, 100, karga::timing{at, at, at + took});
    }
  karga::run_info info;
  info.kind = karga::load_kind::open;
  info.due_by = [](karga::clock::duration d) {
    return static_cast<std::uint64_t>(std::min<std::int64_t>(360'000, std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 10));
  };
  ts.record_run(info);
  karga::report_with_series<karga::basic_report> r;
  r.series = karga::series_report(ts);
  r.response_time.count = 360'000;
  REQUIRE(r.series.rows.size() == 3600);
  const std::string html = karga::format_html(r);
  INFO(html.size() << " bytes");
  CHECK(html.size() < 1'000'000);
  CHECK(count_of(html, "<polyline") == 2 + 4 + 4 + 2);  // achieved and target; 4 percentiles twice; the spectrum
}

TEST_CASE("prometheus: the text exposition of a sample", "[reporters]") {
  karga::live_sample s;
  s.scenario = "a \"quoted\" name\\";
  s.scheduled = 10;
  s.started = 9;
  s.ok = 6;
  s.failed = 2;
  s.dropped = 1;
  s.final = true;
  s.latency_buckets.assign(karga::live_counters::layout::bucket_count, 0);
  s.latency_buckets[karga::live_counters::layout::index_of(200'000)] = 3;        // 200 µs
  s.latency_buckets[karga::live_counters::layout::index_of(3'000'000)] = 4;      // 3 ms
  s.latency_buckets[karga::live_counters::layout::index_of(400'000'000'000)] = 1; // 400 s: beyond every bound
  s.latency_sum_ns = 3 * 200'000 + 4 * 3'000'000 + 400'000'000'000;
  s.labels = {{{"http_responses", "status", "200", "HTTP responses by status code."}, 6},
              {{"http_responses", "status", "503", "HTTP responses by status code."}, 2}};
  const std::string text = karga::prometheus_text({s});
  const std::string scenario = "scenario=\"a \\\"quoted\\\" name\\\\\"";
  CHECK(text.find("karga_scheduled_total{" + scenario + "} 10\n") != std::string::npos);
  CHECK(text.find("karga_actions_total{" + scenario + ",outcome=\"ok\"} 6\n") != std::string::npos);
  CHECK(text.find("karga_actions_total{" + scenario + ",outcome=\"dropped\"} 1\n") != std::string::npos);
  CHECK(text.find("karga_finished{" + scenario + "} 1\n") != std::string::npos);
  CHECK(count_of(text, "# TYPE karga_http_responses_total counter\n") == 1);
  CHECK(text.find("karga_http_responses_total{" + scenario + ",status=\"503\"} 2\n") != std::string::npos);
  CHECK(text.find("karga_latency_seconds_bucket{" + scenario + ",le=\"0.0001\"} 0\n") != std::string::npos);
  CHECK(text.find("karga_latency_seconds_bucket{" + scenario + ",le=\"0.00025\"} 3\n") != std::string::npos);
  CHECK(text.find("karga_latency_seconds_bucket{" + scenario + ",le=\"0.0025\"} 3\n") != std::string::npos);
  CHECK(text.find("karga_latency_seconds_bucket{" + scenario + ",le=\"0.005\"} 7\n") != std::string::npos);
  CHECK(text.find("karga_latency_seconds_bucket{" + scenario + ",le=\"300\"} 7\n") != std::string::npos);
  CHECK(text.find("karga_latency_seconds_bucket{" + scenario + ",le=\"+Inf\"} 8\n") != std::string::npos);
  CHECK(text.find("karga_latency_seconds_count{" + scenario + "} 8\n") != std::string::npos);
  CHECK(text.find("karga_latency_seconds_sum{" + scenario + "} 400.0126\n") != std::string::npos);
  // Every line is a comment or NAME{LABELS} VALUE.
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = text.find('\n', at);
    const std::string line = text.substr(at, end - at);
    INFO(line);
    CHECK((line.starts_with("# ") || (line.starts_with("karga_") && line.find("} ") != std::string::npos)));
    at = end + 1;
  }
}

} // namespace
