#pragma once
/// @file measure/detail/hdr_layout.hpp
/// The bucket layout of an HdrHistogram with a 1 ns unit: values below
/// 2^LinearBits have a bucket each; above, every power of two is split into
/// 2^(LinearBits-1) equal buckets. Bucket i here is HdrHistogram's counts index i,
/// so its encodings read and write karga's histograms as they are. LinearBits 11 is
/// an HdrHistogram with 3 significant digits; 8, one with 2.

#include <bit>
#include <cstddef>
#include <cstdint>

namespace karga::detail {

template <unsigned LinearBits>
struct hdr_layout {
  static constexpr unsigned linear_bits = LinearBits;
  static constexpr unsigned half_bits = LinearBits - 1;
  /// Buckets covering every value from 0 to 2^64 - 1.
  static constexpr std::size_t bucket_count = ((64 - linear_bits + 1) << half_bits) + (std::size_t{1} << half_bits);
  /// HdrHistogram's name for the resolution.
  static constexpr int significant_digits = LinearBits >= 11 ? 3 : LinearBits >= 8 ? 2 : 1;
  /// Largest error of a bucket's midpoint, relative to any value in the bucket.
  static constexpr double relative_error = 1.0 / static_cast<double>(std::uint64_t{1} << linear_bits);

  static std::size_t index_of(std::uint64_t v) noexcept {
    // shift = 0 below 2^linear_bits; above, the power of two of v minus half_bits.
    const unsigned shift = static_cast<unsigned>(std::bit_width(v | ((std::uint64_t{1} << linear_bits) - 1))) - linear_bits;
    return (static_cast<std::size_t>(shift) << half_bits) + static_cast<std::size_t>(v >> shift);
  }
  static unsigned shift_of(std::size_t i) noexcept {
    return i < (std::size_t{1} << linear_bits) ? 0u : static_cast<unsigned>(i >> half_bits) - 1;
  }
  /// The smallest value of bucket i.
  static std::uint64_t lowest(std::size_t i) noexcept {
    const unsigned shift = shift_of(i);
    return static_cast<std::uint64_t>(i - (std::size_t{shift} << half_bits)) << shift;
  }
  /// The middle of bucket i.
  static std::uint64_t midpoint(std::size_t i) noexcept {
    return lowest(i) + ((std::uint64_t{1} << shift_of(i)) - 1) / 2;
  }
};

} // namespace karga::detail
