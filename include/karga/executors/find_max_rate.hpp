#pragma once
/// @file executors/find_max_rate.hpp
/// The highest arrival rate a system takes within its SLO: open-model steps, each
/// long enough to settle, doubling the rate until a threshold fails, then bisecting
/// between the highest pass and the lowest failure to a stated precision.
///
/// ```cpp
/// using namespace karga::thresholds;
/// auto found = karga::find_max_rate<karga::http::aggregate>(http_action, {p(99) < 50ms, error_rate() < 0.01, achieved() >= 0.99});
/// // found.highest_passing: e.g. 2950/s; found.first_failing: 3100/s; found.steps: each step's figures
/// ```
///
/// Each step is a run of its own at a constant rate: `settle`, then `measure`, and
/// the thresholds are evaluated on the actions due in `measure` only (latency from
/// the intended start, so a queue that builds up shows). Between steps in-flight
/// actions get `grace`, then are interrupted.

#include <karga/core/error.hpp>
#include <karga/core/run_options.hpp>
#include <karga/executors/stage_executor.hpp>
#include <karga/measure/basic_aggregate.hpp>
#include <karga/measure/window_aggregate.hpp>
#include <karga/report/basic_report.hpp>
#include <karga/report/thresholds.hpp>

#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace karga {

struct rate_step;

/// How the search goes.
struct find_max_options {
  double start_rate = 100;                          ///< the first step's rate, per second
  double max_rate = 1e6;                            ///< never above this
  double precision = 0.05;                          ///< stop when first failing ≤ highest passing × (1 + precision)
  std::chrono::duration<double> settle{1.0};        ///< each step: at its rate, not measured
  std::chrono::duration<double> measure{2.0};       ///< then measured
  std::chrono::duration<double> grace{1.0};         ///< after a step, for actions in flight
  unsigned threads = 1;                             ///< shards of each step
  std::uint64_t max_in_flight = 0;                  ///< each step's cap (0: none)
  std::shared_ptr<run_control> control;             ///< stops the search from elsewhere
  std::function<void(const rate_step&)> on_step;         ///< called after each step (e.g. to print it)
};

/// One step: its rate, its verdict, and the figures of its measured window.
struct rate_step {
  double rate = 0;  ///< arrivals per second
  bool passed = false;  ///< every threshold passed and nothing stopped the step
  std::vector<threshold_verdict> thresholds; ///< each threshold's verdict
  basic_aggregate measured;                  ///< the measured window's figures
};

/// What the search found.
struct max_rate_result {
  std::optional<double> highest_passing;  ///< empty: even the lowest rate tried failed
  std::optional<double> first_failing;    ///< the lowest rate that failed (empty: max_rate passed)
  std::vector<rate_step> steps;           ///< in the order run
  stop_reason stop = stop_reason::none;   ///< a stop (Ctrl-C) ends the search early
  clock::duration elapsed{};  ///< the search's length
};

/// Searches for the highest rate at which every threshold passes. `A` is the
/// aggregate the thresholds read (`basic_aggregate`, `http::aggregate`, …).
template <class A = basic_aggregate, class F>
max_rate_result find_max_rate(const F& action, const std::vector<threshold>& slo, const find_max_options& opt = {}) {
  static_assert(detail::holds_basic<A>(), "karga::find_max_rate: the aggregate must be, or hold (basic() or base()), a basic_aggregate");
  if (slo.empty()) detail::throw_error("find_max_rate needs at least one threshold");
  if (!(opt.start_rate > 0) || !(opt.max_rate >= opt.start_rate) || !std::isfinite(opt.max_rate))
    detail::throw_error("find_max_rate: start_rate must be more than 0 and at most max_rate, a finite rate");
  if (!(opt.precision > 0) || !(opt.measure.count() > 0) || !(opt.settle.count() >= 0))
    detail::throw_error("find_max_rate: precision and measure must be more than 0, settle not negative");
  const auto began = clock::now();
  max_rate_result out;
  auto step = [&](double rate) {
    const auto exec = stage_executor::builder()
                          .start_rate(rate)
                          .stage(opt.settle + opt.measure, rate)
                          .threads(opt.threads)
                          .max_in_flight(opt.max_in_flight)
                          .grace_period(opt.grace)
                          .build();
    run_options ro;
    ro.name = "find-max-rate at " + detail::number(rate) + "/s";
    ro.control = opt.control;
    const auto w = exec.run(action, window_aggregate<A>(opt.settle, opt.settle + opt.measure), ro);
    rate_step s;
    s.rate = rate;
    const basic_aggregate& measured = *detail::basic_of(w.base());
    s.thresholds = evaluate(slo, w.base());
    s.passed = measured.run().stop == stop_reason::none;
    for (const auto& t : s.thresholds) s.passed = s.passed && t.passed;
    s.measured = measured;
    if (opt.on_step) opt.on_step(s);
    out.steps.push_back(std::move(s));
    return measured.run().stop;
  };

  double rate = opt.start_rate;
  double lo = 0;  // the highest pass so far (0: none)
  std::optional<double> hi;
  for (;;) {
    const stop_reason stopped = step(rate);
    if (stopped != stop_reason::none) {
      out.stop = stopped;
      break;
    }
    if (out.steps.back().passed) {
      lo = rate;
      if (!hi) {
        if (rate >= opt.max_rate) break;
        rate = std::min(rate * 2, opt.max_rate);
        continue;
      }
    } else {
      hi = rate;
    }
    if (lo == 0) {
      // Nothing passed yet: halve, down to 1/s.
      rate = *hi / 2;
      if (rate < 1) break;
      continue;
    }
    if (*hi <= lo * (1 + opt.precision)) break;
    rate = std::round((lo + *hi) / 2);
    if (rate <= lo || rate >= *hi) break;  // no whole rate between them
  }
  if (lo > 0) out.highest_passing = lo;
  out.first_failing = hi;
  out.elapsed = clock::now() - began;
  return out;
}

} // namespace karga
