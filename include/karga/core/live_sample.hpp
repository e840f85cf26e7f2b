#pragma once
/// @file core/live_sample.hpp
/// What an observer of a run sees while it goes on: a `live_sample` once per
/// interval (totals so far, the last interval's rates and latencies). Shards count;
/// a sampler sums their counters (measure/live_counters.hpp) and calls observers.

#include <karga/core/metric.hpp>
#include <karga/core/run_info.hpp>
#include <karga/core/timing.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace karga {

/// What an observer sees once per interval: totals so far, summed over shards, and
/// the last interval's rates and latencies.
struct live_sample {
  std::string scenario;  ///< the scenario's name
  clock::duration elapsed{};          ///< since the start
  clock::duration planned{};          ///< the load model's length (zero when it has none)
  clock::duration interval{};         ///< since the previous sample
  bool final = false;                 ///< the run is over: this is the last sample
  load_kind kind = load_kind::open;  ///< open or closed
  // Totals so far.
  std::uint64_t scheduled = 0;        ///< arrivals due so far (open models); started (closed)
  std::uint64_t started = 0;  ///< actions started
  std::uint64_t ok = 0;  ///< actions that succeeded
  std::uint64_t failed = 0;  ///< actions that failed
  std::uint64_t dropped = 0;  ///< arrivals dropped
  std::uint64_t interrupted = 0;  ///< actions interrupted
  std::uint64_t in_flight = 0;  ///< actions running at the sample
  std::uint64_t bytes = 0;  ///< bytes the actions reported
  std::uint64_t users = 0;            ///< closed models: active virtual users now
  // The last interval.
  double target_rate = 0;             ///< arrivals due per second (open models)
  double achieved_rate = 0;           ///< actions started per second
  std::uint64_t interval_count = 0;   ///< actions that ended in it
  // Latency from the intended start (the action's own without timing), over the last interval:
  std::chrono::nanoseconds p50{};  ///< median
  std::chrono::nanoseconds p90{};  ///< 90th percentile
  std::chrono::nanoseconds p99{};  ///< 99th percentile
  std::chrono::nanoseconds max{};  ///< greatest
  /// Counts by latency bucket of the whole run so far (HdrHistogram layout, 2
  /// significant digits, ns; `live_counters::layout`) and their exact sum in ns:
  /// what a Prometheus histogram needs.
  std::vector<std::uint64_t> latency_buckets;
  std::uint64_t latency_sum_ns = 0;  ///< the exact sum of those latencies, ns
  /// The metric's labelled counters so far (`has_live_labels`), those that counted
  /// something, in the order of their indexes.
  std::vector<std::pair<live_label, std::uint64_t>> labels;
};

/// What an observer gets: a function called on the sampling thread once per
/// interval and once at the end (`final`). It must not block for long.
using live_observer = std::function<void(const live_sample&)>;

/// Live settings of a run.
struct live_options {
  std::chrono::milliseconds interval{1000};  ///< how often observers see a sample
  std::vector<live_observer> observers;  ///< who sees them: none, no sampling thread
};

} // namespace karga
