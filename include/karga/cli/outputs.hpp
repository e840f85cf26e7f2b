#pragma once
// The --out files of karga's commands: FORMAT=FILE, each format once in one table,
// written from one report (and the results it came from).
#include <karga/core/error.hpp>
#include <karga/files/hlog_reporter.hpp>
#include <karga/files/results_file.hpp>
#include <karga/reporters/csv_reporter.hpp>
#include <karga/reporters/html_reporter.hpp>
#include <karga/reporters/json_reporter.hpp>
#include <karga/reporters/junit_reporter.hpp>
#include <karga/reporters/markdown_reporter.hpp>

#include <span>
#include <string>
#include <string_view>

namespace karga::cli {

/// One output format: its name on the command line, what it holds, how it is written.
template <class Report, class Results>
struct output_format {
  std::string_view name;  ///< on the command line: json, csv, …
  std::string_view what;  ///< what it holds, for --help
  /// Writes the file.
  void (*write)(const std::string& path, const Report& report, const Results& results);
};

/// Every format, in the order `--help` lists them.
template <class Report, class Results>
inline constexpr output_format<Report, Results> output_formats[] = {
    {"json", "the report", [](const std::string& p, const Report& r, const Results&) { karga::json_reporter{p}.report(r); }},
    {"csv", "per interval", [](const std::string& p, const Report& r, const Results&) { karga::csv_reporter{p}.report(r); }},
    {"junit", "thresholds as tests", [](const std::string& p, const Report& r, const Results&) { karga::junit_reporter{p}.report(r); }},
    {"md", "a summary; appended, for $GITHUB_STEP_SUMMARY",
     [](const std::string& p, const Report& r, const Results&) { karga::markdown_reporter{p}.report(r); }},
    {"html", "a page with charts", [](const std::string& p, const Report& r, const Results&) { karga::html_reporter{p}.report(r); }},
    {"hlog", "HdrHistogram interval log", [](const std::string& p, const Report& r, const Results&) { karga::hlog_reporter{p}.report(r); }},
    {"results", "for karga-merge", [](const std::string& p, const Report&, const Results& a) { karga::write_results(p, a); }},
};

/// The formats' names, "json, csv, … or results", for messages.
template <class Report, class Results>
std::string output_names() {
  std::string out;
  const std::span formats(output_formats<Report, Results>);
  for (std::size_t i = 0; i < formats.size(); ++i)
    out += std::string(i == 0 ? "" : i + 1 == formats.size() ? " or " : ", ") + std::string(formats[i].name);
  return out;
}

/// The formats with what each holds, for `--help` (lines of at most 100 characters).
template <class Report, class Results>
std::string output_help() {
  std::string out, line;
  for (const auto& f : output_formats<Report, Results>) {
    const std::string item = std::string(f.name) + " (" + std::string(f.what) + ")";
    if (!line.empty() && line.size() + item.size() > 90) {
      out += line + ",\n";
      line.clear();
    }
    line += (line.empty() ? "" : ", ") + item;
  }
  return out + line;
}

/// A parsed --out: which format, which file.
template <class Report, class Results>
struct output {
  const output_format<Report, Results>* format;  ///< which format
  std::string path;                              ///< which file
  /// Writes `r` (and `a`, for a results file) to the file.
  void write(const Report& r, const Results& a) const { format->write(path, r, a); }
};

/// FORMAT=FILE; `{segment}` in FILE becomes `segment_index` (each process of a
/// segmented run writes its own file). Throws `karga::error` for a bad one.
template <class Report, class Results>
output<Report, Results> parse_output(const std::string& spec, unsigned segment_index = 0) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq + 1 == spec.size())
    throw karga::error("--out \"" + spec + "\" is not FORMAT=FILE (" + output_names<Report, Results>() + ")");
  const std::string name = spec.substr(0, eq);
  const output_format<Report, Results>* format = nullptr;
  for (const auto& f : output_formats<Report, Results>)
    if (f.name == name) format = &f;
  if (!format) throw karga::error("--out: unknown format \"" + name + "\" (" + output_names<Report, Results>() + ")");
  std::string path = spec.substr(eq + 1);
  for (auto at = path.find("{segment}"); at != std::string::npos; at = path.find("{segment}"))
    path.replace(at, 9, std::to_string(segment_index));
  return {format, path};
}

} // namespace karga::cli
