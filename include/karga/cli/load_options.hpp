#pragma once
// The options every karga command shares — the load model (open or closed), its
// pacing and segments, outputs, thresholds and live views, and the search for the
// highest rate — added to a command by one call, read and checked the same way
// everywhere. A command adds what its protocol needs (a URL, headers, ...), then:
//
//   karga::cli::command cmd{"karga-x", "..."};
//   karga::cli::load_options<report, results> load;
//   load.add_to(cmd);
//   cmd.parse(argc, argv);
//   load.check(cmd);
//   auto results = load.run<results>(action, "karga-x", live);
#include <karga/cli/command.hpp>
#include <karga/cli/outputs.hpp>
#include <karga/cli/parse.hpp>
#include <karga/cli/report_options.hpp>

#include <karga/core/run_control.hpp>
#include <karga/core/run_options.hpp>
#include <karga/core/scenario.hpp>
#include <karga/executors/constant_vus_executor.hpp>
#include <karga/executors/find_max_rate.hpp>
#include <karga/executors/iterations_executors.hpp>
#include <karga/executors/stage_executor.hpp>
#include <karga/exporters/prometheus_endpoint.hpp>
#include <karga/load/segment.hpp>
#include <karga/reporters/progress.hpp>

#include <fmt/format.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace karga::cli {

using seconds = std::chrono::duration<double>;

// Raises the open-file limit to what the system allows and returns how many
// connections fit in it (a few descriptors are kept for the process itself).
inline std::uint64_t connection_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1000;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
    ::getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur > 64 ? static_cast<std::uint64_t>(lim.rlim_cur) - 64 : 1;
}

/// The shared options, read into typed values. `Report` and `Results` are what the
/// command reports and what its results files hold.
template <class Report, class Results>
struct load_options : report_options<Report, Results> {
  using report_options<Report, Results>::thresholds;
  std::optional<double> rate;                       ///< --rate: arrivals per second (open model)
  std::optional<seconds> duration;                  ///< --duration
  std::vector<karga::stage> stages;                 ///< --stage, or --rate over --duration once checked
  std::optional<std::uint64_t> connections;         ///< --connections: users, a cap in flight, or connections
  std::optional<std::uint64_t> iterations;          ///< --iterations: a closed model of that many actions
  unsigned threads = 1;                             ///< --threads: shards
  std::optional<std::uint64_t> poisson;             ///< --poisson: the seed of Poisson arrivals
  std::optional<seconds> pacing_slot;               ///< --pacing-slot
  seconds grace{5.0};                               ///< --grace: how long actions in flight may finish
  std::optional<karga::segment> segment;            ///< --segment, or the launcher's environment
  std::string segment_source = "--segment";         ///< where the segment came from
  std::optional<std::chrono::system_clock::time_point> start_at;  ///< --start-at
  bool progress = false;                            ///< --progress
  bool quiet = false;                               ///< -q, --quiet
  std::optional<karga::prometheus_options> prometheus;  ///< --prometheus HOST:PORT
  std::optional<seconds> prometheus_linger;         ///< --prometheus-linger
  bool find_max = false;                            ///< --find-max-rate
  std::optional<seconds> settle;                    ///< --settle (--find-max-rate)
  std::optional<seconds> measure;                   ///< --measure (--find-max-rate)
  std::optional<double> max_rate;                   ///< --max-rate (--find-max-rate)
  /// A protocol that multiplexes (HTTP/2) sets this to its streams per connection:
  /// `--connections` then counts connections per thread, the closed model's users are
  /// connections × streams × threads, and the open model has no cap on requests in
  /// flight (a request that finds every stream busy waits for one). 0: one request
  /// per connection at a time.
  std::uint64_t streams_per_connection = 0;

