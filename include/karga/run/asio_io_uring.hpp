#pragma once
/// @file run/asio_io_uring.hpp
/// For a program built on Asio's io_uring backend (`BOOST_ASIO_HAS_IO_URING` with
/// `BOOST_ASIO_DISABLE_EPOLL`): included before any Asio header, in every translation
/// unit (`-include karga/run/asio_io_uring.hpp`), it makes every submission Asio takes
/// from the ring start with empty user data.
///
/// Why: Asio 1.26 (Boost 1.81) submits its cancellations without setting their user
/// data, trusting liburing to have cleared it; liburing 2.2 and later do not. A
/// cancellation then completes under the pointer of whatever operation used that
/// ring entry before, so an unrelated read or write "completes" with the
/// cancellation's result (0 bytes, ENOENT) and its real completion is later taken for
/// the next operation: TLS streams break, connections reset, event loops wait forever.
/// Later Asio versions clear the user data themselves.

#if defined(BOOST_ASIO_HAS_IO_URING)

#if defined(BOOST_ASIO_DETAIL_IO_URING_SERVICE_HPP)
#error "karga/run/asio_io_uring.hpp must come before every Asio header: compile with -include karga/run/asio_io_uring.hpp"
#endif

#include <liburing.h>

/// Takes an entry from `ring` with its user data cleared (see the file's comment).
inline ::io_uring_sqe* karga_io_uring_get_sqe(::io_uring* ring) noexcept {
  ::io_uring_sqe* sqe = ::io_uring_get_sqe(ring);
  if (sqe != nullptr) ::io_uring_sqe_set_data(sqe, nullptr);
  return sqe;
}
// Asio's io_uring service calls ::io_uring_get_sqe: from here on, it calls the above.
#define io_uring_get_sqe karga_io_uring_get_sqe
#define KARGA_ASIO_IO_URING_SQE_CLEARED 1

#endif
