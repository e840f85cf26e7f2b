#pragma once
/// @file fs/metrics.hpp
/// The filesystem metric, aggregate and report: basic_aggregate's counts and
/// latencies, and per kind of operation its count, bytes, rate, bandwidth and latency
/// percentiles; errors by errno name, with the first message of each.

#include <karga/core/detail/format.hpp>
#include <karga/core/metric.hpp>
#include <karga/core/timing.hpp>
#include <karga/fs/operation.hpp>
#include <karga/measure/basic_aggregate.hpp>
#include <karga/measure/extends_basic.hpp>
#include <karga/measure/sparse_histogram.hpp>
#include <karga/report/basic_report.hpp>
#include <karga/reporters/detail/text_out.hpp>
#include <karga/reporters/stdout_reporter.hpp>

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

namespace karga::fs {

/// One operation's outcome. It succeeded when it met no error.
struct metric {
  clock::duration latency{};  ///< as the action measured it: the call(s), and any wait for the engine
  fs::op operation = op::read;  ///< what it was
  std::uint64_t bytes = 0;      ///< bytes read or written (readdir: directory entries' bytes)
  int error = 0;                ///< errno (or `data_mismatch`); 0: none
  std::string message;          ///< what went wrong, with the path, when it did

  /// No error.
  bool success() const noexcept { return error == 0; }

  // Live labels (`karga::has_live_labels`): operations by kind, failures by error.
  /// The errno values counted by name live (1 to 133, EHWPOISON, the last Linux has).
  static constexpr unsigned live_errno_count = 133;
  /// Live labels: each operation (no error), each errno, EMISMATCH, "other".
  static constexpr unsigned live_label_count = static_cast<unsigned>(op_count) + live_errno_count + 2;
  /// The live label this operation counts under: its kind, or its error.
  unsigned live_label() const noexcept {
    constexpr auto ops = static_cast<unsigned>(op_count);
    if (error == 0) return static_cast<unsigned>(operation);
    if (error == data_mismatch) return ops + live_errno_count;
    if (error > 0 && static_cast<unsigned>(error) <= live_errno_count) return ops + static_cast<unsigned>(error) - 1;
    return ops + live_errno_count + 1;
  }
  /// What live label `i` counts (Prometheus: `karga_fs_operations_total{op="randread"}`,
  /// `karga_fs_errors_total{error="ENOENT"}`).
  static karga::live_label describe_live_label(unsigned i) {
    constexpr auto ops = static_cast<unsigned>(op_count);
    if (i < ops) return {"fs_operations", "op", std::string(op_names[i]), "File operations that met no error, by kind."};
    constexpr const char* failed = "File operations that failed, by error.";
    if (i < ops + live_errno_count) return {"fs_errors", "error", error_name(static_cast<int>(i - ops + 1)), failed};
    return {"fs_errors", "error", i == ops + live_errno_count ? "EMISMATCH" : "other", failed};
  }
};

/// One kind of operation's figures.
struct operation_figures {
  std::uint64_t count = 0;   ///< operations made
  std::uint64_t failed = 0;  ///< of which met an error
  std::uint64_t bytes = 0;   ///< bytes moved
  sparse_histogram latency;  ///< every operation's latency (2 significant digits: within 1%)
  friend bool operator==(const operation_figures&, const operation_figures&) = default;
};

/// The count of one error and the first message it came with.
struct error_figures {
  std::uint64_t count = 0;    ///< operations that met it
  std::string first_message;  ///< the first one's message
  friend bool operator==(const error_figures&, const error_figures&) = default;
};

/// basic_aggregate, plus figures by kind of operation and counts by error.
class aggregate : public extends_basic {
public:
  /// Counts one operation.
  void consume(const metric& m) {
    base_.consume(as_basic(m));
    count(m);
  }
  /// Counts one operation, with the executor's timing.
  void consume(const metric& m, const timing& t) {
    base_.consume(as_basic(m), t);
    count(m);
  }

  /// Adds `o`'s figures (the first message of each error is kept).
  void merge(const aggregate& o) {
    base_.merge(o.base_);
    for (std::size_t i = 0; i < op_count; ++i) {
      operations_[i].count += o.operations_[i].count;
      operations_[i].failed += o.operations_[i].failed;
      operations_[i].bytes += o.operations_[i].bytes;
      operations_[i].latency.merge(o.operations_[i].latency);
    }
    for (const auto& [code, e] : o.errors_) {
      auto& mine = errors_[code];
      if (mine.count == 0 && mine.first_message.empty()) mine.first_message = e.first_message;
      mine.count += e.count;
    }
  }

  /// The figures of operation `o`.
  const operation_figures& operation(op o) const noexcept { return operations_[static_cast<std::size_t>(o)]; }
  /// The figures of operation `o` (for decoders).
  operation_figures& operation(op o) noexcept { return operations_[static_cast<std::size_t>(o)]; }
  /// Errors by errno (`data_mismatch` for a block that failed `--verify`).
  const std::map<int, error_figures>& errors() const noexcept { return errors_; }
  /// Operations that met error `e`.
  std::uint64_t error_count(int e) const noexcept {
    const auto it = errors_.find(e);
    return it == errors_.end() ? 0 : it->second.count;
  }
  /// Sets error `e`'s figures (for decoders).
  void restore_error(int e, error_figures f) { errors_[e] = std::move(f); }
  /// Operations that met the error named `name` ("ENOENT", "EMISMATCH"), for the
  /// threshold `errors(NAME)`; nullopt for a name that is no error's.
  std::optional<std::uint64_t> errors_named(std::string_view name) const {
    try {
      return error_count(parse_error_name(name));
    } catch (const karga::error&) {
      return std::nullopt;
    }
  }

