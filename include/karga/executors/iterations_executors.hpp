#pragma once
/// @file executors/iterations_executors.hpp
/// Closed models that run a number of iterations rather than for a time:
/// `per_vu_iterations_executor` (each of N users runs the action K times; k6:
/// per-vu-iterations) and `shared_iterations_executor` (N users share K iterations;
/// k6: shared-iterations). Both stop at `max_duration` if the iterations take longer.
/// Such a model has no planned length: the report's rates are over the elapsed time.

#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>
#include <karga/executors/detail/closed_loop.hpp>
#include <karga/load/schedule.hpp>
#include <karga/run/builder_settings.hpp>
#include <karga/run/executor_base.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace karga {

namespace detail {
/// An iterations executor: `vus` users, `iterations` each (`shared` false) or in all.
template <bool Shared>
class iterations_executor : public executor_base<iterations_executor<Shared>> {
public:
  static constexpr bool shared = Shared;  ///< the users share the iterations
  /// This process's users (its segment's share).
  std::uint64_t vus() const noexcept { return vus_; }
  /// Each user's iterations, or (shared) this process's share of all of them.
  std::uint64_t iterations() const noexcept { return iterations_; }
  clock::duration max_duration() const noexcept { return max_; }
  /// The load model in a few words, as `run_info::model` gives it.
  std::string description() const {
    return Shared ? fmt::format("{} iterations shared by {} users", iterations_, vus_)
                  : fmt::format("{} users × {} iterations", vus_, iterations_);
  }

protected:
  iterations_executor(std::uint64_t vus, std::uint64_t iterations, clock::duration max, sharded_runner runner,
                      karga::segment seg)
      : executor_base<iterations_executor>(runner, seg), vus_(vus), iterations_(iterations), max_(max) {}

private:
  friend class executor_base<iterations_executor>;

  load_plan plan() const { return {description(), load_kind::closed, clock::duration::zero()}; }

  template <class F, class A>
  auto body() const {
    return [vus = vus_, k = iterations_, max = max_](shard<F, A>& s) {
      if constexpr (Shared)
        return closed_loop<F, A>::body(s, s.share(vus), s.start() + max, closed_loop<F, A>::unlimited, s.share(k));
      else
        return closed_loop<F, A>::body(s, s.share(vus), s.start() + max, k);
    };
  }

  std::uint64_t vus_;
  std::uint64_t iterations_;
  clock::duration max_;
};

template <class Derived, class Executor>
class iterations_builder : public builder_settings<Derived> {
public:
  /// Virtual users (required, at least 1).
  Derived& vus(std::uint64_t n) {
    vus_ = n;
    return this->self();
  }
  /// Iterations (required, at least 1): each user's, or all users' together.
  Derived& iterations(std::uint64_t n) {
    iterations_ = n;
    return this->self();
  }
  /// The longest the iterations may take; then nothing more starts. Default 10 min.
  Derived& max_duration(std::chrono::duration<double> d) {
    max_ = d;
    return this->self();
  }

  Executor build() const {
    if (vus_ == 0) throw_error("vus must be at least 1, got 0");
    if (iterations_ == 0) throw_error("iterations must be at least 1, got 0");
    const std::uint64_t vus = this->segment_users(vus_);
    // Per-user iterations stay per user; shared ones are split like the users.
    const karga::segment seg = this->segment_value();
    const std::uint64_t iterations = Executor::shared ? seg.share(iterations_) : iterations_;
    return Executor(vus, iterations, schedule::checked_duration(max_, "max duration"), this->runner(), seg);
  }

private:
  std::uint64_t vus_ = 0;
  std::uint64_t iterations_ = 0;
  std::chrono::duration<double> max_{600.0};
};
} // namespace detail

class per_vu_iterations_executor_builder;
class shared_iterations_executor_builder;

/// Each of `vus` users runs the action `iterations` times, back to back.
class per_vu_iterations_executor : public detail::iterations_executor<false> {
public:
  /// Starts a builder (users, iterations, max duration).
  static per_vu_iterations_executor_builder builder();

private:
  friend class detail::iterations_builder<per_vu_iterations_executor_builder, per_vu_iterations_executor>;
  using iterations_executor::iterations_executor;
};

/// `vus` users run the action `iterations` times in all: a user that is done with
/// one takes the next, so fast users do more.
class shared_iterations_executor : public detail::iterations_executor<true> {
public:
  /// Starts a builder (users, iterations, max duration).
  static shared_iterations_executor_builder builder();

private:
  friend class detail::iterations_builder<shared_iterations_executor_builder, shared_iterations_executor>;
  using iterations_executor::iterations_executor;
};

/// Settings of a `per_vu_iterations_executor`.
class per_vu_iterations_executor_builder
    : public detail::iterations_builder<per_vu_iterations_executor_builder, per_vu_iterations_executor> {};
/// Settings of a `shared_iterations_executor`.
class shared_iterations_executor_builder
    : public detail::iterations_builder<shared_iterations_executor_builder, shared_iterations_executor> {};

inline per_vu_iterations_executor_builder per_vu_iterations_executor::builder() { return {}; }
inline shared_iterations_executor_builder shared_iterations_executor::builder() { return {}; }

} // namespace karga
