#pragma once
/// @file error.hpp
/// The one exception type karga throws: bad configuration found before any load is
/// sent, and run-time failures of the library itself (never of an action).

#include <stdexcept>
#include <string>
#include <string_view>

namespace karga {

/// Thrown by karga for bad input (a negative duration, a NaN rate, zero threads, ...).
/// The message starts with "karga: " and names the offending value.
class error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

namespace detail {
[[noreturn]] inline void throw_error(std::string_view what) {
  throw error(std::string("karga: ").append(what));
}
} // namespace detail

} // namespace karga
