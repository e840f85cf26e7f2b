// karga-http: an HTTP load test from the command line, built only on the public
// library. `karga-http --help` lists the options; the README has examples.
//
// Exit status:
//   0        without thresholds: every request got a response below 400;
//            with thresholds: every threshold passed
//   1        without thresholds: some requests failed, were dropped or interrupted
//   2        usage: a bad option or value, a bad URL, a load that schedules nothing
//   99       a threshold failed (as k6), at the end or live with abort
//   128 + N  stopped early by signal N (130: SIGINT, 143: SIGTERM): never a pass
#include "outputs.hpp"
#include "parse.hpp"

#include <karga/http.hpp>
#include <karga/http/serialize.hpp>
#include <karga/karga.hpp>
#include <karga/prometheus.hpp>
#include <karga/results.hpp>

#include <CLI/CLI.hpp>
#include <boost/beast/http/verb.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int exit_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_thresholds = 99;

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
  std::optional<std::string> rate, duration, connections, threads, timeout, connect_timeout, grace, poisson;
  std::vector<std::string> stages, headers;
  std::string method = "GET", body, cacert;
  bool insecure = false;
  std::vector<std::string> outputs, thresholds;
  bool progress = false, quiet = false;
  bool find_max = false;
  std::optional<std::string> settle, measure, max_rate;
  std::optional<std::string> segment, start_at;
  std::optional<std::string> prometheus, prometheus_linger;
  std::optional<std::string> pacing_slot;
};

