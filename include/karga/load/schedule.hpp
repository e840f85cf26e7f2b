#pragma once
/// @file load/schedule.hpp
/// The arrival schedule of an open model: stages of linearly ramping rate, and the
/// exact time of every arrival. Pure arithmetic, no I/O.
///
/// The rate r(t) ramps linearly within each stage from the previous target (or the
/// start rate) to the stage's target. N(t), the integral of r, counts the arrivals
/// due by t: arrival k (0-based) is due at t_k = N⁻¹(k + 1), so exactly ⌊N(t)⌋
/// arrivals are due by any t. Within a stage N is quadratic and inverted exactly.
///
/// With a seed, arrivals are a Poisson process over the same rate instead: arrival k
/// is due at N⁻¹(S_k), S_k the sum of k + 1 exponential draws of mean 1 (a unit-rate
/// Poisson process, stretched by the rate). The draws come from a counter-based
/// generator (splitmix64): the same seed gives the same times on every shard and
/// process.

#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>
#include <karga/core/timing.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace karga {

/// One stage: over `duration`, ramp the rate linearly to `target_rate` (arrivals
/// per second). A stage of zero length is a jump to its target.
struct stage {
  std::chrono::duration<double> duration{};  ///< how long the ramp takes (0: a jump)
  double target_rate = 0;  ///< arrivals per second at its end
};

/// The arrival times of a list of stages.
class schedule {
public:
  /// Largest number of arrivals a schedule may hold (exact in a double).
  static constexpr double max_arrivals = 9007199254740992.0;  // 2^53
  /// Longest schedule, in seconds.
  static constexpr double max_length = max_duration_seconds;

  /// The most arrivals a Poisson schedule may hold.
  static constexpr double max_poisson_arrivals = 4294967296.0;  // 2^32

  /// Validates and prepares `stages`; throws `karga::error` for no stages, a
  /// negative, infinite or NaN duration or rate, or more than 2^53 arrivals (2^32
  /// for a Poisson schedule, with `poisson_seed`).
  schedule(double start_rate, const std::vector<stage>& stages, std::optional<std::uint64_t> poisson_seed = {}) {
    if (stages.empty()) detail::throw_error("a schedule needs at least one stage");
    check_rate(start_rate, "start rate");
    double t = 0, n = 0, r = start_rate;
    for (std::size_t i = 0; i < stages.size(); ++i) {
      const double d = stages[i].duration.count();
      const std::string which = "stage " + std::to_string(i + 1);
      if (!std::isfinite(d) || d < 0)
        detail::throw_error(which + ": duration must be finite and not negative, got " + detail::number(d) + " s");
      check_rate(stages[i].target_rate, which + ": target rate");
      const double r1 = stages[i].target_rate;
      // A stage too short for its slope to be a finite number is a jump.
      const double slope = d > 0 && std::isfinite((r1 - r) / d) ? (r1 - r) / d : 0.0;
      segment s{t, n, slope != 0.0 || r == r1 ? d : 0.0, r, r1, slope, slope != 0.0 || r == r1 ? (r + r1) / 2 * d : 0.0};
      segments_.push_back(s);
      t += d;
      n += s.arrivals;
      r = r1;
    }
    if (n > max_arrivals) detail::throw_error("the schedule holds more than 2^53 arrivals");
    if (t > max_length) detail::throw_error("the schedule is longer than 10^9 s");
    length_ = t;
    total_ = to_count(n);
    if (poisson_seed) {
      if (n > max_poisson_arrivals) detail::throw_error("a Poisson schedule holds at most 2^32 arrivals");
      poisson_ = std::make_shared<poisson>(*poisson_seed, n);
      total_ = poisson_->total;
    }
  }

  /// A schedule whose rate follows `rate(t)` (arrivals per second, t in seconds
  /// from 0 to `length`), sampled every `step` and taken as linear between samples.
  /// The count of arrivals by t then differs from the integral of `rate` by at most
  /// t · step² · max|rate''| / 12 (the trapezoid rule's bound). Throws `karga::error`
  /// for a rate that is negative or not finite at a sample, or more than 10^7 steps.
  static schedule from_rate(const std::function<double(double)>& rate, std::chrono::duration<double> length,
                            std::chrono::duration<double> step = std::chrono::milliseconds(1),
                            std::optional<std::uint64_t> poisson_seed = {}) {
    const double total = length.count(), h = step.count();
    if (!std::isfinite(total) || total <= 0 || total > max_length)
      detail::throw_error("a rate function's length must be more than 0 and at most 10^9 s, got " + detail::number(total) + " s");
    if (!(h > 0) || total / h > 1e7)
      detail::throw_error("a rate function's step must be more than 0 and at most 10^7 steps long in all");
    const auto steps = static_cast<std::size_t>(std::ceil(total / h - 1e-9));
    auto at = [&](double t) {
      const double r = rate(t);
      if (!std::isfinite(r) || r < 0)
        detail::throw_error("the rate function gives " + detail::number(r) + "/s at " + detail::number(t) + " s");
      return r;
    };
    const double start = at(0);
    std::vector<stage> stages;
    stages.reserve(steps);
    for (std::size_t i = 1; i <= steps; ++i) {
      const double t1 = std::min(total, static_cast<double>(i) * h), t0 = static_cast<double>(i - 1) * h;
      stages.push_back({std::chrono::duration<double>(t1 - t0), at(t1)});
    }
    return schedule(start, stages, poisson_seed);
  }

