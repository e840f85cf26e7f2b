// karga::push: URLs, the request a push sends and how it retries, the formats' bytes,
// and a live push that never holds up its observer, against small servers in the test.
#include "catch.hpp"
#include "error_message.hpp"
#include "test_certificate.hpp"

#include <karga/http/testing/embedded_server.hpp>
#include <karga/karga.hpp>
#include <karga/push.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <snappy.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

namespace {

using namespace std::chrono_literals;

// An HTTP server on a thread of its own that answers with the statuses it is given,
// in turn (the last one for ever), or never answers (`silent`); it keeps each request.
class push_server {
public:
  explicit push_server(std::vector<unsigned> statuses, bool silent = false)
      : statuses_(std::move(statuses)), silent_(silent), acceptor_(context_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    boost::asio::co_spawn(context_, accept(), boost::asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  ~push_server() {
    context_.stop();
    thread_.join();
  }
  std::string url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + std::string(path);
  }
  std::vector<boost::beast::http::request<boost::beast::http::string_body>> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t connections() const { return connections_; }

private:
  boost::asio::awaitable<void> accept() {
    for (;;) {
      auto socket = co_await acceptor_.async_accept(boost::asio::use_awaitable);
      ++connections_;
      boost::asio::co_spawn(context_, serve(std::move(socket)), boost::asio::detached);
    }
  }
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(socket, buffer, req, boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) co_return;
    unsigned status = 0;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(req);
      status = statuses_[std::min(requests_.size(), statuses_.size()) - 1];
    }
    if (silent_) {
      held_.push_back(std::move(socket));
      co_return;
    }
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.body() = status >= 300 ? "refused: no such database\n" : "";
    res.prepare_payload();
    co_await http::async_write(socket, res, boost::asio::as_tuple(boost::asio::use_awaitable));
  }

  std::vector<unsigned> statuses_;
  bool silent_;
  boost::asio::io_context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<boost::asio::ip::tcp::socket> held_;
  mutable std::mutex mutex_;
  std::vector<boost::beast::http::request<boost::beast::http::string_body>> requests_;
  std::atomic<std::size_t> connections_{0};
  std::thread thread_;
};

// Short waits between attempts; an answer that is due has all the time a busy
// machine needs.
karga::push_options quick(unsigned retries = 2) {
  return {.timeout = 10s, .retries = retries, .backoff = 10ms};
}

karga::basic_report a_report() {
  karga::basic_aggregate a;
  a.consume(karga::basic_metric{.success = true});
  a.consume(karga::basic_metric{.success = false});
  karga::basic_report r{a};
  r.scenario = "checkout";
  return r;
}

karga::live_sample a_sample(std::uint64_t ok, bool final = false) {
  karga::live_sample s;
  s.scenario = "checkout, eu";
  s.started = s.ok = ok;
  s.final = final;
  s.labels = {{{"http_responses", "status", "200", "HTTP responses by status code."}, ok}};
  return s;
}

} // namespace

TEST_CASE("push: a URL is read into host, port, path and authorization, or refused with a reason", "[push]") {
  const auto t = karga::push_target::parse("http://ci:s3cret@127.0.0.1:8086/write?db=karga&precision=ns");
  CHECK(t.host == "127.0.0.1");
  CHECK(t.port == "8086");
  CHECK(t.path == "/write?db=karga&precision=ns");
  CHECK(t.authorization == "Basic Y2k6czNjcmV0");
  CHECK(t.url == "http://ci:***@127.0.0.1:8086/write?db=karga&precision=ns");  // no password in messages
  const auto v6 = karga::push_target::parse("http://[::1]:9091");
  CHECK(v6.host == "::1");
  CHECK(v6.path == "/");
  CHECK(karga::push_target::parse("http://localhost").port == "80");
  const auto tls = karga::push_target::parse("https://metrics.example/api/v1/push");
  CHECK(tls.tls);
  CHECK(tls.port == "443");
  CHECK_FALSE(t.tls);
  auto message = [](const char* url) { return error_message([url] { karga::push_target::parse(url); }); };
  CHECK(message("ftp://127.0.0.1/") == "karga: \"ftp://127.0.0.1/\": the scheme must be http or https");
  CHECK(message("127.0.0.1:8086/write") == "karga: \"127.0.0.1:8086/write\" is not a URL: give http[s]://HOST[:PORT][/PATH]");
  CHECK(message("http:///write") == "karga: \"http:///write\" has no host");
  CHECK(message("http://h:0/") == "karga: \"http://h:0/\": the port must be 1 to 65535");
  CHECK(message("http://h/#x") == "karga: \"http://h/#x\": a fragment (#…) is not sent; leave it out");
  CHECK(message("not a url").starts_with("karga: \"not a url\" is not a URL"));
}

