// karga-http: an HTTP load test from the command line, built only on the public
// library. `karga-http --help` lists the options; the README has examples.
//
// Exit status:
//   0        every request got a response below 400
//   1        some requests failed, were dropped or interrupted
//   2        usage: a bad option or value, a bad URL, a load that schedules nothing
//   128 + N  stopped early by signal N (130: SIGINT, 143: SIGTERM): never a pass
#include "parse.hpp"

#include <karga/http.hpp>
#include <karga/karga.hpp>

#include <CLI/CLI.hpp>
#include <boost/beast/http/verb.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

[[noreturn]] void usage_error(const std::string& why) {
  std::fprintf(stderr, "karga-http: %s (see karga-http --help)\n", why.c_str());
  std::exit(exit_usage);
}

// Raises the open-file limit to what the system allows and returns how many
// connections fit in it (a few descriptors are kept for the process itself).
std::uint64_t connection_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1000;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
    ::getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur > 64 ? static_cast<std::uint64_t>(lim.rlim_cur) - 64 : 1;
}

struct options {
  std::string url;
  std::optional<std::string> rate, duration, connections, threads, timeout, connect_timeout, grace;
  std::vector<std::string> stages, headers;
  std::string method = "GET", body, cacert;
  bool insecure = false;
};

} // namespace

int main(int argc, char** argv) try {
  options o;
  CLI::App app{"karga-http: an HTTP load test. With --rate or --stage, an open model (requests start on a\n"
               "schedule whatever the server does); without, a closed loop of --connections users, like wrk.",
               "karga-http"};
  app.add_option("url", o.url, "http:// or https:// URL to test")->required();
  app.add_option("--rate", o.rate, "requests per second (open model), with --duration");
  app.add_option("--duration", o.duration, "how long: 500ms, 10s, 2m, 1h (closed model: default 10s)");
  app.add_option("--stage", o.stages, "DURATION:RATE, ramping linearly to RATE over DURATION (repeatable)");
  app.add_option("--connections", o.connections,
                 "closed model: users (default 10); open model: most requests in flight (default: no cap)");
  app.add_option("--threads", o.threads, "shards, one thread and event loop each (default 1)");
  app.add_option("--timeout", o.timeout, "request timeout (default 30s)");
  app.add_option("--connect-timeout", o.connect_timeout, "connect and TLS handshake timeout (default 5s)");
  app.add_option("--grace", o.grace, "after the load, how long requests in flight may finish (default 5s)");
  app.add_option("-m,--method", o.method, "request method (default GET)");
  app.add_option("-H,--header", o.headers, "'Name: value' (repeatable)");
  app.add_option("-d,--data", o.body, "request body");
  app.add_option("--cacert", o.cacert, "https: a PEM file of certificates to trust");
  app.add_flag("-k,--insecure", o.insecure, "https: do not verify the server's certificate");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError& e) {
    usage_error(e.what());
  }

  using namespace karga_http;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const unsigned threads = o.threads ? static_cast<unsigned>(parse_count(*o.threads, "--threads", 1, 4 * cores,
                                                                        "4 per core on this machine"))
                                     : 1;
  const std::uint64_t fd_room = connection_limit();
  std::optional<std::uint64_t> connections;
  if (o.connections)
    connections = parse_count(*o.connections, "--connections", 1, fd_room,
                              "the open-file limit of this process, less a few; raise it with ulimit -n");
  karga::http::options client_options;
  if (o.timeout) client_options.request_timeout = karga::schedule::to_duration(parse_duration(*o.timeout, "--timeout").count());
  if (o.connect_timeout)
    client_options.connect_timeout = karga::schedule::to_duration(parse_duration(*o.connect_timeout, "--connect-timeout").count());
  client_options.verify_peer = !o.insecure;
  client_options.ca_file = o.cacert;
  const auto grace = o.grace ? parse_duration(*o.grace, "--grace") : std::chrono::duration<double>(5.0);
  const auto method = boost::beast::http::string_to_verb(o.method);
  if (method == boost::beast::http::verb::unknown) usage_error("-m: unknown method \"" + o.method + "\"");
  karga::http::header_list headers;
  for (const auto& h : o.headers) headers.push_back(parse_header(h));

  std::vector<karga::stage> stages;
  for (const auto& s : o.stages) stages.push_back(parse_stage(s));
  std::optional<std::chrono::duration<double>> total;
  if (o.duration) total = parse_duration(*o.duration, "--duration");
  if (o.rate) {
    if (!total) usage_error("--rate needs --duration");
    if (!stages.empty()) usage_error("give either --rate with --duration, or --stage");
    const double rate = parse_number(*o.rate, "--rate");
    stages = {{std::chrono::duration<double>(0), rate}, {*total, rate}};
  } else if (!stages.empty() && total) {
    usage_error("--duration goes with --rate; --stage gives its own durations");
  }
  if (!stages.empty()) {
    const karga::schedule plan(0, stages);
    if (plan.total() == 0) usage_error("the load schedules no request (rate × duration is less than one)");
    if (connections && *connections < threads) usage_error("--connections must be at least --threads");
  } else if (total && total->count() == 0) {
    usage_error("--duration must be more than 0");
  }

  const karga::http::client client{o.url, client_options};
  const auto request = client.make_request(method, "", o.body, headers);  // built once, sent many times
  auto action = [client, request]() -> boost::asio::awaitable<karga::http::metric> {
    const auto start = karga::clock::now();
    auto res = co_await client.send(request);
    co_return karga::http::to_metric(res, karga::clock::now() - start);
  };
  auto run = [&](const auto& executor) {
    return karga::scenario<karga::http::aggregate>::builder().name("karga-http").action(action).executor(executor).build().run();
  };
  karga::http::aggregate results;
  if (stages.empty()) {  // closed model, at the server's pace
    results = run(karga::constant_vus_executor::builder()
                      .vus(connections.value_or(10))
                      .duration(total.value_or(std::chrono::duration<double>(10.0)))
                      .threads(threads)
                      .grace_period(grace)
                      .build());
  } else {
    results = run(karga::stage_executor::builder()
                      .stages(stages)
                      .threads(threads)
                      .max_in_flight(connections.value_or(0))
                      .grace_period(grace)
                      .build());
  }
  const karga::http::report report{results};
  std::printf("%s\n", o.url.c_str());
  karga::stdout_reporter{}.report(report);
  if (report.stop == karga::stop_reason::signal) return 128 + report.signal;
  return report.all_ok() && !report.stopped() ? 0 : exit_failed;
} catch (const karga::error& e) {
  std::string what = e.what();
  if (what.starts_with("karga: ")) what.erase(0, 7);
  std::fprintf(stderr, "karga-http: %s\n", what.c_str());
  return exit_usage;
}
