// The HTTP adapter against a real server on loopback (the embedded Beast server):
// statuses, keep-alive reuse, refused connections, timeouts, resets, bad URLs.
#include "catch.hpp"

#include <karga/http.hpp>
#include <karga/karga.hpp>

#include <array>
#include <atomic>
#include <memory>

namespace {

using namespace std::chrono_literals;
namespace http = karga::http;

// Nothing lost: every scheduled request has exactly one outcome.
void check_accounted(const http::aggregate& a) {
  const auto& b = a.basic();
  CHECK(b.run().scheduled == b.succeeded() + b.failed() + b.dropped() + b.interrupted());
}

template <class Pick>
http::aggregate load(const http::client& client, Pick pick, double rate, karga::clock::duration d, unsigned threads = 1) {
  auto counter = std::make_shared<std::atomic<int>>(0);
  auto a = karga::scenario<http::aggregate>::builder()
               .action([client, pick, counter]() -> boost::asio::awaitable<http::metric> {
                 const auto start = karga::clock::now();
                 auto res = co_await client.get(pick(++*counter));
                 co_return http::to_metric(res, karga::clock::now() - start);
               })
               .executor(karga::stage_executor::builder().start_rate(rate).stage(d, rate).threads(threads).grace_period(5s).build())
               .build()
               .run();
  check_accounted(a);
  return a;
}

TEST_CASE("http: statuses are counted; keep-alive connections are reused", "[http]") {
  http::embedded_server server;
  const http::client client{server.url()};
  const auto a = load(client, [](int n) { return n % 4 == 0 ? "/status/500" : "/"; }, 400, 500ms);
  CHECK(a.basic().run().scheduled == 200);
  CHECK(a.status_count(200) == 150);
  CHECK(a.status_count(500) == 50);
  CHECK(a.basic().succeeded() == 150);
  CHECK(a.basic().failed() == 50);
  const http::report r{a};
  CHECK(r.statuses == std::vector<std::pair<unsigned, std::uint64_t>>{{200, 150}, {500, 50}});
  CHECK(r.errors.empty());
  const std::string text = http::format_report(r);
  CHECK(text.find("status          200×150 500×50") != std::string::npos);
  CHECK(server.requests() == 200);
  CHECK(server.connections() <= 5);  // one connection, reused, while actions do not overlap
}

TEST_CASE("http: two shards each keep their own connections", "[http]") {
  http::embedded_server server(2);
  const http::client client{server.url()};
  const auto a = load(client, [](int) { return "/"; }, 1000, 300ms, 2);
  CHECK(a.status_count(200) == 300);
  CHECK(server.connections() >= 2);
  CHECK(server.connections() <= 10);
}

TEST_CASE("http: refused connections are counted by kind", "[http]") {
  unsigned short port;
  {
    boost::asio::io_context ctx;
    boost::asio::ip::tcp::acceptor probe(ctx, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed: nothing listens there now
  const http::client client{"http://127.0.0.1:" + std::to_string(port)};
  const auto a = load(client, [](int) { return "/"; }, 200, 100ms);
  CHECK(a.error_count(http::error_kind::refused) == 20);
  CHECK(a.basic().failed() == 20);
  CHECK(http::format_report(http::report{a}).find("errors          refused×20") != std::string::npos);
}

TEST_CASE("http: slow responses time out", "[http]") {
  http::embedded_server server;
  const http::client client{server.url(), {.request_timeout = 100ms}};
  const auto a = load(client, [](int n) { return n % 2 ? "/delay/1000" : "/"; }, 100, 100ms);
  CHECK(a.error_count(http::error_kind::timeout) == 5);
  CHECK(a.status_count(200) == 5);
}

TEST_CASE("http: a server closing without answering is a reset", "[http]") {
  http::embedded_server server;
  const http::client client{server.url()};
  const auto a = load(client, [](int n) { return n % 2 ? "/close" : "/"; }, 200, 100ms);
  CHECK(a.error_count(http::error_kind::reset) == 10);
  CHECK(a.status_count(200) == 10);
}

TEST_CASE("http: bad URLs are clear errors", "[http]") {
  auto message = [](const char* url) {
    try {
      http::client c{url};
    } catch (const karga::error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("ftp://x") == "karga: an HTTP URL starts with http://, got \"ftp://x\"");
  CHECK(message("http://:80/") == "karga: URL has no host: \"http://:80/\"");
  CHECK(message("http://127.0.0.1:99999") == "karga: bad port in URL: \"99999\"");
  CHECK(message("http://127.0.0.1:8080/base") == "no error");
  CHECK(message("http://[::1]:8080") == "no error");
}

} // namespace
