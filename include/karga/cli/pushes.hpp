#pragma once
// Where a command pushes its results: --push KIND=URL once the run is over (the JSON
// report; a Pushgateway group's final figures), --live KIND=URL while it runs
// (InfluxDB, Prometheus remote write), and how (--push-header, --push-timeout,
// --push-retries, --push-ca, --push-insecure). A push that fails never loses the report or the files: it is a
// line on stderr and exit status 3 (`exit_push_failed`).
#include <karga/cli/command.hpp>
#include <karga/cli/parse.hpp>

#include <karga/core/error.hpp>
#include <karga/load/segment.hpp>
#include <karga/push/http_post_reporter.hpp>
#include <karga/push/influxdb.hpp>
#include <karga/push/live_push.hpp>
#include <karga/push/prometheus_remote_write.hpp>
#include <karga/push/pushgateway.hpp>
#include <karga/reporters/report_to.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace karga::cli {

/// The exit status of a run whose results were all written but some push failed.
inline constexpr int exit_push_failed = 3;

/// A parsed --push or --live: what, and where to.
struct push_spec {
  std::string kind;           ///< json, pushgateway, influxdb or prometheus-rw
  karga::push_target target;  ///< the URL
};

/// The push options of a command, and the pushes they ask for.
struct pushes {
  std::vector<std::string> push_specs;  ///< each --push, as given
  std::vector<std::string> live_specs;  ///< each --live, as given
  karga::push_options options;          ///< --push-header, --push-timeout, --push-retries, --push-ca, --push-insecure
  std::vector<push_spec> after_run;     ///< from push_specs, by `check`
  std::vector<push_spec> live;          ///< from live_specs, by `check`

  /// Adds the options to `cmd`; `runs_load`: the command runs a load (not karga-merge),
  /// so it has live samples for --live and the Pushgateway.
  void add_to(command& cmd, bool runs_load) {
    runs_load_ = runs_load;
    CLI::App& app = cmd.app();
    app.add_option("--push", push_specs,
                   runs_load ? "KIND=URL, repeatable, once the run is over: json (the report, POSTed), pushgateway\n"
                               "(the final figures, PUT to a Pushgateway group: URL http://HOST:9091)"
                             : "json=URL, repeatable: the report, POSTed once it is written")
        ->type_name("KIND=URL");
    if (runs_load)
      app.add_option("--live", live_specs,
                     "KIND=URL, repeatable, every second during the run: influxdb (line protocol, URL\n"
                     "http://HOST:8086/write?db=NAME; the exact series is added at the end), prometheus-rw\n"
                     "(remote write, URL http://HOST:9090/api/v1/write); never slows the load")
          ->type_name("KIND=URL");
    app.add_option_function<std::vector<std::string>>(
           "--push-header",
           [this](const std::vector<std::string>& v) {
             for (const auto& h : v) {
               const auto colon = h.find(':');
               if (colon == std::string::npos || colon == 0) bad("--push-header", h, "is not NAME: VALUE");
               std::string value = h.substr(colon + 1);
               value.erase(0, value.find_first_not_of(' '));
               options.headers.emplace_back(h.substr(0, colon), value);
             }
           },
           "NAME: VALUE, repeatable: sent with every push (Authorization: Bearer …); a user and password\n"
           "in the URL are sent as Basic authorization")
        ->type_name("HEADER");
    app.add_option_function<std::string>(
           "--push-timeout",
           [this](const std::string& s) {
             const auto d = parse_duration(s, "--push-timeout");
             if (d.count() <= 0) bad("--push-timeout", s, "must be more than 0");
             options.timeout = std::chrono::ceil<std::chrono::milliseconds>(d);
           },
           "how long one attempt of a push may take (default 5s)")
        ->type_name("DURATION");
    app.add_option_function<std::string>(
           "--push-retries",
           [this](const std::string& s) { options.retries = static_cast<unsigned>(parse_count(s, "--push-retries", 0, 10)); },
           "attempts after a failed one (network error, 5xx, 408, 429), 250ms then twice as long each (default 2)")
        ->type_name("N");
    app.add_option_function<std::string>(
           "--push-ca",
           [this](const std::string& s) {
             if (::access(s.c_str(), R_OK) != 0) bad("--push-ca", s, "cannot be read");
             options.ca_file = s;
           },
           "https pushes: the certificates (PEM) the server's must chain to (default: the system's)")
        ->type_name("FILE");
    app.add_flag_callback("--push-insecure", [this] { options.verify_peer = false; },
                          "https pushes: do not verify the server's certificate (test setups only)");
  }

