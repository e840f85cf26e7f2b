#pragma once
/// @file fs/uring_engine.hpp
/// File calls through io_uring (liburing), completing on the shard's own event loop:
/// the ring's completions raise an eventfd that the loop waits on, so no thread but
/// the shard's is involved. Submissions made in one pass of the loop go to the kernel
/// in one `io_uring_enter`. Asio's own io_uring backend is not used: it would change
/// the whole program's configuration, the core's headers included.

#include <karga/core/error.hpp>
#include <karga/fs/io_request.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <liburing.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace karga::fs {

/// An io_uring of `depth` entries bound to one executor (a shard's). At most `depth`
/// calls are in the kernel at once; a call that finds the ring full waits for one to
/// complete, and its latency, measured from the action's start, includes that wait.
/// `getdents` has no io_uring form: it is made in place.
class uring_engine {
public:
  /// A ring of `depth` entries (1 to 4096) on `ex`; throws `karga::error` when the
  /// kernel refuses one (io_uring disabled, or too old).
  uring_engine(boost::asio::any_io_executor ex, unsigned depth)
      : ex_(std::move(ex)), events_(ex_), depth_(depth == 0 ? 1 : depth) {
    if (depth_ > 4096) throw karga::error("io_uring depth " + std::to_string(depth_) + " is more than 4096");
    if (const int e = io_uring_queue_init(depth_, &ring_, 0); e < 0)
      throw karga::error(std::string("cannot set up an io_uring: ") + std::strerror(-e) +
                         " (is io_uring disabled? see /proc/sys/kernel/io_uring_disabled)");
    const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0 || io_uring_register_eventfd(&ring_, fd) < 0) {
      const int e = errno;
      if (fd >= 0) ::close(fd);
      io_uring_queue_exit(&ring_);
      throw karga::error(std::string("cannot watch an io_uring's completions: ") + std::strerror(e));
    }
    events_.assign(fd);
    slots_.resize(depth_);
    for (unsigned i = depth_; i-- > 0;) free_.push_back(i);
  }
  uring_engine(const uring_engine&) = delete;
  uring_engine& operator=(const uring_engine&) = delete;
  /// Waits for the calls in the kernel (their buffers are the callers'), then closes
  /// the ring; the callers still waiting are abandoned.
  ~uring_engine() {
    io_uring_submit(&ring_);
    for (unsigned in_kernel = depth_ - static_cast<unsigned>(free_.size()); in_kernel > 0; --in_kernel) {
      io_uring_cqe* cqe = nullptr;
      if (io_uring_wait_cqe(&ring_, &cqe) < 0) break;
      io_uring_cqe_seen(&ring_, cqe);
    }
    *alive_ = false;
    io_uring_queue_exit(&ring_);
  }

  /// Makes `r`'s call through the ring; completes with what it returned (≥ 0) or
  /// -errno, on this engine's executor, which must be the caller's.
  template <class Token = boost::asio::use_awaitable_t<>>
  auto submit(io_request r, Token&& token = {}) {
    return boost::asio::async_initiate<Token, void(long)>(
        [this](auto handler, io_request req) {
          if (req.what == call::getdents) {
            boost::asio::post(ex_, [h = std::move(handler), n = perform_blocking(req)]() mutable { std::move(h)(n); });
            return;
          }
          start(req, handler_type(std::move(handler)));
        },
        token, r);
  }

