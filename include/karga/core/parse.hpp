#pragma once
/// @file core/parse.hpp
/// Numbers and durations as people write them, read strictly: the one grammar of
/// thresholds (`p(99) < 250ms`) and of karga's command-line tools (`--duration 1h`).
///
/// | text | grammar |
/// |---|---|
/// | number | decimal digits, an optional fraction and exponent: `100`, `2.5`, `1e3`; no sign, hex, `inf` or `nan` |
/// | duration | a number and a unit, one of `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`: `250us`, `10s`, `1.5m`; at most 10^9 s; a bare number is refused, whatever unit it might mean |
///
/// Each function throws `karga::error` with one line that quotes the text and says
/// what is wrong; a caller adds where the text came from (`error::with_context`).

#include <karga/core/error.hpp>
#include <karga/core/timing.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <string>
#include <string_view>
#include <system_error>

namespace karga {

namespace detail {
[[noreturn]] inline void bad_text(std::string_view text, std::string_view why) {
  throw_error("\"" + std::string(text) + "\" " + std::string(why));
}
} // namespace detail

/// A non-negative decimal number (see the file's table).
inline double parse_number(std::string_view text) {
  if (!text.empty() && text.front() == '-') detail::bad_text(text, "must not be negative");
  if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string_view::npos || text.front() == '+')
    detail::bad_text(text, "is not a number (write it like 100 or 2.5)");
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, std::chars_format::general);
  if (end != text.data() + text.size() || ec == std::errc::invalid_argument)
    detail::bad_text(text, "is not a number (write it like 100 or 2.5)");
  if (ec == std::errc::result_out_of_range || !std::isfinite(v)) detail::bad_text(text, "is out of range");
  return v;
}

/// A duration: a number and a unit (see the file's table).
inline std::chrono::duration<double> parse_duration(std::string_view text) {
  const auto unit_at = text.find_first_not_of("0123456789.eE+-");
  if (unit_at == 0 || unit_at == std::string_view::npos)
    detail::bad_text(text, "is not a duration (write it like 250us, 500ms, 10s, 2m or 1h)");
  // "1e3s" splits fine; "10e" leaves "e" in the number: no unit starts with a digit.
  const std::string_view number = text.substr(0, unit_at), unit = text.substr(unit_at);
  const double scale = unit == "ns"                  ? 1e-9
                       : unit == "us" || unit == "µs" ? 1e-6
                       : unit == "ms"                 ? 1e-3
                       : unit == "s"                  ? 1.0
                       : unit == "m"                  ? 60.0
                       : unit == "h"                  ? 3600.0
                                                      : 0.0;
  if (scale == 0.0) detail::bad_text(text, "has no unit, or an unknown one (use ns, us, ms, s, m or h)");
  const double value = parse_number(number) * scale;
  if (value > max_duration_seconds) detail::bad_text(text, "is longer than 10^9 s");
  return std::chrono::duration<double>(value);
}

} // namespace karga
