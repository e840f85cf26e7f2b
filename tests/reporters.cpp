// Reporters: JSON, CSV, JUnit, Markdown, HTML and the Prometheus text carry the
// figures (real readers of these formats run in outputs_test.sh).
#include "actions.hpp"
#include "catch.hpp"
#include "error_message.hpp"

#include <karga/http.hpp>
#include <karga/http/testing/embedded_server.hpp>
#include <karga/karga.hpp>
#include <karga/prometheus.hpp>
#include <karga/results.hpp>

#include <cstdlib>
#include <filesystem>
#include <random>

namespace {

using namespace std::chrono_literals;
using namespace test;
namespace http = karga::http;

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
  CHECK(json.find(fmt::format("\"karga\":{{\"format\":1,\"version\":\"{}\"}}", karga::version)) != std::string::npos);
  const std::string csv = karga::format_csv(r);
  CHECK(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')) == r.series.rows.size() + 1);
  CHECK(csv.starts_with("start_s,end_s,scheduled,started,ok,failed,dropped"));
  const std::string junit = karga::format_junit(r);
  CHECK(junit.find("tests=\"2\" failures=\"1\"") != std::string::npos);  // a case per threshold; error_rate failed
  CHECK(junit.find("<testcase classname=\"mixed\" name=\"threshold p(99) &lt; 10s\"") != std::string::npos);
  CHECK(junit.find(fmt::format("<property name=\"karga.version\" value=\"{}\"/>", karga::version)) != std::string::npos);
  const std::string md = karga::format_markdown(r);
  CHECK(md.find("### karga: mixed") != std::string::npos);
  CHECK(md.find("| `error_rate < 1%` |") != std::string::npos);
  CHECK(md.find("❌ **fail**") != std::string::npos);
  CHECK(md.find(fmt::format("<sub>karga {}</sub>", karga::version)) != std::string::npos);
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

TEST_CASE("reporters: JSON writes bytes that are not UTF-8 as U+FFFD, and Python's json reads it", "[reporters]") {
  karga::basic_aggregate a;
  // A byte that no UTF-8 has, a lead byte without its continuation, a sequence cut short.
  a.record_exception(std::string("bad \xff bytes \xc3( cut \xe2\x82"));
  karga::run_info info;
  info.scenario = "caf\xc3\xa9 \xed\xa0\x80";  // é, then a surrogate, which UTF-8 never holds
  a.record_run(info);
  const std::string json = karga::format_json(karga::basic_report{a});
  CHECK(json.find("\"scenario\":\"caf\xc3\xa9 \\ufffd\\ufffd\\ufffd\"") != std::string::npos);
  CHECK(json.find("bad \\ufffd bytes \\ufffd( cut \\ufffd\\ufffd") != std::string::npos);
  if (std::system("python3 -c '' 2>/dev/null") != 0) {
    WARN("python3 is not installed: the file is not read back");
    return;
  }
  const auto path = std::filesystem::temp_directory_path() / "karga-utf8.json";
  karga::json_reporter{path.string()}.report(karga::basic_report{a});
  const std::string check = "python3 -c \"import json, sys; d = json.load(open(sys.argv[1], encoding='utf-8')); "
                            "sys.exit(0 if d['scenario'] == 'caf\\u00e9 ' + '\\ufffd' * 3 else 1)\" " + path.string();
  CHECK(std::system(check.c_str()) == 0);
  std::filesystem::remove(path);
}

} // namespace