TEST_CASE("push: the JSON report is POSTed once, with the headers asked for, by an asynchronous reporter", "[push]") {
  STATIC_REQUIRE(karga::async_reporter_for<karga::http_post_reporter, karga::basic_report>);
  STATIC_REQUIRE(karga::reporter_for<karga::http_post_reporter, karga::basic_report>);
  STATIC_REQUIRE_FALSE(karga::async_reporter_for<karga::stdout_reporter, karga::basic_report>);
  push_server server({204});
  auto options = quick();
  options.bearer_token = "t0ken";
  options.headers = {{"X-Team", "load"}};
  const auto report = a_report();
  karga::report_to(karga::http_post_reporter{karga::push_target::parse(server.url("/reports")), options}, report);
  const auto got = server.requests();
  REQUIRE(got.size() == 1);
  CHECK(got[0].method() == boost::beast::http::verb::post);
  CHECK(got[0].target() == "/reports");
  CHECK(got[0][boost::beast::http::field::host] == server.url().substr(7, server.url().size() - 7 - 1));  // 127.0.0.1:PORT
  CHECK(got[0][boost::beast::http::field::content_type] == "application/json");
  CHECK(got[0][boost::beast::http::field::authorization] == "Bearer t0ken");
  CHECK(got[0]["X-Team"] == "load");
  CHECK(got[0].body() == karga::format_json(report));
}

TEST_CASE("push: https verifies the server's certificate and name against the CA file, or refuses", "[push][tls]") {
  test_certificate tls;
  karga::http::embedded_server server(karga::http::tls_files{tls.cert, tls.key});
  const auto to = karga::push_target::parse(server.url());
  REQUIRE(to.tls);
  // Reading the system's certificates takes a while on a slow (sanitized) build.
  const karga::push_options system_store{.timeout = 10s, .retries = 0};
  auto options = system_store;
  options.ca_file = tls.cert;
  const auto report = a_report();
  karga::report_to(karga::http_post_reporter{to, options}, report);  // trusted: no error
  CHECK(server.requests() == 1);
  // The system's certificates do not know it.
  const auto untrusted = error_message([&] { karga::report_to(karga::http_post_reporter{to, system_store}, report); });
  CHECK(untrusted.starts_with("karga: push json to " + server.url() + ": failed after 1 attempt: TLS: certificate verify failed"));
  CHECK(server.requests() == 1);
  // Trusted, but not for this name.
  auto by_name = to;
  by_name.host = "localhost";
  const auto wrong_name = error_message([&] { karga::report_to(karga::http_post_reporter{by_name, options}, report); });
  CHECK(wrong_name.find("TLS: certificate verify failed") != std::string::npos);
  // Verification off.
  auto insecure = system_store;
  insecure.verify_peer = false;
  karga::report_to(karga::http_post_reporter{to, insecure}, report);
  CHECK(server.requests() == 2);
  // A live push makes its TLS settings once and sends every sample.
  karga::live_push live(to, options, karga::influxdb_format());
  auto observe = live.observer();
  for (std::uint64_t n = 1; n <= 5; ++n) observe(a_sample(n, n == 5));
  live.close();
  CHECK(live.stats().delivered == 5);
  CHECK(server.requests() == 2 + live.stats().batches);
}