  /// After parsing: each KIND=URL read; a bad one is a `karga::error` naming it.
  void check() {
    auto read = [](const std::string& spec, std::string_view option, std::initializer_list<std::string_view> kinds) {
      const auto eq = spec.find('=');
      std::string names;
      for (auto k : kinds) names += std::string(names.empty() ? "" : ", ") + std::string(k);
      if (eq == std::string::npos || eq == 0)
        throw karga::error(fmt::format("{} \"{}\" is not KIND=URL ({})", option, spec, names));
      push_spec p{spec.substr(0, eq), {}};
      if (std::find(kinds.begin(), kinds.end(), p.kind) == kinds.end())
        throw karga::error(fmt::format("{}: unknown kind \"{}\" ({})", option, p.kind, names));
      try {
        p.target = karga::push_target::parse(spec.substr(eq + 1));
      } catch (const karga::error& e) {
        throw e.with_context(fmt::format("{} {}", option, p.kind));
      }
      return p;
    };
    for (const auto& s : push_specs)
      after_run.push_back(runs_load_ ? read(s, "--push", {"json", "pushgateway"}) : read(s, "--push", {"json"}));
    for (const auto& s : live_specs) live.push_back(read(s, "--live", {"influxdb", "prometheus-rw"}));
  }

  /// The labels that keep this process's series apart from another's: `instance`
  /// (host and process id) and, in a segmented run, `segment`.
  static std::vector<std::pair<std::string, std::string>> labels(const std::optional<karga::segment>& segment) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    std::vector<std::pair<std::string, std::string>> out{{"instance", fmt::format("{}:{}", host, ::getpid())}};
    if (segment && segment->count > 1) out.emplace_back("segment", std::to_string(segment->index));
    return out;
  }

  /// The live pushes of a run: --live, and the Pushgateway's --push (fed the final sample).
  std::vector<std::unique_ptr<karga::live_push>> start(const std::optional<karga::segment>& segment) const {
    std::vector<std::unique_ptr<karga::live_push>> out;
    const auto extra = labels(segment);
    for (const auto& p : live)
      out.push_back(std::make_unique<karga::live_push>(
          p.target, options, p.kind == "influxdb" ? karga::influxdb_format(extra) : karga::prometheus_remote_write_format(extra)));
    for (const auto& p : after_run)
      if (p.kind == "pushgateway")  // the group: job/karga/instance/HOST:PID[/segment/I]
        out.push_back(std::make_unique<karga::live_push>(karga::pushgateway_target(p.target, "karga", extra), options,
                                                         karga::pushgateway_format()));
    return out;
  }

  /// Once the run is over and its report written: the live pushes closed and said
  /// how they went, the series sent to InfluxDB, the report POSTed. Prints a line
  /// for each; returns whether every one arrived whole.
  template <class Report>
  bool finish(const Report& report, std::vector<std::unique_ptr<karga::live_push>>& running,
              const std::optional<karga::segment>& segment) const {
    bool ok = true;
    for (auto& p : running) p->begin_close();  // their last requests overlap
    std::vector<std::string> dead;  // InfluxDBs no live sample reached: the series gets one attempt
    for (auto& p : running) {
      p->close();
      const auto stats = p->stats();
      ok = ok && stats.ok();
      if (stats.delivered == 0) dead.push_back(stats.url);
      std::fprintf(stats.ok() ? stdout : stderr, "  %-15s %s\n", stats.ok() ? "push" : "push FAILED", stats.describe().c_str());
    }
    auto send = [&](auto&& reporter, const std::string& what) {
      try {
        karga::report_to(reporter, report);
        std::printf("  %-15s %s\n", "push", what.c_str());
      } catch (const std::exception& e) {
        ok = false;
        const auto* k = dynamic_cast<const karga::error*>(&e);
        std::fprintf(stderr, "  %-15s %s\n", "push FAILED", k ? k->message().c_str() : e.what());
      }
    };
    if constexpr (requires { report.series; })
      for (const auto& p : live)
        if (p.kind == "influxdb")
          send(karga::influxdb_series_reporter{p.target, std::ranges::find(dead, p.target.url) != dead.end() ? once(options) : options, labels(segment)},
               fmt::format("influxdb {}: the series, {} intervals", p.target.url, report.series.rows.size()));
    for (const auto& p : after_run)
      if (p.kind == "json") send(karga::http_post_reporter{p.target, options}, fmt::format("json {}: the report", p.target.url));
    std::fflush(stdout);
    std::fflush(stderr);
    return ok;
  }

private:
  static karga::push_options once(karga::push_options o) {
    o.retries = 0;
    return o;
  }

  bool runs_load_ = false;
};

} // namespace karga::cli
