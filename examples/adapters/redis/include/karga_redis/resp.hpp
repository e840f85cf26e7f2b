#pragma once
/// @file karga_redis/resp.hpp
/// RESP2, the protocol Redis speaks: a command is an array of bulk strings; a reply
/// is a simple string, an error, an integer, a bulk string (or null) or an array of
/// replies. The parser takes what has arrived so far and says whether it holds a
/// whole reply; it never trusts a length it is given.
#include <karga/core/error.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace karga_redis {

/// Appends the command `args` (name first) to `out`, as Redis reads commands.
inline void encode(std::string& out, std::span<const std::string_view> args) {
  auto number = [&out](char kind, std::size_t n) {
    char digits[24];
    digits[0] = kind;
    char* end = std::to_chars(digits + 1, digits + sizeof digits - 2, n).ptr;
    *end++ = '\r';
    *end++ = '\n';
    out.append(digits, end);
  };
  number('*', args.size());
  for (std::string_view a : args) {
    number('$', a.size());
    out += a;
    out += "\r\n";
  }
}

/// The first level of a reply: what a load test looks at.
struct reply {
  enum class kind : std::uint8_t { simple, error, integer, bulk, null, array };
  kind type = kind::null;
  std::string text;           ///< a simple string's or an error's text ("ERR unknown command …")
  std::int64_t integer = 0;   ///< an integer; an array's element count
  std::uint64_t bytes = 0;    ///< the reply's size on the wire
};

/// Thrown for bytes that are no RESP reply.
struct protocol_error : karga::error {
  using karga::error::error;
};

/// The largest bulk string or array the parser accepts (Redis's own proto-max-bulk-len).
inline constexpr std::int64_t max_length = std::int64_t{512} << 20;

namespace detail {
// The line at `pos` (without its CRLF) and where the next one starts; nullopt when
// the CRLF has not arrived.
inline std::optional<std::pair<std::string_view, std::size_t>> line_at(std::string_view in, std::size_t pos) {
  const auto end = in.find("\r\n", pos);
  if (end == std::string_view::npos) {
    if (in.size() - pos > 64 * 1024) throw protocol_error("a reply line longer than 64 KiB");
    return std::nullopt;
  }
  return std::pair{in.substr(pos, end - pos), end + 2};
}

inline std::int64_t number(std::string_view s) {
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty())
    throw protocol_error("\"" + std::string(s.substr(0, 32)) + "\" is not a RESP number");
  return v;
}

// Parses the reply at `pos`; fills `top` when given (the first level only). Returns
// where it ends, or nullopt when it has not all arrived.
inline std::optional<std::size_t> parse_at(std::string_view in, std::size_t pos, unsigned depth, reply* top) {
  if (pos >= in.size()) return std::nullopt;
  if (depth > 64) throw protocol_error("arrays nested more than 64 deep");
  const char kind = in[pos];
  const auto line = line_at(in, pos + 1);
  if (!line) return std::nullopt;
  const auto [body, next] = *line;
  switch (kind) {
    case '+':
    case '-':
      if (top) {
        top->type = kind == '+' ? reply::kind::simple : reply::kind::error;
        top->text = body;
      }
      return next;
    case ':':
      if (top) {
        top->type = reply::kind::integer;
        top->integer = number(body);
      } else {
        number(body);
      }
      return next;
    case '$': {
      const std::int64_t n = number(body);
      if (n == -1) {
        if (top) top->type = reply::kind::null;
        return next;
      }
      if (n < 0 || n > max_length) throw protocol_error("a bulk string of length " + std::string(body));
      const auto size = static_cast<std::size_t>(n);
      if (in.size() < next + size + 2) return std::nullopt;
      if (in.compare(next + size, 2, "\r\n") != 0) throw protocol_error("a bulk string not ended by CRLF");
      if (top) top->type = reply::kind::bulk;
      return next + size + 2;
    }
    case '*': {
      const std::int64_t n = number(body);
      if (n == -1) {
        if (top) top->type = reply::kind::null;
        return next;
      }
      if (n < 0 || n > max_length) throw protocol_error("an array of length " + std::string(body));
      if (top) {
        top->type = reply::kind::array;
        top->integer = n;
      }
      std::size_t at = next;
      for (std::int64_t i = 0; i < n; ++i) {
        const auto end = parse_at(in, at, depth + 1, nullptr);
        if (!end) return std::nullopt;
        at = *end;
      }
      return at;
    }
    default:
      throw protocol_error("a reply that starts with byte " + std::to_string(static_cast<unsigned char>(kind)));
  }
}
} // namespace detail

/// Parses the reply at the start of `in` into `out`. Returns its size when it has
/// all arrived, nullopt when more is needed; throws `protocol_error` for bytes that
/// are not RESP.
inline std::optional<std::size_t> parse(std::string_view in, reply& out) {
  const auto end = detail::parse_at(in, 0, 0, &out);
  if (end) out.bytes = *end;
  return end;
}

} // namespace karga_redis