TEST_CASE("push: 5xx, 408 and 429 are tried again after a backoff, another 4xx is not", "[push]") {
  const auto report = a_report();
  {
    push_server server({503, 429, 200});
    karga::report_to(karga::http_post_reporter{karga::push_target::parse(server.url()), quick()}, report);
    CHECK(server.requests().size() == 3);
  }
  {
    push_server server({500});
    const auto message =
        error_message([&] { karga::report_to(karga::http_post_reporter{karga::push_target::parse(server.url()), quick()}, report); });
    CHECK(message == "karga: push json to " + server.url() + ": failed after 3 attempts: HTTP 500: refused: no such database");
    CHECK(server.requests().size() == 3);
  }
  {
    push_server server({404});
    const auto message =
        error_message([&] { karga::report_to(karga::http_post_reporter{karga::push_target::parse(server.url()), quick()}, report); });
    CHECK(message == "karga: push json to " + server.url() + ": failed after 1 attempt: HTTP 404: refused: no such database");
    CHECK(server.requests().size() == 1);
  }
  {
    push_server server({200}, true);  // never answers
    const karga::push_options short_wait{.timeout = 300ms, .retries = 1, .backoff = 10ms};
    const auto message = error_message(
        [&] { karga::report_to(karga::http_post_reporter{karga::push_target::parse(server.url()), short_wait}, report); });
    CHECK(message == "karga: push json to " + server.url() + ": failed after 2 attempts: no answer within 300 ms");
  }
}

TEST_CASE("push: report_to runs a synchronous reporter at once, and gives back what an asynchronous one throws", "[push]") {
  struct counting {
    int* calls;
    void report(const karga::basic_report&) const { ++*calls; }
  };
  struct throwing {
    boost::asio::awaitable<void> report(const karga::basic_report&) const {
      throw karga::error("the endpoint is gone");
      co_return;
    }
  };
  int calls = 0;
  karga::report_to(counting{&calls}, a_report());
  CHECK(calls == 1);
  CHECK(error_message([] { karga::report_to(throwing{}, a_report()); }) == "karga: the endpoint is gone");
}

TEST_CASE("push: InfluxDB line protocol, escaped, with integers marked and the sample's time", "[push]") {
  const auto at = std::chrono::system_clock::time_point(std::chrono::nanoseconds(1'764'355'200'123'456'789));
  auto s = a_sample(7, true);
  s.p99 = 1500us;
  const std::vector<karga::stamped_sample> batch{{s, at}};
  const std::string lines = karga::influxdb_lines(batch, {{"segment", "2"}, {"host", ""}});
  CHECK(lines ==
        "karga,scenario=checkout\\,\\ eu,segment=2 scheduled=0i,started=7i,ok=7i,failed=0i,dropped=0i,interrupted=0i,"
        "in_flight=0i,users=0i,bytes=0i,target_rate=0,achieved_rate=0,latency_p50_ms=0,latency_p90_ms=0,latency_p99_ms=1.5,"
        "latency_max_ms=0,elapsed_s=0,final=true 1764355200123456789\n"
        "karga_http_responses,scenario=checkout\\,\\ eu,segment=2,status=200 total=7i 1764355200123456789\n");
}

TEST_CASE("push: a remote-write request is protobuf under snappy, its labels sorted with __name__ first", "[push]") {
  const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'764'355'200'123));
  const std::vector<karga::stamped_sample> batch{{a_sample(7), at}};
  const auto format = karga::prometheus_remote_write_format({{"instance", "h:1"}});
  const std::string body = format.encode(batch);
  std::string request;
  REQUIRE(snappy::Uncompress(body.data(), body.size(), &request));
  CHECK(request == karga::remote_write_request(batch, {{"instance", "h:1"}}));
  // The first TimeSeries: karga_scheduled_total{instance, scenario}, 0 at the sample's time.
  std::string label_name = std::string("\x0a\x08__name__\x12\x15karga_scheduled_total", 33);
  CHECK(request.find(label_name) != std::string::npos);
  CHECK(request.find(label_name) < request.find("instance"));
  CHECK(request.find("instance") < request.find("scenario"));
  // Sample: field 1 a double 0.0, field 2 the time in ms as a varint.
  std::string sample("\x09\0\0\0\0\0\0\0\0\x10", 10);
  std::uint64_t ms = 1'764'355'200'123;
  while (ms >= 0x80) {
    sample += static_cast<char>((ms & 0x7f) | 0x80);
    ms >>= 7;
  }
  sample += static_cast<char>(ms);
  CHECK(request.find(sample) != std::string::npos);
  CHECK(format.headers == std::vector<std::pair<std::string, std::string>>{{"Content-Encoding", "snappy"},
                                                                            {"X-Prometheus-Remote-Write-Version", "0.1.0"}});
}