  /// Whether arrivals are a Poisson process (a seeded schedule).
  bool is_poisson() const noexcept { return poisson_ != nullptr; }

  /// Every arrival of the schedule: ⌊N(length)⌋.
  std::uint64_t total() const noexcept { return total_; }
  /// Length of the schedule in seconds.
  double length() const noexcept { return length_; }
  /// Length of the schedule as a clock duration.
  clock::duration length_duration() const noexcept { return to_duration(length_); }

  /// N(t): arrivals due by `t` seconds, as a real number.
  double arrivals_by(double t) const noexcept {
    if (!(t > 0)) return 0;
    const segment& s = segment_at_time(t);
    const double tau = std::min(t - s.start, s.duration);
    return s.before + s.rate0 * tau + s.slope * tau * tau / 2;
  }

  /// How many arrivals are due by `t` seconds: ⌊N(t)⌋, exactly the k with
  /// `time_of(k) <= t` (the rounding of N(t) is checked against the arrival times).
  std::uint64_t due_by(double t) const noexcept {
    if (poisson_) return poisson_->due_by(arrivals_by(t), total_);
    std::uint64_t n = std::min(total_, to_count(arrivals_by(t)));
    while (n < total_ && time_of(n) <= t) ++n;
    while (n > 0 && time_of(n - 1) > t) --n;
    return n;
  }

  /// The rate at `t` seconds (the later side of a jump).
  double rate_at(double t) const noexcept {
    const segment& s = segment_at_time(std::max(t, 0.0));
    return s.rate0 + s.slope * std::clamp(t - s.start, 0.0, s.duration);
  }

  /// When arrival `k` (0-based, k < total()) is due, in seconds from the start.
  double time_of(std::uint64_t k) const noexcept {
    const double m = poisson_ ? poisson_->sum_to(k) : static_cast<double>(k) + 1;
    // The first segment whose arrivals reach m (the last one if none does).
    const auto it = std::lower_bound(segments_.begin(), std::prev(segments_.end()), m,
                                     [](const segment& s, double v) { return s.before + s.arrivals < v; });
    return solve(*it, m);
  }

  /// Walks the arrivals in increasing order; cheaper than `time_of` per arrival.
  class cursor {
  public:
    /// A cursor over `s`, which must outlive it.
    explicit cursor(const schedule& s) noexcept : s_(&s) {}
    /// Same as `schedule::time_of(k)`; `k` must not decrease between calls.
    double time_of(std::uint64_t k) noexcept {
      double m;
      if (s_->poisson_) {
        // The running sum of draws, from where the last call left it.
        if (k + 1 < drawn_ || drawn_ == 0) {
          sum_ = s_->poisson_->sum_to(k);
          drawn_ = k + 1;
        }
        while (drawn_ < k + 1) sum_ += s_->poisson_->draw(drawn_++);
        m = sum_;
      } else {
        m = static_cast<double>(k) + 1;
      }
      const auto& segs = s_->segments_;
      while (i_ + 1 < segs.size() && m > segs[i_].before + segs[i_].arrivals) ++i_;
      return solve(segs[i_], m);
    }
    /// Same as `schedule::due_by(t)`; `t` must not decrease between calls (cheaper for
    /// a Poisson schedule, which then walks on from the last call).
    std::uint64_t due_by(double t) noexcept {
      if (!s_->poisson_) return s_->due_by(t);
      const double m = s_->arrivals_by(t);
      if (due_ == 0 && due_sum_ == 0) due_sum_ = s_->poisson_->draw(0);
      while (due_ < s_->total_ && due_sum_ <= m) due_sum_ += s_->poisson_->draw(++due_);
      return due_;
    }