  friend bool operator==(const aggregate&, const aggregate&) = default;

private:
  static basic_metric as_basic(const metric& m) noexcept { return {m.latency, m.success(), m.bytes}; }
  void count(const metric& m) {
    auto& f = operations_[static_cast<std::size_t>(m.operation)];
    ++f.count;
    f.bytes += m.bytes;
    f.latency.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, std::chrono::nanoseconds(m.latency).count())));
    if (m.error != 0) {
      ++f.failed;
      auto& e = errors_[m.error];
      if (e.count++ == 0) e.first_message = m.message;
    }
  }

  std::array<operation_figures, op_count> operations_{};
  std::map<int, error_figures> errors_;
};

/// basic_report plus a row per kind of operation made and the errors met.
struct report : basic_report {
  /// One kind of operation.
  struct operation_row {
    fs::op operation = op::read;   ///< which
    std::uint64_t count = 0;       ///< made
    std::uint64_t failed = 0;      ///< met an error
    std::uint64_t bytes = 0;       ///< moved
    double per_second = 0;         ///< count over the run's elapsed time (IOPS)
    double bytes_per_second = 0;   ///< bytes over the run's elapsed time (bandwidth)
    std::chrono::nanoseconds p50{};   ///< latency: the median (within 1%)
    std::chrono::nanoseconds p99{};   ///< latency: 99th percentile (within 1%)
    std::chrono::nanoseconds p999{};  ///< latency: 99.9th percentile (within 1%)
    std::chrono::nanoseconds max{};   ///< latency: the greatest (exact)
    friend bool operator==(const operation_row&, const operation_row&) = default;
  };
  /// One error.
  struct error_row {
    int code = 0;               ///< errno, or `data_mismatch`
    std::string name;           ///< "ENOENT"
    std::uint64_t count = 0;    ///< operations that met it
    std::string first_message;  ///< the first one's message
    friend bool operator==(const error_row&, const error_row&) = default;
  };
  std::vector<operation_row> operations;  ///< the kinds made, in the order of `op`
  std::vector<error_row> errors;          ///< by errno

  report() = default;
  /// The report of `a`.
  explicit report(const aggregate& a) : basic_report(a.basic()) {
    const double seconds = elapsed.count();
    auto per_second = [seconds](std::uint64_t n) { return seconds > 0 ? static_cast<double>(n) / seconds : 0.0; };
    auto ns = [](std::uint64_t v) { return std::chrono::nanoseconds(static_cast<std::int64_t>(v)); };
    for (std::size_t i = 0; i < op_count; ++i) {
      const auto& f = a.operation(static_cast<op>(i));
      if (f.count == 0) continue;
      operations.push_back({static_cast<op>(i), f.count, f.failed, f.bytes, per_second(f.count), per_second(f.bytes),
                            ns(f.latency.percentile(50)), ns(f.latency.percentile(99)), ns(f.latency.percentile(99.9)),
                            ns(f.latency.max())});
    }
    for (const auto& [code, e] : a.errors()) errors.push_back({code, error_name(code), e.count, e.first_message});
  }
};

/// The filesystem's part of the JSON report: `"fs": {"operations": {"randread":
/// {"count": n, "per_second": x, ...}}, "errors": {"ENOENT": {"count": n,
/// "first_message": "…"}}}` (found by json_reporter).
inline void write_json_extras(karga::detail::json_writer& w, const report& r) {
  auto ms = [](std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); };
  w.begin_object("fs").begin_object("operations");
  for (const auto& o : r.operations)
    w.begin_object(to_string(o.operation))
        .field("count", o.count)
        .field("failed", o.failed)
        .field("bytes", o.bytes)
        .field("per_second", o.per_second)
        .field("bytes_per_second", o.bytes_per_second)
        .field("p50_ms", ms(o.p50))
        .field("p99_ms", ms(o.p99))
        .field("p99_9_ms", ms(o.p999))
        .field("max_ms", ms(o.max))
        .end_object();
  w.end_object().begin_object("errors");
  for (const auto& e : r.errors)
    w.begin_object(e.name).field("count", e.count).field("first_message", e.first_message).end_object();
  w.end_object().end_object();
}

/// The basic summary, then a line per kind of operation and one of errors by name.
inline std::string format_report(const report& r) {
  std::string out = karga::detail::format_basic(r);
  auto it = std::back_inserter(out);
  using karga::detail::human_duration;
  for (const auto& o : r.operations) {
    fmt::format_to(it, "  {:<15} {} ({:.0f}/s", to_string(o.operation), o.count, o.per_second);
    if (o.bytes != 0) fmt::format_to(it, ", {}/s", karga::detail::human_bytes(o.bytes_per_second));
    fmt::format_to(it, ")  p50 {}  p99 {}  p99.9 {}  max {}", human_duration(o.p50), human_duration(o.p99),
                   human_duration(o.p999), human_duration(o.max));
    if (o.failed != 0) fmt::format_to(it, "  failed {}", o.failed);
    out += '\n';
  }
  if (!r.errors.empty()) {
    fmt::format_to(it, "  {:<15}", "errors");
    for (const auto& e : r.errors) fmt::format_to(it, " {}×{}", e.name, e.count);
    out += '\n';
    for (const auto& e : r.errors)
      if (!e.first_message.empty()) fmt::format_to(it, "  {:<15} first {}\n", "", e.first_message);
  }
  karga::detail::append_thresholds(out, r);
  return out;
}

} // namespace karga::fs