// --find-max-rate: the steps as they go, then the answer. Exit 0 when some rate
// passed, 1 when none did, 128 + N when a signal stopped the search.
template <class F>
int find_max_rate(const options& o, const F& action, std::vector<karga::threshold> slo, unsigned threads,
                  std::optional<std::uint64_t> connections, std::chrono::duration<double> grace) {
  using namespace karga_http;
  using namespace std::chrono_literals;
  if (slo.empty()) {
    using namespace karga::thresholds;
    slo = {p(99) < 100ms, error_rate() < 0.01, achieved() >= 0.99};
  }
  karga::find_max_options opt;
  if (o.rate) opt.start_rate = parse_number(*o.rate, "--rate");
  if (o.max_rate) opt.max_rate = parse_number(*o.max_rate, "--max-rate");
  if (o.settle) opt.settle = parse_duration(*o.settle, "--settle");
  if (o.measure) opt.measure = parse_duration(*o.measure, "--measure");
  if (opt.start_rate < 1) usage_error("--find-max-rate: --rate (the first step) must be at least 1");
  opt.threads = threads;
  opt.max_in_flight = connections.value_or(0);
  opt.grace = std::min(grace, std::chrono::duration<double>(opt.measure));
  std::printf("%s\n  finding the highest rate where every threshold passes:", o.url.c_str());
  for (const auto& t : slo) std::printf(" %s", t.expression().c_str());
  std::printf("\n  each step: %s settling, %s measured\n", karga::detail::seconds(opt.settle.count()).c_str(),
              karga::detail::seconds(opt.measure.count()).c_str());
  opt.on_step = [](const karga::rate_step& s) {
    std::string figures;
    for (const auto& t : s.thresholds) figures += fmt::format("  {} {}", t.expression, t.observed_text);
    std::printf("  %10s/s  %s %s\n", karga::detail::number(s.rate).c_str(), s.passed ? "pass" : "FAIL", figures.c_str());
    std::fflush(stdout);
  };
  const auto found = karga::find_max_rate<karga::http::aggregate>(action, slo, opt);
  if (found.highest_passing)
    std::printf("  highest rate within the SLO: %s/s", karga::detail::number(*found.highest_passing).c_str());
  else
    std::printf("  no rate tried passed");
  if (found.first_failing) std::printf(" (lowest failing: %s/s)", karga::detail::number(*found.first_failing).c_str());
  std::printf(", %zu steps in %.1fs\n", found.steps.size(), std::chrono::duration<double>(found.elapsed).count());
  if (found.stop == karga::stop_reason::signal) {
    const int sig = found.steps.empty() ? 0 : found.steps.back().measured.run().signal;
    return 128 + (sig != 0 ? sig : 2);
  }
  return found.highest_passing ? 0 : exit_failed;
}

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
  app.add_option("--pacing-slot", o.pacing_slot,
                 "open model: the shortest time between two timer wakes, each starting every request due\n"
                 "by then (0 to 10ms, default 500us; 0: a wake per request)");
  app.add_option("--poisson", o.poisson, "SEED: Poisson arrivals (random gaps, the same for the same seed) instead of even ones");
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
  app.add_option("--out", o.outputs,
                 "FORMAT=FILE, repeatable: json (the report), csv (per second), junit (thresholds as tests), md "
                 "(a summary; appended, for $GITHUB_STEP_SUMMARY), html (a page with charts), hlog (HdrHistogram interval log), results (for "
                 "karga-merge)");
  app.add_option("--threshold", o.thresholds,
                 "EXPR, repeatable: p(99)<250ms, own.p(50)<10ms, error_rate<1%, achieved>=99%, rps>=1000, dropped==0, "
                 "status(5xx)==0; add ' abort' to stop the run as soon as it fails");
  app.add_flag("--find-max-rate", o.find_max,
               "search for the highest rate at which every --threshold passes (default p(99)<100ms,\n"
               "error_rate<1%, achieved>=99%): steps from --rate (default 100) doubling, then bisecting to 5%");
  app.add_option("--settle", o.settle, "--find-max-rate: each step's unmeasured start (default 1s)");
  app.add_option("--measure", o.measure, "--find-max-rate: each step's measured part (default 2s)");
  app.add_option("--max-rate", o.max_rate, "--find-max-rate: the highest rate to try (default 1000000)");
  app.add_option("--segment", o.segment,
                 "I/N: this process's part of a test run by N processes (default: from the launcher's\n"
                 "environment: Open MPI, MPICH, Slurm, Kubernetes JOB_COMPLETION_INDEX + KARGA_SEGMENTS)");
  app.add_option("--start-at", o.start_at, "start at this wall-clock time: Unix seconds (1764355200.5) or UTC 2026-11-28T19:00:00Z");
  app.add_option("--prometheus", o.prometheus,
                 "HOST:PORT: serve live metrics at http://HOST:PORT/metrics during the run (docs/monitoring.md)");
  app.add_option("--prometheus-linger", o.prometheus_linger,
                 "after the run, serve the final values until scraped, at most this long (default 5s)");
  app.add_flag("--progress", o.progress, "a live progress line on stderr (default: on a terminal)");
  app.add_flag("-q,--quiet", o.quiet, "no progress line");
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

  std::string segment_source = "--segment";
  std::optional<karga::segment> segment;
  if (o.segment) segment = karga::segment::parse(*o.segment);
  else segment = karga::segment::from_environment(&segment_source);
  if (segment && o.find_max) usage_error("--find-max-rate runs in one process: no segments");
  std::optional<std::chrono::system_clock::time_point> start_at;
  if (o.start_at) start_at = parse_wall_time(*o.start_at, "--start-at");
  std::vector<output> outputs;
  for (const auto& spec : o.outputs) outputs.push_back(parse_output(spec, segment ? segment->index : 0));
  std::vector<karga::threshold> thresholds;
  for (const auto& t : o.thresholds) thresholds.push_back(karga::threshold::parse(t));
  std::vector<karga::stage> stages;
  for (const auto& s : o.stages) stages.push_back(parse_stage(s));
  if (o.find_max) {
    if (!stages.empty() || o.duration || o.poisson || !o.outputs.empty())
      usage_error("--find-max-rate runs steps of its own: no --stage, --duration, --poisson or --out");
  } else if (o.settle || o.measure || o.max_rate) {
    usage_error("--settle, --measure and --max-rate go with --find-max-rate");
  }
  double start_rate = 0;
  std::optional<std::chrono::duration<double>> total;
  if (o.duration) total = parse_duration(*o.duration, "--duration");
  if (o.rate && !o.find_max) {
    if (!total) usage_error("--rate needs --duration");
    if (!stages.empty()) usage_error("give either --rate with --duration, or --stage");
    start_rate = parse_number(*o.rate, "--rate");
    stages = {{*total, start_rate}};
  } else if (!stages.empty() && total) {
    usage_error("--duration goes with --rate; --stage gives its own durations");
  }
  std::optional<std::uint64_t> poisson;
  if (o.poisson) {
    if (stages.empty()) usage_error("--poisson goes with --rate or --stage (the open model)");
    poisson = parse_count(*o.poisson, "--poisson", 0, std::numeric_limits<std::uint64_t>::max(), "a 64-bit seed");
  }
  std::optional<std::chrono::duration<double>> pacing_slot;
  if (o.pacing_slot) {
    if (stages.empty()) usage_error("--pacing-slot goes with --rate or --stage (the open model)");
    pacing_slot = parse_duration(*o.pacing_slot, "--pacing-slot");
    if (pacing_slot->count() > 0.01) usage_error("--pacing-slot: \"" + *o.pacing_slot + "\" is more than 10ms");
  }
  if (!stages.empty()) {
    const karga::schedule plan(start_rate, stages, poisson);
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
  if (o.find_max) {
    if (o.prometheus) usage_error("--prometheus goes with one run, not --find-max-rate");
    return find_max_rate(o, action, thresholds, threads, connections, grace);
  }
  if (o.prometheus_linger && !o.prometheus) usage_error("--prometheus-linger goes with --prometheus");
  std::optional<karga::prometheus_endpoint> prometheus;
  if (o.prometheus) {
    karga::prometheus_options p;
    std::tie(p.host, p.port) = parse_listen_address(*o.prometheus, "--prometheus");
    if (o.prometheus_linger)
      p.linger = std::chrono::ceil<std::chrono::milliseconds>(parse_duration(*o.prometheus_linger, "--prometheus-linger"));
    try {
      prometheus.emplace(p);
    } catch (const std::runtime_error& e) {
      usage_error(e.what());
    }
  }
  karga::run_options run_options;
  run_options.start_at = start_at;
  auto control = std::make_shared<karga::run_control>();
  run_options.control = control;
  if (o.progress || (!o.quiet && ::isatty(STDERR_FILENO))) run_options.live.observers.push_back(karga::progress{stderr});
  const karga::live_thresholds live(thresholds, control);
  bool aborting = false;
  for (const auto& t : thresholds) aborting = aborting || t.aborts_on_fail();
  if (aborting) run_options.live.observers.push_back(live);
  if (prometheus) run_options.live.observers.push_back(prometheus->observer());
  auto run = [&](const auto& executor) {
    return karga::scenario<results_type>::builder().name("karga-http").action(action).executor(executor).build().run(run_options);
  };
  results_type results;
  if (stages.empty()) {  // closed model, at the server's pace
    results = run(karga::constant_vus_executor::builder()
                      .segment(segment.value_or(karga::segment{}))
                      .vus(connections.value_or(10))
                      .duration(total.value_or(std::chrono::duration<double>(10.0)))
                      .threads(threads)
                      .grace_period(grace)
                      .build());
  } else {
    auto open = karga::stage_executor::builder();
    if (poisson) open.poisson(*poisson);
    if (o.pacing_slot) open.pacing_slot(*pacing_slot);
    results = run(open.segment(segment.value_or(karga::segment{}))
                      .start_rate(start_rate)
                      .stages(stages)
                      .threads(threads)
                      .max_in_flight(connections.value_or(0))
                      .grace_period(grace)
                      .build());
  }
  report_type report{results};
  report.thresholds = karga::evaluate(thresholds, results);
  std::printf("%s\n", o.url.c_str());
  if (segment && segment->count > 1)
    std::printf("  segment %u/%u (from %s)\n", segment->index, segment->count, segment_source.c_str());
  if (start_at)
    std::printf("  start skew      %+.3fms from --start-at\n",
                std::chrono::duration<double, std::milli>(report.started_at - *start_at).count());
  karga::stdout_reporter{}.report(report);
  if (auto stopped_by = live.failed())
    std::printf("  %-15s %s failed live (observed %s): the run was stopped\n", "threshold", stopped_by->expression.c_str(),
                stopped_by->observed_text.c_str());
  for (const auto& out : outputs) write_output(out, report, results);
  std::fflush(stdout);
  if (prometheus) prometheus->close();  // after a scrape of the final values, or the linger
  if (report.stop == karga::stop_reason::signal) return 128 + report.signal;
  if (!thresholds.empty()) return report.thresholds_passed() && !live.failed() ? 0 : exit_thresholds;
  return report.all_ok() && !report.stopped() ? 0 : exit_failed;
} catch (const karga::error& e) {
  std::string what = e.what();
  if (what.starts_with("karga: ")) what.erase(0, 7);
  std::fprintf(stderr, "karga-http: %s\n", what.c_str());
  return exit_usage;
}
