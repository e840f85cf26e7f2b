#pragma once
/// @file load/profiles.hpp
/// Arrival-rate curves for the open model, one line each:
///
/// ```cpp
/// auto ramp = karga::stage_executor::builder().profile(karga::profiles::ramp(0, 500, 30s)).build();
/// auto waves = karga::stage_executor::builder().profile(karga::profiles::sine(200, 100, 10s, 60s)).poisson(42).build();
/// ```
///
/// A profile is stages of linear ramps (exact, as `stage_executor` has them), or a
/// rate function `f(t)` sampled every `step` and taken as linear in between.

#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>
#include <karga/load/schedule.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

namespace karga {

/// A rate curve: stages from a start rate, or a rate function.
struct profile {
  double start_rate = 0;  ///< with stages: the rate the first stage ramps from
  std::vector<stage> stages;                      ///< empty when `rate` is set
  std::function<double(double)> rate;             ///< arrivals/s at t seconds; empty for stages
  std::chrono::duration<double> length{0};        ///< with `rate`: how long it runs
  std::chrono::duration<double> step{0.001};      ///< with `rate`: the sampling step
  std::string description;                        ///< how reports name it

  /// The schedule of this profile; Poisson arrivals with a seed.
  karga::schedule schedule(std::optional<std::uint64_t> poisson_seed = {}) const {
    if (rate) return karga::schedule::from_rate(rate, length, step, poisson_seed);
    return karga::schedule(start_rate, stages, poisson_seed);
  }
};

namespace profiles {

/// Durations in seconds, as the profiles take them.
using seconds = std::chrono::duration<double>;

/// `rate` arrivals/s for `length`.
inline profile constant(double rate, seconds length) {
  return {rate, {{length, rate}}, {}, {}, {}, "constant " + detail::number(rate) + "/s for " + detail::seconds(length.count())};
}

/// From `from` to `to` arrivals/s, linearly over `length`.
inline profile ramp(double from, double to, seconds length) {
  return {from, {{length, to}}, {}, {}, {},
          "ramp " + detail::number(from) + "/s→" + detail::number(to) + "/s over " + detail::seconds(length.count())};
}

/// `steps` stairs: `from`, `from + rise`, … each held for `each`.
inline profile stairs(double from, double rise, unsigned steps, seconds each) {
  profile p{from, {}, {}, {}, {}, ""};
  for (unsigned i = 0; i < steps; ++i) {
    const double r = from + rise * i;
    p.stages.push_back({seconds(0), r});
    p.stages.push_back({each, r});
  }
  p.description = "stairs from " + detail::number(from) + "/s, +" + detail::number(rise) + "/s every " +
                  detail::seconds(each.count()) + ", " + std::to_string(steps) + " steps";
  return p;
}

/// `base` for `before`, a jump to `peak` held for `hold`, back to `base` for `after`.
inline profile spike(double base, double peak, seconds before, seconds hold, seconds after) {
  return {base,
          {{before, base}, {seconds(0), peak}, {hold, peak}, {seconds(0), base}, {after, base}},
          {}, {}, {},
          "spike " + detail::number(base) + "/s→" + detail::number(peak) + "/s for " + detail::seconds(hold.count())};
}

/// `mean + amplitude·sin(2πt/period)` arrivals/s for `length` (amplitude ≤ mean).
inline profile sine(double mean, double amplitude, seconds period, seconds length, seconds step = seconds(0.001)) {
  if (!(amplitude >= 0 && amplitude <= mean)) detail::throw_error("a sine profile's amplitude must be between 0 and its mean");
  if (!(period.count() > 0)) detail::throw_error("a sine profile's period must be more than 0");
  const double w = 2 * std::numbers::pi / period.count();
  return {0, {}, [=](double t) { return std::max(0.0, mean + amplitude * std::sin(w * t)); }, length, step,
          "sine " + detail::number(mean) + "±" + detail::number(amplitude) + "/s, period " +
              detail::seconds(period.count()) + ", for " + detail::seconds(length.count())};
}

/// Any rate function, sampled every `step`.
inline profile function(std::function<double(double)> f, seconds length, seconds step = seconds(0.001)) {
  return {0, {}, std::move(f), length, step, "rate function over " + detail::seconds(length.count())};
}

} // namespace profiles
} // namespace karga
