// HTTP/2 in karga::http against the embedded server's h2c side: streams per
// connection, statuses and bodies, a server's RST_STREAM and REFUSED_STREAM, GOAWAY,
// deadlines, HPACK's figures, what never goes on the wire. nginx and nghttpd (over TLS
// and h2c) are in http2_test.sh.
#include "actions.hpp"
#include "catch.hpp"
#include "error_message.hpp"

#include <karga/http.hpp>
#include <karga/http/testing/embedded_server.hpp>
#include <karga/karga.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <utility>
#include <vector>
#include <string>

namespace {

using namespace std::chrono_literals;
namespace http = karga::http;

http::options h2(std::size_t connections = 1, std::uint32_t streams = 100) {
  http::options o;
  o.protocol = http::protocol::http2;
  o.connections = connections;
  o.streams = streams;
  o.request_timeout = 2s;
  return o;
}

// `path` at `rate` for `d` (open model), every arrival started however late.
http::aggregate run_h2(const http::client& client, std::string path, double rate, karga::clock::duration d,
                       unsigned threads = 1) {
  return karga::scenario<http::aggregate>::builder()
      .action([client, path]() -> boost::asio::awaitable<http::metric> {
        const auto start = karga::clock::now();
        auto res = co_await client.get(path);
        co_return http::to_metric(res, karga::clock::now() - start);
      })
      .executor(karga::stage_executor::builder()
                    .start_rate(rate)
                    .stage(d, rate)
                    .threads(threads)
                    .grace_period(5s)
                    .late_start_limit(30s)
                    .build())
      .build()
      .run();
}

TEST_CASE("http2: requests share a connection's streams, counted as HTTP/2, with HPACK's saving", "[http][http2]") {
  http::embedded_server server;
  const http::client client{server.url(), h2()};
  const auto a = run_h2(client, "/", 1000, 300ms, 2);
  test::check_accounted(a);
  CHECK(a.status_count(200) == 300);
  CHECK(a.protocol_count(2) == 300);
  CHECK(a.protocol_count(1) == 0);
  CHECK(server.connections() == 2);  // one per shard, all its requests as streams
  CHECK(server.requests() == 300);
  const http::report r{a};
  CHECK(r.protocol == "HTTP/2");
  CHECK(r.header_wire_bytes > 0);
  CHECK(r.header_wire_bytes < r.header_plain_bytes);  // repeated fields are sent as indexes
  CHECK(r.hpack_saving > 0.5);
  CHECK(http::format_report(r).find("protocol        HTTP/2, headers ") != std::string::npos);
}

TEST_CASE("http2: a closed loop of C connections × S streams keeps C × S requests in flight", "[http][http2][closed]") {
  http::embedded_server server;
  const http::client client{server.url(), h2(3, 4)};
  const auto a = karga::scenario<http::aggregate>::builder()
                     .action([client]() -> boost::asio::awaitable<http::metric> {
                       const auto start = karga::clock::now();
                       auto res = co_await client.get("/delay/20");
                       co_return http::to_metric(res, karga::clock::now() - start);
                     })
                     .executor(karga::constant_vus_executor::builder().vus(24).duration(300ms).build())
                     .build()
                     .run();
  CHECK(a.basic().failed() == 0);
  CHECK(server.connections() == 3);  // never more than C, whatever the users
  CHECK(a.basic().run().peak_in_flight == 24);
  // 12 streams at once: the other 12 users wait for one, so about 12 per 20 ms.
  const double per_second = static_cast<double>(a.basic().ok()) / 0.3;
  CHECK(per_second < 12 / 0.020 * 1.2);
}

TEST_CASE("http2: statuses, bodies both ways, and HEAD", "[http][http2]") {
  http::embedded_server server;
  const http::client client{server.url(), h2()};
  const auto a = run_h2(client, "/status/503", 200, 100ms);
  CHECK(a.status_count(503) == 20);
  const auto b = run_h2(client, "/bytes/300000", 50, 200ms);
  CHECK(b.status_count(200) == 10);
  CHECK(b.basic().bytes() == 10 * 300000);
  const std::string body(200000, 'k');
  const auto echoed = [&]() {
    boost::asio::io_context io;
    std::optional<http::full_result> out;
    boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
      const http::client c{client};  // a copy of its own, whose connections die before the io_context
      out.emplace(co_await c.fetch(c.make_request(boost::beast::http::verb::post, "/echo", body)));
    }, boost::asio::detached);
    io.run();
    return *out;
  }();
  REQUIRE(echoed);
  CHECK(echoed->status() == 200);
  CHECK(echoed->protocol == 2);
  CHECK(echoed->body == body);
  CHECK(echoed->header("server") == "karga-embedded");
}

