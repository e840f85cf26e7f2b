#pragma once
/// @file http/receive_stamp.hpp
/// Kernel receive timestamps on a TCP socket (Linux `SO_TIMESTAMPNS`): when the last
/// segment a read returned reached the socket, on karga's clock. A response read late,
/// because its reader was busy, is still timed by when it arrived.

#include <karga/core/timing.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <ctime>

#if defined(__linux__)
#include <sys/socket.h>
#include <sys/uio.h>
#endif

namespace karga::http {

/// Whether this platform gives receive timestamps (Linux).
#if defined(__linux__)
inline constexpr bool receive_stamps_supported = true;
#else
inline constexpr bool receive_stamps_supported = false;
#endif

/// Asks the kernel to stamp what `socket` receives. False if it cannot (then reads
/// through `stamped_reader` give no stamp).
inline bool enable_receive_stamps([[maybe_unused]] boost::asio::ip::tcp::socket& socket) noexcept {
#if defined(__linux__)
  const int on = 1;
  return ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
#else
  return false;
#endif
}

/// The kernel's wall-clock stamp `wall` as a time of karga's (steady) clock: its
/// distance to now on the wall clock, taken from now on karga's clock.
inline clock::time_point from_wall_clock(std::chrono::system_clock::time_point wall) noexcept {
  const auto wall_now = std::chrono::system_clock::now();
  const auto now = clock::now();
  return now - std::chrono::duration_cast<clock::duration>(wall_now - wall);
}

/// A synchronous read stream (Beast's `SyncReadStream`) over a non-blocking TCP socket:
/// each `read_some` is one `recvmsg`, and when the kernel stamped what it returned,
/// `*last` becomes the stamp of the last segment read. An empty socket reads as
/// `would_block`, its end as `eof`.
class stamped_reader {
public:
  /// Reads `socket`; stamps go to `*last`.
  stamped_reader(boost::asio::ip::tcp::socket& socket, clock::time_point* last) noexcept
      : socket_(socket), last_(last) {}

  /// Reads what the socket holds, up to the size of `buffers`.
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& ec) {
    ec = {};
#if defined(__linux__)
    constexpr std::size_t max_pieces = 16;
    ::iovec pieces[max_pieces];
    std::size_t count = 0, total = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && count < max_pieces; ++it) {
      const boost::asio::mutable_buffer b(*it);
      if (b.size() == 0) continue;
      pieces[count].iov_base = b.data();
      pieces[count].iov_len = b.size();
      total += b.size();
      ++count;
    }
    if (total == 0) return 0;
    alignas(::cmsghdr) char control[CMSG_SPACE(sizeof(::timespec))];
    ::msghdr msg{};
    msg.msg_iov = pieces;
    msg.msg_iovlen = count;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ::ssize_t n = ::recvmsg(socket_.native_handle(), &msg, MSG_DONTWAIT);
    if (n < 0) {
      ec = boost::system::error_code(errno, boost::asio::error::get_system_category());
      if (ec == boost::asio::error::try_again) ec = boost::asio::error::would_block;
      return 0;
    }
    if (n == 0) {
      ec = boost::asio::error::eof;
      return 0;
    }
    for (::cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(::timespec))) {
        ::timespec ts;
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        const auto since_epoch = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
        *last_ = from_wall_clock(std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch)));
      }
    }
    return static_cast<std::size_t>(n);
#else
    return socket_.read_some(buffers, ec);
#endif
  }

  /// The same; throws `boost::system::system_error` on an error.
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    boost::system::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

private:
  boost::asio::ip::tcp::socket& socket_;
  clock::time_point* last_;
};

} // namespace karga::http
