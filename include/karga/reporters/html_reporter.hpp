#pragma once
/// @file reporters/html_reporter.hpp
/// The report as one self-contained HTML page, to open after a run: what was asked,
/// the outcomes and thresholds, and charts drawn as inline SVG — target and achieved
/// rate over time with dropped arrivals, latency over time (p50, p90, p99, max; from
/// the intended start and the action's own), and the latency distribution as a
/// percentile spectrum. No script and no request to any network at view time; light
/// and dark themes follow the system's; it prints. The charts over time need a report
/// with a series (`report_with_series`, from a `series_aggregate`).

#include <karga/core/detail/format.hpp>
#include <karga/core/version.hpp>
#include <karga/report/basic_report.hpp>
#include <karga/report/series_report.hpp>
#include <karga/reporters/detail/svg_chart.hpp>
#include <karga/reporters/detail/text_out.hpp>
#include <karga/reporters/stdout_reporter.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

namespace karga {

namespace detail {

inline constexpr const char* html_style = R"(
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1d2330; --muted: #5b6475; --grid: #e4e7ed; --panel: #f6f7f9;
  --c1: #2364d2; --c2: #d9480f; --c3: #2b8a3e; --c4: #862e9c; --bad: #c92a2a; --good: #2b8a3e; }
@media (prefers-color-scheme: dark) { :root { --bg: #14171c; --fg: #e6e9ef; --muted: #9aa3b2; --grid: #2c313a;
  --panel: #1b1f26; --c1: #6ea8fe; --c2: #ff922b; --c3: #69db7c; --c4: #da77f2; --bad: #ff6b6b; --good: #69db7c; } }
@media print { :root { --bg: #fff; --fg: #000; --muted: #444; --grid: #ddd; --panel: #fff; }
  section { break-inside: avoid; } body { margin: 0; } }
body { background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1000px;
  padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.muted { color: var(--muted); }
table { border-collapse: collapse; margin: 4px 0 8px; } th, td { padding: 3px 12px 3px 0; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } th { color: var(--muted); font-weight: 600; }
tr + tr td { border-top: 1px solid var(--grid); }
.pass { color: var(--good); font-weight: 600; } .fail { color: var(--bad); font-weight: 600; }
svg.chart { width: 100%; height: auto; display: block; background: var(--panel); border-radius: 6px; margin: 8px 0; }
svg.chart text { fill: var(--fg); font: 12px system-ui, sans-serif; } svg.chart .tick, svg.chart .axis { fill: var(--muted); }
svg.chart .title { font-weight: 600; font-size: 13px; }
svg.chart .grid { stroke: var(--grid); } svg.chart .frame { fill: none; stroke: var(--muted); stroke-width: 0.6; }
.c1 { --c: var(--c1); } .c2 { --c: var(--c2); } .c3 { --c: var(--c3); } .c4 { --c: var(--c4); } .bad { --c: var(--bad); }
svg.chart .line { fill: none; stroke: var(--c); stroke-width: 1.6; stroke-linejoin: round; }
svg.chart .dashed { stroke-dasharray: 6 4; }
svg.chart .legend rect, svg.chart .bars rect { fill: var(--c); } svg.chart .bars { opacity: 0.75; }
)";

inline std::string html_number(double v) { return fmt::format("{:.1f}", v); }

/// Points (x, y) of a series' rows, x at the middle of each interval.
template <class F>
std::vector<std::pair<double, double>> html_points(const series_report& s, F y) {
  std::vector<std::pair<double, double>> out;
  out.reserve(s.rows.size());
  for (const auto& r : s.rows) out.emplace_back((r.start + r.end) / 2, y(r));
  return out;
}

inline svg_axis html_time_axis(const series_report& s) {
  svg_axis x = make_axis("seconds from the start", false, [](double t) { return fmt::format("{}", t); });
  x.lo = 0.0;
  if (!s.rows.empty()) x.hi = s.rows.back().end;
  return x;
}
inline svg_axis html_latency_axis() {
  return make_axis("latency", true, [](double ns) { return human_duration(std::chrono::nanoseconds(static_cast<std::int64_t>(ns))); });
}

inline std::string html_rate_chart(const series_report& s) {
  std::vector<svg_series> lines;
  const double seconds = s.interval.count();
  lines.push_back({"achieved", "c3", html_points(s, [](const interval_row& r) { return r.achieved_rate; }), false});
  if (s.kind == load_kind::open)  // drawn over the achieved rate, dashed: both show where they agree
    lines.push_back({"target", "c1 dashed", html_points(s, [](const interval_row& r) { return r.target_rate; }), false});
  lines.push_back({"dropped", "bad",
                   html_points(s, [seconds](const interval_row& r) { return static_cast<double>(r.dropped) / seconds; }), true});
  lines.push_back({"failed", "c2",
                   html_points(s, [seconds](const interval_row& r) { return static_cast<double>(r.failed) / seconds; }), true});
  const svg_axis y = make_axis("per second", false, [](double v) { return number(v); });
  return svg_chart("rate", "Rate: target and achieved, dropped and failed per second", html_time_axis(s), y, lines);
}

inline std::string html_latency_chart(const series_report& s, bool from_intended) {
  using ns = std::chrono::nanoseconds;
  auto pick = [from_intended](ns own, ns intended) { return static_cast<double>((from_intended ? intended : own).count()); };
  std::vector<svg_series> lines{
      {"p50", "c1", html_points(s, [&](const interval_row& r) { return pick(r.p50, r.rt_p50); }), false},
      {"p90", "c3", html_points(s, [&](const interval_row& r) { return pick(r.p90, r.rt_p90); }), false},
      {"p99", "c2", html_points(s, [&](const interval_row& r) { return pick(r.p99, r.rt_p99); }), false},
      {"max", "c4 dashed", html_points(s, [&](const interval_row& r) { return pick(r.max, r.rt_max); }), false}};
  return from_intended ? svg_chart("latency-intended", "Latency from the intended start, per interval", html_time_axis(s),
                                   html_latency_axis(), lines)
                       : svg_chart("latency-own", "The action's own latency, per interval", html_time_axis(s),
                                   html_latency_axis(), lines);
}

/// The percentile spectrum: latency at percentile p against log10(1 / (1 − p)), as
/// HdrHistogram's plotter draws it, up to the percentile the count resolves.
inline std::vector<std::pair<double, double>> html_spectrum(const sparse_histogram& h) {
  std::vector<std::pair<double, double>> out;
  if (h.count() == 0) return out;
  const double nines = std::max(1.0, std::min(6.0, std::log10(static_cast<double>(h.count()))));
  for (double x = 0; x <= nines + 1e-9; x += 0.025)
    out.emplace_back(x, static_cast<double>(h.percentile(100.0 * (1.0 - std::pow(10.0, -x)))));
  out.emplace_back(nines + 0.2, static_cast<double>(h.max()));
  return out;
}

inline std::string html_spectrum_chart(const series_report& s) {
  sparse_histogram own, intended;
  for (const auto& f : s.data.intervals()) {
    own.merge(f.latency);
    intended.merge(f.response_time);
  }
  std::vector<svg_series> lines{{"from the intended start", "c2", html_spectrum(intended), false},
                                {"the action's own", "c1", html_spectrum(own), false}};
  svg_axis x = make_axis("percentile", false, [](double k) {
    if (k < 0.5) return std::string("0%");
    const double p = 100.0 * (1.0 - std::pow(10.0, -k));
    return fmt::format("{}%", p >= 99.99995 ? fmt::format("{:.5f}", p) : fmt::format("{:g}", p));
  });
  x.ticks = {0, 1, 2, 3, 4, 5, 6};
  return svg_chart("spectrum", "Latency by percentile (whole run)", x, html_latency_axis(), lines);
}

inline void html_latency_row(std::string& out, const char* name, const latency_summary& s) {
  if (s.count == 0) return;
  const auto h = human_duration;
  fmt::format_to(std::back_inserter(out),
                 "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>"
                 "<td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>\n",
                 name, h(s.min), h(s.mean), h(s.p50), h(s.p90), h(s.p99), h(s.p999), h(s.p9999), h(s.max));
}

} // namespace detail

/// The report as an HTML page.
template <class R>
  requires std::derived_from<R, basic_report>
std::string format_html(const R& r) {
  using detail::xml_escape;
  std::string out;
  auto it = std::back_inserter(out);
  const std::string title = "karga: " + (r.scenario.empty() ? std::string("load test") : r.scenario);
  fmt::format_to(it, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
                 xml_escape(title), detail::html_style);
  std::string protocol;  // an adapter's report may say which protocol it spoke
  if constexpr (requires { std::string_view(r.protocol); })
    if (!std::string_view(r.protocol).empty()) protocol = " · " + xml_escape(r.protocol);
  fmt::format_to(it, "<header>\n<h1>{}</h1>\n<p class=\"muted\">{}{}{} · started {} · {} thread{}{}</p>\n</header>\n",
                 xml_escape(title), xml_escape(r.model.empty() ? "" : r.model), protocol,
                 r.kind == load_kind::open ? " (open model)" : " (closed model)", detail::utc_time(r.started_at), r.threads,
                 r.threads == 1 ? "" : "s", r.stopped() ? " · <span class=\"fail\">" + detail::stop_words(r.stop, r.signal) + "</span>" : "");

  out += "<section id=\"outcomes\">\n<h2>Outcomes</h2>\n<table>\n";
  auto row = [&](std::string_view name, std::string value) {
    fmt::format_to(it, "<tr><td>{}</td><td class=n>{}</td></tr>\n", name, value);
  };
  if (r.kind == load_kind::open)
    row("scheduled", fmt::format("{} over {}s ({}/s)", r.scheduled, detail::html_number(r.planned.count()),
                                 detail::html_number(r.target_rate)));
  row("started", fmt::format("{} ({}/s{})", r.started, detail::html_number(r.achieved_rate),
                             r.kind == load_kind::open && r.target_rate > 0
                                 ? fmt::format(", {:.2f}% of target", 100.0 * r.achieved_rate / r.target_rate)
                                 : ""));
  row("ok", std::to_string(r.ok));
  row("failed", std::to_string(r.failed));
  row("dropped", fmt::format("{} ({} at the in-flight cap, {} late)", r.dropped, r.dropped_by_cap, r.dropped_late));
  row("interrupted", std::to_string(r.interrupted));
  row("success", fmt::format("{:.2f}%", 100.0 * r.success_ratio));
  row("peak in flight", std::to_string(r.peak_in_flight));
  row("elapsed", fmt::format("{:.3f}s", r.elapsed.count()));
  if (r.bytes) row("bytes", fmt::format("{} ({}/s)", detail::human_bytes(static_cast<double>(r.bytes)),
                                        detail::human_bytes(r.bytes_per_second)));
  out += "</table>\n</section>\n";

  if (!r.thresholds.empty()) {
    out += "<section id=\"thresholds\">\n<h2>Thresholds</h2>\n<table>\n<tr><th>threshold</th><th>observed</th><th>verdict</th></tr>\n";
    for (const auto& t : r.thresholds)
      fmt::format_to(it, "<tr><td><code>{}</code></td><td class=n>{}</td><td class=\"{}\">{}</td></tr>\n", xml_escape(t.expression),
                     xml_escape(t.observed_text), t.passed ? "pass" : "fail", t.passed ? "pass" : "fail");
    out += "</table>\n</section>\n";
  }

  out += "<section id=\"charts\">\n<h2>Over time</h2>\n";
  if constexpr (requires { r.series; }) {
    out += detail::html_rate_chart(r.series);
    if (r.response_time.count) out += detail::html_latency_chart(r.series, true);
    out += detail::html_latency_chart(r.series, false);
    out += "<h2>Distribution</h2>\n";
    out += detail::html_spectrum_chart(r.series);
  } else {
    out += "<p class=\"muted\">No time series: this report was made without one (see series_aggregate).</p>\n";
  }
  out += "</section>\n";

  out += "<section id=\"latency\">\n<h2>Latency</h2>\n<table>\n<tr><th></th><th>min</th><th>mean</th><th>p50</th><th>p90</th>"
         "<th>p99</th><th>p99.9</th><th>p99.99</th><th>max</th></tr>\n";
  detail::html_latency_row(out, "from the intended start", r.response_time);
  detail::html_latency_row(out, "the action's own", r.latency);
  detail::html_latency_row(out, "start lag", r.start_lag);
  fmt::format_to(it, "</table>\n<p class=\"muted\">Percentiles come from a histogram with values within {:.2f}% of the "
                     "true ones.</p>\n</section>\n", 100.0 * sparse_histogram::relative_error);

  if constexpr (requires { r.statuses; }) {
    if (!r.statuses.empty() || !r.errors.empty()) {
      out += "<section id=\"responses\">\n<h2>Responses and errors</h2>\n<table>\n<tr><th>status</th><th>count</th></tr>\n";
      for (const auto& [code, n] : r.statuses)
        fmt::format_to(it, "<tr><td>{}</td><td class=n>{}</td></tr>\n", code == 0 ? std::string("other") : std::to_string(code), n);
      out += "</table>\n";
      if (!r.errors.empty()) {
        out += "<table>\n<tr><th>error</th><th>count</th><th>first message</th></tr>\n";
        for (std::size_t i = 0; i < r.errors.size(); ++i)
          fmt::format_to(it, "<tr><td>{}</td><td class=n>{}</td><td>{}</td></tr>\n", to_string(r.errors[i].first),
                         r.errors[i].second, xml_escape(r.first_messages[i].second));
        out += "</table>\n";
      }
      out += "</section>\n";
    }
  }
  if (!r.exceptions.empty()) {
    out += "<section id=\"exceptions\">\n<h2>Exceptions</h2>\n<table>\n<tr><th>message</th><th>count</th></tr>\n";
    for (const auto& [what, n] : r.exceptions) fmt::format_to(it, "<tr><td>{}</td><td class=n>{}</td></tr>\n", xml_escape(what), n);
    if (r.other_exceptions) fmt::format_to(it, "<tr><td class=muted>others</td><td class=n>{}</td></tr>\n", r.other_exceptions);
    out += "</table>\n</section>\n";
  }
  fmt::format_to(it, "<footer class=\"muted\"><p>karga {}</p></footer>\n</body>\n</html>\n", version);
  return out;
}

/// Writes `format_html(r)` to a file.
struct html_reporter {
  std::string path;  ///< the file written (replaced)
  /// Writes `r` to `path`; throws `karga::error` if it cannot.
  template <class R>
    requires std::derived_from<R, basic_report>
  void report(const R& r) const {
    detail::write_file(path, format_html(r));
  }
};

} // namespace karga
