#pragma once
// What karga's commands read from their command lines, parsed strictly: each function
// takes the text of one value and returns it or throws karga::error with one line
// saying what is wrong. No I/O: the fuzzers call them directly.
#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>
#include <karga/core/parse.hpp>
#include <karga/load/schedule.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace karga::cli {

[[noreturn]] inline void bad(std::string_view what, std::string_view value, std::string_view why) {
  throw karga::error("\"" + std::string(value) + "\" " + std::string(why)).with_context(what);
}

/// A count: decimal digits only, from `min` to `max`.
inline std::uint64_t parse_count(std::string_view s, std::string_view what, std::uint64_t min, std::uint64_t max,
                                 std::string_view why_max = "") {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (!s.empty() && s.front() == '-') bad(what, s, "must not be negative");
  if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos)
    bad(what, s, "is not a whole number");
  if (ec == std::errc::result_out_of_range || v > max)
    bad(what, s, "is more than " + std::to_string(max) + (why_max.empty() ? "" : " (" + std::string(why_max) + ")"));
  if (v < min) bad(what, s, "must be at least " + std::to_string(min));
  return v;
}

/// A decimal number, as people write it (karga::parse_number), for option `what`.
inline double parse_number(std::string_view s, std::string_view what) {
  try {
    return karga::parse_number(s);
  } catch (const karga::error& e) {
    throw e.with_context(what);
  }
}

/// A duration with its unit, ns to h (karga::parse_duration), for option `what`.
inline std::chrono::duration<double> parse_duration(std::string_view s, std::string_view what) {
  try {
    return karga::parse_duration(s);
  } catch (const karga::error& e) {
    throw e.with_context(what);
  }
}

/// A wall-clock instant: Unix seconds (1764355200 or 1764355200.25) or UTC as
/// 2026-11-28T19:00:00Z (fractions of a second allowed before the Z), before 2200
/// (the clock counts nanoseconds in 64 bits).
inline std::chrono::system_clock::time_point parse_wall_time(std::string_view s, std::string_view what) {
  using namespace std::chrono;
  if (!s.empty() && s.find_first_not_of("0123456789.") == std::string_view::npos) {
    const double v = parse_number(s, what);
    if (v >= 7258118400.0) bad(what, s, "is after the year 2199");  // 2200-01-01T00:00:00Z
    return system_clock::time_point(duration_cast<system_clock::duration>(duration<double>(v)));
  }
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  int f[6] = {};
  const std::size_t widths[6] = {4, 2, 2, 2, 2, 2};
  const char seps[6] = {'-', '-', 'T', ':', ':', '\0'};
  std::size_t at = 0;
  for (int i = 0; i < 6; ++i) {
    const auto [end, ec] = std::from_chars(s.data() + at, s.data() + std::min(s.size(), at + widths[i]), f[i]);
    if (ec != std::errc{} || end != s.data() + at + widths[i]) bad(what, s, "is not Unix seconds or a UTC time like 2026-11-28T19:00:00Z");
    at += widths[i];
    if (seps[i] != '\0') {
      if (at >= s.size() || s[at] != seps[i]) bad(what, s, "is not Unix seconds or a UTC time like 2026-11-28T19:00:00Z");
      ++at;
    }
  }
  double fraction = 0;
  if (at < s.size() && s[at] == '.') {
    const auto z = s.find('Z', at);
    if (z == std::string_view::npos || z == at + 1 || s.substr(at + 1, z - at - 1).find_first_not_of("0123456789") != std::string_view::npos)
      bad(what, s, "is not Unix seconds or a UTC time like 2026-11-28T19:00:00Z");
    fraction = parse_number("0" + std::string(s.substr(at, z - at)), what);
    at = z;
  }
  if (at + 1 != s.size() || s[at] != 'Z') bad(what, s, "is not a UTC time: it must end in Z (2026-11-28T19:00:00Z)");
  const year_month_day date{year(f[0]), month(static_cast<unsigned>(f[1])), day(static_cast<unsigned>(f[2]))};
  if (!date.ok() || f[3] > 23 || f[4] > 59 || f[5] > 59) bad(what, s, "is not a valid date and time");
  if (f[0] < 1970 || f[0] > 2199) bad(what, s, "is not between the years 1970 and 2199");
  return sys_days(date) + hours(f[3]) + minutes(f[4]) + seconds(f[5]) +
         duration_cast<system_clock::duration>(duration<double>(fraction));
}

/// A stage, DURATION:RATE (10s:100).
inline karga::stage parse_stage(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos) bad("--stage", s, "is not DURATION:RATE (write it like 10s:100)");
  return {parse_duration(s.substr(0, colon), "--stage duration"), parse_number(s.substr(colon + 1), "--stage rate")};
}

/// HOST:PORT ([::1]:PORT for IPv6), an IP address and a port to listen on; PORT 0
/// takes a free one.
inline std::pair<std::string, unsigned short> parse_listen_address(std::string_view s, std::string_view what) {
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) bad(what, s, "is not HOST:PORT");
  std::string_view host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto port = static_cast<unsigned short>(parse_count(s.substr(colon + 1), what, 0, 65535, "a TCP port"));
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  if (ec) bad(what, s, "does not start with an IP address (127.0.0.1, [::1], 0.0.0.0)");
  return {std::string(host), port};
}

} // namespace karga::cli
