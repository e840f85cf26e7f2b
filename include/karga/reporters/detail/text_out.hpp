#pragma once
/// @file reporters/detail/text_out.hpp
/// What reporters share: JSON and XML escaping, a small JSON writer, UTC times, and
/// writing a file whole.

#include <karga/core/error.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

namespace karga::detail {

/// The length of the well-formed UTF-8 sequence at the start of `s` (1 to 4), or 0
/// if it is not one (a stray continuation byte, an overlong form, a surrogate, a
/// code point past U+10FFFF, a sequence cut short).
inline std::size_t utf8_sequence(std::string_view s) noexcept {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = b(0);
  if (lead < 0x80) return 1;
  const std::size_t n = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (n == 0 || s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i)
    if ((b(i) & 0xc0) != 0x80) return 0;
  // The second byte's range rules out overlong forms, surrogates and what lies past U+10FFFF.
  if ((lead == 0xe0 && b(1) < 0xa0) || (lead == 0xed && b(1) > 0x9f) || (lead == 0xf0 && b(1) < 0x90) ||
      (lead == 0xf4 && b(1) > 0x8f))
    return 0;
  return n;
}

/// `s` as the inside of a JSON string: quotes, backslashes and control characters
/// escaped, and every byte that is not part of well-formed UTF-8 written as U+FFFD.
inline std::string json_escape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence(s.substr(i));
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    const char c = s[i++];
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
          out += c;
    }
  }
  return out;
}

inline std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
          out += ' ';  // not allowed in XML 1.0
        else
          out += c;
    }
  }
  return out;
}

/// Writes JSON objects and arrays, commas included. Numbers that are not finite
/// are written as null.
class json_writer {
public:
  json_writer& begin_object(std::string_view key = {}) { return open(key, '{'); }
  json_writer& end_object() { return close('}'); }
  json_writer& begin_array(std::string_view key = {}) { return open(key, '['); }
  json_writer& end_array() { return close(']'); }
  json_writer& field(std::string_view key, std::string_view v) {
    name(key);
    out_ += '"' + json_escape(v) + '"';
    return *this;
  }
  json_writer& field(std::string_view key, const char* v) { return field(key, std::string_view(v)); }
  json_writer& field(std::string_view key, bool v) {
    name(key);
    out_ += v ? "true" : "false";
    return *this;
  }
  json_writer& field(std::string_view key, std::uint64_t v) {
    name(key);
    out_ += std::to_string(v);
    return *this;
  }
  json_writer& field(std::string_view key, std::int64_t v) {
    name(key);
    out_ += std::to_string(v);
    return *this;
  }
  json_writer& field(std::string_view key, unsigned v) { return field(key, static_cast<std::uint64_t>(v)); }
  json_writer& field(std::string_view key, int v) { return field(key, static_cast<std::int64_t>(v)); }
  json_writer& field(std::string_view key, double v) {
    name(key);
    out_ += std::isfinite(v) ? fmt::format("{}", v) : "null";
    return *this;
  }
  std::string take() { return std::move(out_); }

private:
  json_writer& open(std::string_view key, char c) {
    name(key);
    out_ += c;
    first_ = true;
    return *this;
  }
  json_writer& close(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  void name(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    if (!key.empty()) out_ += '"' + json_escape(key) + "\":";
  }
  std::string out_;
  bool first_ = true;
};

/// 2026-11-28T15:04:05.123Z.
inline std::string utc_time(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

/// Writes `text` to `path` (replacing it); throws `karga::error` if it cannot.
inline void write_file(const std::string& path, std::string_view text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw_error("cannot write " + path);
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) throw_error("cannot write " + path);
}

} // namespace karga::detail
