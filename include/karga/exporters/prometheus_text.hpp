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

/// The exposition text of the latest sample of each scenario. `prefix` starts every
/// metric's name. A latency is counted in the first bucket whose bound is at least
/// its HdrHistogram bucket's midpoint: within 0.4 % of the bound.
inline std::string prometheus_text(const std::vector<live_sample>& samples, std::string_view prefix = "karga") {
  std::string out;
  auto family = [&](std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out), "# HELP {}_{} {}\n# TYPE {}_{} {}\n", prefix, name, help, prefix, name, type);
  };
  auto each = [&](std::string_view name, std::string_view extra_label, auto value_of) {
    for (const live_sample& s : samples)
      fmt::format_to(std::back_inserter(out), "{}_{}{{scenario=\"{}\"{}}} {}\n", prefix, name,
                     detail::prometheus_escape(s.scenario), extra_label, value_of(s));
  };
  auto counter = [&](std::string_view name, std::string_view help, auto value_of) {
    family(name, "counter", help);
    each(name, "", value_of);
  };
  auto gauge = [&](std::string_view name, std::string_view help, auto value_of) {
    family(name, "gauge", help);
    each(name, "", value_of);
  };

  counter("scheduled_total", "Arrivals due so far (open models); actions started (closed models).",
          [](const live_sample& s) { return s.scheduled; });
  counter("started_total", "Actions started.", [](const live_sample& s) { return s.started; });
  family("actions_total", "counter", "Actions by outcome: ok, failed, dropped (due, never started), interrupted.");
  each("actions_total", ",outcome=\"ok\"", [](const live_sample& s) { return s.ok; });
  each("actions_total", ",outcome=\"failed\"", [](const live_sample& s) { return s.failed; });
  each("actions_total", ",outcome=\"dropped\"", [](const live_sample& s) { return s.dropped; });
  each("actions_total", ",outcome=\"interrupted\"", [](const live_sample& s) { return s.interrupted; });
  counter("bytes_total", "Bytes the actions reported.", [](const live_sample& s) { return s.bytes; });
  gauge("in_flight", "Actions running.", [](const live_sample& s) { return s.in_flight; });
  gauge("users", "Active virtual users (closed models).", [](const live_sample& s) { return s.users; });
  gauge("target_rate", "Arrivals due per second over the last interval (open models).",
        [](const live_sample& s) { return s.target_rate; });
  gauge("achieved_rate", "Actions started per second over the last interval.",
        [](const live_sample& s) { return s.achieved_rate; });
  gauge("elapsed_seconds", "Time since the run's start.",
        [](const live_sample& s) { return std::chrono::duration<double>(s.elapsed).count(); });
  gauge("finished", "1 once the run is over and the values are final.",
        [](const live_sample& s) { return s.final ? 1 : 0; });

  // The metric's labelled counters, grouped by counter name.
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> labelled;  // name: help, lines
  for (const live_sample& s : samples)
    for (const auto& [label, n] : s.labels) {
      auto& [help, lines] = labelled[label.counter];
      help = label.help;
      lines.push_back(fmt::format("{}_{}_total{{scenario=\"{}\",{}=\"{}\"}} {}\n", prefix, label.counter,
                                  detail::prometheus_escape(s.scenario), label.name, detail::prometheus_escape(label.value), n));
    }
  for (const auto& [name, help_lines] : labelled) {
    family(name + "_total", "counter", help_lines.first);
    for (const auto& line : help_lines.second) out += line;
  }

  family("latency_seconds", "histogram",
         "Latency from the intended start (the action's own where the executor has no schedule).");
  for (const live_sample& s : samples) {
    const std::string scenario = detail::prometheus_escape(s.scenario);
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
      fmt::format_to(std::back_inserter(out), "{}_latency_seconds_bucket{{scenario=\"{}\",le=\"{}\"}} {}\n", prefix, scenario,
                     prometheus_latency_bounds[b], cumulative);
    }
    fmt::format_to(std::back_inserter(out), "{}_latency_seconds_bucket{{scenario=\"{}\",le=\"+Inf\"}} {}\n", prefix, scenario,
                   count);
    fmt::format_to(std::back_inserter(out), "{}_latency_seconds_sum{{scenario=\"{}\"}} {}\n", prefix, scenario,
                   static_cast<double>(s.latency_sum_ns) * 1e-9);
    fmt::format_to(std::back_inserter(out), "{}_latency_seconds_count{{scenario=\"{}\"}} {}\n", prefix, scenario, count);
  }
  return out;
}

} // namespace karga