  /// Adds the options and their rules to `cmd`.
  void add_to(command& cmd) {
    CLI::App& app = cmd.app();
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    auto value = [&app](const char* name, const char* help, const char* type, auto read) {
      return app.add_option_function<std::string>(name, read, help)->type_name(type);
    };
    value("--rate", "requests per second (open model), with --duration", "RATE",
          [this](const std::string& s) { rate = parse_number(s, "--rate"); });
    value("--duration", "how long: 500ms, 10s, 2m, 1h (closed model: default 10s; with --iterations, the most\n"
                        "they may take, default 10m)", "DURATION",
          [this](const std::string& s) { duration = parse_duration(s, "--duration"); });
    app.add_option_function<std::vector<std::string>>(
           "--stage", [this](const std::vector<std::string>& v) { for (const auto& s : v) stages.push_back(parse_stage(s)); },
           "DURATION:RATE, ramping linearly to RATE over DURATION (repeatable)")
        ->type_name("DURATION:RATE");
    value("--pacing-slot", "open model (with --rate or --stage): the shortest time between two timer wakes, each\n"
                           "starting every request due by then (0 to 10ms, default 500us; 0: a wake per request)", "DURATION",
          [this](const std::string& s) {
            pacing_slot = parse_duration(s, "--pacing-slot");
            if (pacing_slot->count() > 0.01) bad("--pacing-slot", s, "is more than 10ms");
          });
    value("--poisson", "SEED: Poisson arrivals (random gaps, the same for the same seed) instead of even ones\n"
                       "(with --rate or --stage)", "SEED",
          [this](const std::string& s) {
            poisson = parse_count(s, "--poisson", 0, std::numeric_limits<std::uint64_t>::max(), "a 64-bit seed");
          });
    value("--connections", "closed model: users (default 10); open model: most requests in flight (default: no cap);\n"
                           "a multiplexed protocol (--http2): connections per thread (default 1)",
          "N", [this](const std::string& s) {
            connections = parse_count(s, "--connections", 1, connection_limit(),
                                      "the open-file limit of this process, less a few; raise it with ulimit -n");
          });
    value("--iterations", "closed model: N requests in all, shared by --connections users (k6's shared-iterations)",
          "N", [this](const std::string& s) { iterations = parse_count(s, "--iterations", 1, std::uint64_t{1} << 53); });
    value("--threads", "shards, one thread and event loop each (default 1)", "N", [this, cores](const std::string& s) {
      threads = static_cast<unsigned>(parse_count(s, "--threads", 1, 4 * cores, "4 per core on this machine"));
    });
    value("--grace", "after the load, how long requests in flight may finish (default 5s)", "DURATION",
          [this](const std::string& s) { grace = parse_duration(s, "--grace"); });
    report_options<Report, Results>::add_to(cmd, true);
    app.add_flag("--find-max-rate", find_max,
                 "search for the highest rate at which every --threshold passes (default p(99)<100ms,\n"
                 "error_rate<1%, achieved>=99%): steps from --rate (default 100) doubling, then bisecting to 5%");
    value("--settle", "--find-max-rate: each step's unmeasured start (default 1s)", "DURATION",
          [this](const std::string& s) { settle = parse_duration(s, "--settle"); });
    value("--measure", "--find-max-rate: each step's measured part (default 2s)", "DURATION",
          [this](const std::string& s) { measure = parse_duration(s, "--measure"); });
    value("--max-rate", "--find-max-rate: the highest rate to try (default 1000000)", "RATE",
          [this](const std::string& s) { max_rate = parse_number(s, "--max-rate"); });
    value("--segment", "I/N: this process's part of a test run by N processes (default: from the launcher's\n"
                       "environment: Open MPI, MPICH, Slurm, Kubernetes JOB_COMPLETION_INDEX + KARGA_SEGMENTS)", "I/N",
          [this](const std::string& s) { segment = karga::segment::parse(s); });
    value("--start-at", "start at this wall-clock time: Unix seconds (1764355200.5) or UTC 2026-11-28T19:00:00Z",
          "TIME", [this](const std::string& s) { start_at = parse_wall_time(s, "--start-at"); });
    value("--prometheus", "HOST:PORT: serve live metrics at http://HOST:PORT/metrics during the run (docs/monitoring.md)",
          "HOST:PORT", [this](const std::string& s) {
            prometheus.emplace();
            std::tie(prometheus->host, prometheus->port) = parse_listen_address(s, "--prometheus");
          });
    value("--prometheus-linger", "after the run, serve the final values until scraped, at most this long (default 5s)",
          "DURATION", [this](const std::string& s) { prometheus_linger = parse_duration(s, "--prometheus-linger"); });
    app.add_flag("--progress", progress, "a live progress line on stderr (default: on a terminal)");
    app.add_flag("-q,--quiet", quiet, "no progress line");

    cmd.needs({"--prometheus-linger"}, {"--prometheus"}, "--prometheus-linger goes with --prometheus");
    cmd.excludes({"--prometheus"}, {"--find-max-rate"}, "--prometheus goes with one run, not --find-max-rate");
    cmd.excludes({"--find-max-rate"}, {"--push", "--live"}, "--push and --live go with one run, not --find-max-rate");
    cmd.excludes({"--find-max-rate"}, {"--stage", "--duration", "--poisson", "--out", "--iterations"},
                 "--find-max-rate runs steps of its own: no --stage, --duration, --poisson, --iterations or --out");
    cmd.excludes({"--find-max-rate"}, {"--segment"}, "--find-max-rate runs in one process: no segments");
    cmd.needs({"--settle", "--measure", "--max-rate"}, {"--find-max-rate"},
              "--settle, --measure and --max-rate go with --find-max-rate");
    cmd.excludes({"--iterations"}, {"--rate", "--stage"}, "--iterations is a closed model: no --rate or --stage");
    cmd.excludes({"--rate"}, {"--stage"}, "give either --rate with --duration, or --stage");
    cmd.excludes({"--duration"}, {"--stage"}, "--duration goes with --rate; --stage gives its own durations");
    cmd.needs_one_of({"--poisson"}, {"--rate", "--stage"}, "--poisson goes with --rate or --stage (the open model)");
    cmd.needs_one_of({"--pacing-slot"}, {"--rate", "--stage"}, "--pacing-slot goes with --rate or --stage (the open model)");
  }

