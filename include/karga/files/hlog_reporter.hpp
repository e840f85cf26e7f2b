#pragma once
/// @file files/hlog_reporter.hpp
/// The time series as an HdrHistogram interval log (`.hlog`, format 1.3), which
/// HdrHistogram's own tools read (HistogramLogProcessor, HistogramLogAnalyzer).
/// Each interval has two lines: an untagged one, the latency from the intended start
/// (what a user would have seen), and one tagged `own`, the actions' own latency.
/// Values in nanoseconds; the Interval_Max column in milliseconds. Part of the
/// `karga::results` target (zlib).

#include <karga/core/detail/base64.hpp>
#include <karga/files/detail/hdr_codec.hpp>
#include <karga/report/series_report.hpp>
#include <karga/reporters/detail/text_out.hpp>

#include <fmt/format.h>

#include <chrono>
#include <string>

namespace karga {

namespace detail {
inline std::string hlog_histogram(const sparse_histogram& h) {
  hdr_counts c;
  c.significant_digits = sparse_histogram::layout::significant_digits;
  for (const auto& b : h.buckets()) c.buckets.emplace_back(b.index, b.count);
  return base64_encode(compress_v2(encode_v2(c, h.max())));
}
} // namespace detail

/// The series of `r` as an HdrHistogram interval log.
template <class R>
  requires requires(const R& r) { r.series; }
std::string format_hlog(const R& r) {
  const auto start = r.started_at;
  const double epoch = std::chrono::duration<double>(start.time_since_epoch()).count();
  std::string out = fmt::format("#[karga interval log: {}{}{}]\n", r.scenario, r.model.empty() ? "" : ": ", r.model);
  out += "#[Histogram log format version 1.3]\n";
  out += fmt::format("#[StartTime: {:.3f} (seconds since epoch), {}]\n", epoch, detail::utc_time(start));
  out += "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
  const auto& intervals = r.series.data.intervals();
  const double length = r.series.interval.count();
  for (std::size_t k = 0; k < intervals.size() && k < r.series.rows.size(); ++k) {
    const auto& f = intervals[k];
    const double at = length * static_cast<double>(k);
    out += fmt::format("{:.3f},{:.3f},{:.3f},{}\n", at, length, static_cast<double>(f.response_time.max()) / 1e6,
                       detail::hlog_histogram(f.response_time));
    out += fmt::format("Tag=own,{:.3f},{:.3f},{:.3f},{}\n", at, length, static_cast<double>(f.latency.max()) / 1e6,
                       detail::hlog_histogram(f.latency));
  }
  return out;
}

/// Writes `format_hlog(r)` to a file.
struct hlog_reporter {
  std::string path;  ///< the file written (replaced)
  /// Writes `r` to `path`; throws `karga::error` if it cannot.
  template <class R>
    requires requires(const R& r) { r.series; }
  void report(const R& r) const {
    detail::write_file(path, format_hlog(r));
  }
};

} // namespace karga
