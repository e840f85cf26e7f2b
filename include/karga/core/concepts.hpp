#pragma once
/// @file core/concepts.hpp
/// The extension points of karga. Each role is a concept; a user type models it with
/// plain member functions, no base class and no registration.

#include <karga/core/context.hpp>
#include <karga/core/hooks.hpp>
#include <karga/core/run_info.hpp>
#include <karga/core/task.hpp>
#include <karga/core/timing.hpp>

#include <boost/asio/awaitable.hpp>

#include <concepts>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace karga {

/// A metric is what one action returns.
///
/// Requirements:
///  1. `M` is an object type (not a reference, not `void`);
///  2. `M` is copyable (an executor moves it from the action to the aggregate).
///
/// Minimal model: `struct ok { bool success; };`
/// @see basic_metric
template <class M>
concept metric = std::is_object_v<M> && std::copyable<M>;

namespace detail {
// What an action's call may return: an awaitable of its metric, or the metric itself
// (a synchronous action, run without a coroutine frame of its own).
template <class T>
struct result_traits {
  static constexpr bool is_action_result = false;
  static constexpr bool is_synchronous = false;
};
template <class T, class Executor>
struct result_traits<boost::asio::awaitable<T, Executor>> {
  static constexpr bool is_action_result = true;
  static constexpr bool is_synchronous = false;
  using value_type = T;
};
template <class T>
struct result_traits<task<T>> {
  static constexpr bool is_action_result = true;
  static constexpr bool is_synchronous = false;
  using value_type = T;
};
template <class T>
  requires metric<T>
struct result_traits<T> {
  static constexpr bool is_action_result = true;
  static constexpr bool is_synchronous = true;
  using value_type = T;
};
template <class F, class... Args>
concept returns_action_result =
    std::invocable<F&, Args...> && result_traits<std::invoke_result_t<F&, Args...>>::is_action_result;

// What the call returns: with a context when the action takes one.
template <class F>
struct action_call {
  using type = std::invoke_result_t<F&>;
};
template <class F>
  requires(!std::invocable<F&> && std::invocable<F&, const context&>)
struct action_call<F> {
  using type = std::invoke_result_t<F&, const context&>;
};
} // namespace detail

/// An action that takes the run's context: `f(const karga::context&)`.
template <class F>
concept takes_context = !std::invocable<F&> && detail::returns_action_result<F, const context&>;

/// An action is the unit of load: a callable that does one piece of work.
///
/// Requirements:
///  1. `F` is copy-constructible (every shard owns its own copy);
///  2. an lvalue `F` is invocable with no arguments, or with a `const karga::context&`;
///  3. the call returns `boost::asio::awaitable<M>`, a `karga::task<M>` (a lighter
///     coroutine, run inline until it first waits), or `M` itself (a synchronous
///     action: work that never waits, run inline without a coroutine frame);
///  4. `M` models `metric`.
///
/// Minimal model: `[]() -> boost::asio::awaitable<karga::basic_metric> { co_return {}; }`
/// (synchronous: `[] { return karga::basic_metric{}; }`)
template <class F>
concept action = std::copy_constructible<F> && (detail::returns_action_result<F> || takes_context<F>) &&
                 metric<typename detail::result_traits<typename detail::action_call<F>::type>::value_type>;

/// The metric type an action returns.
template <action F>
using metric_of_t = typename detail::result_traits<typename detail::action_call<F>::type>::value_type;

/// An action that returns its metric directly rather than an awaitable.
template <class F>
concept synchronous_action = action<F> && detail::result_traits<typename detail::action_call<F>::type>::is_synchronous;

/// An action that returns a `karga::task<M>`.
template <class F>
concept task_action = action<F> && std::same_as<typename detail::action_call<F>::type, task<metric_of_t<F>>>;

/// Calls `f`, with `c` when `f` takes a context. `c` must outlive the awaitable (an
/// action's coroutine keeps the reference): keep it in the calling coroutine's frame.
/// A synchronous action's metric comes back as it is (executors do not `co_await` it).
template <action F>
auto invoke_action(F& f, const context& c) {
  if constexpr (takes_context<F>)
    return f(c);
  else
    return f();
}

/// An action whose metric is `M`.
template <class F, class M>
concept action_of = action<F> && std::same_as<metric_of_t<F>, M>;

/// An aggregate folds metrics into a summary of fixed size.
///
/// Requirements:
///  1. `A` is default-initializable (the empty aggregate);
///  2. `A` is copyable (each shard starts from a copy of the initial aggregate);
///  3. `a.merge(b)` adds `b`'s content to `a`; it is associative and commutative, so
///     shards, processes and machines can merge in any order.
///
/// Minimal model: `struct count { std::uint64_t n = 0; void merge(const count& o) { n += o.n; } };`
template <class A>
concept aggregate = std::default_initializable<A> && std::copyable<A> &&
                    requires(A& a, const A& b) { a.merge(b); };

