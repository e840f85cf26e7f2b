#pragma once
/// @file reporters/markdown_reporter.hpp
/// A Markdown summary for a CI job's page (GitHub's `$GITHUB_STEP_SUMMARY`): what was
/// asked and what happened, the latencies, the thresholds with their verdicts, and an
/// adapter's extras (HTTP statuses).

#include <karga/core/detail/format.hpp>
#include <karga/core/version.hpp>
#include <karga/report/basic_report.hpp>
#include <karga/reporters/detail/text_out.hpp>
#include <karga/reporters/stdout_reporter.hpp>

#include <fmt/format.h>

#include <string>

namespace karga {

namespace detail {
inline std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}
} // namespace detail

/// The report as Markdown.
template <class R>
  requires std::derived_from<R, basic_report>
std::string format_markdown(const R& r) {
  using detail::md_cell;
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "### karga: {}\n\n", md_cell(r.scenario.empty() ? "load test" : r.scenario));
  if (!r.model.empty()) fmt::format_to(it, "Load model: {}{}.\n\n", md_cell(r.model),
                                       r.stopped() ? " — " + detail::stop_words(r.stop, r.signal) : "");
  out += "| asked | happened | ok | failed | dropped | interrupted | success |\n|---|---|---|---|---|---|---|\n";
  const std::string asked = r.kind == load_kind::open
                                ? fmt::format("{} arrivals in {:.1f}s ({:.1f}/s)", r.scheduled, r.planned.count(), r.target_rate)
                                : fmt::format("closed model, {:.1f}s", r.planned.count());
  fmt::format_to(it, "| {} | {} started ({:.1f}/s) | {} | {} | {} | {} | {:.2f}% |\n\n", asked, r.started,
                 r.achieved_rate, r.ok, r.failed, r.dropped, r.interrupted, 100.0 * r.success_ratio);
  out += "| latency | p50 | p90 | p99 | p99.9 | max |\n|---|---|---|---|---|---|\n";
  auto row = [&](const char* name, const latency_summary& s) {
    if (s.count == 0) return;
    const auto h = detail::human_duration;
    fmt::format_to(it, "| {} | {} | {} | {} | {} | {} |\n", name, h(s.p50), h(s.p90), h(s.p99), h(s.p999), h(s.max));
  };
  row("from intended start", r.response_time);
  row("own (the action's)", r.latency);
  row("start lag", r.start_lag);
  out += '\n';
  if (!r.thresholds.empty()) {
    out += "| threshold | observed | verdict |\n|---|---|---|\n";
    for (const auto& t : r.thresholds)
      fmt::format_to(it, "| `{}` | {} | {} |\n", md_cell(t.expression), md_cell(t.observed_text),
                     t.passed ? "✅ pass" : "❌ **fail**");
    out += '\n';
  }
  if constexpr (requires { r.statuses; }) {
    if (!r.statuses.empty()) {
      out += "| status | count |\n|---|---|\n";
      for (const auto& [code, n] : r.statuses) fmt::format_to(it, "| {} | {} |\n", code == 0 ? std::string("other") : std::to_string(code), n);
      out += '\n';
    }
    if (!r.errors.empty()) {
      out += "| error | count | first message |\n|---|---|---|\n";
      for (std::size_t i = 0; i < r.errors.size(); ++i)
        fmt::format_to(it, "| {} | {} | {} |\n", to_string(r.errors[i].first), r.errors[i].second,
                       md_cell(r.first_messages[i].second));
      out += '\n';
    }
  }
  fmt::format_to(it, "<sub>karga {}</sub>\n\n", version);
  return out;
}

/// Appends `format_markdown(r)` to a file (a CI job summary collects several).
struct markdown_reporter {
  std::string path;  ///< the file written (replaced; Markdown appends)
  /// Writes `r` to `path`; throws `karga::error` if it cannot.
  template <class R>
    requires std::derived_from<R, basic_report>
  void report(const R& r) const {
    std::FILE* f = std::fopen(path.c_str(), "ab");
    if (!f) detail::throw_error("cannot write " + path);
    const std::string text = format_markdown(r);
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (std::fclose(f) != 0 || !ok) detail::throw_error("cannot write " + path);
  }
};

} // namespace karga
