#pragma once
// An HTTP header from the command line (-H), checked as karga::http checks what it
// sends. No I/O: the fuzzers call it directly.
#include <karga/cli/parse.hpp>

#include <karga/http/url.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace karga_tools {

/// A header, "Name: value", checked as karga::http checks what it sends.
inline std::pair<std::string, std::string> parse_header(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos) karga::cli::bad("-H", s, "is not a header (write it like 'Name: value')");
  std::string_view value = s.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  karga::http::check_header(s.substr(0, colon), value);
  return {std::string(s.substr(0, colon)), std::string(value)};
}

} // namespace karga_tools
