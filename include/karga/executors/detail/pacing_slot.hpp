#pragma once
/// @file executors/detail/pacing_slot.hpp
/// The pacing slot of open-model executors: the shortest time between two timer
/// wakes of a shard for its arrivals.

#include <karga/core/error.hpp>
#include <karga/core/timing.hpp>
#include <karga/load/schedule.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace karga::detail {

/// How often an open-model shard wakes at most for its arrivals: a timer wake costs
/// a few system calls and a context switch, so at high rates a shard wakes once per
/// slot and starts, one after the other, every arrival due by then. An arrival
/// starts at most a slot after it was due (its latency still counts from then);
/// arrivals further apart than a slot start on time. 500 µs keeps the start lag's
/// p99 under 1 ms at 10,000/s (bench/README.md).
inline constexpr clock::duration default_pacing_slot = std::chrono::microseconds(500);

/// A pacing slot given to a builder, checked: from 0 (a wake per arrival) to 10 ms.
inline clock::duration checked_pacing_slot(std::chrono::duration<double> slot) {
  if (!(slot.count() >= 0 && slot.count() <= 0.01))
    throw_error(fmt::format("pacing slot ({}s) must be from 0 to 10ms", slot.count()));
  return schedule::checked_duration(slot, "pacing slot");
}

/// When a shard that last woke at `last_wake` wakes for an arrival due at `due`: a
/// slot after its last wake, or on time if that is later. Arrivals due within a slot
/// of `last_due` (the shard's last) wake on their own time: the end is not a slot late.
inline clock::time_point paced_wake(clock::time_point due, clock::time_point last_wake, clock::duration slot,
                                    clock::time_point last_due) noexcept {
  return due + slot >= last_due ? due : std::max(due, last_wake + slot);
}

} // namespace karga::detail
