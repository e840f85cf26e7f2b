// karga-http: an HTTP load test from the command line, built on the public library
// and the options every karga command shares (load_options.hpp). `karga-http --help`
// lists the options; the README has examples.
//
// Exit status:
//   0        without thresholds: every request got a response below 400;
//            with thresholds: every threshold passed
//   1        without thresholds: some requests failed, were dropped or interrupted
//   2        usage: a bad option or value, a bad URL, a load that schedules nothing
//   99       a threshold failed (as k6), at the end or live with abort
//   128 + N  stopped early by signal N (130: SIGINT, 143: SIGTERM): never a pass
#include "header.hpp"

#include <karga/cli/command.hpp>
#include <karga/cli/load_options.hpp>
#include <karga/cli/parse.hpp>
#include <karga/http.hpp>
#include <karga/karga.hpp>

#include <boost/beast/http/verb.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace {

using results_type = karga::series_aggregate<karga::http::aggregate>;
using report_type = karga::report_with_series<karga::http::report>;

// What karga-http adds to the shared options: the request and how it is sent.
struct http_options {
  std::string url;
  boost::beast::http::verb method = boost::beast::http::verb::get;
  karga::http::header_list headers;
  std::string body;
  karga::http::options client;
  std::string http2;  // "h2" for --http2, "auto" for --http2=auto
  std::optional<std::uint32_t> streams;

  void add_to(karga::cli::command& cmd) {
    using namespace karga::cli;
    using karga_tools::parse_header;
    CLI::App& app = cmd.app();
    app.add_option("url", url, "http:// or https:// URL to test")->required();
    app.add_option_function<std::string>(
           "-m,--method",
           [this](const std::string& s) {
             method = boost::beast::http::string_to_verb(s);
             if (method == boost::beast::http::verb::unknown) throw karga::error("-m: unknown method \"" + s + "\"");
           },
           "request method (default GET)")
        ->type_name("METHOD");
    app.add_option_function<std::vector<std::string>>(
           "-H,--header", [this](const std::vector<std::string>& v) { for (const auto& h : v) headers.push_back(parse_header(h)); },
           "'Name: value' (repeatable)")
        ->type_name("HEADER");
    app.add_option("-d,--data", body, "request body")->type_name("BODY");
    app.add_option("--cacert", client.ca_file, "https: a PEM file of certificates to trust")->type_name("FILE");
    app.add_flag("--http2{h2}", http2,
                 "HTTP/2: prior knowledge (h2c) for http://, ALPN h2 for https:// (a server without h2 is an\n"
                 "error); --http2=auto: HTTP/2 where an https:// server's ALPN chooses it, else HTTP/1.1");
    app.add_option_function<std::string>(
           "--streams",
           [this](const std::string& s) {
             streams = static_cast<std::uint32_t>(parse_count(s, "--streams", 1, 1u << 20, "HTTP/2 stream ids run out"));
           },
           "HTTP/2: most requests at once per connection (default 100, fewer if the server says so)")
        ->type_name("N");
    app.add_flag_function("-k,--insecure", [this](std::int64_t) { client.verify_peer = false; },
                          "https: do not verify the server's certificate");
    app.add_option_function<std::string>(
           "--timeout",
           [this](const std::string& s) { client.request_timeout = karga::schedule::to_duration(parse_duration(s, "--timeout").count()); },
           "request timeout (default 30s)")
        ->type_name("DURATION");
    app.add_option_function<std::string>(
           "--connect-timeout",
           [this](const std::string& s) {
             client.connect_timeout = karga::schedule::to_duration(parse_duration(s, "--connect-timeout").count());
           },
           "connect and TLS handshake timeout (default 5s)")
        ->type_name("DURATION");
    app.add_flag_function("--no-receive-timestamps", [this](std::int64_t) { client.receive_timestamps = false; },
                          "time each response by when it was read, not by when it reached the socket (the\n"
                          "kernel's receive timestamp; HTTP/1.1 over TCP on Linux)");
  }
};

} // namespace

int main(int argc, char** argv) try {
  karga::cli::command cmd{"karga-http",
                           "karga-http: an HTTP load test. With --rate or --stage, an open model (requests start on a\n"
                           "schedule whatever the server does); without, a closed loop of --connections users, like wrk."};
  http_options http;
  karga::cli::load_options<report_type, results_type> load;
  http.add_to(cmd);
  load.add_to(cmd);
  cmd.needs({"--streams"}, {"--http2"}, "--streams goes with --http2");
  cmd.parse(argc, argv);
  if (!http.http2.empty()) {
    if (http.http2 != "h2" && http.http2 != "auto")
      cmd.usage_error("--http2: \"" + http.http2 + "\" is not a choice: write --http2 or --http2=auto");
    http.client.protocol = http.http2 == "auto" ? karga::http::protocol::automatic : karga::http::protocol::http2;
    http.client.streams = http.streams.value_or(100);
    http.client.connections = load.connections.value_or(1);
    if (http.client.protocol == karga::http::protocol::http2) load.streams_per_connection = http.client.streams;
  }
  load.check(cmd);

  const karga::http::client client{http.url, http.client};
  const auto request = client.make_request(http.method, "", http.body, http.headers);  // built once, sent many times
  auto action = [client, request]() -> boost::asio::awaitable<karga::http::metric> {
    const auto start = karga::clock::now();
    auto res = co_await client.send(request);
    co_return karga::http::to_metric(res, start);  // to when the response came, if stamped
  };
  if (load.find_max) return load.find_max_rate<karga::http::aggregate>(http.url, action);
  return load.run_and_report(cmd, action, "karga-http", http.url);
} catch (const karga::error& e) {
  std::fprintf(stderr, "karga-http: %s\n", e.message().c_str());
  return karga::cli::exit_usage;
}
