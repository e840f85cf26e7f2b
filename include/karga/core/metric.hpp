#pragma once
/// @file core/metric.hpp
/// basic_metric: what one action reports in the seed example.

#include <karga/core/timing.hpp>

#include <concepts>
#include <cstdint>
#include <string>

namespace karga {

/// One action's measurement: how long it took by its own account, whether it
/// succeeded, and how many bytes it moved.
struct basic_metric {
  clock::duration latency{};  ///< as the action measured it
  bool success = false;  ///< whether the action did what it should
  std::uint64_t bytes = 0;  ///< what it moved
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
/// See `metric_success`.
template <class M>
clock::duration metric_latency(const M& m) {
  if constexpr (requires { clock::duration(m.latency); })
    return clock::duration(m.latency);
  else
    return clock::duration::zero();
}
/// See `metric_success`.
template <class M>
std::uint64_t metric_bytes(const M& m) {
  if constexpr (requires { std::uint64_t(m.bytes); })
    return static_cast<std::uint64_t>(m.bytes);
  else
    return 0;
}

/// The executor's timing `t` of the action that reported `m`, ending when its answer
/// arrived if the metric says so: a `received` member (a `clock::time_point`, the
/// epoch when not known), such as a kernel receive timestamp. An answer that waited to
/// be read is then timed by when it came, in every aggregate and live view alike. A
/// `received` after `t.finished` is ignored, and one before `t.started` (two clocks
/// read apart) counts as `t.started`.
template <class M>
timing arrival_timing(const M& m, const timing& t) noexcept {
  if constexpr (requires { clock::time_point(m.received); }) {
    const clock::time_point received(m.received);
    if (received != clock::time_point{} && received < t.finished) {
      timing arrived = t;
      arrived.finished = received < t.started ? t.started : received;
      return arrived;
    }
  }
  return t;
}

/// A labelled live counter: what a metric's live label counts, e.g. the responses
/// with status 200 are {"http_responses", "status", "200", "HTTP responses by
/// status."}. Monitoring shows it as a counter named `counter` with the label
/// `name`="`value`" (Prometheus: karga_http_responses_total{status="200"}).
struct live_label {
  std::string counter;  ///< the counter's name, e.g. "http_responses"
  std::string name;  ///< the label's name, e.g. "status"
  std::string value;  ///< the label's value, e.g. "200"
  std::string help;  ///< what the counter counts, in a few words
  friend bool operator==(const live_label&, const live_label&) = default;
};

/// A metric whose live view counts it under one of a few labels: `live_label()`
/// says which (an index below `M::live_label_count`), `M::describe_live_label(i)`
/// what index i means. Counting takes one relaxed store per action and no lock.
template <class M>
concept has_live_labels = requires(const M& m, unsigned i) {
  { M::live_label_count } -> std::convertible_to<unsigned>;
  { m.live_label() } -> std::convertible_to<unsigned>;
  { M::describe_live_label(i) } -> std::convertible_to<live_label>;
};

} // namespace karga
