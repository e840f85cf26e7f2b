#pragma once
/// @file fs/io_request.hpp
/// One system call as the engines take it, and the call made in place: the engines
/// (`thread_pool_engine`, `uring_engine`) differ only in where and how it is made.

#include <cstdio>  // renameat
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace karga::fs {

/// Which system call.
enum class call : std::uint8_t { pread, pwrite, fsync, fdatasync, openat, close, statx, unlinkat, renameat, mkdirat, getdents };

/// A system call and its arguments. Paths and buffers belong to the caller and must
/// stay valid until the call completes.
struct io_request {
  call what = call::pread;      ///< which call
  int fd = -1;                  ///< the file (pread, pwrite, fsync, fdatasync, close, getdents)
  void* buffer = nullptr;       ///< data to write or room to read into (pread, pwrite, getdents)
  std::uint32_t length = 0;     ///< bytes (pread, pwrite, getdents)
  std::int64_t offset = 0;      ///< where in the file; pwrite with -1: at the file's position (O_APPEND: its end)
  const char* path = nullptr;   ///< openat, statx, unlinkat, renameat (from), mkdirat
  const char* path2 = nullptr;  ///< renameat: to
  int flags = 0;                ///< openat: O_ flags
  unsigned mode = 0;            ///< openat, mkdirat: permissions of what is created
  struct statx* stat = nullptr; ///< statx: where the answer goes
};

/// Makes `r`'s call here, blocking: what it returns (≥ 0), or -errno.
inline long perform_blocking(const io_request& r) noexcept {
  long n = 0;
  switch (r.what) {
    case call::pread: n = ::pread(r.fd, r.buffer, r.length, r.offset); break;
    case call::pwrite: n = r.offset < 0 ? ::write(r.fd, r.buffer, r.length) : ::pwrite(r.fd, r.buffer, r.length, r.offset); break;
    case call::fsync: n = ::fsync(r.fd); break;
    case call::fdatasync: n = ::fdatasync(r.fd); break;
    case call::openat: n = ::openat(AT_FDCWD, r.path, r.flags | O_CLOEXEC, r.mode); break;
    case call::close: n = ::close(r.fd); break;
    case call::statx: n = ::statx(AT_FDCWD, r.path, 0, STATX_BASIC_STATS, r.stat); break;
    case call::unlinkat: n = ::unlinkat(AT_FDCWD, r.path, 0); break;
    case call::renameat: n = ::renameat(AT_FDCWD, r.path, AT_FDCWD, r.path2); break;
    case call::mkdirat: n = ::mkdirat(AT_FDCWD, r.path, r.mode); break;
    case call::getdents: n = ::syscall(SYS_getdents64, r.fd, r.buffer, r.length); break;
  }
  return n < 0 ? -errno : n;
}

} // namespace karga::fs
