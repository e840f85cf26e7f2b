#pragma once
/// @file run/load_plan.hpp
/// What a load model asks for, as an executor tells the sharded runner: the words
/// for the report, open or closed, the planned length and the arrivals due by a time.

#include <karga/core/run_info.hpp>
#include <karga/core/timing.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace karga {

/// What the load model asks for, as the run's `run_info` tells it.
struct load_plan {
  load_plan() = default;
  /// A plan: its words `m`, kind `k`, length `p` and arrivals due `due`.
  load_plan(std::string m, load_kind k = load_kind::open, clock::duration p = {},
            std::function<std::uint64_t(clock::duration)> due = {})
      : model(std::move(m)), kind(k), planned(p), due_by(std::move(due)) {}

  std::string model;                 ///< in a few words, e.g. "stages 10s→100/s, 30s→100/s"
  load_kind kind = load_kind::open;  ///< open (arrivals on a schedule) or closed (users)
  clock::duration planned{};         ///< the model's length; zero when it has none
  /// Open models: how many arrivals are due by a time from the start, that instant
  /// included (for time series and live views).
  std::function<std::uint64_t(clock::duration)> due_by;
};

} // namespace karga