private:
  using handler_type = boost::asio::any_completion_handler<void(long)>;

  void start(const io_request& r, handler_type h) {
    if (free_.empty()) {
      waiting_.emplace_back(r, std::move(h));
      return;
    }
    const std::uint32_t slot = free_.back();
    free_.pop_back();
    slots_[slot].swap(h);  // not a move assignment: Boost 1.81's recurses without end
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);  // never null: at most depth_ are out
    prepare(sqe, r);
    io_uring_sqe_set_data64(sqe, slot);
    if (!flush_posted_) {  // one io_uring_enter for this pass of the loop's submissions
      flush_posted_ = true;
      boost::asio::post(ex_, [this, alive = alive_] {
        if (*alive) flush();
      });
    }
  }

  static void prepare(io_uring_sqe* sqe, const io_request& r) {
    switch (r.what) {
      case call::pread: io_uring_prep_read(sqe, r.fd, r.buffer, r.length, static_cast<std::uint64_t>(r.offset)); break;
      case call::pwrite:
        // -1 as a 64-bit offset: at the file's position, as write(2) (O_APPEND: its end).
        io_uring_prep_write(sqe, r.fd, r.buffer, r.length, static_cast<std::uint64_t>(r.offset));
        break;
      case call::fsync: io_uring_prep_fsync(sqe, r.fd, 0); break;
      case call::fdatasync: io_uring_prep_fsync(sqe, r.fd, IORING_FSYNC_DATASYNC); break;
      case call::openat: io_uring_prep_openat(sqe, AT_FDCWD, r.path, r.flags | O_CLOEXEC, r.mode); break;
      case call::close: io_uring_prep_close(sqe, r.fd); break;
      case call::statx: io_uring_prep_statx(sqe, AT_FDCWD, r.path, 0, STATX_BASIC_STATS, r.stat); break;
      case call::unlinkat: io_uring_prep_unlinkat(sqe, AT_FDCWD, r.path, 0); break;
      case call::renameat: io_uring_prep_renameat(sqe, AT_FDCWD, r.path, AT_FDCWD, r.path2, 0); break;
      case call::mkdirat: io_uring_prep_mkdirat(sqe, AT_FDCWD, r.path, r.mode); break;
      case call::getdents: break;  // made in place (submit)
    }
  }

  // Hands this pass's submissions to the kernel, completes what it finished at once
  // (a read from the page cache often is), and waits on the eventfd for the rest.
  void flush() {
    flush_posted_ = false;
    io_uring_submit(&ring_);
    reap();
    watch();
  }

  void watch() {
    if (watching_ || free_.size() == depth_) return;  // nothing in the kernel: no wait (the loop may end)
    watching_ = true;
    events_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [this, alive = alive_](const boost::system::error_code& ec) {
                         if (!*alive) return;
                         watching_ = false;
                         if (ec) return;
                         std::uint64_t ignored;
                         [[maybe_unused]] auto n = ::read(events_.native_handle(), &ignored, sizeof ignored);
                         reap();
                         watch();
                       });
  }

  // Takes every completion, frees its slot (a waiting call takes it), then resumes
  // the callers: they may submit again, into a ring that has room.
  void reap() {
    done_.clear();
    io_uring_cqe* cqe = nullptr;
    while (io_uring_peek_cqe(&ring_, &cqe) == 0) {
      const auto slot = static_cast<std::uint32_t>(io_uring_cqe_get_data64(cqe));
      done_.emplace_back(std::move(slots_[slot]), static_cast<long>(cqe->res));
      io_uring_cqe_seen(&ring_, cqe);
      free_.push_back(slot);
    }
    while (!free_.empty() && !waiting_.empty()) {
      auto [r, h] = std::move(waiting_.front());
      waiting_.pop_front();
      start(r, std::move(h));
    }
    auto finished = std::move(done_);
    for (auto& [h, result] : finished) std::move(h)(result);
    finished.clear();
    if (done_.empty()) done_ = std::move(finished);  // keep the storage
  }

  boost::asio::any_io_executor ex_;
  boost::asio::posix::stream_descriptor events_;
  unsigned depth_;
  io_uring ring_{};
  std::vector<handler_type> slots_;
  std::vector<std::uint32_t> free_;
  std::deque<std::pair<io_request, handler_type>> waiting_;
  std::vector<std::pair<handler_type, long>> done_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool flush_posted_ = false, watching_ = false;
};

} // namespace karga::fs
