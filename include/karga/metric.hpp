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

/// What karga reads from any metric, where it has it: success (a `success` member or
/// `success()`; without either, true), the action's own latency (`latency`; zero
/// without) and bytes (`bytes`; zero without). Time series and thresholds use them.
template <class M>
bool metric_success(const M& m) {
  if constexpr (requires { m.success(); })
    return static_cast<bool>(m.success());
  else if constexpr (requires { m.success; })
    return static_cast<bool>(m.success);
  else
    return true;
}
template <class M>
clock::duration metric_latency(const M& m) {
  if constexpr (requires { clock::duration(m.latency); })
    return clock::duration(m.latency);
  else
    return clock::duration::zero();
}
template <class M>
std::uint64_t metric_bytes(const M& m) {
  if constexpr (requires { std::uint64_t(m.bytes); })
    return static_cast<std::uint64_t>(m.bytes);
  else
    return 0;
}

} // namespace karga
