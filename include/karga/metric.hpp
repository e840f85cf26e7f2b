#pragma once
/// @file metric.hpp
/// basic_metric: what one action reports in the seed example.

#include <karga/timing.hpp>

#include <cstdint>

namespace karga {

/// One action's measurement: how long it took by its own account, whether it
/// succeeded, and how many bytes it moved.
struct basic_metric {
  clock::duration latency{};
  bool success = false;
  std::uint64_t bytes = 0;
};

} // namespace karga
