#pragma once
/// @file core/detail/format.hpp
/// Numbers, durations and sizes as people write them, for messages and reports.

#include <fmt/format.h>

#include <chrono>
#include <string>

namespace karga::detail {

/// The shortest form that reads back the same: 100, 0.5, -50, 1e+20, nan.
inline std::string number(double v) { return fmt::format("{}", v); }

/// Seconds as written in a load model: 500ms, 10s, 1.5s.
inline std::string seconds(double s) {
  if (s != 0 && s < 1 && s > -1) return fmt::format("{}ms", s * 1000);
  return fmt::format("{}s", s);
}

/// 1.23ms, 456µs, 12ns, 2.500s: three significant digits and a unit that fits.
inline std::string human_duration(std::chrono::nanoseconds d) {
  const double ns = static_cast<double>(d.count());
  if (ns < 1e3) return fmt::format("{:.0f}ns", ns);
  if (ns < 1e6) return fmt::format("{:.3g}µs", ns / 1e3);
  if (ns < 1e9) return fmt::format("{:.3g}ms", ns / 1e6);
  return fmt::format("{:.3f}s", ns / 1e9);
}

/// 512B, 1.50KiB, 3.00MiB.
inline std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) b /= 1024, ++u;
  return u == 0 ? fmt::format("{:.0f}{}", b, units[u]) : fmt::format("{:.2f}{}", b, units[u]);
}

} // namespace karga::detail
