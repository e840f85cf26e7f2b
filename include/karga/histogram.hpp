#pragma once
/// @file histogram.hpp
/// A log-linear histogram of durations in nanoseconds, after HdrHistogram: fixed
/// memory, every value from 0 ns to 2^64 - 1 ns, a relative error of at most
/// 1/2048 (0.049 %) on any reported value, and an exact merge.

#include <karga/timing.hpp>

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
  void record(clock::duration d) noexcept {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    record(ns > 0 ? static_cast<std::uint64_t>(ns) : std::uint64_t{0});
  }

  /// Adds every value of `other`: the result equals one histogram of both inputs.
  void merge(const histogram& other) noexcept {
    if (other.count_ == 0) return;
    for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  std::uint64_t count() const noexcept { return count_; }
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
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
      seen += counts_[i];
      if (seen >= rank) return representative(i);
    }
    return max_;
  }

  /// Same as `percentile`, as a duration.
  clock::duration percentile_duration(double p) const noexcept {
    return std::chrono::duration_cast<clock::duration>(std::chrono::nanoseconds(percentile(p)));
  }

  /// How many values fall in `ns`'s bucket (for tests and exporters).
  std::uint64_t count_at(std::uint64_t ns) const noexcept { return counts_[index_of(ns)]; }

  friend bool operator==(const histogram&, const histogram&) = default;

private:
  static constexpr unsigned linear_bits = 11;  // 2048 exact buckets below 2048 ns
  static constexpr unsigned half_bits = linear_bits - 1;
  static constexpr std::size_t bucket_count =
      ((64 - linear_bits + 1) << half_bits) + (std::size_t{1} << half_bits);

  static std::size_t index_of(std::uint64_t v) noexcept {
    // shift = 0 below 2048; above, the power of two of v minus 10.
    const unsigned shift = static_cast<unsigned>(std::bit_width(v | ((1u << linear_bits) - 1))) - linear_bits;
    return (static_cast<std::size_t>(shift) << half_bits) + static_cast<std::size_t>(v >> shift);
  }

  std::uint64_t representative(std::size_t i) const noexcept {
    const unsigned shift = i < (std::size_t{1} << linear_bits) ? 0u : static_cast<unsigned>(i >> half_bits) - 1;
    const std::uint64_t lowest = static_cast<std::uint64_t>(i - (std::size_t{shift} << half_bits)) << shift;
    const std::uint64_t mid = lowest + ((std::uint64_t{1} << shift) - 1) / 2;
    return std::clamp(mid, min_, max_);
  }

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_ = 0;
};

} // namespace karga
