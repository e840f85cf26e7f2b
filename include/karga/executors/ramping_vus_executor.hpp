#pragma once
/// @file executors/ramping_vus_executor.hpp
/// A closed model whose number of virtual users follows stages: it ramps linearly
/// from the previous target (or `start_vus`) to each stage's target. User i (from 0)
/// is active while the target is at least i + 1: it joins when the ramp reaches that
/// level and leaves when the ramp drops below it — it finishes the iteration it is
/// in within `graceful_ramp_down`, then that iteration is cancelled and counted as
/// interrupted. (k6: ramping-vus.)

#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>
#include <karga/executors/detail/closed_loop.hpp>
#include <karga/load/schedule.hpp>
#include <karga/run/builder_settings.hpp>
#include <karga/run/executor_base.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace karga {

/// One stage of users: over `duration`, ramp linearly to `target` users.
struct vu_stage {
  std::chrono::duration<double> duration{};  ///< how long the ramp takes (0: a jump)
  std::uint64_t target = 0;  ///< the users at its end
};

class ramping_vus_executor_builder;

/// Users that follow stages (see the file's comment).
class ramping_vus_executor : public executor_base<ramping_vus_executor> {
public:
  /// Starts a builder: every setting, its default and its check are there.
  static ramping_vus_executor_builder builder();

  /// When user `i` (from 0) is active, from the start.
  const std::vector<detail::active_period>& periods(std::uint64_t i) const { return periods_.at(i); }
  /// The most users ever active.
  std::uint64_t max_vus() const noexcept { return periods_.size(); }
  /// The target number of users `t` after the start (the ramp, not yet rounded).
  double target_at(clock::duration t) const {
    double v = static_cast<double>(start_);
    clock::duration at{};
    for (const auto& s : stages_) {
      const auto d = schedule::to_duration(s.duration.count());
      const double to = static_cast<double>(s.target);
      if (t < at + d) return v + (to - v) * std::chrono::duration<double>(t - at).count() / s.duration.count();
      at += d;
      v = to;
    }
    return v;
  }
  /// The load model in a few words, as `run_info::model` gives it.
  std::string description() const {
    std::string out = "users";
    std::uint64_t v = start_;
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      const auto& st = stages_[i];
      out += (i == 0 ? " " : ", ") +
             (st.duration.count() == 0 ? fmt::format("jump to {}", st.target)
              : st.target == v          ? fmt::format("{} for {}", st.target, detail::seconds(st.duration.count()))
                                        : fmt::format("{}→{} over {}", v, st.target, detail::seconds(st.duration.count())));
      v = st.target;
    }
    if (segment().count > 1) out += fmt::format(", segment {}/{}", segment().index, segment().count);
    return out;
  }

private:
  friend class ramping_vus_executor_builder;
  friend class executor_base<ramping_vus_executor>;

  ramping_vus_executor(std::uint64_t start, std::vector<vu_stage> stages, clock::duration ramp_down, sharded_runner r,
                       karga::segment seg)
      : executor_base(r, seg), start_(start), stages_(std::move(stages)), ramp_down_(ramp_down) {
    for (const auto& s : stages_) length_ += schedule::to_duration(s.duration.count());
    std::uint64_t top = start_;
    for (const auto& s : stages_) top = std::max(top, s.target);
    for (std::uint64_t level = 1; level <= top; ++level) periods_.push_back(active_at(static_cast<double>(level)));
  }

  // When the target is at least `level`: the ramps' crossings of it.
  std::vector<detail::active_period> active_at(double level) const {
    std::vector<detail::active_period> out;
    double v = static_cast<double>(start_);
    double at = 0;  // seconds
    std::optional<double> joined;
    if (v >= level) joined = 0.0;
    for (const auto& s : stages_) {
      const double to = static_cast<double>(s.target), d = s.duration.count();
      if (!joined && to >= level) joined = at + (d > 0 ? (level - v) / (to - v) * d : 0.0);
      else if (joined && to < level) {
        out.push_back({schedule::to_duration(*joined), schedule::to_duration(at + (d > 0 ? (v - level) / (v - to) * d : 0.0))});
        joined.reset();
      }
      at += d;
      v = to;
    }
    if (joined) out.push_back({schedule::to_duration(*joined), length_});
    std::erase_if(out, [](const detail::active_period& p) { return p.leave <= p.join; });
    return out;
  }

  load_plan plan() const { return {description(), load_kind::closed, length_}; }

  template <class F, class A>
  auto body() const {
    return [periods = periods_, length = length_, ramp_down = ramp_down_, seg = segment()](shard<F, A>& s) {
      // User i belongs to segment i mod n; the segment's users go round its shards.
      std::vector<std::uint64_t> ids;
      std::vector<std::vector<detail::active_period>> mine;
      const std::uint64_t stride = std::uint64_t{seg.count} * s.count();
      for (std::uint64_t i = seg.index + std::uint64_t{seg.count} * s.index(); i < periods.size(); i += stride) {
        ids.push_back(i);
        mine.push_back(periods[i]);
      }
      return detail::closed_loop<F, A>::ramping_body(s, std::move(ids), std::move(mine), length, ramp_down);
    };
  }

  std::uint64_t start_;
  std::vector<vu_stage> stages_;
  clock::duration ramp_down_;
  clock::duration length_{};
  std::vector<std::vector<detail::active_period>> periods_;  // by user
};

/// Settings of a `ramping_vus_executor`; `build()` checks them.
class ramping_vus_executor_builder : public builder_settings<ramping_vus_executor_builder> {
public:
  /// Users at the start, which the first stage ramps from. Default 0.
  ramping_vus_executor_builder& start_vus(std::uint64_t n) {
    start_ = n;
    return *this;
  }
  /// The stages, in order (required, at least one).
  ramping_vus_executor_builder& stages(std::vector<vu_stage> s) {
    stages_ = std::move(s);
    return *this;
  }
  /// Appends a stage: ramp linearly to `target` users over `duration`.
  ramping_vus_executor_builder& stage(std::chrono::duration<double> duration, std::uint64_t target) {
    stages_.push_back({duration, target});
    return *this;
  }
  /// How long a user leaving on a ramp-down may finish its iteration. Default 30 s.
  ramping_vus_executor_builder& graceful_ramp_down(std::chrono::duration<double> d) {
    ramp_down_ = d;
    return *this;
  }

  /// The executor; throws `karga::error` for a bad setting, before any load.
  ramping_vus_executor build() const {
    if (stages_.empty()) detail::throw_error("ramping users need at least one stage");
    double length = 0;
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      schedule::checked_duration(stages_[i].duration, "stage " + std::to_string(i + 1) + ": duration");
      length += stages_[i].duration.count();
      if (stages_[i].target > 10'000'000)
        detail::throw_error(fmt::format("stage {}: {} users is more than 10^7", i + 1, stages_[i].target));
    }
    if (start_ > 10'000'000) detail::throw_error(fmt::format("{} start users is more than 10^7", start_));
    schedule::checked_duration(std::chrono::duration<double>(length), "the stages' length");
    return ramping_vus_executor(start_, stages_, schedule::checked_duration(ramp_down_, "graceful ramp-down"), runner(),
                                segment_value());
  }

private:
  std::uint64_t start_ = 0;
  std::vector<vu_stage> stages_;
  std::chrono::duration<double> ramp_down_{30.0};
};

inline ramping_vus_executor_builder ramping_vus_executor::builder() { return {}; }

} // namespace karga