/// An aggregate that consumes metrics of type `M`.
///
/// Requirements: 1. `aggregate<A>`; 2. `metric<M>`; 3. `a.consume(m)` for a `const M& m`.
template <class A, class M>
concept aggregate_for = aggregate<A> && metric<M> && requires(A& a, const M& m) { a.consume(m); };

/// The optional hooks of an aggregate (timing, dropped, interrupted, exceptions, the
/// run) are each on their own: see hooks.hpp.

namespace detail {
template <class A>
[[deprecated("karga: run_aware_aggregate is karga 0.1's: each hook is optional on its own since 0.2 "
             "(karga::hooks_callable<A>, karga::records_run<A>, ...)")]] inline constexpr bool run_aware_0_1 =
    aggregate<A> && requires(A& a, std::uint64_t n, std::string_view what, const run_info& info) {
      a.record_dropped(n, drop_reason::late);
      a.record_interrupted(n);
      a.record_exception(what);
      a.record_run(info);
    };
} // namespace detail

/// karga 0.1's aggregate with every hook at once; deprecated (a warning says what to use).
template <class A>
concept run_aware_aggregate = detail::run_aware_0_1<A>;

/// A report is a value derived from an aggregate: percentiles, rates, ratios.
///
/// Requirements: 1. `R` is copyable; 2. `R` is constructible from `const A&`.
template <class R, class A>
concept report_for = aggregate<A> && std::copyable<R> && std::constructible_from<R, const A&>;

/// A reporter sends a report somewhere (terminal, file, CI, monitoring).
///
/// Requirements: 1. `p.report(r)` for an lvalue `P p` and a `const R& r`. It may do
/// its work at once, or return a `boost::asio::awaitable<void>` that does it when
/// awaited (`async_reporter_for`); `karga::report_to` runs either to completion.
template <class P, class R>
concept reporter_for = requires(P& p, const R& r) { p.report(r); };

/// A reporter whose `report(r)` is a coroutine: `co_await p.report(r)` sends it (over
/// the network, say) on the awaiting executor. `r` must outlive the awaiting.
template <class P, class R>
concept async_reporter_for = requires(P& p, const R& r) {
  { p.report(r) } -> std::same_as<boost::asio::awaitable<void>>;
};

/// An executor runs an action under a load model and returns the merged aggregate.
///
/// Requirements:
///  1. `action<F>` and `aggregate_for<A, metric_of_t<F>>`;
///  2. `e.run(f, a)` for a `const E& e`, `const F& f` and an initial `A a` returns `A`:
///     it blocks until the run is over. It copies `f` before calling it (an action
///     may be callable only as a non-const lvalue).
/// An executor may also take `e.run(f, a, opts)` with `const run_options& opts` (the
/// scenario's name, stop control); `scenario` passes them when it can.
template <class E, class F, class A>
concept executor_for = action<F> && aggregate_for<A, metric_of_t<F>> &&
                       requires(const E& e, const F& f, A a) {
                         { e.run(f, std::move(a)) } -> std::same_as<A>;
                       };

/// An executor that can also run inside a caller's `io_context`:
/// `e.async_run(f, a)` returns `boost::asio::awaitable<A>`.
template <class E, class F, class A>
concept async_executor_for = executor_for<E, F, A> && requires(const E& e, const F& f, A a) {
  { e.async_run(f, std::move(a)) } -> std::same_as<boost::asio::awaitable<A>>;
};

namespace detail {
/// An action and an aggregate an executor can run together.
template <class F, class A>
concept runnable = action<F> && aggregate_for<A, metric_of_t<F>> && hooks_callable<A>;

/// Whether an executor can run `F` into `A`; if not, stops the build with a sentence
/// that names what is wrong (instead of a wall of failed constraints).
template <class F, class A>
consteval bool check_executor_call() {
  static_assert(action<F>,
                "karga: the action must be a copyable callable taking no arguments (or a const karga::context&) "
                "and returning boost::asio::awaitable<M>, karga::task<M> or M, with M a copyable metric");
  if constexpr (action<F>) {
    static_assert(aggregate<A>,
                  "karga: the aggregate must be default-constructible and copyable, with merge(const A&)");
    static_assert(aggregate_for<A, metric_of_t<F>>,
                  "karga: the aggregate has no consume(const M&) for the action's metric M");
    if constexpr (aggregate_for<A, metric_of_t<F>>) return check_hooks<A>();
  }
  return false;
}
} // namespace detail

namespace archetypes {
/// The least metric: used to check that an executor is generic.
struct metric {};
/// The least action: callable only as a non-const lvalue (an action may be a
/// `mutable` lambda), so an executor must call its own copy.
struct action {
  /// Callable only as a non-const lvalue.
  boost::asio::awaitable<archetypes::metric> operator()() &;
};
/// The least aggregate.
struct aggregate {
  /// Takes the least metric.
  void consume(const archetypes::metric&);
  /// Merges.
  void merge(const aggregate&);
};
} // namespace archetypes

/// An executor that runs any action with any aggregate (the role; `executor_for` is
/// the relation for one action and one aggregate).
template <class E>
concept executor = executor_for<E, archetypes::action, archetypes::aggregate>;

} // namespace karga
