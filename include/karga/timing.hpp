#pragma once
/// @file timing.hpp
/// The clock karga measures with, and the three instants an executor knows about
/// every action it starts.

#include <chrono>
#include <cstdint>

namespace karga {

/// The clock for every duration karga measures: monotonic, nanosecond ticks.
using clock = std::chrono::steady_clock;

/// When one action should have started, did start and finished.
/// `started - scheduled` is the executor's lag; `finished - scheduled` is the
/// latency a user of the system under test would see (no coordinated omission).
struct timing {
  clock::time_point scheduled;
  clock::time_point started;
  clock::time_point finished;
};

/// What an executor tells an aggregate about the whole run, once, after merging.
struct run_info {
  std::uint64_t scheduled = 0;       ///< arrivals the load model asked for
  clock::duration planned{};         ///< length of the load model (sum of stages)
  clock::duration elapsed{};         ///< from the first scheduled arrival to the last action's end
  std::uint64_t peak_in_flight = 0;  ///< most actions running at once (summed over shards)
  bool stopped = false;              ///< ended early by a signal; `planned` then ends at the stop

  friend bool operator==(const run_info&, const run_info&) = default;
};

} // namespace karga
