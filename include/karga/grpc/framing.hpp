#pragma once
/// @file grpc/framing.hpp
/// gRPC's messages on the wire: each is a 5-byte prefix (a compressed flag, then the
/// length as 4 bytes, most significant first) and the bytes; the `grpc-timeout` value;
/// the percent-encoded `grpc-message`. No I/O: the fuzzers call these directly.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace karga::grpc {

/// The size of a message's prefix.
inline constexpr std::size_t prefix_size = 5;
/// The largest message a call receives unless told otherwise: 4 MiB, gRPC's default.
inline constexpr std::size_t default_max_receive = 4u << 20;

/// Appends `payload` to `out` as one message, flagged `compressed` or not.
inline void append_message(std::string& out, std::string_view payload, bool compressed = false) {
  const auto n = static_cast<std::uint32_t>(payload.size());
  const char prefix[prefix_size] = {static_cast<char>(compressed ? 1 : 0), static_cast<char>(n >> 24),
                                    static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
  out.append(prefix, prefix_size);
  out.append(payload);
}

/// What was wrong with the messages a reader was given.
enum class framing_error : std::uint8_t {
  none,
  too_large,  ///< a message longer than the limit
  bad_flag,   ///< a prefix whose flag byte is neither 0 nor 1
  truncated,  ///< the stream ended within a message
};

/// Splits the bytes of a response body, given piece by piece as they come, into
/// messages. A message within one piece is handed over in place; one split across
/// pieces is put together (in a buffer that is kept, so a call allocates once).
class message_reader {
public:
  /// A reader that refuses messages longer than `max_message` bytes.
  explicit message_reader(std::size_t max_message = default_max_receive) noexcept : max_(max_message) {}

  /// Reads `piece`, calling `on_message(std::string_view bytes, bool compressed)` for
  /// each message it completes. After an error it reads nothing more.
  template <class OnMessage>
  void feed(std::string_view piece, OnMessage&& on_message) {
    while (!piece.empty() && error_ == framing_error::none) {
      if (have_ < prefix_size) {  // the prefix, byte by byte across pieces
        const std::size_t n = std::min(prefix_size - have_, piece.size());
        for (std::size_t i = 0; i < n; ++i) prefix_[have_ + i] = static_cast<unsigned char>(piece[i]);
        have_ += n;
        piece.remove_prefix(n);
        if (have_ < prefix_size) return;
        if (prefix_[0] > 1) {
          error_ = framing_error::bad_flag;
          return;
        }
        length_ = (std::uint32_t{prefix_[1]} << 24) | (std::uint32_t{prefix_[2]} << 16) | (std::uint32_t{prefix_[3]} << 8) |
                  std::uint32_t{prefix_[4]};
        if (length_ > max_) {
          error_ = framing_error::too_large;
          return;
        }
        buffer_.clear();
      }
      const std::size_t want = length_ - buffer_.size();
      if (buffer_.empty() && piece.size() >= want) {  // whole within this piece: in place
        on_message(piece.substr(0, want), prefix_[0] == 1);
        piece.remove_prefix(want);
      } else {
        const std::size_t n = std::min(want, piece.size());
        buffer_.append(piece.data(), n);
        piece.remove_prefix(n);
        if (buffer_.size() < length_) return;
        on_message(std::string_view(buffer_), prefix_[0] == 1);
      }
      have_ = 0;
      ++messages_;
    }
  }

  /// Says the body ended: an unfinished message is an error (`truncated`).
  void finish() noexcept {
    if (error_ == framing_error::none && have_ != 0) error_ = framing_error::truncated;
  }

  /// What was wrong, if anything.
  framing_error error() const noexcept { return error_; }
  /// The length the refused message had (`too_large`).
  std::uint32_t refused_length() const noexcept { return length_; }
  /// Messages completed.
  std::uint64_t messages() const noexcept { return messages_; }
  /// The limit.
  std::size_t max_message() const noexcept { return max_; }

private:
  std::size_t max_;
  unsigned char prefix_[prefix_size] = {};
  std::size_t have_ = 0;  // bytes of the prefix read
  std::uint32_t length_ = 0;
  std::string buffer_;
  std::uint64_t messages_ = 0;
  framing_error error_ = framing_error::none;
};

/// `d` as a `grpc-timeout` value: at most 8 digits and a unit, the finest unit that
/// holds it, rounded up (a server never sees a shorter deadline than the client's).
inline std::string encode_timeout(std::chrono::nanoseconds d) {
  using std::chrono::nanoseconds;
  constexpr std::int64_t most = 99'999'999;
  struct unit {
    std::int64_t ns;
    char name;
  };
  constexpr unit units[] = {{1, 'n'}, {1'000, 'u'}, {1'000'000, 'm'}, {1'000'000'000, 'S'}, {60'000'000'000, 'M'},
                            {3'600'000'000'000, 'H'}};
  const std::int64_t ns = d.count() < 0 ? 0 : d.count();
  for (const unit& u : units) {
    const std::int64_t v = ns / u.ns + (ns % u.ns != 0);
    if (v <= most) return std::to_string(v) + u.name;
  }
  return std::to_string(most) + 'H';
}

/// A `grpc-timeout` value back as a duration: -1 ns for one that is not 1 to 8 digits
/// and a unit of H M S m u n; the longest duration for one past it (99999999H).
inline std::chrono::nanoseconds decode_timeout(std::string_view v) noexcept {
  if (v.size() < 2 || v.size() > 9) return std::chrono::nanoseconds(-1);
  std::int64_t n = 0;
  for (char c : v.substr(0, v.size() - 1)) {
    if (c < '0' || c > '9') return std::chrono::nanoseconds(-1);
    n = n * 10 + (c - '0');
  }
  std::int64_t unit = 0;
  switch (v.back()) {
    case 'n': unit = 1; break;
    case 'u': unit = 1'000; break;
    case 'm': unit = 1'000'000; break;
    case 'S': unit = 1'000'000'000; break;
    case 'M': unit = 60'000'000'000; break;
    case 'H': unit = 3'600'000'000'000; break;
    default: return std::chrono::nanoseconds(-1);
  }
  if (n > std::numeric_limits<std::int64_t>::max() / unit) return std::chrono::nanoseconds::max();
  return std::chrono::nanoseconds(n * unit);
}

/// The `grpc-message` value `v` decoded: "%XX" is the byte XX (a '%' not followed by
/// two hex digits is kept as it is, as gRPC asks of a reader).
inline std::string decode_grpc_message(std::string_view v) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size() && hex(v[i + 1]) >= 0 && hex(v[i + 2]) >= 0) {
      out += static_cast<char>(hex(v[i + 1]) * 16 + hex(v[i + 2]));
      i += 2;
    } else {
      out += v[i];
    }
  }
  return out;
}

/// The name of a framing error, for a call's message.
constexpr std::string_view to_string(framing_error e) noexcept {
  switch (e) {
    case framing_error::none: return "none";
    case framing_error::too_large: return "a message longer than the limit";
    case framing_error::bad_flag: return "a message prefix whose flag is neither 0 nor 1";
    case framing_error::truncated: return "the stream ended within a message";
  }
  return "?";
}

} // namespace karga::grpc
