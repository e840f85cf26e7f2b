#pragma once
/// @file executors/iterations_executors.hpp
/// Closed models that run a number of iterations rather than for a time:
/// `per_vu_iterations_executor` (each of N users runs the action K times; k6:
/// per-vu-iterations) and `shared_iterations_executor` (N users share K iterations;
/// k6: shared-iterations). Both stop at `max_duration` if the iterations take longer.
/// Such a model has no planned length: the report's rates are over the elapsed time.

#include <karga/concepts.hpp>
#include <karga/detail/builder_settings.hpp>
#include <karga/detail/closed_loop.hpp>
#include <karga/detail/format.hpp>
#include <karga/error.hpp>
#include <karga/run_options.hpp>
#include <karga/schedule.hpp>
#include <karga/sharded_runner.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace karga {

namespace detail {
/// An iterations executor: `vus` users, `iterations` each (`shared` false) or in all.
template <bool Shared>
class iterations_executor {
public:
  static constexpr bool shared = Shared;  ///< the users share the iterations
  std::uint64_t vus() const noexcept { return vus_; }
  std::uint64_t iterations() const noexcept { return iterations_; }
  clock::duration max_duration() const noexcept { return max_; }
  unsigned threads() const noexcept { return runner_.threads(); }
  /// Whether SIGINT and SIGTERM stop its runs (the builder's `stop_on_signals`).
  bool stop_on_signals() const noexcept { return runner_.settings().stop_on_signals; }
  /// The load model in a few words, as `run_info::model` gives it.
  std::string description() const {
    return Shared ? fmt::format("{} iterations shared by {} users", iterations_, vus_)
                  : fmt::format("{} users × {} iterations", vus_, iterations_);
  }

  template <class F, class A>
  A run(const F& act, A initial, const run_options& opt = {}) const {
    if constexpr (check_executor_call<F, A>())
      return runner_.run(act, std::move(initial), plan(), opt, body<F, A>());
    else
      return initial;
  }
  template <class F, class A>
    requires runnable<F, A>
  boost::asio::awaitable<A> async_run(const F& act, A initial, const run_options& opt) const {
    return runner_.async_run(act, std::move(initial), plan(), opt, body<F, A>());
  }
  template <class F, class A>
    requires runnable<F, A>
  boost::asio::awaitable<A> async_run(const F& act, A initial) const {
    return runner_.async_run(act, std::move(initial), plan(), run_options{}, body<F, A>());
  }

protected:
  iterations_executor(std::uint64_t vus, std::uint64_t iterations, clock::duration max, sharded_runner runner)
      : vus_(vus), iterations_(iterations), max_(max), runner_(runner) {}

private:
  load_plan plan() const { return {description(), load_kind::closed, clock::duration::zero()}; }

  template <class F, class A>
  auto body() const {
    return [vus = vus_, k = iterations_, max = max_](shard<F, A>& s) {
      const auto share = [&s](std::uint64_t n) { return n / s.count() + (s.index() < n % s.count() ? 1 : 0); };
      if constexpr (Shared)
        return closed_loop<F, A>::body(s, share(vus), s.start() + max, closed_loop<F, A>::unlimited, share(k));
      else
        return closed_loop<F, A>::body(s, share(vus), s.start() + max, k);
    };
  }

  std::uint64_t vus_;
  std::uint64_t iterations_;
  clock::duration max_;
  sharded_runner runner_;
};

template <class Derived, class Executor>
class iterations_builder : public builder_settings<Derived> {
public:
  /// Virtual users (required, at least 1).
  Derived& vus(std::uint64_t n) & {
    vus_ = n;
    return static_cast<Derived&>(*this);
  }
  Derived&& vus(std::uint64_t n) && { return std::move(vus(n)); }
  /// Iterations (required, at least 1): each user's, or all users' together.
  Derived& iterations(std::uint64_t n) & {
    iterations_ = n;
    return static_cast<Derived&>(*this);
  }
  Derived&& iterations(std::uint64_t n) && { return std::move(iterations(n)); }
  /// The longest the iterations may take; then nothing more starts. Default 10 min.
  Derived& max_duration(std::chrono::duration<double> d) & {
    max_ = d;
    return static_cast<Derived&>(*this);
  }
  Derived&& max_duration(std::chrono::duration<double> d) && { return std::move(max_duration(d)); }

  Executor build() const {
    if (vus_ == 0) throw_error("vus must be at least 1, got 0");
    if (iterations_ == 0) throw_error("iterations must be at least 1, got 0");
    const karga::segment seg = this->segment_value();
    const std::uint64_t vus = seg.share(vus_);
    if (vus == 0)
      throw_error(fmt::format("segment {}/{} of {} users has none: use fewer segments", seg.index, seg.count, vus_));
    // Per-user iterations stay per user; shared ones are split like the users.
    const std::uint64_t iterations = Executor::shared ? seg.share(iterations_) : iterations_;
    return Executor(vus, iterations, schedule::checked_duration(max_, "max duration"), this->runner());
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
  static per_vu_iterations_executor_builder builder();

private:
  friend class detail::iterations_builder<per_vu_iterations_executor_builder, per_vu_iterations_executor>;
  using iterations_executor::iterations_executor;
};

/// `vus` users run the action `iterations` times in all: a user that is done with
/// one takes the next, so fast users do more.
class shared_iterations_executor : public detail::iterations_executor<true> {
public:
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
