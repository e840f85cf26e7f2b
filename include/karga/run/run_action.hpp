#pragma once
/// @file run/run_action.hpp
/// Runs a shard's action once, folding its outcome into the shard's aggregate: the
/// building block of an executor's body.

#include <karga/core/concepts.hpp>
#include <karga/core/context.hpp>
#include <karga/core/timing.hpp>
#include <karga/run/action_outcome.hpp>
#include <karga/run/shard.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>

namespace karga {

namespace detail {
template <class F, class A>
boost::asio::awaitable<void> run_action_at(shard<F, A>& s, std::optional<clock::time_point> scheduled, context c) {
  const clock::time_point started =
      shard<F, A>::timed || (shard<F, A>::wants_context && !scheduled) ? clock::now() : clock::time_point{};
  if constexpr (shard<F, A>::wants_context) {
    const context base = s.make_context(scheduled.value_or(started));
    c.scenario = base.scenario;
    c.shard = base.shard;
    if (c.intended_start == clock::time_point{}) c.intended_start = base.intended_start;
  }
  s.begin_action();
  action_outcome<metric_of_t<F>> out;
  if constexpr (synchronous_action<F>) {
    out = catch_outcome([&] { return invoke_action(s.action(), c); });
  } else if constexpr (task_action<F>) {
    const auto state = co_await boost::asio::this_coro::cancellation_state;
    auto t = invoke_action(s.action(), c);
    if (!t.start(state.slot(), &s.executor())) co_await t.async_wait(boost::asio::use_awaitable);
    out = catch_outcome([&] { return t.result(); });
  } else {
    try {
      out.metric.emplace(co_await invoke_action(s.action(), c));
    } catch (...) {
      out.thrown = std::current_exception();
    }
  }
  s.end_action(std::move(out), timing{scheduled.value_or(started), started, shard<F, A>::timed ? clock::now() : started});
}
} // namespace detail

/// Runs the shard's action once and folds its outcome into the shard's aggregate:
/// its metric with the timing (`scheduled`, then when it started and finished), or
/// what it threw as a failed action; an action interrupted at the end of the grace
/// period is counted as such. One coroutine frame per call: karga's own executors do
/// the same inline.
/// An action that takes a `karga::context` gets `c`, with its scenario, shard and (if
/// unset) intended start filled in.
template <class F, class A>
boost::asio::awaitable<void> run_action(shard<F, A>& s, clock::time_point scheduled, context c = {}) {
  return detail::run_action_at(s, scheduled, c);
}

/// The same, for an action due when it starts (closed models).
template <class F, class A>
boost::asio::awaitable<void> run_action(shard<F, A>& s, context c = {}) {
  return detail::run_action_at(s, std::nullopt, c);
}

} // namespace karga
