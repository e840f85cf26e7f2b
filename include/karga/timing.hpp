#pragma once
/// @file timing.hpp
/// The clock karga measures with, and the three instants an executor knows about
/// every action it starts.

#include <chrono>

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

} // namespace karga
