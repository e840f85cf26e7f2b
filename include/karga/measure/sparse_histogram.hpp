#pragma once
/// @file measure/sparse_histogram.hpp
/// A latency distribution that stores only the buckets holding values: small for the
/// many short intervals of a time series.

#include <karga/measure/detail/hdr_layout.hpp>
#include <karga/measure/detail/nearest_rank.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace karga {

/// A latency distribution kept sparse: HdrHistogram's layout with 2 significant
/// digits and a 1 ns unit; only buckets that hold values are stored.
class sparse_histogram {
public:
  /// HdrHistogram's layout, 2 significant digits, a 1 ns unit.
  using layout = detail::hdr_layout<8>;
  /// Largest error of a reported value, relative to the true value.
  static constexpr double relative_error = layout::relative_error;

  /// One bucket that holds values.
  struct bucket {
    std::uint32_t index;  ///< HdrHistogram counts index
    std::uint64_t count;  ///< values in it
    friend bool operator==(const bucket&, const bucket&) = default;
  };

  /// Records one value in nanoseconds (the slow path: a search in the sorted buckets).
  void record(std::uint64_t ns, std::uint64_t n = 1) {
    if (n == 0) return;
    add(static_cast<std::uint32_t>(layout::index_of(ns)), n);
    note(ns, n);
  }

  /// Adds `n` values to bucket `index` (the extremes are the caller's: see `note`).
  void add(std::uint32_t index, std::uint64_t n) {
    auto it = std::lower_bound(buckets_.begin(), buckets_.end(), index,
                               [](const bucket& b, std::uint32_t i) { return b.index < i; });
    if (it != buckets_.end() && it->index == index)
      it->count += n;
    else
      buckets_.insert(it, bucket{index, n});
    count_ += n;
  }
  /// Takes account of `n` values of `ns` in the exact min, max and sum.
  void note(std::uint64_t ns, std::uint64_t n) {
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
    sum_ += ns * n;
  }
  /// Takes account of values whose least is `min`, greatest `max`, sum `sum`.
  void note_extremes(std::uint64_t min, std::uint64_t max, std::uint64_t sum) {
    min_ = std::min(min_, min);
    max_ = std::max(max_, max);
    sum_ += sum;
  }

  /// Adds every value of `o`.
  void merge(const sparse_histogram& o) {
    if (o.count_ == 0) return;
    std::vector<bucket> out;
    out.reserve(buckets_.size() + o.buckets_.size());
    auto a = buckets_.cbegin();
    auto b = o.buckets_.cbegin();
    while (a != buckets_.cend() || b != o.buckets_.cend()) {
      if (b == o.buckets_.cend() || (a != buckets_.cend() && a->index < b->index))
        out.push_back(*a++);
      else if (a == buckets_.cend() || b->index < a->index)
        out.push_back(*b++);
      else
        out.push_back({a->index, a++->count + b++->count});
    }
    buckets_ = std::move(out);
    count_ += o.count_;
    note_extremes(o.min_, o.max_, o.sum_);
  }

  /// Values recorded.
  std::uint64_t count() const noexcept { return count_; }
  /// The exact least value (0 when empty).
  std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
  /// The exact greatest value (0 when empty).
  std::uint64_t max() const noexcept { return count_ ? max_ : 0; }
  /// The exact sum of the values.
  std::uint64_t sum() const noexcept { return sum_; }
  /// The exact mean (0 when empty).
  double mean() const noexcept { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  /// The buckets that hold values, by index.
  const std::vector<bucket>& buckets() const noexcept { return buckets_; }

  /// The value at percentile `p` in [0, 100] (nearest rank), within `relative_error`;
  /// 0 when empty.
  std::uint64_t percentile(double p) const noexcept {
    if (count_ == 0) return 0;
    if (!(p > 0)) return min_;
    if (p >= 100) return max_;
    const auto b = detail::nearest_rank(buckets_.begin(), buckets_.end(), count_, p, [](const bucket& x) { return x.count; });
    return b == buckets_.end() ? max_ : std::clamp(layout::midpoint(b->index), min_, max_);
  }

  friend bool operator==(const sparse_histogram&, const sparse_histogram&) = default;

private:
  std::vector<bucket> buckets_;  // sorted by index
  std::uint64_t count_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;
};

} // namespace karga