  /// After parsing: what the rules between options cannot say, the segment from the
  /// launcher's environment, the outputs (their paths may name the segment), and
  /// the schedule, built once to refuse a load that schedules nothing.
  void check(const command& cmd) {
    if (!segment) segment = karga::segment::from_environment(&segment_source);
    if (segment && find_max) cmd.usage_error("--find-max-rate runs in one process: no segments");
    report_options<Report, Results>::check(segment ? segment->index : 0);
    if (find_max) {
      if (rate && *rate < 1) cmd.usage_error("--find-max-rate: --rate (the first step) must be at least 1");
      return;
    }
    if (rate) {
      if (!duration) cmd.usage_error("--rate needs --duration");
      stages = {{*duration, *rate}};
    }
    if (!stages.empty()) {
      const karga::schedule plan(rate.value_or(0), stages, poisson);
      if (plan.total() == 0) cmd.usage_error("the load schedules no request (rate × duration is less than one)");
      if (connections && *connections < threads && streams_per_connection == 0)
        cmd.usage_error("--connections must be at least --threads");
    } else if (duration && duration->count() == 0) {
      cmd.usage_error("--duration must be more than 0");
    }
  }

  /// Whether the load is the open model (a rate or stages).
  bool open() const noexcept { return !stages.empty(); }

  /// The run's options: `control` stops it; a progress line (on a terminal, or
  /// asked for), the abort-on-fail thresholds and the Prometheus endpoint watch it.
  karga::run_options run_options(const std::shared_ptr<karga::run_control>& control, const karga::live_thresholds& live,
                                 karga::prometheus_endpoint* endpoint,
                                 const std::vector<std::unique_ptr<karga::live_push>>& pushes = {}) const {
    karga::run_options opt;
    opt.start_at = start_at;
    opt.control = control;
    if (progress || (!quiet && ::isatty(STDERR_FILENO))) opt.live.observers.push_back(karga::progress{stderr});
    if (std::any_of(thresholds.begin(), thresholds.end(), [](const auto& t) { return t.aborts_on_fail(); }))
      opt.live.observers.push_back(live);
    if (endpoint) opt.live.observers.push_back(endpoint->observer());
    for (const auto& p : pushes) opt.live.observers.push_back(p->observer());
    return opt;
  }

  /// The endpoint `--prometheus` asks for, listening (none without it).
  std::unique_ptr<karga::prometheus_endpoint> prometheus_endpoint() const {
    if (!prometheus) return nullptr;
    karga::prometheus_options p = *prometheus;
    if (prometheus_linger) p.linger = std::chrono::ceil<std::chrono::milliseconds>(*prometheus_linger);
    return std::make_unique<karga::prometheus_endpoint>(p);
  }

  /// Runs `action` under the load model the options give, as scenario `name`.
  template <class F>
  Results run(const F& action, const std::string& name, const karga::run_options& opt) const {
    auto run = [&](const auto& executor) {
      return karga::scenario<Results>::builder().name(name).action(action).executor(executor).build().run(opt);
    };
    const karga::segment part = segment.value_or(karga::segment{});
    const std::uint64_t users = streams_per_connection != 0 ? connections.value_or(1) * streams_per_connection * threads
                                                            : connections.value_or(10);
    if (iterations)  // a closed model of a number of iterations
      return run(karga::shared_iterations_executor::builder()
                     .segment(part)
                     .vus(users)
                     .iterations(*iterations)
                     .max_duration(duration.value_or(seconds(600.0)))
                     .threads(threads)
                     .grace_period(grace)
                     .build());
    if (!open())  // a closed model for a time, at the server's pace
      return run(karga::constant_vus_executor::builder()
                     .segment(part)
                     .vus(users)
                     .duration(duration.value_or(seconds(10.0)))
                     .threads(threads)
                     .grace_period(grace)
                     .build());
    auto builder = karga::stage_executor::builder();
    if (poisson) builder.poisson(*poisson);
    if (pacing_slot) builder.pacing_slot(*pacing_slot);
    return run(builder.segment(part)
                   .start_rate(rate.value_or(0))
                   .stages(stages)
                   .threads(threads)
                   .max_in_flight(streams_per_connection != 0 ? 0 : connections.value_or(0))
                   .grace_period(grace)
                   .build());
  }

