#pragma once
/// @file reporters/junit_reporter.hpp
/// JUnit XML, the format CI systems show as tests: a test suite named after the
/// scenario, with a test case per threshold (failed when the threshold failed); a run
/// without thresholds has one, "every request ok", failed when any action failed, was
/// dropped or interrupted — as karga-http's exit status.

#include <karga/core/version.hpp>
#include <karga/report/basic_report.hpp>
#include <karga/reporters/detail/text_out.hpp>

#include <fmt/format.h>

#include <string>

namespace karga {

/// The report as a JUnit XML document.
template <class R>
  requires std::derived_from<R, basic_report>
std::string format_junit(const R& r) {
  using detail::xml_escape;
  const std::string suite = r.scenario.empty() ? std::string("karga") : r.scenario;
  std::string cases;
  std::size_t failures = 0;
  auto add = [&](const std::string& name, bool passed, const std::string& message) {
    cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", xml_escape(suite), xml_escape(name),
                         r.elapsed.count());
    if (passed) {
      cases += "/>\n";
    } else {
      ++failures;
      cases += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n", xml_escape(message),
                           xml_escape(message));
    }
  };
  for (const auto& t : r.thresholds)
    add("threshold " + t.expression, t.passed, t.expression + " failed: observed " + t.observed_text);
  if (r.thresholds.empty())
    add("every request ok", r.all_ok(),
        fmt::format("failed {}, dropped {}, interrupted {} of {} scheduled", r.failed, r.dropped, r.interrupted, r.scheduled));
  const std::size_t tests = r.thresholds.empty() ? 1 : r.thresholds.size();
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites name=\"karga\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n"
                     "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{:.3f}\" "
                     "timestamp=\"{}\">\n    <properties>\n      <property name=\"karga.version\" value=\"{}\"/>\n    </properties>\n"
                     "{}  </testsuite>\n</testsuites>\n",
                     tests, failures, r.elapsed.count(), xml_escape(suite), tests, failures, r.elapsed.count(),
                     detail::utc_time(r.started_at).substr(0, 19), version, cases);
}

/// Writes `format_junit(r)` to a file.
struct junit_reporter {
  std::string path;  ///< the file written (replaced)
  /// Writes `r` to `path`; throws `karga::error` if it cannot.
  template <class R>
    requires std::derived_from<R, basic_report>
  void report(const R& r) const {
    detail::write_file(path, format_junit(r));
  }
};

} // namespace karga
