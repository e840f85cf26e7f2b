#pragma once
/// @file core/scenario.hpp
/// A scenario ties a name, an action and an executor together; a typed builder
/// makes a missing piece a compile error that names it.

#include <karga/core/concepts.hpp>
#include <karga/core/run_options.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>
#include <type_traits>
#include <utility>

namespace karga {

/// Stands for a piece the scenario builder has not been given yet.
struct not_set {};

template <aggregate A, class F, class E>
class scenario_builder;

/// A named action run by an executor, folding its metrics into an `A`.
template <aggregate A, class F = not_set, class E = not_set>
class scenario {
public:
  /// Starts a builder: `.name(...)`, `.action(...)`, `.executor(...)`, `.build()`.
  static scenario_builder<A, not_set, not_set> builder() { return {}; }

  /// A scenario named `name` running `act` under `exec` (the builder checks them).
  scenario(std::string name, F act, E exec)
      : name_(std::move(name)), action_(std::move(act)), executor_(std::move(exec)) {}

  /// The scenario's name.
  const std::string& name() const noexcept { return name_; }
  /// The action.
  const F& action() const noexcept { return action_; }
  /// The executor.
  const E& executor() const noexcept { return executor_; }

  /// Runs the scenario to its end, blocking, and returns the merged aggregate. The
  /// executor is given `opt` with the scenario's name, when it takes run options.
  A run(run_options opt = {}) const {
    if constexpr (requires { executor_.run(action_, A{}, opt); })
      return executor_.run(action_, A{}, named(std::move(opt)));
    else
      return executor_.run(action_, A{});
  }

  /// Runs the scenario inside the caller's executor.
  // (Overloads, not a default argument: g++ 12 destroys a default argument of a call
  // inside `co_await` twice.)
  boost::asio::awaitable<A> async_run() const
    requires async_executor_for<E, F, A>
  {
    return async_run(run_options{});
  }
  /// Runs the scenario inside the caller's executor, with `opt` (named after the scenario).
  boost::asio::awaitable<A> async_run(run_options opt) const
    requires async_executor_for<E, F, A>
  {
    if constexpr (requires { executor_.async_run(action_, A{}, opt); })
      return executor_.async_run(action_, A{}, named(std::move(opt)));
    else
      return executor_.async_run(action_, A{});
  }

private:
  run_options named(run_options opt) const {
    if (opt.name.empty()) opt.name = name_;
    return opt;
  }

  std::string name_;
  F action_;
  E executor_;
};

namespace detail {
template <class>
inline constexpr bool always_false = false;
}

/// Collects a scenario's pieces. `build()` checks them with a sentence per missing
/// or mistyped piece.
template <aggregate A, class F, class E>
class scenario_builder {
public:
  scenario_builder() = default;
  /// A builder holding these pieces (what `action` and `executor` return).
  scenario_builder(std::string n, F f, E e) : name_(std::move(n)), action_(std::move(f)), executor_(std::move(e)) {}

  // Setters have no ref-qualifier, so they work chained on a temporary and on a
  // named builder alike; `action` and `executor` return a builder of a new type, as
  // they change what it holds.

  /// The scenario's name, shown by reporters. Default "scenario".
  scenario_builder& name(std::string n) {
    name_ = std::move(n);
    return *this;
  }
  /// The action: a copyable callable returning `boost::asio::awaitable<Metric>` (or
  /// the metric itself), taking nothing or a `const karga::context&`.
  template <class G>
  scenario_builder<A, std::decay_t<G>, E> action(G&& g) const {
    return {name_, std::forward<G>(g), executor_};
  }
  /// The executor: how the action is run (load model, threads).
  template <class X>
  scenario_builder<A, F, std::decay_t<X>> executor(X&& x) const {
    return {name_, action_, std::forward<X>(x)};
  }

  /// The scenario; a missing or mistyped piece stops the build with a sentence.
  auto build() const { return scenario_builder(*this).build_(); }

private:
  auto build_() {
    if constexpr (std::is_same_v<F, not_set>) {
      static_assert(detail::always_false<F>, "karga::scenario: no action given; call .action(...) before .build()");
    } else if constexpr (std::is_same_v<E, not_set>) {
      static_assert(detail::always_false<E>, "karga::scenario: no executor given; call .executor(...) before .build()");
    } else if constexpr (!karga::action<F>) {
      static_assert(detail::always_false<F>,
                    "karga::scenario: the action must be a copyable callable taking no arguments (or a "
                    "const karga::context&) and returning boost::asio::awaitable<M>, karga::task<M> or M, "
                    "with M a copyable metric");
    } else if constexpr (!aggregate_for<A, metric_of_t<F>>) {
      static_assert(detail::always_false<F>,
                    "karga::scenario: the aggregate has no consume(const M&) for the action's metric M");
    } else if constexpr (!hooks_callable<A>) {
      static_assert(detail::check_hooks<A>());
    } else if constexpr (!executor_for<E, F, A>) {
      static_assert(detail::always_false<E>,
                    "karga::scenario: the executor has no run(action, aggregate) returning the aggregate");
    } else {
      return scenario<A, F, E>(std::move(name_), std::move(action_), std::move(executor_));
    }
  }

  template <aggregate, class, class>
  friend class scenario_builder;

  std::string name_ = "scenario";
  F action_{};
  E executor_{};
};

} // namespace karga