  private:
    const schedule* s_;
    std::size_t i_ = 0;
    double sum_ = 0;            // Poisson: the sum of draws 0 … drawn_ - 1
    std::uint64_t drawn_ = 0;
    std::uint64_t due_ = 0;     // Poisson: arrivals due so far; due_sum_ is S of arrival due_
    double due_sum_ = 0;
  };

  /// `seconds` as clock ticks.
  static clock::duration to_duration(double seconds) noexcept {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
  }

  /// `d` as clock ticks; throws `karga::error` naming `what` unless it is finite,
  /// not negative and at most `max_length`.
  static clock::duration checked_duration(std::chrono::duration<double> d, const std::string& what) {
    if (!std::isfinite(d.count()) || d.count() < 0 || d.count() > max_length)
      detail::throw_error(what + " must be finite, not negative and at most 10^9 s, got " + detail::number(d.count()) + " s");
    return to_duration(d.count());
  }

private:
  struct segment {
    double start;     // seconds
    double before;    // N at the start
    double duration;  // seconds
    double rate0;     // rate at the start
    double rate1;     // rate at the end
    double slope;     // rate change per second
    double arrivals;  // N over the segment
  };

  static void check_rate(double r, const std::string& what) {
    if (!std::isfinite(r) || r < 0)
      detail::throw_error(what + " must be finite and not negative, got " + detail::number(r) + "/s");
  }

  // ⌊x⌋, forgiving the last bits of rounding in N(t) (far less than one arrival).
  static std::uint64_t to_count(double x) noexcept {
    if (!(x > 0)) return 0;
    return static_cast<std::uint64_t>(std::floor(x + std::clamp(x * 1e-14, 1e-9, 0.5)));
  }

  const segment& segment_at_time(double t) const noexcept {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), t,
                               [](double v, const segment& s) { return v < s.start; });
    return it == segments_.begin() ? *it : *std::prev(it);
  }

  // Time of the m-th arrival inside segment s: solves
  // rate0·τ + slope·τ²/2 = m - before with the form that is stable for any slope.
  static double solve(const segment& s, double m) noexcept {
    const double need = std::max(0.0, m - s.before);
    const double disc = std::max(0.0, s.rate0 * s.rate0 + 2 * s.slope * need);
    const double denom = s.rate0 + std::sqrt(disc);
    const double tau = denom > 0 ? 2 * need / denom : 0.0;
    return s.start + std::min(tau, s.duration);
  }

  // The draws of a Poisson schedule: S_k = Σ_{n ≤ k} E_n, with a checkpoint of the
  // sum every `block` arrivals so that any S_k is at most `block` draws away.
  struct poisson {
    static constexpr std::uint64_t block = 4096;

    poisson(std::uint64_t s, double arrivals) : seed(s) {
      double sum = 0;
      checkpoints.push_back(0);
      for (;;) {
        const double next = sum + draw(total);
        if (next > arrivals) break;
        sum = next;
        if (++total % block == 0) checkpoints.push_back(sum);
      }
    }
    // E_n: the n-th exponential draw of mean 1, from splitmix64 at n.
    double draw(std::uint64_t n) const noexcept {
      std::uint64_t z = seed + (n + 1) * 0x9e3779b97f4a7c15ull;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      z ^= z >> 31;
      return -std::log1p(-static_cast<double>(z >> 11) * 0x1.0p-53);
    }
    // S_k, summed in the same order as the sequential walk (the same double).
    double sum_to(std::uint64_t k) const noexcept {
      const std::uint64_t b = k / block;
      double sum = checkpoints[std::min<std::size_t>(b, checkpoints.size() - 1)];
      for (std::uint64_t n = b * block; n <= k; ++n) sum += draw(n);
      return sum;
    }
    // How many S_k are at most m (k < total).
    std::uint64_t due_by(double m, std::uint64_t total_arrivals) const noexcept {
      // The last block whose starting sum is at most m, then draw by draw.
      const auto it = std::upper_bound(checkpoints.begin(), checkpoints.end(), m);
      std::uint64_t n = static_cast<std::uint64_t>(std::distance(checkpoints.begin(), it) - 1) * block;
      double sum = checkpoints[static_cast<std::size_t>(n / block)];
      while (n < total_arrivals && sum + draw(n) <= m) sum += draw(n++);
      return n;
    }

    std::uint64_t seed;
    std::uint64_t total = 0;
    std::vector<double> checkpoints;  // checkpoints[b] = S_{b·block − 1} (0 for b = 0)
  };

  std::vector<segment> segments_;
  double length_ = 0;
  std::uint64_t total_ = 0;
  std::shared_ptr<const poisson> poisson_;  // shared by copies (shards)
};

} // namespace karga
