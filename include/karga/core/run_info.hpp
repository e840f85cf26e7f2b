#pragma once
/// @file core/run_info.hpp
/// What an executor tells an aggregate about the whole run, once, after merging:
/// the scenario, what the load model asked for, and how the run ended.

#include <karga/core/timing.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace karga {

/// Open models impose arrivals whatever the system does; closed models run the next
/// action when the previous one of a user ends.
enum class load_kind : std::uint8_t { open, closed };

/// Why a run ended before its plan did.
enum class stop_reason : std::uint8_t {
  none,       ///< it ran to the end of its plan
  signal,     ///< SIGINT or SIGTERM (Ctrl-C)
  threshold,  ///< a threshold failed with abort-on-fail
  requested,  ///< a program asked (`run_control::request_stop`)
  error,      ///< the run itself failed (an aggregate or executor threw); `run()` rethrows
};

/// The reason's name, as reports write it.
inline std::string_view to_string(stop_reason r) noexcept {
  switch (r) {
    case stop_reason::none: return "none";
    case stop_reason::signal: return "signal";
    case stop_reason::threshold: return "threshold";
    case stop_reason::requested: return "requested";
    case stop_reason::error: return "error";
  }
  return "none";
}

/// The run as a whole. `scheduled` always equals ok + failed + dropped + interrupted
/// for an aggregate that records every hook:
/// - open models: the arrivals the schedule holds (up to a stop);
/// - closed models: the iterations started (a closed model schedules what it starts).
struct run_info {
  std::string scenario;              ///< the scenario's name (empty when run without one)
  std::string model;                 ///< the load model, in a few words
  load_kind kind = load_kind::open;  ///< open (arrivals on a schedule) or closed (users)
  std::uint64_t scheduled = 0;       ///< arrivals or iterations the load model gave (see above)
  clock::duration planned{};         ///< length of the load model up to a stop; zero when it has none (counts of iterations)
  clock::duration elapsed{};         ///< from the start to the last action's end
  std::uint64_t peak_in_flight = 0;  ///< most actions running at once (summed over shards)
  unsigned threads = 0;              ///< shards (summed over merged processes)
  stop_reason stop = stop_reason::none;  ///< why the run ended early, if it did
  int signal = 0;                    ///< the signal that stopped the run, if one did
  std::chrono::system_clock::time_point started_at{};  ///< wall-clock start
  /// Open models: how many arrivals of the whole run are due by a time from the
  /// start, that instant included (nothing after a stop). Empty for closed models.
  /// Not compared, not serialized.
  std::function<std::uint64_t(clock::duration)> due_by;

  /// Whether the run ended before its plan did.
  bool stopped() const noexcept { return stop != stop_reason::none; }

  /// Whether `o` tells of another process's part of the same test: the same
  /// scenario, load kind and load model but for the segment (", segment i/n").
  bool same_test(const run_info& o) const {
    return scenario == o.scenario && kind == o.kind && without_segment(model) == without_segment(o.model);
  }

  /// Combines the run of another process of the same test: counts add up, lengths
  /// take the longest, the earliest start and the first stop win.
  void merge(const run_info& o) {
    if (scenario.empty()) scenario = o.scenario;
    if (model.empty()) model = o.model;
    scheduled += o.scheduled;
    planned = std::max(planned, o.planned);
    elapsed = std::max(elapsed, o.elapsed);
    peak_in_flight += o.peak_in_flight;
    threads += o.threads;
    if (stop == stop_reason::none) {
      stop = o.stop;
      signal = o.signal;
    }
    if (started_at == std::chrono::system_clock::time_point{} ||
        (o.started_at != std::chrono::system_clock::time_point{} && o.started_at < started_at))
      started_at = o.started_at;
  }

  /// `model` without the segment its executor was given: the test's load model.
  static std::string_view without_segment(std::string_view model) noexcept {
    const auto at = model.rfind(", segment ");
    if (at == std::string_view::npos) return model;
    const std::string_view rest = model.substr(at + 10);
    const auto slash = rest.find('/');
    const bool digits = slash != std::string_view::npos && slash > 0 && slash + 1 < rest.size() &&
                        rest.find_first_not_of("0123456789/") == std::string_view::npos;
    return digits ? model.substr(0, at) : model;
  }

  friend bool operator==(const run_info& a, const run_info& b) {
    return a.scenario == b.scenario && a.model == b.model && a.kind == b.kind && a.scheduled == b.scheduled &&
           a.planned == b.planned && a.elapsed == b.elapsed && a.peak_in_flight == b.peak_in_flight &&
           a.threads == b.threads && a.stop == b.stop && a.signal == b.signal && a.started_at == b.started_at;
  }
};

} // namespace karga
