#pragma once
/// @file exporters/prometheus_text.hpp
/// Live samples in Prometheus' text exposition format (metric names and labels:
/// docs/monitoring.md).

#include <karga/measure/live_counters.hpp>

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace karga {

namespace detail {
/// A label value in the exposition format: backslash, double quote and newline escaped.
inline std::string prometheus_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
} // namespace detail

/// The upper bounds, in seconds, of the latency histogram's buckets (+Inf besides).
inline constexpr std::array<double, 20> prometheus_latency_bounds{
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,     0.25,   0.5,     1,      2.5,   5,      10,    30,   60,    300};

/// One value of a series: its metric name, its labels (in the order written), its value.
struct prometheus_point {
  std::string name;  ///< the metric's name, with the prefix and any _bucket/_sum/_count
  std::vector<std::pair<std::string, std::string>> labels;  ///< name and value, unescaped
  double value = 0;  ///< the value
};

/// A metric family: its name, type and help, and its points.
struct prometheus_family {
  std::string name;  ///< with the prefix
  std::string type;  ///< counter, gauge or histogram
  std::string help;  ///< one line
  std::vector<prometheus_point> points;  ///< the family's series, one value each
};

/// The families of the latest sample of each scenario: what `/metrics` serves and a
/// push (remote write, Pushgateway) sends. `prefix` starts every metric's name. A
/// latency is counted in the first bucket whose bound is at least its HdrHistogram
/// bucket's midpoint: within 0.4 % of the bound.
inline std::vector<prometheus_family> prometheus_families(const std::vector<live_sample>& samples,
                                                          std::string_view prefix = "karga") {
  std::vector<prometheus_family> out;
  auto family = [&](std::string_view name, std::string_view type, std::string_view help) -> prometheus_family& {
    out.push_back({fmt::format("{}_{}", prefix, name), std::string(type), std::string(help), {}});
    return out.back();
  };
  auto each = [&](prometheus_family& f, std::pair<std::string, std::string> extra, auto value_of) {
    for (const live_sample& s : samples) {
      prometheus_point p{f.name, {{"scenario", s.scenario}}, static_cast<double>(value_of(s))};
      if (!extra.first.empty()) p.labels.push_back(extra);
      f.points.push_back(std::move(p));
    }
  };
  auto single = [&](std::string_view name, std::string_view type, std::string_view help, auto value_of) {
    each(family(name, type, help), {}, value_of);
  };

  single("scheduled_total", "counter", "Arrivals due so far (open models); actions started (closed models).",
         [](const live_sample& s) { return s.scheduled; });
  single("started_total", "counter", "Actions started.", [](const live_sample& s) { return s.started; });
  {
    auto& f = family("actions_total", "counter", "Actions by outcome: ok, failed, dropped (due, never started), interrupted.");
    each(f, {"outcome", "ok"}, [](const live_sample& s) { return s.ok; });
    each(f, {"outcome", "failed"}, [](const live_sample& s) { return s.failed; });
    each(f, {"outcome", "dropped"}, [](const live_sample& s) { return s.dropped; });
    each(f, {"outcome", "interrupted"}, [](const live_sample& s) { return s.interrupted; });
  }
  single("bytes_total", "counter", "Bytes the actions reported.", [](const live_sample& s) { return s.bytes; });
  single("in_flight", "gauge", "Actions running.", [](const live_sample& s) { return s.in_flight; });
  single("users", "gauge", "Active virtual users (closed models).", [](const live_sample& s) { return s.users; });
  single("target_rate", "gauge", "Arrivals due per second over the last interval (open models).",
         [](const live_sample& s) { return s.target_rate; });
  single("achieved_rate", "gauge", "Actions started per second over the last interval.",
         [](const live_sample& s) { return s.achieved_rate; });
  single("elapsed_seconds", "gauge", "Time since the run's start.",
         [](const live_sample& s) { return std::chrono::duration<double>(s.elapsed).count(); });
  single("finished", "gauge", "1 once the run is over and the values are final.",
         [](const live_sample& s) { return s.final ? 1 : 0; });

  // The metric's labelled counters, a family per counter name.
  std::map<std::string, prometheus_family> labelled;
  for (const live_sample& s : samples)
    for (const auto& [label, n] : s.labels) {
      auto& f = labelled[label.counter];
      f.name = fmt::format("{}_{}_total", prefix, label.counter);
      f.type = "counter";
      f.help = label.help;
      f.points.push_back({f.name, {{"scenario", s.scenario}, {label.name, label.value}}, static_cast<double>(n)});
    }
  for (auto& [name, f] : labelled) out.push_back(std::move(f));

  auto& latency = family("latency_seconds", "histogram",
                         "Latency from the intended start (the action's own where the executor has no schedule).");
  for (const live_sample& s : samples) {
    std::array<std::uint64_t, prometheus_latency_bounds.size() + 1> counts{};
    std::uint64_t count = 0;
    for (std::size_t i = 0; i < s.latency_buckets.size(); ++i) {
      const std::uint64_t n = s.latency_buckets[i];
      if (n == 0) continue;
      const double seconds = static_cast<double>(live_counters::layout::midpoint(i)) * 1e-9;
      std::size_t b = 0;
      while (b < prometheus_latency_bounds.size() && seconds > prometheus_latency_bounds[b]) ++b;
      counts[b] += n;
      count += n;
    }
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < prometheus_latency_bounds.size(); ++b) {
      cumulative += counts[b];
      latency.points.push_back({latency.name + "_bucket", {{"scenario", s.scenario}, {"le", fmt::format("{}", prometheus_latency_bounds[b])}},
                                static_cast<double>(cumulative)});
    }
    latency.points.push_back({latency.name + "_bucket", {{"scenario", s.scenario}, {"le", "+Inf"}}, static_cast<double>(count)});
    latency.points.push_back({latency.name + "_sum", {{"scenario", s.scenario}}, static_cast<double>(s.latency_sum_ns) * 1e-9});
    latency.points.push_back({latency.name + "_count", {{"scenario", s.scenario}}, static_cast<double>(count)});
  }
  return out;
}

/// `families` in the text exposition format.
inline std::string prometheus_text(const std::vector<prometheus_family>& families) {
  std::string out;
  for (const auto& f : families) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name, f.type);
    for (const auto& p : f.points) {
      out += p.name;
      char sep = '{';
      for (const auto& [name, value] : p.labels) {
        fmt::format_to(std::back_inserter(out), "{}{}=\"{}\"", sep, name, detail::prometheus_escape(value));
        sep = ',';
      }
      if (sep == ',') out += '}';
      fmt::format_to(std::back_inserter(out), " {}\n", p.value);
    }
  }
  return out;
}

/// The exposition text of the latest sample of each scenario (`prometheus_families`).
inline std::string prometheus_text(const std::vector<live_sample>& samples, std::string_view prefix = "karga") {
  return prometheus_text(prometheus_families(samples, prefix));
}

} // namespace karga
