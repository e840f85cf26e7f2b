#pragma once
/// @file core/run_options.hpp
/// What a scenario (or a program) tells an executor about one run, besides the
/// action and the aggregate: the scenario's name, a control to stop the run from
/// elsewhere, and observers that watch it live.

#include <karga/core/live_sample.hpp>
#include <karga/core/run_control.hpp>
#include <karga/core/timing.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace karga {

/// Per-run settings an executor takes besides its load model.
struct run_options {
  std::string name;                      ///< the scenario's name, for `run_info::scenario`
  std::shared_ptr<run_control> control;  ///< stops the run from elsewhere (optional)
  live_options live;                     ///< observers of the run while it goes on (none: no sampling)
  /// Whether SIGINT and SIGTERM stop this run (when its executor's `stop_on_signals`
  /// is on too). Composed runs turn it off: they listen once and pass each signal on
  /// through `control`, so one Ctrl-C counts once in every run.
  bool stop_on_signals = true;
  /// Start at this wall-clock instant (at once if it has passed): processes of one
  /// test started by a launcher begin their schedules together, each counted from
  /// that instant exactly (a late wake shows as start lag, not as a shifted
  /// schedule). `run_info::started_at` tells when the run started.
  std::optional<std::chrono::system_clock::time_point> start_at;
  /// Start at this instant of karga's clock, and count the schedule from it to the
  /// nanosecond, even if it has just passed: composed scenarios put their schedules
  /// on one timeline this way. Before `start_at` when both are set.
  std::optional<clock::time_point> origin;
};

} // namespace karga
