#pragma once
/// @file karga_redis/metrics.hpp
/// The Redis metric, aggregate and report: karga's basic counts and latencies, and
/// per command its count, failures, rate and latency percentiles; errors by name —
/// the first word of a Redis error reply ("ERR", "WRONGTYPE") or what befell the
/// connection ("connect", "closed", "protocol") — with the first message of each.
#include <karga_redis/connection.hpp>

#include <karga/core/timing.hpp>
#include <karga/measure/basic_aggregate.hpp>
#include <karga/measure/extends_basic.hpp>
#include <karga/measure/sparse_histogram.hpp>
#include <karga/report/basic_report.hpp>
#include <karga/reporters/detail/text_out.hpp>
#include <karga/reporters/stdout_reporter.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace karga_redis {

/// One command's outcome. It succeeded when a reply came that is no error.
struct metric {
  karga::clock::duration latency{};  ///< from sending the command to its reply
  std::string_view command;          ///< its name ("GET"); must outlive the run (the workload's)
  std::uint64_t bytes = 0;           ///< the reply's size on the wire
  std::string error;                 ///< empty, an error reply's first word, or a failure's name
  std::string message;               ///< the error reply, or the system's words for a failure

  /// A reply came, and it is no error.
  bool success() const noexcept { return error.empty(); }

  /// The metric of `a`, the answer to `command` after `latency`.
  static metric of(std::string_view command, karga::clock::duration latency, answer a) {
    metric m{latency, command, a.value.bytes, {}, {}};
    if (a.error != failure::none) {
      m.error = to_string(a.error);
      m.message = std::move(a.message);
    } else if (a.value.type == reply::kind::error) {
      const std::string_view text = a.value.text;
      m.error = std::string(text.substr(0, std::min(text.find(' '), std::size_t{32})));
      m.message = std::move(a.value.text);
    }
    return m;
  }
};

/// One command's figures.
struct command_figures {
  std::uint64_t count = 0;          ///< sent
  std::uint64_t failed = 0;         ///< of which got an error or no reply
  karga::sparse_histogram latency;  ///< every command's latency (2 significant digits: within 1%)
  friend bool operator==(const command_figures&, const command_figures&) = default;
};

/// One error's count and the first message it came with.
struct error_figures {
  std::uint64_t count = 0;
  std::string first_message;
  friend bool operator==(const error_figures&, const error_figures&) = default;
};

/// karga's basic figures, plus figures by command and counts by error.
class aggregate : public karga::extends_basic {
public:
  /// Counts one command.
  void consume(const metric& m) {
    base_.consume(as_basic(m));
    count(m);
  }
  /// Counts one command, with the executor's timing.
  void consume(const metric& m, const karga::timing& t) {
    base_.consume(as_basic(m), t);
    count(m);
  }
  /// Adds `o`'s figures (the first message of each error is kept).
  void merge(const aggregate& o) {
    base_.merge(o.base_);
    for (const auto& [name, f] : o.commands_) {
      auto& mine = commands_[name];
      mine.count += f.count;
      mine.failed += f.failed;
      mine.latency.merge(f.latency);
    }
    for (const auto& [name, e] : o.errors_) {
      auto& mine = errors_[name];
      if (mine.count == 0) mine.first_message = e.first_message;
      mine.count += e.count;
    }
  }

  /// Figures by command name.
  const std::map<std::string, command_figures, std::less<>>& commands() const noexcept { return commands_; }
  /// Errors by name.
  const std::map<std::string, error_figures, std::less<>>& errors() const noexcept { return errors_; }
  /// For decoders.
  command_figures& command(std::string_view name) { return commands_[std::string(name)]; }
  /// For decoders.
  error_figures& error(std::string_view name) { return errors_[std::string(name)]; }

  /// Commands that met the error `name` (the threshold `errors(NAME)`): any name is
  /// one this run may have met, so an unmet one counts 0.
  std::optional<std::uint64_t> errors_named(std::string_view name) const {
    const auto it = errors_.find(name);
    return it == errors_.end() ? 0 : it->second.count;
  }

