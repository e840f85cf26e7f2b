// The --out files of karga-http and karga-merge: FORMAT=FILE, written from one
// report (and the results they came from).
#pragma once

#include <karga/error.hpp>
#include <karga/http.hpp>
#include <karga/http/serialize.hpp>
#include <karga/karga.hpp>
#include <karga/results.hpp>

#include <string>

namespace karga_http {

using results_type = karga::series_aggregate<karga::http::aggregate>;
using report_type = karga::report_with_series<karga::http::report>;

struct output {
  std::string format, path;
};
inline const char* const output_formats = "json, csv, junit, md, html, hlog or results";

/// FORMAT=FILE; `{segment}` in FILE becomes `segment_index` (each process of a
/// segmented run writes its own file). Throws `karga::error` for a bad one.
inline output parse_output(const std::string& spec, unsigned segment_index = 0) {
  const auto eq = spec.find('=');
  const std::string format = spec.substr(0, eq);
  if (eq == std::string::npos || eq + 1 == spec.size())
    karga::detail::throw_error("--out \"" + spec + "\" is not FORMAT=FILE (" + output_formats + ")");
  if (format != "json" && format != "csv" && format != "junit" && format != "md" && format != "html" && format != "hlog" && format != "results")
    karga::detail::throw_error("--out: unknown format \"" + format + "\" (" + output_formats + ")");
  std::string path = spec.substr(eq + 1);
  for (auto at = path.find("{segment}"); at != std::string::npos; at = path.find("{segment}"))
    path.replace(at, 9, std::to_string(segment_index));
  return {format, path};
}

inline void write_output(const output& out, const report_type& report, const results_type& results) {
  if (out.format == "json") karga::json_reporter{out.path}.report(report);
  else if (out.format == "csv") karga::csv_reporter{out.path}.report(report);
  else if (out.format == "junit") karga::junit_reporter{out.path}.report(report);
  else if (out.format == "md") karga::markdown_reporter{out.path}.report(report);
  else if (out.format == "html") karga::html_reporter{out.path}.report(report);
  else if (out.format == "hlog") karga::hlog_reporter{out.path}.report(report);
  else if (out.format == "results") karga::write_results(out.path, results);
}

} // namespace karga_http
