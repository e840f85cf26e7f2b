// The HTTP adapter against a real server on loopback (the embedded Beast server):
// statuses, keep-alive reuse, refused connections, timeouts, resets, a server that
// closes idle connections, HEAD, IPv6, and what never goes on the wire: bad URLs,
// targets and headers.
#include "actions.hpp"
#include "catch.hpp"
#include "error_message.hpp"
#include "test_certificate.hpp"

#include <karga/http.hpp>
#include <karga/http/testing/embedded_server.hpp>
#include <karga/karga.hpp>

#include <array>
#include <map>
#include <cstdlib>
#include <filesystem>
#include <stdlib.h>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace {

using namespace std::chrono_literals;
using test::check_accounted;
namespace http = karga::http;


template <class Pick>
http::aggregate load(const http::client& client, Pick pick, double rate, karga::clock::duration d, unsigned threads = 1) {
  auto counter = std::make_shared<std::atomic<int>>(0);
  auto a = karga::scenario<http::aggregate>::builder()
               .action([client, pick, counter]() -> boost::asio::awaitable<http::metric> {
                 const auto start = karga::clock::now();
                 auto res = co_await client.get(pick(++*counter));
                 co_return http::to_metric(res, karga::clock::now() - start);
               })
               .executor(karga::stage_executor::builder()
                             .start_rate(rate)
                             .stage(d, rate)
                             .threads(threads)
                             .grace_period(5s)
                             .late_start_limit(30s)  // on a busy machine every arrival starts, if late
                             .build())
               .build()
               .run();
  check_accounted(a);
  return a;
}