  friend bool operator==(const aggregate&, const aggregate&) = default;

private:
  static karga::basic_metric as_basic(const metric& m) noexcept { return {m.latency, m.success(), m.bytes}; }
  void count(const metric& m) {
    auto it = commands_.find(m.command);
    if (it == commands_.end()) it = commands_.emplace(std::string(m.command), command_figures{}).first;
    ++it->second.count;
    it->second.latency.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, std::chrono::nanoseconds(m.latency).count())));
    if (m.success()) return;
    ++it->second.failed;
    auto e = errors_.find(m.error);
    if (e == errors_.end()) e = errors_.emplace(m.error, error_figures{0, m.message}).first;
    ++e->second.count;
  }

  std::map<std::string, command_figures, std::less<>> commands_;
  std::map<std::string, error_figures, std::less<>> errors_;
};

/// karga's basic report, plus a row per command and per error.
struct report : karga::basic_report {
  struct command_row {
    std::string name;
    std::uint64_t count = 0, failed = 0;
    double per_second = 0;  ///< count over the run's elapsed time
    std::chrono::nanoseconds p50{}, p99{}, p999{}, max{};
  };
  struct error_row {
    std::string name;
    std::uint64_t count = 0;
    std::string first_message;
  };
  std::vector<command_row> commands;
  std::vector<error_row> errors;

  report() = default;
  explicit report(const aggregate& a) : karga::basic_report(a.basic()) {
    const double seconds = elapsed.count();
    auto ns = [](std::uint64_t v) { return std::chrono::nanoseconds(static_cast<std::int64_t>(v)); };
    for (const auto& [name, f] : a.commands())
      commands.push_back({name, f.count, f.failed, seconds > 0 ? static_cast<double>(f.count) / seconds : 0.0,
                          ns(f.latency.percentile(50)), ns(f.latency.percentile(99)), ns(f.latency.percentile(99.9)),
                          ns(f.latency.max())});
    for (const auto& [name, e] : a.errors()) errors.push_back({name, e.count, e.first_message});
  }
};

/// The report's `"redis"` part of the JSON report (found by karga's json_reporter):
/// `{"commands": {"GET": {"count": n, …}}, "errors": {"WRONGTYPE": {"count": n, …}}}`.
inline void write_json_extras(karga::detail::json_writer& w, const report& r) {
  auto ms = [](std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); };
  w.begin_object("redis").begin_object("commands");
  for (const auto& c : r.commands)
    w.begin_object(c.name)
        .field("count", c.count)
        .field("failed", c.failed)
        .field("per_second", c.per_second)
        .field("p50_ms", ms(c.p50))
        .field("p99_ms", ms(c.p99))
        .field("p99_9_ms", ms(c.p999))
        .field("max_ms", ms(c.max))
        .end_object();
  w.end_object().begin_object("errors");
  for (const auto& e : r.errors) w.begin_object(e.name).field("count", e.count).field("first_message", e.first_message).end_object();
  w.end_object().end_object();
}

/// karga's summary, then a line per command and the errors by name.
inline std::string format_report(const report& r) {
  std::string out = karga::format_report(static_cast<const karga::basic_report&>(r));
  auto it = std::back_inserter(out);
  using karga::detail::human_duration;
  for (const auto& c : r.commands) {
    fmt::format_to(it, "  {:<15} {} ({:.0f}/s)  p50 {}  p99 {}  p99.9 {}  max {}", c.name, c.count, c.per_second,
                   human_duration(c.p50), human_duration(c.p99), human_duration(c.p999), human_duration(c.max));
    if (c.failed != 0) fmt::format_to(it, "  failed {}", c.failed);
    out += '\n';
  }
  for (const auto& e : r.errors) fmt::format_to(it, "  {:<15} {} × {}: {}\n", "error", e.count, e.name, e.first_message);
  return out;
}

} // namespace karga_redis
