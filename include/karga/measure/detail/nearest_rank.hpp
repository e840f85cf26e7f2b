#pragma once
/// @file measure/detail/nearest_rank.hpp
/// Percentiles by nearest rank, for every histogram karga keeps (dense, sparse, live).

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace karga::detail {

/// The bucket of [first, last), in ascending order of value, that holds percentile
/// `p` (0 to 100) of `total` values: the one holding the smallest rank r with
/// r ≥ p/100 · total (at least 1). `count(bucket)` is a bucket's count. `last` when
/// there is no value, or when the buckets hold fewer than `total`.
template <class It, class Count>
It nearest_rank(It first, It last, std::uint64_t total, double p, Count count) {
  if (total == 0) return last;
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total))));
  std::uint64_t seen = 0;
  for (; first != last; ++first)
    if ((seen += count(*first)) >= rank) return first;
  return last;
}

} // namespace karga::detail