TEST_CASE("http2: a stream the server resets is a failure of its kind, one it refuses is sent again", "[http][http2]") {
  http::embedded_server server;
  const http::client client{server.url(), h2()};
  const auto reset = run_h2(client, "/reset", 100, 100ms);
  CHECK(reset.error_count(http::error_kind::stream_reset) == 10);
  CHECK(reset.first_message(http::error_kind::stream_reset) == "stream reset: INTERNAL_ERROR");
  // The server refuses every other stream: each request is served on its second try.
  const auto refused = run_h2(client, "/refuse", 100, 100ms);
  CHECK(refused.status_count(200) == 10);
  CHECK(refused.basic().failed() == 0);
}

TEST_CASE("http2: GOAWAY ends a connection without a false failure, and the next request opens another", "[http][http2]") {
  http::embedded_server server;
  const http::client client{server.url(), h2()};
  const auto a = run_h2(client, "/goaway", 200, 150ms);
  INFO(http::format_report(http::report{a}));
  test::check_accounted(a);
  CHECK(a.status_count(200) == 30);
  CHECK(a.basic().failed() == 0);
  CHECK(server.connections() >= 2);
}

TEST_CASE("http2: a server that never answers: each request times out alone, the others go on", "[http][http2]") {
  http::embedded_server server;
  auto opt = h2();
  opt.request_timeout = 200ms;
  const http::client client{server.url(), opt};
  const auto never = run_h2(client, "/never", 100, 100ms);
  CHECK(never.error_count(http::error_kind::timeout) == 10);
  CHECK(never.first_message(http::error_kind::timeout) == "no response within the timeout");
  const auto fine = run_h2(client, "/", 100, 100ms);  // the same connection's other streams
  CHECK(fine.status_count(200) == 10);
}

TEST_CASE("http2: refused connections are counted by kind", "[http][http2]") {
  auto opt = h2();
  opt.connect_timeout = 500ms;
  const http::client client{"http://127.0.0.1:9", opt};  // the discard port: nothing listens
  const auto a = run_h2(client, "/", 100, 100ms);
  CHECK(a.error_count(http::error_kind::refused) == 10);
}

TEST_CASE("http2: what cannot go on the wire is refused before it", "[http][http2]") {
  http::embedded_server server;
  const http::client client{server.url(), h2()};
  using boost::beast::http::verb;
  CHECK(error_message([&] { client.make_request(verb::get, "/", {}, {{"X-Id", "1\r\nX-Injected: yes"}}); })
            .starts_with("karga: bad value of header \"X-Id\""));
  CHECK(error_message([&] { client.make_request(verb::get, "/", {}, {{":path", "/admin"}}); })
            .starts_with("karga: bad header name \":path\""));
  CHECK(error_message([&] { client.make_request(verb::get, "/a b"); }).starts_with("karga: bad request target"));
  // HTTP/1.1's connection-specific fields are left out; Host becomes :authority.
  const auto req = client.make_request(verb::get, "/", {}, {{"Connection", "close"}, {"Host", "example.com"}});
  const auto& fields = req.h2_form().fields;
  CHECK(fields[0].name == ":method");
  CHECK(fields[2].value == "example.com");
  CHECK(std::none_of(fields.begin(), fields.end(), [](const auto& f) { return f.name == "connection"; }));
}

TEST_CASE("http2: automatic speaks HTTP/1.1 to a server that has no HTTP/2", "[http][http2]") {
  http::embedded_server server;
  http::options opt;
  opt.protocol = http::protocol::automatic;  // plain http://: HTTP/1.1, no prior knowledge assumed
  const http::client client{server.url(), opt};
  const auto a = run_h2(client, "/", 100, 100ms);
  CHECK(a.protocol_count(1) == 10);
  CHECK(a.protocol_count(2) == 0);
  CHECK(http::report{a}.protocol == "HTTP/1.1");
}

// h2c takes the kernel's receive stamps as HTTP/1.1 does (the late-read case is in
// http.cpp): each response carries the stamp of the read that ended its stream.
TEST_CASE("http2: h2c responses carry the kernel's receive stamp, unless turned off", "[http][http2][stamps]") {
  http::embedded_server server;
  for (const bool stamps : {true, false}) {
    CAPTURE(stamps);
    http::options opt = h2();
    opt.receive_timestamps = stamps;
    std::optional<http::client> client{std::in_place, server.url(), opt};
    boost::asio::io_context io;
    std::vector<std::pair<karga::clock::time_point, http::result>> got;
    karga::clock::time_point read{};
    for (int i = 0; i < 8; ++i)
      boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
        const auto start = karga::clock::now();
        auto res = co_await client->get("/");
        got.emplace_back(start, std::move(res));
        read = karga::clock::now();
      }, boost::asio::detached);
    io.run();
    client.reset();
    REQUIRE(got.size() == 8);
    for (const auto& [start, res] : got) {
      REQUIRE(res);
      CHECK(res->status() == 200);
      const http::metric m = http::to_metric(res, start);
      if (stamps && http::receive_stamps_supported) {
        CHECK(res->received >= start);
        CHECK(res->received <= read);
        CHECK(m.latency == res->received - start);
      } else {
        CHECK(res->received == karga::clock::time_point{});
      }
    }
  }
}

} // namespace
