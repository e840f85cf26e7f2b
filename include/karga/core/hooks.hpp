#pragma once
/// @file core/hooks.hpp
/// The optional hooks of an aggregate, each on its own. An aggregate may have any of
/// them; one declared with a signature karga cannot call is a compile error that
/// names it, so a hook never switches off silently. Executors call the hooks through
/// the free functions below, which do nothing for an aggregate without the hook.
///
/// | hook                                   | called when                                       |
/// |----------------------------------------|---------------------------------------------------|
/// | `record_start(clock::time_point)`      | before any action, on each shard's copy: the run's start, the same for all |
/// | `consume(const M&, const timing&)`     | an action returned (instead of `consume(m)`)      |
/// | `record_dropped(n, drop_reason)`       | n arrivals were due but not started               |
/// | `record_interrupted(n)`                | n actions were cancelled at the end of the grace period |
/// | `record_interrupted(n, const timing&)` | with the above: one cancelled action, when it ends (those that never end go to the first) |
/// | `record_exception(string_view)`        | an action threw: a failed action, with its message |
/// | `record_exception(string_view, const timing&)` | the same with the action's timing (preferred when present) |
/// | `record_users(clock::time_point, n)`   | closed models: a shard has n active users from then on |
/// | `record_run(const run_info&)`          | once, after merging: the load model and how the run went |

#include <karga/core/run_info.hpp>
#include <karga/core/timing.hpp>

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>

