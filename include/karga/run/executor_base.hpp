#pragma once
/// @file run/executor_base.hpp
/// What every executor does the same way, written once: `run` and `async_run` on a
/// `sharded_runner` (threads, signals, the grace period, merging), the checks of the
/// action and the aggregate, and the settings an executor reports. An executor
/// derives from `executor_base<itself>` and writes only its load model:
///
/// - `load_plan plan() const` — what the model asks for, as the report tells it;
/// - `template <class F, class A> auto body() const` — the body of one shard: a
///   callable taking `karga::shard<F, A>&` and returning `boost::asio::awaitable<void>`.
///
/// Both may be private, with `friend class karga::executor_base<X>;`.
///
/// ```cpp
/// class every_ms : public karga::executor_base<every_ms> {  // n actions, one a millisecond
/// public:
///   explicit every_ms(std::uint64_t n) : executor_base(karga::sharded_runner{}), n_(n) {}
///
/// private:
///   friend class karga::executor_base<every_ms>;
///   karga::load_plan plan() const { return {fmt::format("{} actions, one a ms", n_), karga::load_kind::closed}; }
///   template <class F, class A>
///   auto body() const {
///     return [n = n_](karga::shard<F, A>& s) -> boost::asio::awaitable<void> {
///       boost::asio::steady_timer tick(s.executor());
///       for (std::uint64_t i = 0; i < s.share(n) && !s.stopping(); ++i) {
///         tick.expires_after(std::chrono::milliseconds(1));
///         co_await tick.async_wait(boost::asio::use_awaitable);
///         co_await karga::run_action(s);
///       }
///     };
///   }
///   std::uint64_t n_;
/// };
/// ```

#include <karga/core/concepts.hpp>
#include <karga/core/run_options.hpp>
#include <karga/core/timing.hpp>
#include <karga/load/segment.hpp>
#include <karga/run/sharded_runner.hpp>

#include <boost/asio/awaitable.hpp>

#include <utility>

namespace karga {

/// The base of an executor `Derived` (see the file's comment).
template <class Derived>
class executor_base {
public:
  /// Shards, one thread and `io_context` each.
  unsigned threads() const noexcept { return runner_.threads(); }
  /// Whether SIGINT and SIGTERM stop its runs.
  bool stop_on_signals() const noexcept { return runner_.settings().stop_on_signals; }
  /// After the plan (or a stop), how long actions in flight may go on.
  clock::duration grace_period() const noexcept { return runner_.settings().grace; }
  /// After the grace period, how long cancelled actions may take to end.
  clock::duration cancel_wait() const noexcept { return runner_.settings().cancel_wait; }
  /// This process's part of a test run by several.
  const karga::segment& segment() const noexcept { return segment_; }

  /// Runs `act` under the load model and returns the merged aggregate. Blocks the
  /// calling thread, which runs shard 0. An action or aggregate that does not fit
  /// stops the build with a sentence that says why.
  template <class F, class A>
  A run(const F& act, A initial, const run_options& opt = {}) const {
    if constexpr (detail::check_executor_call<F, A>())
      return runner_.run(act, std::move(initial), self().plan(), opt, self().template body<F, A>());
    else
      return initial;
  }

  /// Same as `run`, inside the caller's executor: shard 0 runs there (through a
  /// strand), the other shards on threads of their own.
  template <class F, class A>
    requires detail::runnable<F, A>
  boost::asio::awaitable<A> async_run(const F& act, A initial, const run_options& opt) const {
    return runner_.async_run(act, std::move(initial), self().plan(), opt, self().template body<F, A>());
  }
  /// The same with no run options. (An overload, not a default argument: g++ 12
  /// destroys a default argument of a call inside `co_await` twice.)
  template <class F, class A>
    requires detail::runnable<F, A>
  boost::asio::awaitable<A> async_run(const F& act, A initial) const {
    return async_run(act, std::move(initial), run_options{});
  }

protected:
  /// An executor running on `runner`'s shards, its load model's part `part`.
  explicit executor_base(sharded_runner runner, karga::segment part = {}) : runner_(runner), segment_(part) {}

private:
  const Derived& self() const noexcept { return static_cast<const Derived&>(*this); }

  sharded_runner runner_;
  karga::segment segment_;
};

} // namespace karga
