#pragma once
/// @file core/timing.hpp
/// The clock karga measures with, and the three instants an executor knows about
/// every action it starts.

#include <chrono>
#include <cstdint>

namespace karga {

/// The clock for every duration karga measures: monotonic, nanosecond ticks.
using clock = std::chrono::steady_clock;

/// The longest duration karga takes anywhere, in seconds (about 31 years; clock
/// ticks stay exact).
inline constexpr double max_duration_seconds = 1e9;

/// When one action should have started, did start and finished.
/// `started - scheduled` is the executor's lag; `finished - scheduled` is the
/// latency a user of the system under test would see (no coordinated omission).
struct timing {
  clock::time_point scheduled;  ///< when the load model meant it to start
  clock::time_point started;  ///< when the executor started it
  clock::time_point finished;  ///< when it returned (or threw, or was cancelled)
};

/// `d` in whole nanoseconds, as histograms record it: a negative duration (a clock
/// read before the instant it is measured from) counts as 0.
inline std::uint64_t to_nanoseconds(clock::duration d) noexcept {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  return ns > 0 ? static_cast<std::uint64_t>(ns) : 0;
}

} // namespace karga