  /// The whole of a command's run: `action` under the load model, as scenario `name`,
  /// watched by what the options ask for (progress line, abort-on-fail thresholds,
  /// `--prometheus`); then `heading`, the report and the outputs. Returns the exit
  /// status (see `report`).
  template <class F>
  int run_and_report(const command& cmd, const F& action, const std::string& name, const std::string& heading) const {
    std::unique_ptr<karga::prometheus_endpoint> endpoint;
    try {
      endpoint = prometheus_endpoint();
    } catch (const karga::error& e) {
      cmd.usage_error(e.message());
    }
    auto control = std::make_shared<karga::run_control>();
    const karga::live_thresholds live(thresholds, control);
    auto pushes = this->push.start(segment);
    const Results results = run(action, name, run_options(control, live, endpoint.get(), pushes));
    Report r{results};
    std::printf("%s\n", heading.c_str());
    const int status = report(r, results, live, &pushes);
    if (endpoint) endpoint->close();  // after a scrape of the final values, or the linger
    return status;
  }

  /// Prints where the run came from (segment, start skew), then the report (see
  /// `report_options::report`), and returns the exit status.
  int report(Report& report, const Results& results, const karga::live_thresholds& live,
             std::vector<std::unique_ptr<karga::live_push>>* pushes = nullptr) const {
    if (segment && segment->count > 1)
      std::printf("  segment %u/%u (from %s)\n", segment->index, segment->count, segment_source.c_str());
    if (start_at)
      std::printf("  start skew      %+.3fms from --start-at\n",
                  std::chrono::duration<double, std::milli>(report.started_at - *start_at).count());
    return report_options<Report, Results>::report(report, results, &live, pushes, segment);
  }

  /// `--find-max-rate`: the steps as they go, then the answer. Exit 0 when some
  /// rate passed, 1 when none did, 128 + N when signal N stopped the search.
  template <class Aggregate, class F>
  int find_max_rate(const std::string& target, const F& action) const {
    using namespace std::chrono_literals;
    std::vector<karga::threshold> slo = thresholds;
    if (slo.empty()) {
      using namespace karga::thresholds;
      slo = {p(99) < 100ms, error_rate() < 0.01, achieved() >= 0.99};
    }
    karga::find_max_options opt;
    if (rate) opt.start_rate = *rate;
    if (max_rate) opt.max_rate = *max_rate;
    if (settle) opt.settle = *settle;
    if (measure) opt.measure = *measure;
    opt.threads = threads;
    opt.max_in_flight = connections.value_or(0);
    opt.grace = std::min(grace, seconds(opt.measure));
    std::printf("%s\n  finding the highest rate where every threshold passes:", target.c_str());
    for (const auto& t : slo) std::printf(" %s", t.expression().c_str());
    std::printf("\n  each step: %s settling, %s measured\n", fmt::format("{}s", opt.settle.count()).c_str(),
                fmt::format("{}s", opt.measure.count()).c_str());
    opt.on_step = [](const karga::rate_step& s) {
      std::string figures;
      for (const auto& t : s.thresholds) figures += fmt::format("  {} {}", t.expression, t.observed_text);
      std::printf("  %10s/s  %s %s\n", fmt::format("{}", s.rate).c_str(), s.passed ? "pass" : "FAIL", figures.c_str());
      std::fflush(stdout);
    };
    const auto found = karga::find_max_rate<Aggregate>(action, slo, opt);
    if (found.highest_passing)
      std::printf("  highest rate within the SLO: %s/s", fmt::format("{}", *found.highest_passing).c_str());
    else
      std::printf("  no rate tried passed");
    if (found.first_failing) std::printf(" (lowest failing: %s/s)", fmt::format("{}", *found.first_failing).c_str());
    std::printf(", %zu steps in %.1fs\n", found.steps.size(), std::chrono::duration<double>(found.elapsed).count());
    if (found.stop == karga::stop_reason::signal) {
      const int sig = found.steps.empty() ? 0 : found.steps.back().measured.run().signal;
      return 128 + (sig != 0 ? sig : 2);
    }
    return found.highest_passing ? 0 : 1;
  }
};

} // namespace karga::cli
