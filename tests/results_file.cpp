// Results files: a run round-trips bucket for bucket, segments merge exactly, and a
// decoder never trusts its input. Real readers of the formats run in outputs_test.sh.
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
  CHECK(merged.base().ok() == 2000);
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
        "karga: bad results file: format version 7 is newer than this karga reads (2); use a newer karga");
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

TEST_CASE("results file: an HTTP aggregate of format 1 (karga 0.1) reads as HTTP/1.1 requests", "[results][http]") {
  // The payload as karga 0.1 wrote it: the basic figures, statuses, seven error kinds.
  karga::basic_aggregate basic;
  for (int i = 0; i < 5; ++i) basic.consume(karga::basic_metric{1ms, true, 6});
  basic.consume(karga::basic_metric{2ms, false, 0});
  karga::results_writer payload;
  karga::codec<karga::basic_aggregate>::write(payload, basic);
  payload.u64(1);  // one status code
  payload.u16(200);
  payload.u64(5);
  payload.u64(0);  // other statuses
  payload.u64(7);  // none, refused, timeout, reset, protocol, tls, other
  for (int k = 0; k < 7; ++k) {
    payload.u64(k == 1 ? 1 : 0);
    payload.str(k == 1 ? "Connection refused" : "");
  }
  const std::string body = payload.take();
  karga::results_writer file;
  for (char c : karga::results_magic) file.u8(static_cast<std::uint8_t>(c));
  file.u16(1);
  file.str("karga.http.aggregate");
  file.bytes(body);
  file.u32(static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
  const auto a = karga::decode_results<http::aggregate>(file.take());
  CHECK(a.status_count(200) == 5);
  CHECK(a.error_count(http::error_kind::refused) == 1);
  CHECK(a.first_message(http::error_kind::refused) == "Connection refused");
  CHECK(a.protocol_count(1) == 6);
  CHECK(a.protocol_count(2) == 0);
  CHECK(http::report{a}.protocol == "HTTP/1.1");
}

} // namespace