TEST_CASE("push: a Pushgateway group's URL, and only the final sample is sent to it", "[push]") {
  const auto base = karga::push_target::parse("http://127.0.0.1:9091");
  const auto group = karga::pushgateway_target(base, "karga", {{"instance", "vm:12"}, {"segment", "3"}});
  CHECK(group.path == "/metrics/job/karga/instance/vm%3A12/segment/3");
  CHECK(group.url == "http://127.0.0.1:9091/metrics/job/karga/instance/vm%3A12/segment/3");
  CHECK(karga::pushgateway_target(karga::push_target::parse("http://gw/metrics/job/mine"), "karga").path == "/metrics/job/mine");
  push_server server({200});
  karga::live_push push(karga::pushgateway_target(karga::push_target::parse(server.url()), "karga"), quick(),
                        karga::pushgateway_format());
  auto observe = push.observer();
  for (std::uint64_t n = 1; n <= 5; ++n) observe(a_sample(n, n == 5));
  push.close();
  const auto got = server.requests();
  REQUIRE(got.size() == 1);
  CHECK(got[0].method() == boost::beast::http::verb::put);
  CHECK(got[0].target() == "/metrics/job/karga");
  CHECK(got[0].body().find("karga_actions_total{scenario=\"checkout, eu\",outcome=\"ok\"} 5\n") != std::string::npos);
  CHECK(push.stats().samples == 1);
  CHECK(push.stats().delivered == 1);
}

TEST_CASE("push: a live push delivers every sample to a working endpoint", "[push]") {
  push_server server({204});
  karga::live_push push(karga::push_target::parse(server.url("/write?db=karga")), quick(), karga::influxdb_format());
  auto observe = push.observer();
  for (std::uint64_t n = 1; n <= 50; ++n) observe(a_sample(n, n == 50));
  push.close();
  const auto stats = push.stats();
  CHECK(stats.ok());
  CHECK(stats.samples == 50);
  CHECK(stats.delivered == 50);
  std::size_t lines = 0, last_ok = 0;
  for (const auto& req : server.requests()) {
    for (std::size_t at = req.body().find("karga,"); at != std::string::npos; at = req.body().find("\nkarga,", at + 1)) ++lines;
    if (const auto at = req.body().rfind(",ok="); at != std::string::npos) last_ok = std::stoul(req.body().substr(at + 4));
  }
  CHECK(lines == 50);
  CHECK(last_ok == 50);
  // Stamps a millisecond apart at least, though the samples came at once: a receiver
  // refuses two values of a series at one time.
  std::vector<std::int64_t> stamps;
  for (const auto& req : server.requests())
    for (std::size_t at = req.body().find("karga,"); at != std::string::npos; at = req.body().find("\nkarga,", at + 1)) {
      const auto end = req.body().find('\n', at + 1);
      const auto space = req.body().rfind(' ', end);
      stamps.push_back(std::stoll(req.body().substr(space + 1, end - space - 1)));
    }
  REQUIRE(stamps.size() == 50);
  for (std::size_t i = 1; i < stamps.size(); ++i) CHECK(stamps[i] - stamps[i - 1] >= 1'000'000);
  CHECK(stats.batches == server.requests().size());
}

TEST_CASE("push: a dead endpoint never holds up the observer, what was lost is counted, the final sample kept to the end",
          "[push]") {
  push_server server({204}, true);  // never answers
  // A second's timeout: the 1000 calls below are done long before the first request
  // gives up, however busy the machine, so at most that one and the queue's last 4 go out.
  karga::live_push push(karga::push_target::parse(server.url("/write")), {.timeout = 1s, .retries = 0},
                        karga::influxdb_format(), 4);
  auto observe = push.observer();
  for (std::uint64_t n = 1; n <= 1000; ++n) observe(a_sample(n, n == 1000));  // returns while the first batch hangs
  push.close();  // gives up the batch in flight after one attempt's timeout
  const auto stats = push.stats();
  CHECK_FALSE(stats.ok());
  CHECK(stats.samples == 1000);
  CHECK(stats.delivered == 0);
  CHECK(stats.dropped == 1000);
  CHECK(stats.describe().starts_with("influxdb " + server.url("/write") + ": 1000 of 1000 samples not delivered"));
  // At most one batch in flight and the queue's 4 ever reach the endpoint: the rest were dropped unsent.
  CHECK(server.requests().size() <= 2);
  // A second batch can only have been taken at close, and the final sample is in it:
  // it waited in the full queue while older samples were dropped.
  const auto got = server.requests();
  if (got.size() == 2) CHECK(got[1].body().find("final=true") != std::string::npos);
}
