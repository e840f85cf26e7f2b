// karga-merge: merges the results files of the processes of one test (each
// written by `karga-http --segment I/N --out results=FILE`) into one report, for
// any reporter, and evaluates thresholds on the merged figures.
//
// Exit status, as karga-http's:
//   0        without thresholds: every request ok; with thresholds: every one passed
//   1        without thresholds: some requests failed, were dropped or interrupted
//   2        usage: a bad option, a file that is missing or not a karga results file
//   99       a threshold failed
//   128 + N  a process was stopped by signal N
#include "outputs.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) try {
  std::vector<std::string> files, out_specs, threshold_texts;
  CLI::App app{"karga-merge: merges the results files of one test's processes (karga-http --out results=FILE)\n"
               "into one report, and evaluates thresholds on it.",
               "karga-merge"};
  app.add_option("files", files, "results files, one per process")->required();
  app.add_option("--out", out_specs, std::string("FORMAT=FILE of the merged report: ") + karga_http::output_formats + " (repeatable)");
  app.add_option("--threshold", threshold_texts, "EXPR, e.g. 'p(99)<250ms' or 'error_rate<1%' (repeatable)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "karga-merge: %s (see karga-merge --help)\n", e.what());
    return 2;
  }
  std::vector<karga_http::output> outputs;
  for (const auto& spec : out_specs) outputs.push_back(karga_http::parse_output(spec));
  std::vector<karga::threshold> thresholds;
  for (const auto& t : threshold_texts) thresholds.push_back(karga::threshold::parse(t));

  karga_http::results_type merged;
  for (std::size_t i = 0; i < files.size(); ++i) {
    try {
      auto part = karga::read_results<karga_http::results_type>(files[i]);
      if (i == 0) merged = std::move(part);
      else merged.merge(part);
    } catch (const karga::error& e) {
      std::string what = e.what();
      if (what.starts_with("karga: ")) what.erase(0, 7);
      throw karga::error("karga: " + files[i] + ": " + what);
    }
  }
  karga_http::report_type report{merged};
  report.thresholds = karga::evaluate(thresholds, merged);
  std::printf("%zu results merged\n", files.size());
  karga::stdout_reporter{}.report(report);
  for (const auto& out : outputs) karga_http::write_output(out, report, merged);
  if (report.stop == karga::stop_reason::signal) return 128 + report.signal;
  if (!thresholds.empty()) return report.thresholds_passed() ? 0 : 99;
  return report.all_ok() && !report.stopped() ? 0 : 1;
} catch (const karga::error& e) {
  std::string what = e.what();
  if (what.starts_with("karga: ")) what.erase(0, 7);
  std::fprintf(stderr, "karga-merge: %s\n", what.c_str());
  return 2;
}
