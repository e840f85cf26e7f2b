#pragma once
/// @file measure/detail/basic_of.hpp
/// The `basic_aggregate` inside an aggregate, for features that read the basic
/// figures of any aggregate (thresholds, composed runs).

#include <karga/measure/basic_aggregate.hpp>

#include <type_traits>
#include <utility>

namespace karga::detail {

// Itself (or its base), or what `basic()` or `base()` leads to; nullptr when it has none.
template <class A>
const basic_aggregate* basic_of(const A& a) noexcept {
  if constexpr (std::is_base_of_v<basic_aggregate, A>)
    return &a;
  else if constexpr (requires { a.basic(); })
    return basic_of(a.basic());
  else if constexpr (requires { a.base(); })
    return basic_of(a.base());
  else
    return nullptr;
}

// Whether basic_of finds a basic_aggregate in an A.
template <class A>
constexpr bool holds_basic() {
  if constexpr (std::is_base_of_v<basic_aggregate, A>)
    return true;
  else if constexpr (requires(const A& a) { a.basic(); })
    return holds_basic<std::decay_t<decltype(std::declval<const A&>().basic())>>();
  else if constexpr (requires(const A& a) { a.base(); })
    return holds_basic<std::decay_t<decltype(std::declval<const A&>().base())>>();
  else
    return false;
}

} // namespace karga::detail