namespace karga {

/// Why an arrival was not started.
enum class drop_reason : std::uint8_t {
  max_in_flight,  ///< the concurrency cap was reached
  late,           ///< the executor could not start it in time (behind schedule, or due before a stop)
};

/// The reason's name, as reports write it.
inline std::string_view to_string(drop_reason r) noexcept {
  return r == drop_reason::max_in_flight ? "max_in_flight" : "late";
}

/// `a.consume(m, t)`: the aggregate takes the executor's timing of each action.
template <class A, class M>
concept timed_aggregate_for = requires(A& a, const M& m, const timing& t) { a.consume(m, t); };

/// `a.record_dropped(n, why)`.
template <class A>
concept records_dropped = requires(A& a, std::uint64_t n, drop_reason why) { a.record_dropped(n, why); };
/// `a.record_dropped(n)`, without a reason: karga 0.1's hook, still called (with a
/// deprecation warning) by an aggregate that has not the one with a reason.
template <class A>
concept records_dropped_without_reason = !records_dropped<A> && requires(A& a, std::uint64_t n) { a.record_dropped(n); };
/// `a.record_interrupted(n)`.
template <class A>
concept records_interrupted = requires(A& a, std::uint64_t n) { a.record_interrupted(n); };
/// `a.record_exception(what)` with a `std::string_view`.
template <class A>
concept records_exception = requires(A& a, std::string_view what) { a.record_exception(what); };
/// `a.record_run(info)` with a `const run_info&`.
template <class A>
concept records_run = requires(A& a, const run_info& info) { a.record_run(info); };
/// `a.record_start(t)` with a `clock::time_point`.
template <class A>
concept records_start = requires(A& a, clock::time_point t) { a.record_start(t); };
/// `a.record_users(t, n)`: a shard's active users changed to n at t.
template <class A>
concept records_users = requires(A& a, clock::time_point t, std::uint64_t n) { a.record_users(t, n); };
/// `a.record_exception(what, t)`: exceptions with the action's timing.
template <class A>
concept records_timed_exception = requires(A& a, std::string_view what, const timing& t) { a.record_exception(what, t); };
/// `a.record_interrupted(n, t)`: each interrupted action with its timing, when it ends.
template <class A>
concept records_timed_interrupted = requires(A& a, std::uint64_t n, const timing& t) { a.record_interrupted(n, t); };
/// Whether an executor should read the clock for `A`'s sake: some hook takes timing.
template <class A, class M>
concept wants_timing = timed_aggregate_for<A, M> || records_timed_exception<A> || records_timed_interrupted<A>;

namespace detail {
// Whether A declares a member of a given name, whatever its signature: a base with
// a member of the same name makes the lookup ambiguous exactly when A has one.
struct hook_names {
  void record_dropped();
  void record_interrupted();
  void record_exception();
  void record_run();
  void record_start();
  void record_users();
};
template <class A>
struct hook_probe : A, hook_names {};
template <class A>
concept probeable = std::is_class_v<A> && !std::is_final_v<A>;
template <class A>
concept declares_record_dropped = probeable<A> && !requires { &hook_probe<A>::record_dropped; };
template <class A>
concept declares_record_interrupted = probeable<A> && !requires { &hook_probe<A>::record_interrupted; };
template <class A>
concept declares_record_exception = probeable<A> && !requires { &hook_probe<A>::record_exception; };
template <class A>
concept declares_record_run = probeable<A> && !requires { &hook_probe<A>::record_run; };
template <class A>
concept declares_record_start = probeable<A> && !requires { &hook_probe<A>::record_start; };
template <class A>
concept declares_record_users = probeable<A> && !requires { &hook_probe<A>::record_users; };
} // namespace detail

/// Every hook `A` declares can be called as karga calls it. A `final` aggregate does
/// not qualify: the declarations are found through a class derived from it.
template <class A>
concept hooks_callable =
    !std::is_final_v<A> &&
    (!detail::declares_record_dropped<A> || records_dropped<A> || records_dropped_without_reason<A>) &&
    (!detail::declares_record_interrupted<A> || records_interrupted<A>) &&
    (!detail::declares_record_exception<A> || records_exception<A> || records_timed_exception<A>) &&
    (!detail::declares_record_run<A> || records_run<A>) && (!detail::declares_record_start<A> || records_start<A>) &&
    (!detail::declares_record_users<A> || records_users<A>);

namespace detail {
/// Stops the build with a sentence for each hook `A` declares with a signature karga
/// cannot call. `static_assert(detail::check_hooks<A>())`.
template <class A>
constexpr bool check_hooks() {
  static_assert(!std::is_final_v<A>,
                "karga: the aggregate is final; karga finds a hook declared with a signature it cannot call "
                "through a class derived from the aggregate, so a final one could have such a hook silently "
                "ignored: remove final");
  static_assert(!declares_record_dropped<A> || records_dropped<A> || records_dropped_without_reason<A>,
                "karga: the aggregate declares record_dropped, but karga calls it as "
                "record_dropped(std::uint64_t n, karga::drop_reason why)");
  static_assert(!declares_record_interrupted<A> || records_interrupted<A>,
                "karga: the aggregate declares record_interrupted, but karga calls it as "
                "record_interrupted(std::uint64_t n)");
  static_assert(!declares_record_exception<A> || records_exception<A> || records_timed_exception<A>,
                "karga: the aggregate declares record_exception, but karga calls it as "
                "record_exception(std::string_view what) or record_exception(std::string_view what, const karga::timing& t)");
  static_assert(!declares_record_run<A> || records_run<A>,
                "karga: the aggregate declares record_run, but karga calls it as "
                "record_run(const karga::run_info& info)");
  static_assert(!declares_record_start<A> || records_start<A>,
                "karga: the aggregate declares record_start, but karga calls it as "
                "record_start(karga::clock::time_point start)");
  static_assert(!declares_record_users<A> || records_users<A>,
                "karga: the aggregate declares record_users, but karga calls it as "
                "record_users(karga::clock::time_point t, std::uint64_t active)");
  return true;
}
} // namespace detail

/// Folds one metric into `a`, with the executor's timing if `a` takes it.
template <class A, class M>
void consume(A& a, const M& m, const timing& t) {
  if constexpr (timed_aggregate_for<A, M>)
    a.consume(m, t);
  else
    a.consume(m);
}

namespace detail {
template <class A>
[[deprecated("karga: record_dropped(std::uint64_t n) is karga 0.1's hook: declare "
             "record_dropped(std::uint64_t n, karga::drop_reason why)")]] inline void
dropped_without_reason() noexcept {}
} // namespace detail

/// `a.record_dropped(n, why)` if `a` has it and n > 0 (karga 0.1's `record_dropped(n)`
/// otherwise, with a deprecation warning).
template <class A>
void record_dropped(A& a, std::uint64_t n, drop_reason why) {
  if constexpr (records_dropped<A>) {
    if (n != 0) a.record_dropped(n, why);
  } else if constexpr (records_dropped_without_reason<A>) {
    detail::dropped_without_reason<A>();
    if (n != 0) a.record_dropped(n);
  }
}
/// `a.record_interrupted(n)` if `a` has it and n > 0.
template <class A>
void record_interrupted(A& a, std::uint64_t n) {
  if constexpr (records_interrupted<A>)
    if (n != 0) a.record_interrupted(n);
}
/// `a.record_interrupted(n, t)`, or `a.record_interrupted(n)`, if `a` has either and
/// n > 0.
template <class A>
void record_interrupted(A& a, std::uint64_t n, const timing& t) {
  if constexpr (records_timed_interrupted<A>) {
    if (n != 0) a.record_interrupted(n, t);
  } else {
    record_interrupted(a, n);
  }
}
/// `a.record_exception(what, t)`, or `a.record_exception(what)`, if `a` has either.
template <class A>
void record_exception(A& a, std::string_view what, const timing& t) {
  if constexpr (records_timed_exception<A>)
    a.record_exception(what, t);
  else if constexpr (records_exception<A>)
    a.record_exception(what);
}
/// `a.record_exception(what)` if `a` has it.
template <class A>
void record_exception(A& a, std::string_view what) {
  if constexpr (records_exception<A>) a.record_exception(what);
}
/// `a.record_users(t, n)` if `a` has it.
template <class A>
void record_users(A& a, clock::time_point t, std::uint64_t n) {
  if constexpr (records_users<A>) a.record_users(t, n);
}
/// `a.record_start(t)` if `a` has it.
template <class A>
void record_start(A& a, clock::time_point t) {
  if constexpr (records_start<A>) a.record_start(t);
}
/// `a.record_run(info)` if `a` has it.
template <class A>
void record_run(A& a, const run_info& info) {
  if constexpr (records_run<A>) a.record_run(info);
}

/// The message of a thrown exception: `what()` of a `std::exception`, otherwise
/// "unknown exception".
inline std::string exception_message(std::exception_ptr e) {
  try {
    std::rethrow_exception(std::move(e));
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown exception";
  }
}

} // namespace karga
