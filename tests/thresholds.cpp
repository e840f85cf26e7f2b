// Thresholds: text and typed forms, evaluated on a run; one grammar of values.
#include "actions.hpp"
#include "catch.hpp"
#include "error_message.hpp"

#include <karga/http.hpp>
#include <karga/http/testing/embedded_server.hpp>
#include <karga/karga.hpp>
#include <karga/prometheus.hpp>
#include <karga/results.hpp>

#include <random>

namespace {

using namespace std::chrono_literals;
using namespace test;
namespace http = karga::http;

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
      karga::threshold::parse("p(99) < 250ms"), p(99) < 90ms, own(p(50)) <= 50ms, karga::threshold::parse("avg<100ms"),
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

TEST_CASE("thresholds: errors(NAME) counts an adapter's errors of that name", "[thresholds][http]") {
  http::aggregate h;
  h.consume(http::metric{1ms, 0, 0, http::error_kind::timeout, "timed out"});
  h.consume(http::metric{1ms, 0, 0, http::error_kind::timeout, "timed out"});
  h.consume(http::metric{1ms, 200, 0, http::error_kind::none, {}});
  const std::vector<karga::threshold> t{karga::threshold::parse("errors(timeout) == 0"),
                                        karga::threshold::parse("errors( refused ) == 0"),
                                        karga::thresholds::errors("timeout") <= 2, karga::threshold::parse("errors(ENOENT) == 0"),
                                        karga::threshold::parse("status(UNAVAILABLE) == 0")};
  const auto v = karga::evaluate(t, h);
  CHECK_FALSE(v[0].passed);
  CHECK(v[0].observed == 2);
  CHECK(v[1].passed);
  CHECK(v[2].passed);
  CHECK(v[2].expression == "errors(timeout) <= 2");
  CHECK_FALSE(v[3].passed);  // a name HTTP has no error of is not measured: it fails, saying so
  CHECK(v[3].observed_text == "not measured by this run");
  CHECK(v[4].observed_text == "not measured by this run");  // a named status is gRPC's, not HTTP's
  CHECK(karga::evaluate(t, karga::basic_aggregate{})[1].observed_text == "not measured by this run");
}

TEST_CASE("thresholds: a bad expression is a clear error", "[thresholds]") {
  auto message = [](const char* text) { return error_message([text] { karga::threshold::parse(text); }); };
  CHECK(message("p(99) < 250ms") == "no error");
  CHECK(message("p99 < 250ms").starts_with("karga: bad threshold \"p99 < 250ms\": unknown metric"));
  CHECK(message("p(101) < 1s") == "karga: bad threshold \"p(101) < 1s\": the percentile must be more than 0 and at most 100");
  CHECK(message("error_rate < 5") == "karga: bad threshold \"error_rate < 5\": a rate is a fraction (0.01) or a percentage (1%)");
  CHECK(message("error_rate = 1%") == "karga: bad threshold \"error_rate = 1%\": expected <, <=, >, >=, == or !=");
  CHECK(message("p(99) < fast") ==
        "karga: bad threshold \"p(99) < fast\": \"fast\" is not a duration (write it like 250us, 500ms, 10s, 2m or 1h)");
  // One grammar of durations with the command line: a unit always, ns to h.
  CHECK(message("avg < 100") ==
        "karga: bad threshold \"avg < 100\": \"100\" is not a duration (write it like 250us, 500ms, 10s, 2m or 1h)");
  CHECK(message("p(99) < 1h") == "no error");
  CHECK(message("max < 800ns") == "no error");
  CHECK(message("p(99) <") == "karga: bad threshold \"p(99) <\": expected a value");
  CHECK(message("status(700) == 0") == "karga: bad threshold \"status(700) == 0\": a status code is 100 to 599");
  CHECK(message("own.error_rate < 1%").starts_with("karga: bad threshold \"own.error_rate < 1%\": own. goes with a latency"));
  CHECK(message("p(99) < 250ms please") == "karga: bad threshold \"p(99) < 250ms please\": unexpected \"please\"");
  CHECK(message("errors() == 0") == "karga: bad threshold \"errors() == 0\": errors( takes the name of an error: errors(timeout), errors(ENOENT)");
  CHECK(message("errors(timeout == 0") == "karga: bad threshold \"errors(timeout == 0\": expected ')'");
  CHECK(message("status(NOT FOUND) == 0") ==
        "karga: bad threshold \"status(NOT FOUND) == 0\": status( takes a status: status(503), status(5xx), status(UNAVAILABLE)");
}

} // namespace
