#pragma once
/// @file core/error.hpp
/// The one exception type karga throws: bad configuration found before any load is
/// sent, and run-time failures of the library itself (never of an action).

#include <stdexcept>
#include <string>
#include <string_view>

namespace karga {

/// Thrown by karga for bad input (a negative duration, a NaN rate, zero threads, a
/// corrupt results file, ...). `message()` says what is wrong and names the
/// offending value; `what()` is the same after "karga: ".
class error : public std::runtime_error {
public:
  /// An error saying `message` (after "karga: " in `what()`).
  explicit error(std::string message) : std::runtime_error("karga: " + message), message_(std::move(message)) {}

  /// What is wrong, without the "karga: " of `what()`: what a program prints after
  /// its own name.
  const std::string& message() const noexcept { return message_; }

  /// The same error, with `context` (a file, an option) before its message, once:
  /// `error("bad results file: ...").with_context("a.kres")` says "a.kres: bad results file: ...".
  error with_context(std::string_view context) const { return error(std::string(context) + ": " + message_); }

private:
  std::string message_;
};

namespace detail {
[[noreturn]] inline void throw_error(std::string message) { throw error(std::move(message)); }
} // namespace detail

} // namespace karga