TEST_CASE("http: statuses are counted, and keep-alive connections are reused", "[http]") {
  http::embedded_server server;
  const http::client client{server.url()};
  const auto a = load(client, [](int n) { return n % 4 == 0 ? "/status/500" : "/"; }, 400, 500ms);
  CHECK(a.basic().run().scheduled == 200);
  CHECK(a.status_count(200) == 150);
  CHECK(a.status_count(500) == 50);
  CHECK(a.basic().ok() == 150);
  CHECK(a.basic().failed() == 50);
  const http::report r{a};
  CHECK(r.statuses == std::map<unsigned, std::uint64_t>{{200, 150}, {500, 50}});
  CHECK(r.statuses.at(500) == 50);  // a lookup by status code
  CHECK_FALSE(r.statuses.contains(404));
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
  http::options opt;
  opt.request_timeout = 100ms;
  const http::client client{server.url(), opt};
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

TEST_CASE("http: a kept-alive connection the server closed while idle is never a failure", "[http]") {
  // The server closes connections idle for 20 ms, as nginx does after its keep-alive
  // timeout: a burst fills the pool, a pause lets the server close every pooled
  // connection, and the next burst finds them dead. Requests that never reached the
  // server are retried on a new connection, never counted as failures.
  http::server_options so;
  so.idle_timeout = 20ms;
  http::embedded_server server(so);
  const http::client client{server.url()};
  const auto a = karga::scenario<http::aggregate>::builder()
                     .action([client]() -> boost::asio::awaitable<http::metric> {
                       const auto start = karga::clock::now();
                       auto res = co_await client.get("/delay/5");
                       co_return http::to_metric(res, karga::clock::now() - start);
                     })
                     .executor(karga::stage_executor::builder()
                                   .stages({{0s, 2000.0}, {100ms, 2000.0}, {0s, 0.0}, {300ms, 0.0},
                                            {0s, 2000.0}, {100ms, 2000.0}, {0s, 0.0}, {300ms, 0.0},
                                            {0s, 2000.0}, {100ms, 2000.0}})
                                   .late_start_limit(30s)  // a busy machine starts every arrival, if late
                                   .build())
                     .build()
                     .run();
  check_accounted(a);
  CHECK(a.basic().run().scheduled == 600);
  CHECK(a.status_count(200) == 600);
  CHECK(a.basic().failed() == 0);
  CHECK(server.requests() == 600);           // each served once: no retry of a served request
  CHECK(server.connections() > a.basic().run().peak_in_flight);  // the pauses did close connections
}

TEST_CASE("http: HEAD gets headers only and does not wait for a body", "[http]") {
  http::embedded_server server;
  http::options opt;
  opt.request_timeout = 2s;
  const http::client client{server.url(), opt};
  const auto head = client.make_request(boost::beast::http::verb::head, "/");
  const auto a = karga::scenario<http::aggregate>::builder()
                     .action([client, head]() -> boost::asio::awaitable<http::metric> {
                       const auto start = karga::clock::now();
                       auto res = co_await client.send(head);
                       co_return http::to_metric(res, karga::clock::now() - start);
                     })
                     .executor(karga::stage_executor::builder().start_rate(200).stage(100ms, 200.0).late_start_limit(30s).build())
                     .build()
                     .run();
  CHECK(a.status_count(200) == 20);
  CHECK(a.error_count(http::error_kind::timeout) == 0);
  CHECK(a.basic().bytes() == 0);
  CHECK(a.basic().latency().max() < 1'000'000'000);  // far below the 2 s timeout
  CHECK(server.head_requests() == 20);
  CHECK(server.connections() <= a.basic().run().peak_in_flight);  // kept alive after a bodiless response
}

TEST_CASE("http: IPv6: the Host header keeps its brackets", "[http]") {
  http::server_options so;
  so.address = "::1";
  http::embedded_server server(so);
  REQUIRE(server.url().starts_with("http://[::1]:"));
  const http::client client{server.url()};
  const auto wire = std::string(client.make_request(boost::beast::http::verb::get, "/").wire());
  CHECK(wire.find("Host: [::1]:" + std::to_string(server.port()) + "\r\n") != std::string::npos);
  const auto a = load(client, [](int) { return "/"; }, 100, 100ms);
  CHECK(a.status_count(200) == 10);
}

TEST_CASE("http: the closed model counts every request once", "[http][closed]") {
  http::embedded_server server;
  const http::client client{server.url()};
  const auto a = karga::scenario<http::aggregate>::builder()
                     .action([client]() -> boost::asio::awaitable<http::metric> {
                       const auto start = karga::clock::now();
                       auto res = co_await client.get("/");
                       co_return http::to_metric(res, karga::clock::now() - start);
                     })
                     .executor(karga::constant_vus_executor::builder().vus(4).duration(200ms).build())
                     .build()
                     .run();
  check_accounted(a);
  CHECK(a.basic().run().scheduled > 0);
  CHECK(a.basic().run().scheduled == server.requests());
  const std::string text = http::format_report(http::report{a});
  CHECK(text.find("iterations in") != std::string::npos);
  CHECK(text.find("of target") == std::string::npos);
}

TEST_CASE("http: bad URLs are clear errors", "[http]") {
  auto message = [](const char* url) { return error_message([url] { http::client c{url}; }); };
  CHECK(message("ftp://x") == "karga: bad URL \"ftp://x\": an HTTP URL starts with http:// or https://");
  CHECK(message("http://:80/") == "karga: bad URL \"http://:80/\": no host");
  CHECK(message("127.0.0.1:8080") == "karga: bad URL \"127.0.0.1:8080\": an HTTP URL starts with http:// or https://");
  CHECK(message("http://127.0.0.1:99999") ==
        "karga: bad URL \"http://127.0.0.1:99999\": the port must be a number from 1 to 65535, got \"99999\"");
  CHECK(message("http://127.0.0.1:99999999999999999999999/").starts_with(
      "karga: bad URL \"http://127.0.0.1:99999999999999999999999/\": the port must be a number from 1 to 65535"));
  CHECK(message("http://127.0.0.1:0/").starts_with("karga: bad URL"));
  CHECK(message("http://127.0.0.1/a b").starts_with("karga: bad URL \"http://127.0.0.1/a b\": not a URL"));
  CHECK(message("http://127.0.0.1/#top") == "karga: bad URL \"http://127.0.0.1/#top\": a #fragment is never sent to a server");
  CHECK(message("http://127.0.0.1:8080/base") == "no error");
  CHECK(message("http://[::1]:8080") == "no error");
  CHECK(message("HTTP://127.0.0.1") == "no error");
}

TEST_CASE("http: URL parts, as a request carries them", "[http]") {
  const auto u = http::parse_url("https://jane:s3cret@127.0.0.1:8443/api/?v=1");
  CHECK(u.tls);
  CHECK(u.host == "127.0.0.1");  // the user is not part of the host
  CHECK(u.port == "8443");
  CHECK(u.host_header == "127.0.0.1:8443");
  CHECK(u.base_path == "/api?v=1");
  CHECK(u.authorization == "Basic amFuZTpzM2NyZXQ=");  // base64("jane:s3cret")
  const auto v6 = http::parse_url("http://[::1]/");
  CHECK(v6.host == "::1");
  CHECK(v6.port == "80");
  CHECK(v6.host_header == "[::1]");
  CHECK(v6.base_path.empty());
}

TEST_CASE("http: user and password in the URL are sent as Basic credentials", "[http]") {
  http::embedded_server server;
  const http::client client{"http://jane:s3cret@127.0.0.1:" + std::to_string(server.port())};
  const auto wire = std::string(client.make_request(boost::beast::http::verb::get, "/").wire());
  CHECK(wire.find("Authorization: Basic amFuZTpzM2NyZXQ=\r\n") != std::string::npos);
  CHECK(wire.find("jane@") == std::string::npos);
}

TEST_CASE("http: a request that cannot go on the wire as given is refused before sending", "[http]") {
  http::embedded_server server;
  const http::client client{server.url()};
  using boost::beast::http::verb;
  auto message = [&](std::string target, http::header_list headers = {}) {
    return error_message([&] { client.make_request(verb::get, target, {}, headers); });
  };
  CHECK(message("/a b") == "karga: bad request target \"/a b\": use /path?query, with no spaces, control characters or #fragment");
  CHECK(message("/x\r\nHost: evil").starts_with("karga: bad request target"));
  CHECK(message("/page#top").starts_with("karga: bad request target"));
  CHECK(message("/", {{"X-Id", "1\r\nX-Injected: yes"}}) ==
        "karga: bad value of header \"X-Id\": no CR, LF, NUL or other control character");
  CHECK(message("/", {{"X-Id", "1\x1f" "2"}}) == "karga: bad value of header \"X-Id\": no CR, LF, NUL or other control character");
  CHECK(message("/", {{"X-Id", "a\tb"}}) == "no error");  // a tab is allowed inside a value
  CHECK(message("/", {{"Host", "example.com/evil"}}) == "karga: bad Host header \"example.com/evil\": write host or host:port");
  CHECK(message("/", {{"host", "example.com:8080"}}) == "no error");
  CHECK(message("/", {{"", "v"}}) == "karga: a header needs a name");
  CHECK(message("/", {{"Bad Name", "v"}}).starts_with("karga: bad header name \"Bad Name\""));
  CHECK(message("/", {{"Bad\nName", "v"}}).starts_with("karga: bad header name"));
  CHECK(message("/search?q=karga&n=1", {{"X-Token", "abc"}}) == "no error");
  CHECK(server.requests() == 0);  // nothing was sent
}

TEST_CASE("http: the first message of each error kind is kept", "[http]") {
  unsigned short port;
  {
    boost::asio::io_context ctx;
    boost::asio::ip::tcp::acceptor probe(ctx, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  const http::client client{"http://127.0.0.1:" + std::to_string(port)};
  const auto a = load(client, [](int) { return "/"; }, 100, 100ms);
  CHECK(a.first_message(http::error_kind::refused) == "Connection refused");
  const std::string text = http::format_report(http::report{a});
  CHECK(text.find("first refused: Connection refused") != std::string::npos);
}

} // namespace

namespace {

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
  http::options opt;
  opt.request_timeout = 500ms;
  const http::client client{"http://127.0.0.1:" + std::to_string(server.port()), opt};
  const auto a = load(client, [](int) { return "/"; }, 100, 50ms);
  CHECK(a.basic().failed() == 5);
  CHECK(a.status_count(200) == 0);
}

} // namespace

namespace {

using namespace std::chrono_literals;
namespace http = karga::http;

// Runs `body(session)` once in an io_context and returns what it returned. The
// session's client is a copy made after the io_context: its connections (bound to
// that io_context) go before it does.
template <class Body>
auto in_session(const http::client& client, Body body, http::session_options opt = {}) {
  boost::asio::io_context ctx;
  const http::client own = client;
  std::optional<http::full_result> out;
  boost::asio::co_spawn(ctx, [&]() -> boost::asio::awaitable<void> {
    http::session s{own, opt};
    out = co_await body(s);
  }, boost::asio::detached);
  ctx.run();
  REQUIRE(out);
  return *out;
}

TEST_CASE("cookie_jar: stores, replaces, expires and sends back cookies", "[http][session]") {
  http::cookie_jar jar;
  jar.store("sid=abc; Path=/; HttpOnly");
  jar.store("theme = dark ;Secure");
  CHECK(jar.get("sid") == "abc");
  CHECK(jar.get("theme") == "dark");
  CHECK(jar.header() == "sid=abc; theme=dark");
  jar.store("sid=def");
  CHECK(jar.get("sid") == "def");
  jar.store("theme=; Max-Age=0");
  CHECK(jar.size() == 1);
  jar.store("=nameless");
  jar.store("no-equals-sign");
  CHECK(jar.header() == "sid=def");
}

TEST_CASE("session: responses are read whole: status, headers, body", "[http][session]") {
  http::embedded_server server;
  const http::client client{server.url()};
  const auto r = in_session(client, [](http::session& s) {
    return s.post("/echo", "the body", http::header("X-Trace", "t-1"), http::header("Content-Type", "text/plain"));
  });
  REQUIRE(r);
  CHECK(r->status() == 200);
  CHECK(r->header("content-type") == "text/plain");  // any case
  CHECK(r->body.find("X-Trace: t-1") != std::string::npos);
  CHECK(r->body.ends_with("\nthe body"));
  CHECK(r->body_bytes == r->body.size());
}

TEST_CASE("session: log in, take the token, call the API with it and the cookie", "[http][session]") {
  http::embedded_server server;
  const http::client client{server.url()};
  const auto r = in_session(client, [](http::session& s) -> boost::asio::awaitable<http::full_result> {
    auto denied = co_await s.get("/api/me");
    CHECK(denied->status() == 401);
    auto login = co_await s.post("/login", R"({"user":"ann"})");
    CHECK(login->status() == 200);
    CHECK(login->body == R"({"token":"tok-ann"})");
    CHECK(s.cookies().get("sid") == "s-ann");
    s.set_header("Authorization", "Bearer tok-ann");
    co_return co_await s.get("/api/me");
  });
  REQUIRE(r);
  CHECK(r->status() == 200);
  CHECK(r->body == R"({"user":"ann"})");
}

TEST_CASE("session: redirects are followed up to the limit, on the same server only", "[http][session]") {
  http::embedded_server server;
  const http::client client{server.url()};
  SECTION("three hops, then the page") {
    const auto r = in_session(client, [](http::session& s) { return s.get("/redirect/3"); });
    CHECK(r->status() == 200);
    CHECK(r->body == "hello, karga\n");
    CHECK(server.requests() == 4);
  }
  SECTION("more hops than allowed: the last redirect is returned") {
    const auto r = in_session(client, [](http::session& s) { return s.get("/redirect/3"); },
                              http::session_options{.max_redirects = 1});
    CHECK(r->status() == 302);
    CHECK(r->header("Location") == "/redirect/1");
  }
}

// Plain HTTP writes a request as the socket takes it and reads a response as it comes:
// parts found at once, parts waited for, other actions running in between.
TEST_CASE("http: large requests and responses arrive whole, however the socket splits them", "[http]") {
  http::embedded_server server;
  const http::client client{server.url()};
  const auto a = load(client, [](int) { return "/bytes/5000000"; }, 40, 250ms);
  CHECK(a.basic().run().scheduled == 10);
  CHECK(a.basic().ok() == 10);
  CHECK(a.basic().bytes() == 10 * 5'000'000ull);
  // A body larger than the socket's buffer takes at once.
  const std::string body(6'000'000, 'b');
  const auto r = in_session(client, [&body](http::session& s) { return s.post("/echo", body); });
  REQUIRE(r);
  CHECK(r->status() == 200);
  CHECK(r->body.size() > body.size());
  CHECK(r->body.ends_with("\n" + body));
  CHECK(server.requests() == 11);
}

// A server that answers two requests on one connection, written by hand so that the
// test knows when the second answer left it: `sent` is set just after.
struct two_answers {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  std::atomic<bool> answered{false};
  karga::clock::time_point sent{};
  std::thread thread{[this] {
    try {
      serve();
    } catch (const boost::system::system_error&) {  // the client went away early: the test fails on its own
    }
  }};
  void serve() {
    auto socket = acceptor.accept();
    std::string in;
    for (int answer = 0; answer < 2; ++answer) {
      while (in.find("\r\n\r\n") == std::string::npos) {
        char chunk[512];
        in.append(chunk, socket.read_some(boost::asio::buffer(chunk)));
      }
      in.erase(0, in.find("\r\n\r\n") + 4);
      boost::asio::write(socket, boost::asio::buffer(std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")));
    }
    sent = karga::clock::now();
    answered = true;
    char rest[16];
    boost::system::error_code ignored;
    socket.read_some(boost::asio::buffer(rest), ignored);  // until the client closes
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()); }
  ~two_answers() {
    if (!answered) {  // the client never came: a connection of our own ends the wait for one
      boost::system::error_code ignored;
      boost::asio::ip::tcp::socket poke(io);
      poke.connect(acceptor.local_endpoint(), ignored);
    }
    thread.join();
  }
};

// The second request's answer reaches the socket while the event loop is held for
// 50 ms: read late, it is timed by when it came (the kernel's stamp), whatever the
// machine's load, as the loop is held only once the answer has left the server.
TEST_CASE("http: a response read late is timed by when it reached the socket", "[http][stamps]") {
  for (const bool stamps : {true, false}) {
    CAPTURE(stamps);
    two_answers server;
    http::options opt;
    opt.receive_timestamps = stamps;
    std::optional<http::client> client{std::in_place, server.url(), opt};
    boost::asio::io_context io;
    std::optional<http::result> first, second;
    karga::clock::time_point start{}, read{};
    boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> { first = co_await client->get("/"); }, boost::asio::detached);
    io.run();
    io.restart();
    boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
      start = karga::clock::now();
      second = co_await client->get("/");
      read = karga::clock::now();
    }, boost::asio::detached);
    boost::asio::post(io, [&] {  // runs once the request is written and its answer awaited
      while (!server.answered) std::this_thread::sleep_for(1ms);
      std::this_thread::sleep_for(50ms);
    });
    io.run();
    client.reset();  // closes the connection: the server's thread ends
    REQUIRE(first);
    REQUIRE(second);
    CHECK(read - server.sent >= 50ms);
    const http::metric m = http::to_metric(*second, start);
    CHECK(m.status == 200);
    if (stamps && http::receive_stamps_supported) {
      REQUIRE((*second)->received != karga::clock::time_point{});
      // Stamped before the server's write returned (a millisecond allowed for the
      // two clocks' reading), and long before it was read.
      CHECK((*second)->received <= server.sent + 1ms);
      CHECK((*second)->received >= start);
      CHECK(m.received == (*second)->received);
      CHECK(m.latency == (*second)->received - start);
      CHECK(m.latency < read - start - 49ms);
      CHECK((*first)->received != karga::clock::time_point{});
    } else {
      CHECK((*second)->received == karga::clock::time_point{});
      CHECK(m.received == karga::clock::time_point{});
      CHECK(m.latency >= 50ms);  // timed when read
    }
  }
}

TEST_CASE("http: a stamped response ends its timing when it came, in every aggregate", "[http][stamps]") {
  const karga::clock::time_point t0{std::chrono::seconds(100)};
  const karga::timing t{t0, t0 + 1ms, t0 + 10ms};
  http::metric m;
  m.latency = 2ms;
  m.status = 200;
  const auto finished = [&](const auto& x) { return karga::arrival_timing(x, t).finished - t0; };
  CHECK(finished(m) == 10ms);  // no stamp: when the executor saw the end
  m.received = t0 + 3ms;
  CHECK(finished(m) == 3ms);
  CHECK(karga::arrival_timing(m, t).scheduled == t0);
  CHECK(karga::arrival_timing(m, t).started == t0 + 1ms);
  m.received = t0 + 20ms;  // later than the executor's end: that one
  CHECK(finished(m) == 10ms);
  m.received = t0;  // before the start (clocks read apart): the start
  CHECK(finished(m) == 1ms);
  CHECK(finished(karga::basic_metric{2ms, true, 0}) == 10ms);  // a metric without `received`
  const http::result timed_out(http::error_kind::timeout, "no response");
  CHECK(http::to_metric(timed_out, {}).latency == 0ns);  // `{}` is still a zero latency
  CHECK(http::to_metric(timed_out, t0).received == karga::clock::time_point{});

  // Through an executor, inside a time series: the response time from the intended
  // start ends at the stamp, not when the action returned (50 ms later).
  auto a = karga::scenario<karga::series_aggregate<http::aggregate>>::builder()
               .action([]() -> boost::asio::awaitable<http::metric> {
                 http::metric out;
                 out.status = 200;
                 out.received = karga::clock::now();
                 boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 50ms);
                 co_await timer.async_wait(boost::asio::use_awaitable);
                 out.latency = 1ms;
                 co_return out;
               })
               .executor(karga::stage_executor::builder().start_rate(20).stage(200ms, 20).build())
               .build()
               .run();
  const auto& basic = a.base().basic();
  REQUIRE(basic.ok() == 4);
  CHECK(std::chrono::nanoseconds(basic.response_time().max()) < 50ms);
}

} // namespace
