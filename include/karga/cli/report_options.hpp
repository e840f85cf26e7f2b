#pragma once
// The options that decide what becomes of a run's results — its output files and
// its thresholds — and the exit status they give: shared by the commands that run
// a load and by karga-merge.
#include <karga/cli/command.hpp>
#include <karga/cli/outputs.hpp>
#include <karga/cli/pushes.hpp>

#include <karga/report/thresholds.hpp>
#include <karga/reporters/stdout_reporter.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <string>
#include <vector>

namespace karga::cli {

/// `--out`, `--threshold` and the pushes, and the exit status they give (`Report` and
/// `Results`: what the command reports and what its results files hold).
template <class Report, class Results>
struct report_options {
  std::vector<std::string> out_specs;             ///< each --out, as given
  std::vector<output<Report, Results>> outputs;  ///< from out_specs, by `check`
  std::vector<karga::threshold> thresholds;       ///< each --threshold
  pushes push;                                    ///< --push, --live and how they are sent

  /// Adds `--out`, `--threshold` and the push options to `cmd`; `runs_load`: the
  /// command runs a load (it has live samples to push), not karga-merge.
  void add_to(command& cmd, bool runs_load = false) {
    CLI::App& app = cmd.app();
    app.add_option("--out", out_specs, "FORMAT=FILE, repeatable: " + output_help<Report, Results>())->type_name("FORMAT=FILE");
    app.add_option_function<std::vector<std::string>>(
           "--threshold",
           [this](const std::vector<std::string>& v) { for (const auto& t : v) thresholds.push_back(karga::threshold::parse(t)); },
           "EXPR, repeatable: p(99)<250ms, own.p(50)<10ms, error_rate<1%, achieved>=99%, rps>=1000, dropped==0,\n"
           "status(5xx)==0, errors(timeout)==0 (an error's name: karga-http's kinds, karga-fs's errno names),\n"
           "status(UNAVAILABLE)==0 (gRPC's statuses), msg.p(99)<20ms (gRPC's gaps between stream messages);\n"
           "add ' abort' to stop a run as soon as it fails")
        ->type_name("EXPR");
    push.add_to(cmd, runs_load);
  }

  /// After parsing, before any load: the outputs, `{segment}` in their paths read as
  /// `segment_index`, each in a directory that exists and can be written to (a long
  /// run does not lose its files at the end).
  void check(unsigned segment_index = 0) {
    push.check();
    for (const auto& spec : out_specs) {
      outputs.push_back(parse_output<Report, Results>(spec, segment_index));
      const std::filesystem::path file(outputs.back().path);
      const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
      std::error_code ec;
      if (!std::filesystem::is_directory(dir, ec))
        throw karga::error("--out " + spec + ": the directory " + dir.string() + " does not exist");
      if (::access(dir.c_str(), W_OK) != 0)
        throw karga::error("--out " + spec + ": the directory " + dir.string() + " cannot be written to");
      if (std::filesystem::is_directory(file, ec)) throw karga::error("--out " + spec + ": " + file.string() + " is a directory");
    }
  }

  /// Evaluates the thresholds on `results`, prints the report (and a threshold that
  /// stopped the run live), writes the outputs, finishes the pushes (`running`: the
  /// live ones), and returns the exit status: 0 when every threshold passed (without
  /// thresholds: every action ok), 1 when some action was not ok, 3 when a push
  /// failed, 99 when a threshold failed, 128 + N after signal N (the first that
  /// applies of 128 + N, 99, 3, 1).
  int report(Report& report, const Results& results, const karga::live_thresholds* live = nullptr,
             std::vector<std::unique_ptr<karga::live_push>>* running = nullptr,
             const std::optional<karga::segment>& segment = std::nullopt) const {
    report.thresholds = karga::evaluate(thresholds, results);
    karga::stdout_reporter{}.report(report);
    const auto stopped_by = live ? live->failed() : std::nullopt;
    if (stopped_by)
      std::printf("  %-15s %s failed live (observed %s): the run was stopped\n", "threshold", stopped_by->expression.c_str(),
                  stopped_by->observed_text.c_str());
    for (const auto& out : outputs) out.write(report, results);
    std::fflush(stdout);
    std::vector<std::unique_ptr<karga::live_push>> none;
    const bool pushed = push.finish(report, running ? *running : none, segment);
    if (report.stop == karga::stop_reason::signal) return 128 + report.signal;
    if (!thresholds.empty() && !(report.thresholds_passed() && !stopped_by)) return 99;
    if (!pushed) return exit_push_failed;
    if (!thresholds.empty()) return 0;
    return report.all_ok() && !report.stopped() ? 0 : 1;
  }
};

} // namespace karga::cli
