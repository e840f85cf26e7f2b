// The HTTP adapter against a real server on loopback (the embedded Beast server):
// statuses, keep-alive reuse, refused connections, timeouts, resets, bad URLs.
#include "catch.hpp"
#include "error_message.hpp"

#include <karga/http.hpp>
#include <karga/karga.hpp>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <stdlib.h>
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
  // A client opens a connection only when all of its own are busy: never more than
  // the peak of requests in flight, however the timing falls.
  CHECK(server.connections() <= a.basic().run().peak_in_flight);
}

TEST_CASE("http: two shards each keep their own connections", "[http]") {
  http::embedded_server server(2);
  const http::client client{server.url()};
  const auto a = load(client, [](int) { return "/"; }, 1000, 300ms, 2);
  CHECK(a.status_count(200) == 300);
  CHECK(server.connections() >= 2);  // one pool per shard
  CHECK(server.connections() <= a.basic().run().peak_in_flight);
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

TEST_CASE("http: a response cut short is a reset", "[http]") {
  http::embedded_server server;
  const http::client client{server.url()};
  const auto a = load(client, [](int n) { return n % 2 ? "/truncate" : "/"; }, 200, 100ms);
  CHECK(a.error_count(http::error_kind::reset) == 10);
  CHECK(a.status_count(200) == 10);  // the cut ones are not counted as 200s
}

TEST_CASE("http: bad URLs are clear errors", "[http]") {
  auto message = [](const char* url) { return error_message([url] { http::client c{url}; }); };
  CHECK(message("ftp://x") == "karga: an HTTP URL starts with http:// or https://, got \"ftp://x\"");
  CHECK(message("http://:80/") == "karga: URL has no host: \"http://:80/\"");
  CHECK(message("http://127.0.0.1:99999") == "karga: bad port in URL: \"99999\"");
  CHECK(message("http://127.0.0.1:8080/base") == "no error");
  CHECK(message("http://[::1]:8080") == "no error");
}

} // namespace

namespace {

// A self-signed certificate for 127.0.0.1, made by the openssl command for this run.
struct test_certificate {
  std::string dir, cert, key;
  test_certificate() {
    char tmpl[] = "/tmp/karga-tls-XXXXXX";
    dir = ::mkdtemp(tmpl);
    cert = dir + "/cert.pem";
    key = dir + "/key.pem";
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                            "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert + " 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  ~test_certificate() { std::filesystem::remove_all(dir); }
};

TEST_CASE("https: a certificate the client trusts", "[http][tls]") {
  test_certificate tls;
  http::embedded_server server(http::tls_files{tls.cert, tls.key});
  REQUIRE(server.url().starts_with("https://"));
  http::options opt;
  opt.ca_file = tls.cert;
  const http::client client{server.url(), opt};
  const auto a = load(client, [](int) { return "/"; }, 200, 250ms);
  CHECK(a.status_count(200) == 50);
  CHECK(server.connections() <= a.basic().run().peak_in_flight);  // TLS connections are reused too
}

TEST_CASE("https: an untrusted certificate is a tls error, unless verification is off", "[http][tls]") {
  test_certificate tls;
  http::embedded_server server(http::tls_files{tls.cert, tls.key});
  SECTION("verified against the system's certificates") {
    const http::client client{server.url()};
    const auto a = load(client, [](int) { return "/"; }, 100, 100ms);
    CHECK(a.error_count(http::error_kind::tls) == 10);
    CHECK(a.status_count(200) == 0);
  }
  SECTION("verification off") {
    http::options opt;
    opt.verify_peer = false;
    const http::client client{server.url(), opt};
    const auto a = load(client, [](int) { return "/"; }, 100, 100ms);
    CHECK(a.status_count(200) == 10);
  }
}

TEST_CASE("https: plain HTTP spoken to a TLS server fails cleanly", "[http][tls]") {
  test_certificate tls;
  http::embedded_server server(http::tls_files{tls.cert, tls.key});
  const http::client client{"http://127.0.0.1:" + std::to_string(server.port()), {.request_timeout = 500ms}};
  const auto a = load(client, [](int) { return "/"; }, 100, 50ms);
  CHECK(a.basic().failed() == 5);
  CHECK(a.status_count(200) == 0);
}

} // namespace
