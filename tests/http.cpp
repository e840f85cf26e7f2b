// The HTTP adapter against a real server on loopback (the embedded Beast server):
// statuses, keep-alive reuse, refused connections, timeouts, resets, bad URLs.
#include "catch.hpp"

#include <karga/http.hpp>
#include <karga/karga.hpp>

#include <array>

namespace {

using namespace std::chrono_literals;
namespace http = karga::http;

struct http_metric {
  unsigned status = 0;
  http::error_kind error = http::error_kind::none;
};

// Counts responses by status class and failures by kind.
struct by_kind {
  std::array<std::uint64_t, 6> status_class{};  // [2] = 2xx, [5] = 5xx
  std::array<std::uint64_t, 6> errors{};        // indexed by error_kind
  std::uint64_t dropped = 0, interrupted = 0, thrown = 0, scheduled = 0;
  void consume(const http_metric& m) {
    if (m.error != http::error_kind::none)
      ++errors[static_cast<std::size_t>(m.error)];
    else
      ++status_class[m.status / 100];
  }
  void merge(const by_kind& o) {
    for (std::size_t i = 0; i < 6; ++i) status_class[i] += o.status_class[i], errors[i] += o.errors[i];
    dropped += o.dropped, interrupted += o.interrupted, thrown += o.thrown, scheduled += o.scheduled;
  }
  void record_dropped(std::uint64_t n) { dropped += n; }
  void record_interrupted(std::uint64_t n) { interrupted += n; }
  void record_exception(std::string_view) { ++thrown; }
  void record_run(const karga::run_info& i) { scheduled = i.scheduled; }
  std::uint64_t total() const {
    std::uint64_t t = dropped + interrupted + thrown;
    for (std::size_t i = 0; i < 6; ++i) t += status_class[i] + errors[i];
    return t;
  }
  std::uint64_t error(http::error_kind k) const { return errors[static_cast<std::size_t>(k)]; }
};

template <class Pick>
by_kind load(const http::client& client, Pick pick, double rate, karga::clock::duration d, unsigned threads = 1) {
  auto counter = std::make_shared<std::atomic<int>>(0);
  auto a = karga::scenario<by_kind>::builder()
               .action([client, pick, counter]() -> boost::asio::awaitable<http_metric> {
                 auto res = co_await client.get(pick(++*counter));
                 co_return res ? http_metric{res->status(), http::error_kind::none} : http_metric{0, res.error()};
               })
               .executor(karga::stage_executor::builder().start_rate(rate).stage(d, rate).threads(threads).grace_period(5s).build())
               .build()
               .run();
  CHECK(a.total() == a.scheduled);  // nothing lost
  return a;
}

TEST_CASE("http: statuses are counted; keep-alive connections are reused", "[http]") {
  http::embedded_server server;
  const http::client client{server.url()};
  const auto a = load(client, [](int n) { return n % 4 == 0 ? "/status/500" : "/"; }, 400, 500ms);
  CHECK(a.scheduled == 200);
  CHECK(a.status_class[2] == 150);
  CHECK(a.status_class[5] == 50);
  CHECK(server.requests() == 200);
  CHECK(server.connections() <= 5);  // one connection, reused, while actions do not overlap
}

TEST_CASE("http: two shards each keep their own connections", "[http]") {
  http::embedded_server server(2);
  const http::client client{server.url()};
  const auto a = load(client, [](int) { return "/"; }, 1000, 300ms, 2);
  CHECK(a.status_class[2] == 300);
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
  CHECK(a.error(http::error_kind::refused) == 20);
}

TEST_CASE("http: slow responses time out", "[http]") {
  http::embedded_server server;
  const http::client client{server.url(), {.request_timeout = 100ms}};
  const auto a = load(client, [](int n) { return n % 2 ? "/delay/1000" : "/"; }, 100, 100ms);
  CHECK(a.error(http::error_kind::timeout) == 5);
  CHECK(a.status_class[2] == 5);
}

TEST_CASE("http: a server closing without answering is a reset", "[http]") {
  http::embedded_server server;
  const http::client client{server.url()};
  const auto a = load(client, [](int n) { return n % 2 ? "/close" : "/"; }, 200, 100ms);
  CHECK(a.error(http::error_kind::reset) == 10);
  CHECK(a.status_class[2] == 10);
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
