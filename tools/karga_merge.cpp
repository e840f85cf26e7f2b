// karga-merge: merges the results files of the processes of one test (each
// written by `karga-http`, `karga-grpc` or `karga-fs` with `--segment I/N --out results=FILE`) into
// one report, for any reporter, and evaluates thresholds on the merged figures.
//
// Exit status, as karga-http's:
//   0        without thresholds: every action ok; with thresholds: every one passed
//   1        without thresholds: some actions failed, were dropped or interrupted
//   2        usage: a bad option, a file that is missing or not a karga results file,
//            files of different tests (scenario or load model)
//   99       a threshold failed
//   128 + N  a process was stopped by signal N
#include <karga/cli/command.hpp>
#include <karga/cli/report_options.hpp>

#include <karga/fs.hpp>
#include <karga/grpc.hpp>
#include <karga/http.hpp>
#include <karga/karga.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

// Merges `files`, each holding a `Results`, and reports them as a `Report`.
template <class Results, class Report>
int merge(const std::vector<std::string>& files, karga::cli::command& cmd, int argc, char** argv) {
  karga::cli::report_options<Report, Results> out;
  out.add_to(cmd);
  cmd.parse(argc, argv);
  out.check();
  Results merged;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto part = karga::read_results<Results>(files[i]);  // its errors name the file
    const karga::run_info& first = merged.base().basic().run();
    const karga::run_info& run = part.base().basic().run();
    if (i != 0 && !first.same_test(run))
      throw karga::error(fmt::format("{} and {} hold results of different tests: {} ({}: {}) and {} ({}: {})", files[0],
                                     files[i], first.kind == karga::load_kind::open ? "open" : "closed", first.scenario,
                                     first.model, run.kind == karga::load_kind::open ? "open" : "closed", run.scenario,
                                     run.model));
    if (i == 0)
      merged = std::move(part);
    else
      merged.merge(part);
  }
  Report report{merged};
  std::printf("%zu results merged\n", files.size());
  return out.report(report, merged);
}

using http_results = karga::series_aggregate<karga::http::aggregate>;
using fs_results = karga::series_aggregate<karga::fs::aggregate>;
using grpc_results = karga::series_aggregate<karga::grpc::aggregate>;

} // namespace

int main(int argc, char** argv) try {
  karga::cli::command cmd{"karga-merge",
                           "karga-merge: merges the results files of one test's processes (karga-http, karga-grpc or\n"
                           "karga-fs --out results=FILE) into one report, and evaluates thresholds on it."};
  std::vector<std::string> files;
  cmd.app().add_option("files", files, "results files, one per process")->required()->type_name("FILE");
  // The first file says which command wrote them: its options (--out, --threshold) follow.
  cmd.app().allow_extras();
  try {
    cmd.app().parse(argc, argv);
  } catch (const CLI::ParseError&) {
  }
  cmd.app().allow_extras(false);
  const std::string type = files.empty() ? karga::results_type_name<http_results>() : karga::read_results_type(files[0]);
  files.clear();
  if (type == karga::results_type_name<fs_results>())
    return merge<fs_results, karga::report_with_series<karga::fs::report>>(files, cmd, argc, argv);
  if (type == karga::results_type_name<grpc_results>())
    return merge<grpc_results, karga::report_with_series<karga::grpc::report>>(files, cmd, argc, argv);
  return merge<http_results, karga::report_with_series<karga::http::report>>(files, cmd, argc, argv);
} catch (const karga::error& e) {
  std::fprintf(stderr, "karga-merge: %s\n", e.message().c_str());
  return karga::cli::exit_usage;
}
