#pragma once
/// @file scenario.hpp
/// A scenario ties a name, an action and an executor together; a typed builder
/// makes a missing piece a compile error that names it.

#include <karga/concepts.hpp>

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

  scenario(std::string name, F act, E exec)
      : name_(std::move(name)), action_(std::move(act)), executor_(std::move(exec)) {}

  const std::string& name() const noexcept { return name_; }
  const F& action() const noexcept { return action_; }
  const E& executor() const noexcept { return executor_; }

  /// Runs the scenario to its end, blocking, and returns the merged aggregate.
  A run() const { return executor_.run(action_, A{}); }

  /// Runs the scenario inside the caller's executor.
  boost::asio::awaitable<A> async_run() const
    requires async_executor_for<E, F, A>
  {
    co_return co_await executor_.async_run(action_, A{});
  }

private:
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
  scenario_builder(std::string n, F f, E e) : name_(std::move(n)), action_(std::move(f)), executor_(std::move(e)) {}

  /// The scenario's name, shown by reporters. Default "scenario".
  scenario_builder name(std::string n) && {
    name_ = std::move(n);
    return std::move(*this);
  }
  /// The action: a copyable callable returning `boost::asio::awaitable<Metric>`.
  template <class G>
  scenario_builder<A, std::decay_t<G>, E> action(G&& g) && {
    return {std::move(name_), std::forward<G>(g), std::move(executor_)};
  }
  /// The executor: how the action is run (load model, threads).
  template <class X>
  scenario_builder<A, F, std::decay_t<X>> executor(X&& x) && {
    return {std::move(name_), std::move(action_), std::forward<X>(x)};
  }

  auto build() && {
    if constexpr (std::is_same_v<F, not_set>) {
      static_assert(detail::always_false<F>, "karga::scenario: no action given; call .action(...) before .build()");
    } else if constexpr (std::is_same_v<E, not_set>) {
      static_assert(detail::always_false<E>, "karga::scenario: no executor given; call .executor(...) before .build()");
    } else if constexpr (!karga::action<F>) {
      static_assert(detail::always_false<F>,
                    "karga::scenario: the action must be a copyable callable taking no arguments and "
                    "returning boost::asio::awaitable<M>, with M a copyable metric");
    } else if constexpr (!aggregate_for<A, metric_of_t<F>>) {
      static_assert(detail::always_false<F>,
                    "karga::scenario: the aggregate has no consume(const M&) for the action's metric M");
    } else if constexpr (!executor_for<E, F, A>) {
      static_assert(detail::always_false<E>,
                    "karga::scenario: the executor has no run(action, aggregate) returning the aggregate");
    } else {
      return scenario<A, F, E>(std::move(name_), std::move(action_), std::move(executor_));
    }
  }

private:
  template <aggregate, class, class>
  friend class scenario_builder;

  std::string name_ = "scenario";
  F action_{};
  E executor_{};
};

} // namespace karga
