// The seed example: a staged HTTP load test (0→100/s over 10 s, 100/s for 30 s,
// 100→0/s over 5 s), success = status 200.
//
//   http                 tests an embedded server on a loopback port of its own
//   http URL             tests URL instead
//   http [URL] --quick   a shorter profile (1 s, 3 s, 1 s) for a quick look
//   http [URL] --html FILE   also writes the report as an HTML page with charts
//   http [URL] --http2   speaks HTTP/2 (h2c to the embedded server: 4 connections of
//                        up to 32 streams per shard)
#include <karga/http.hpp>
#include <karga/http/testing/embedded_server.hpp>
#include <karga/karga.hpp>

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

using namespace std::chrono_literals;

int main(int argc, char** argv) try {
  std::optional<std::string> url, html;
  bool quick = false, http2 = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0)
      quick = true;
    else if (std::strcmp(argv[i], "--http2") == 0)
      http2 = true;
    else if (std::strcmp(argv[i], "--html") == 0 && i + 1 < argc)
      html = argv[++i];
    else if (argv[i][0] == '-') {
      std::fprintf(stderr, "usage: %s [URL] [--quick] [--http2] [--html FILE]\nunknown option: %s\n", argv[0], argv[i]);
      return 2;
    } else
      url = argv[i];
  }
  std::unique_ptr<karga::http::embedded_server> server;
  if (!url) {
    server = std::make_unique<karga::http::embedded_server>();
    url = server->url();
  }
  std::printf("target: %s\n", url->c_str());
  std::fflush(stdout);

  karga::http::options options;
  if (http2) {
    options.protocol = karga::http::protocol::http2;
    options.connections = 4;
    options.streams = 32;
  }
  karga::http::client client{*url, options};  // heavy objects: create once
  const double k = quick ? 0.1 : 1.0;
  // The basic aggregate, with a time series beside it for the HTML page's charts.
  auto results = karga::scenario<karga::series_aggregate<karga::basic_aggregate>>::builder()
                     .name("HTTP scenario")
                     .action([client, http2]() -> boost::asio::awaitable<karga::basic_metric> {
                       auto start = karga::clock::now();
                       auto res = co_await client.get("/");
                       // With --http2, a response that came over HTTP/1.1 would be a failure.
                       const unsigned want = http2 ? 2 : 1;
                       co_return karga::basic_metric{.latency = karga::clock::now() - start,
                                                     .success = res && res->status() == 200 && res.protocol() == want,
                                                     .bytes = res ? res->body_bytes : 0};
                     })
                     .executor(karga::stage_executor::builder()
                                   .stages({{10s * k, 100.0}, {30s * k, 100.0}, {5s * k, 0.0}})
                                   .build())
                     .build()
                     .run();
  karga::report_with_series<karga::basic_report> report{results};
  karga::stdout_reporter{}.report(report);
  if (html) {
    karga::html_reporter{*html}.report(report);
    std::printf("HTML report: %s\n", html->c_str());
  }
  // 0: every request ok; 1: some failed, were dropped or interrupted; 128 + N:
  // stopped by signal N. A run stopped early is never a pass.
  if (report.stop == karga::stop_reason::signal) return 128 + report.signal;
  return report.all_ok() && !report.stopped() ? 0 : 1;
} catch (const karga::error& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 2;
}
