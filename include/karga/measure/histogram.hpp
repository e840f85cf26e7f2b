#pragma once
/// @file measure/histogram.hpp
/// A log-linear histogram of durations in nanoseconds, after HdrHistogram: fixed
/// memory, every value from 0 ns to 2^64 - 1 ns, a relative error of at most
/// 1/2048 (0.049 %) on any reported value, and an exact merge.

#include <karga/core/timing.hpp>
#include <karga/measure/detail/hdr_layout.hpp>
#include <karga/measure/detail/nearest_rank.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace karga {

/// Counts values in buckets whose width grows with the value: values below 2048 have
/// a bucket each; above, every power of two is split into 1024 equal buckets. A
/// reported value is its bucket's midpoint, clamped to the recorded min and max.
class histogram {
public:
  /// Largest error of a reported value, relative to the true value.
  static constexpr double relative_error = 1.0 / 2048;

  histogram() : counts_(bucket_count, 0) {}

  /// Records one value in nanoseconds. Constant time, no allocation.
  void record(std::uint64_t ns) noexcept {
    ++counts_[index_of(ns)];
    ++count_;
    sum_ += ns;
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
  }

  /// Records a duration; a negative one counts as zero.
  void record(clock::duration d) noexcept { record(to_nanoseconds(d)); }

  /// Adds every value of `other`: the result equals one histogram of both inputs.
  void merge(const histogram& other) noexcept {
    if (other.count_ == 0) return;
    for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  /// Values recorded.
  std::uint64_t count() const noexcept { return count_; }
  /// Whether nothing was recorded.
  bool empty() const noexcept { return count_ == 0; }
  /// Exact smallest value (0 when empty).
  std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
  /// Exact largest value (0 when empty).
  std::uint64_t max() const noexcept { return max_; }
  /// Exact mean (0 when empty).
  double mean() const noexcept { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }

  /// Standard deviation, from the buckets (within the relative error).
  double stddev() const noexcept {
    if (count_ < 2) return 0.0;
    const double m = mean();
    double sq = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
      if (counts_[i] == 0) continue;
      const double d = static_cast<double>(representative(i)) - m;
      sq += d * d * static_cast<double>(counts_[i]);
    }
    return std::sqrt(sq / static_cast<double>(count_));
  }

  /// The value at percentile `p` in [0, 100]: the smallest recorded value with at
  /// least p % of all values at or below it (nearest rank). 0 when empty.
  std::uint64_t percentile(double p) const noexcept {
    if (count_ == 0) return 0;
    if (!(p > 0)) return min_;
    if (p >= 100) return max_;
    const auto b = detail::nearest_rank(counts_.begin(), counts_.end(), count_, p, [](std::uint64_t n) { return n; });
    return b == counts_.end() ? max_ : representative(static_cast<std::size_t>(b - counts_.begin()));
  }

  /// Same as `percentile`, as a duration.
  clock::duration percentile_duration(double p) const noexcept {
    return std::chrono::duration_cast<clock::duration>(std::chrono::nanoseconds(percentile(p)));
  }

  /// How many values fall in `ns`'s bucket (for tests and exporters).
  std::uint64_t count_at(std::uint64_t ns) const noexcept { return counts_[index_of(ns)]; }

  /// The bucket layout: HdrHistogram's with 3 significant digits and a 1 ns unit.
  using layout = detail::hdr_layout<11>;
  /// Every bucket's count, by HdrHistogram counts index (for encoders).
  const std::vector<std::uint64_t>& counts() const noexcept { return counts_; }
  /// The sum of all values recorded (exact, modulo 2^64).
  std::uint64_t sum() const noexcept { return sum_; }

  /// A histogram with these bucket counts and exact min, max and sum (for decoders);
  /// `counts` may be shorter than the layout (the rest are zero). Nothing is checked
  /// but the length: a decoder checks its input before.
  static histogram from_counts(const std::vector<std::uint64_t>& counts, std::uint64_t min, std::uint64_t max,
                               std::uint64_t sum) {
    histogram h;
    for (std::size_t i = 0; i < counts.size() && i < bucket_count; ++i) {
      h.counts_[i] = counts[i];
      h.count_ += counts[i];
    }
    if (h.count_ != 0) {
      h.min_ = min;
      h.max_ = max;
      h.sum_ = sum;
    }
    return h;
  }

  friend bool operator==(const histogram&, const histogram&) = default;

private:
  static constexpr std::size_t bucket_count = layout::bucket_count;
  static std::size_t index_of(std::uint64_t v) noexcept { return layout::index_of(v); }
  std::uint64_t representative(std::size_t i) const noexcept { return std::clamp(layout::midpoint(i), min_, max_); }

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_ = 0;
};

} // namespace karga
