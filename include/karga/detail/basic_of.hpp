#pragma once
/// @file detail/basic_of.hpp
/// The `basic_aggregate` inside an aggregate, for features that read the basic
/// figures of any aggregate (thresholds, composed runs).

#include <karga/aggregate.hpp>

#include <type_traits>

namespace karga::detail {

// Itself, or what `basic()` or `base()` leads to; nullptr when it has none.
template <class A>
const basic_aggregate* basic_of(const A& a) noexcept {
  if constexpr (std::is_same_v<A, basic_aggregate>)
    return &a;
  else if constexpr (requires { a.basic(); })
    return basic_of(a.basic());
  else if constexpr (requires { a.base(); })
    return basic_of(a.base());
  else
    return nullptr;
}

} // namespace karga::detail
