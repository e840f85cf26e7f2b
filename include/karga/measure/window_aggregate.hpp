#pragma once
/// @file measure/window_aggregate.hpp
/// `window_aggregate<A>`: any aggregate `A`, fed only the actions due within a
/// window of the run — e.g. the part after a warm-up — so that its report and
/// thresholds speak of that window alone.
///
/// ```cpp
/// // 10 s of warm-up, then 50 s measured:
/// auto r = executor.run(action, karga::window_aggregate<karga::basic_aggregate>(10s, 60s));
/// karga::basic_report measured{r.base()};
/// ```
///
/// Actions count by their intended start (from the start of the run), so that
/// target and achieved line up. A dropped arrival counts by when it was dropped (its
/// due time or later); an abandoned one, which has no timing, by when it was given
/// up. `run_info::scheduled` becomes the arrivals due in the window (open models),
/// `planned` the window's length (up to a stop).

#include <karga/core/concepts.hpp>
#include <karga/core/hooks.hpp>
#include <karga/core/run_info.hpp>
#include <karga/core/timing.hpp>
#include <karga/measure/basic_aggregate.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace karga {

/// `A`, fed only the actions due within a window of the run (see the file's comment).
template <aggregate A = basic_aggregate>
class window_aggregate {
public:
  window_aggregate() = default;
  /// Actions due from `from` (included) to `until` (excluded) after the start.
  window_aggregate(std::chrono::duration<double> from, std::chrono::duration<double> until)
      : from_(std::chrono::duration_cast<clock::duration>(from)), until_(std::chrono::duration_cast<clock::duration>(until)) {}

  /// Without timing (an executor that gives none) an action cannot be placed: it counts.
  template <class M>
    requires aggregate_for<A, M>
  void consume(const M& m) {
    base_.consume(m);
  }
  /// An action, if it was due within the window.
  template <class M>
    requires aggregate_for<A, M>
  void consume(const M& m, const timing& t) {
    if (inside(t.scheduled)) karga::consume(base_, m, t);
  }

  /// The run's start: the window counts from it.
  void record_start(clock::time_point t) {
    start_ = t;
    karga::record_start(base_, t);
  }
  /// Drops, if the window has begun.
  void record_dropped(std::uint64_t n, drop_reason why) {
    if (clock::now() >= start_ + from_) karga::record_dropped(base_, n, why);
  }
  /// Closed models' users, passed to `A`.
  void record_users(clock::time_point t, std::uint64_t n) { karga::record_users(base_, t, n); }
  /// Interrupted actions that never ended, if the window has begun.
  void record_interrupted(std::uint64_t n) {
    if (clock::now() >= start_ + from_) karga::record_interrupted(base_, n);
  }
  /// An interrupted action, if it was due within the window.
  void record_interrupted(std::uint64_t n, const timing& t) {
    if (inside(t.scheduled)) karga::record_interrupted(base_, n, t);
  }
  /// A failed action, if it was due within the window.
  void record_exception(std::string_view what, const timing& t) {
    if (inside(t.scheduled)) karga::record_exception(base_, what, t);
  }
  /// The run as the window sees it: the arrivals due in it, its length.
  void record_run(const run_info& info) {
    run_info w = info;
    const clock::duration end = info.planned > clock::duration::zero() ? std::min(until_, info.planned) : until_;
    if (info.due_by) w.scheduled = info.due_by(end - clock::duration(1)) - (from_ > clock::duration::zero() ? info.due_by(from_ - clock::duration(1)) : 0);
    w.planned = end > from_ ? end - from_ : clock::duration::zero();
    w.elapsed = info.elapsed > from_ ? info.elapsed - from_ : clock::duration::zero();
    karga::record_run(base_, w);
  }

  /// Adds `o`'s window (another shard's, the same window).
  void merge(const window_aggregate& o) { base_.merge(o.base_); }

  /// The wrapped aggregate: the window's figures.
  const A& base() const noexcept { return base_; }
  /// The wrapped aggregate: the window's figures.
  A& base() noexcept { return base_; }

private:
  bool inside(clock::time_point scheduled) const noexcept {
    return scheduled >= start_ + from_ && scheduled < start_ + until_;
  }

  clock::duration from_{};
  clock::duration until_ = clock::duration::max() / 2;
  clock::time_point start_{};
  A base_;
};

} // namespace karga
