#pragma once
/// @file run/action_outcome.hpp
/// What one run of an action came to — its metric, or what it threw — so that every
/// executor calls an action and hands its outcome to the shard the same way.

#include <karga/core/concepts.hpp>

#include <exception>
#include <optional>
#include <type_traits>

namespace karga {

/// One action's outcome: its metric, or the exception it let out.
template <metric M>
struct action_outcome {
  std::optional<M> metric;  ///< what it returned
  std::exception_ptr thrown;  ///< what it threw, when it returned nothing
};

/// Calls `invoke()` — a synchronous action's call, which returns its metric — and
/// catches what it throws.
template <class Invoke>
auto catch_outcome(Invoke&& invoke) noexcept -> action_outcome<std::invoke_result_t<Invoke&>> {
  try {
    return {invoke(), nullptr};
  } catch (...) {
    return {std::nullopt, std::current_exception()};
  }
}

} // namespace karga
