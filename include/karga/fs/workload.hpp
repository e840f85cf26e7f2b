#pragma once
/// @file fs/workload.hpp
/// A file or metadata workload in the manner of a fio job: which operation, on which
/// file or directory, with which block size and engine. A `workload` is an action:
/// each call makes one operation and returns its `fs::metric`.
///
/// ```cpp
/// karga::fs::options o;
/// o.operation = karga::fs::op::randread;
/// o.file = "/tmp/karga-fs-doc.dat";
/// o.size = 1 << 20;              // the file is made (and filled) when it is smaller
/// o.block_size = 4096;
/// o.engine = karga::fs::engine::uring;
/// o.depth = 8;
/// const karga::fs::workload reads{o};
/// auto results = karga::scenario<karga::fs::aggregate>::builder()
///                    .action(reads)
///                    .executor(karga::shared_iterations_executor::builder().vus(4).iterations(1000).build())
///                    .build()
///                    .run();
/// karga::fs::report r{results};  // r.operations[0].per_second: reads per second
/// ```

#include <karga/core/context.hpp>
#include <karga/core/error.hpp>
#include <karga/core/timing.hpp>
#include <karga/fs/io_request.hpp>
#include <karga/fs/metrics.hpp>
#include <karga/fs/operation.hpp>
#include <karga/fs/thread_pool_engine.hpp>
#include <karga/fs/uring_engine.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace karga::fs {

/// Where the calls are made.
enum class engine : std::uint8_t {
  sync,   ///< blocking calls: on a pool of `depth` threads per shard, or on the shard's own thread with depth 0
  uring,  ///< io_uring, `depth` entries per shard, completing on the shard's event loop
};

/// What a workload does.
struct options {
  fs::op operation = op::randread;   ///< the operation each action makes
  std::string file;                  ///< block operations, fsync, and open/stat without `directory`
  std::string directory;             ///< the names of create, unlink, rename, mkdir (open and stat too when set), readdir
  std::uint64_t block_size = 4096;   ///< bytes per read or write
  std::uint64_t size = 0;            ///< the file's size: a smaller file is extended and filled; 0: the file's own size
  std::uint64_t names = 1000;        ///< the names in `directory`: "f0" … "f<names-1>", taken in turn
  bool direct = false;               ///< O_DIRECT (buffers aligned to 4096; block size a multiple of 512); refused where the filesystem refuses it
  bool verify = false;               ///< reads check each block holds karga's pattern for its offset
  fs::engine engine = fs::engine::sync;  ///< where the calls are made
  unsigned depth = 0;                ///< sync: threads per shard (0: the shard's own); uring: entries per shard (0: 64)
};

/// `text` as a byte count: a number with an optional k, M, G or T (powers of 1024, as
/// fio reads them) and an optional B or iB ("4k", "1GiB", "512"); throws `karga::error`.
inline std::uint64_t parse_size(std::string_view text) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (ec != std::errc() || end == text.data())
    throw karga::error("\"" + std::string(text) + "\" is not a size (a number, then k, M, G or T: 4k, 1G)");
  if (unit.ends_with("iB")) unit.remove_suffix(2);
  else if (unit.ends_with("B")) unit.remove_suffix(1);
  unsigned shift = 0;
  if (unit == "k" || unit == "K") shift = 10;
  else if (unit == "m" || unit == "M") shift = 20;
  else if (unit == "g" || unit == "G") shift = 30;
  else if (unit == "t" || unit == "T") shift = 40;
  else if (!unit.empty())
    throw karga::error("\"" + std::string(text) + "\": unknown unit \"" + std::string(unit) + "\" (k, M, G or T)");
  if (shift && n > (std::uint64_t{1} << (64 - shift)) - 1) throw karga::error("\"" + std::string(text) + "\" is too large");
  return n << shift;
}

/// The 8-byte word karga writes at byte `position` of a file: the position itself,
/// mixed so that a block of zeros or another block's data never passes for it.
constexpr std::uint64_t pattern_word(std::uint64_t position) noexcept { return position ^ 0x6b61726761667321ull; }

/// Fills `n` bytes at `out` (n a multiple of 8) with the pattern of file offset `offset`.
inline void fill_pattern(void* out, std::uint64_t n, std::uint64_t offset) noexcept {
  auto* w = static_cast<std::uint64_t*>(out);
  for (std::uint64_t i = 0; i < n / 8; ++i) w[i] = pattern_word(offset + 8 * i);
}
/// Whether `n` bytes at `in` hold the pattern of file offset `offset`.
inline bool holds_pattern(const void* in, std::uint64_t n, std::uint64_t offset) noexcept {
  const auto* w = static_cast<const std::uint64_t*>(in);
  for (std::uint64_t i = 0; i < n / 8; ++i)
    if (w[i] != pattern_word(offset + 8 * i)) return false;
  return true;
}

/// A workload: made once (it checks the options and prepares the file or the names,
/// throwing `karga::error` with a sentence for what cannot be done), copied by each
/// shard, and called as an action. Each shard's copy opens its own descriptors, takes
/// its own buffers and its own engine at its first call.
class workload {
public:
  /// Checks `opt` and prepares what the operation needs: the file, extended to `size`
  /// and filled with karga's pattern; the directory, with its names for open, stat,
  /// unlink, rename and readdir.
  explicit workload(options opt) : opt_(std::move(opt)), next_name_(std::make_shared<std::atomic<std::uint64_t>>(0)) {
    prepare();
  }
  /// A shard's copy: the same workload, nothing opened yet.
  workload(const workload& o) : opt_(o.opt_), blocks_(o.blocks_), next_name_(o.next_name_) {}
  /// See the copy constructor.
  workload& operator=(const workload& o) {
    if (this != &o) *this = workload(o);
    return *this;
  }
  /// Takes `o`'s descriptors and engine.
  workload(workload&&) noexcept = default;
  /// Takes `o`'s descriptors and engine.
  workload& operator=(workload&&) noexcept = default;

  /// The options, as checked.
  const options& settings() const noexcept { return opt_; }
  /// Blocks in the file (block operations).
  std::uint64_t blocks() const noexcept { return blocks_; }

  /// One operation; its metric holds its latency, bytes and error (errno).
  boost::asio::awaitable<metric> operator()(const context& c) const {
    shard_state& s = state(c.shard);
    if (opt_.engine == engine::uring && !s.ring) {
      s.ring = std::make_unique<uring_engine>(co_await boost::asio::this_coro::executor, opt_.depth == 0 ? 64 : opt_.depth);
    }
    metric m;
    m.operation = opt_.operation;
    const auto start = clock::now();
    if (s.failed_open != 0) {
      fail(m, s.failed_open, opt_.file);
    } else if (moves_blocks(opt_.operation)) {
      co_await move_block(s, m);
    } else {
      co_await metadata(s, m);
    }
    m.latency = clock::now() - start;
    co_return m;
  }

private:
  struct buffer_free {
    void operator()(void* p) const noexcept { std::free(p); }
  };
  using buffer = std::unique_ptr<void, buffer_free>;

  // A shard's descriptors, buffers and engine (the engine last: it is closed first,
  // after the calls in the kernel have returned into the buffers).
  struct shard_state {
    int fd = -1;
    int failed_open = 0;  // the errno of opening the file, counted on each operation
    std::vector<buffer> free_buffers;
    std::uint64_t next_block = 0;
    std::uint64_t random = 0;
    std::unique_ptr<thread_pool_engine> pool;
    std::unique_ptr<uring_engine> ring;
    shard_state() = default;
    shard_state(const shard_state&) = delete;
    shard_state& operator=(const shard_state&) = delete;
    ~shard_state() {
      ring.reset();
      pool.reset();
      if (fd >= 0) ::close(fd);
    }
  };

  shard_state& state(unsigned shard) const {
    if (state_) return *state_;
    state_ = std::make_unique<shard_state>();
    state_->random = 0x9e3779b97f4a7c15ull * (shard + 1);
    if (opt_.engine == engine::sync && opt_.depth > 0) state_->pool = std::make_unique<thread_pool_engine>(opt_.depth);
    if (moves_blocks(opt_.operation) || opt_.operation == op::fsync || opt_.operation == op::fdatasync) {
      int flags = writes_data(opt_.operation) || opt_.operation == op::fsync || opt_.operation == op::fdatasync ? O_RDWR : O_RDONLY;
      if (opt_.operation == op::append) flags = O_WRONLY | O_APPEND;
      if (opt_.direct) flags |= O_DIRECT;
      state_->fd = ::open(opt_.file.c_str(), flags | O_CLOEXEC);
      if (state_->fd < 0) state_->failed_open = errno;
    }
    return *state_;
  }

  boost::asio::awaitable<long> io(shard_state& s, const io_request& r) const {
    if (s.ring || s.pool) co_return co_await submit(s, r);
    co_return perform_blocking(r);
  }
  // The call through the shard's engine (it has one), with no coroutine frame of ours.
  static boost::asio::awaitable<long> submit(shard_state& s, const io_request& r) {
    return s.ring ? s.ring->submit(r) : s.pool->submit(r);
  }

  buffer take_buffer(shard_state& s) const {
    if (!s.free_buffers.empty()) {
      buffer b = std::move(s.free_buffers.back());
      s.free_buffers.pop_back();
      return b;
    }
    const std::size_t bytes = (opt_.block_size + 4095) / 4096 * 4096;
    return buffer(std::aligned_alloc(4096, bytes));
  }

  std::uint64_t next_offset(shard_state& s) const {
    std::uint64_t block;
    if (opt_.operation == op::randread || opt_.operation == op::randwrite) {
      s.random += 0x9e3779b97f4a7c15ull;  // splitmix64
      std::uint64_t z = s.random;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      block = (z ^ (z >> 31)) % blocks_;
    } else {
      block = s.next_block++ % blocks_;
    }
    return block * opt_.block_size;
  }

  static void fail(metric& m, int error, std::string_view what) {
    m.error = error;
    m.message = error_name(error) + ": " + error_text(error) + " (" + std::string(what) + ")";
  }

  boost::asio::awaitable<void> move_block(shard_state& s, metric& m) const {
    buffer b = take_buffer(s);
    io_request r;
    r.fd = s.fd;
    r.buffer = b.get();
    r.length = static_cast<std::uint32_t>(opt_.block_size);
    if (opt_.operation == op::append) {
      r.what = call::pwrite;
      r.offset = -1;
    } else {
      r.what = writes_data(opt_.operation) ? call::pwrite : call::pread;
      r.offset = static_cast<std::int64_t>(next_offset(s));
    }
    if (r.what == call::pwrite) fill_pattern(r.buffer, opt_.block_size, r.offset < 0 ? 0 : static_cast<std::uint64_t>(r.offset));
    const long n = s.ring || s.pool ? co_await submit(s, r) : perform_blocking(r);  // the hot path: no frame for io()
    if (n < 0) {
      fail(m, static_cast<int>(-n), opt_.file);
    } else if (static_cast<std::uint64_t>(n) != opt_.block_size) {
      m.bytes = static_cast<std::uint64_t>(n);
      m.error = EIO;
      m.message = "EIO: a short " + std::string(r.what == call::pread ? "read" : "write") + " of " + std::to_string(n) + " of " +
                  std::to_string(opt_.block_size) + " bytes at offset " + std::to_string(r.offset) + " (" + opt_.file + ")";
    } else {
      m.bytes = opt_.block_size;
      if (opt_.verify && r.what == call::pread && !holds_pattern(r.buffer, opt_.block_size, static_cast<std::uint64_t>(r.offset))) {
        m.error = data_mismatch;
        m.message = "EMISMATCH: the block at offset " + std::to_string(r.offset) + " of " + opt_.file +
                    " is not what karga writes there";
      }
    }
    s.free_buffers.push_back(std::move(b));
  }

  std::string next_name() const {
    const std::uint64_t i = next_name_->fetch_add(1, std::memory_order_relaxed) % opt_.names;
    return opt_.directory + (opt_.operation == op::mkdir ? "/d" : "/f") + std::to_string(i);
  }

  boost::asio::awaitable<void> metadata(shard_state& s, metric& m) const {
    const op o = opt_.operation;
    io_request r;
    if (o == op::fsync || o == op::fdatasync) {
      r.what = o == op::fsync ? call::fsync : call::fdatasync;
      r.fd = s.fd;
      if (const long n = co_await io(s, r); n < 0) fail(m, static_cast<int>(-n), opt_.file);
      co_return;
    }
    const std::string path = o == op::readdir ? opt_.directory
                             : (o == op::open || o == op::stat) && opt_.directory.empty() ? opt_.file
                                                                                          : next_name();
    r.path = path.c_str();
    if (o == op::stat) {
      struct statx st {};
      r.what = call::statx;
      r.stat = &st;
      if (const long n = co_await io(s, r); n < 0) fail(m, static_cast<int>(-n), path);
      co_return;
    }
    if (o == op::unlink || o == op::mkdir) {
      r.what = o == op::unlink ? call::unlinkat : call::mkdirat;
      r.mode = 0755;
      if (const long n = co_await io(s, r); n < 0) fail(m, static_cast<int>(-n), path);
      co_return;
    }
    if (o == op::rename) {
      const std::string to = path + ".renamed";
      r.what = call::renameat;
      r.path2 = to.c_str();
      if (const long n = co_await io(s, r); n < 0) fail(m, static_cast<int>(-n), path);
      co_return;
    }
    // open, create and readdir open a descriptor, use it, and close it.
    r.what = call::openat;
    r.flags = o == op::create ? O_CREAT | O_TRUNC | O_WRONLY : o == op::readdir ? O_RDONLY | O_DIRECTORY : O_RDONLY;
    r.mode = 0644;
    const long fd = co_await io(s, r);
    if (fd < 0) {
      fail(m, static_cast<int>(-fd), path);
      co_return;
    }
    if (o == op::readdir) {
      buffer b = take_buffer(s);
      io_request list;
      list.what = call::getdents;
      list.fd = static_cast<int>(fd);
      list.buffer = b.get();
      list.length = static_cast<std::uint32_t>((opt_.block_size + 4095) / 4096 * 4096);
      for (;;) {
        const long n = co_await io(s, list);
        if (n < 0) fail(m, static_cast<int>(-n), path);
        if (n <= 0) break;
        m.bytes += static_cast<std::uint64_t>(n);
      }
      s.free_buffers.push_back(std::move(b));
    }
    io_request done;
    done.what = call::close;
    done.fd = static_cast<int>(fd);
    if (const long n = co_await io(s, done); n < 0 && m.error == 0) fail(m, static_cast<int>(-n), path);
  }

  void prepare() {
    namespace stdfs = std::filesystem;
    const op o = opt_.operation;
    if (opt_.engine == engine::uring && opt_.depth > 4096) throw karga::error("--depth: io_uring takes at most 4096 entries");
    if (opt_.engine == engine::sync && opt_.depth > 1024) throw karga::error("--depth: at most 1024 threads per shard");
    const bool on_file = moves_blocks(o) || o == op::fsync || o == op::fdatasync ||
                         ((o == op::open || o == op::stat) && opt_.directory.empty());
    if (on_file && opt_.file.empty()) throw karga::error(std::string(to_string(o)) + " needs a file");
    if (!on_file && opt_.directory.empty()) throw karga::error(std::string(to_string(o)) + " needs a directory");
    if (uses_names(o) && !on_file && opt_.names == 0) throw karga::error("the directory needs at least one name");
    if (moves_blocks(o)) {
      if (opt_.block_size == 0 || opt_.block_size % 8 != 0)
        throw karga::error("the block size must be a multiple of 8 bytes, got " + std::to_string(opt_.block_size));
      if (opt_.block_size > (std::uint64_t{1} << 30)) throw karga::error("the block size is more than 1GiB");
      if (opt_.direct && opt_.block_size % 512 != 0)
        throw karga::error("O_DIRECT needs a block size that is a multiple of 512, got " + std::to_string(opt_.block_size));
    }
    if (on_file) prepare_file();
    else prepare_names();
  }

  void prepare_file() {
    const op o = opt_.operation;
    if ((o == op::open || o == op::stat) && opt_.size == 0) return;  // a missing file is what they count (ENOENT)
    struct stat st {};
    const bool exists = ::stat(opt_.file.c_str(), &st) == 0;
    if (!exists && errno != ENOENT)
      throw karga::error(opt_.file + ": " + error_text(errno));
    if (exists && !S_ISREG(st.st_mode)) throw karga::error(opt_.file + " is not a regular file");
    const auto have = exists ? static_cast<std::uint64_t>(st.st_size) : 0;
    if (!exists && opt_.size == 0 && o != op::append)
      throw karga::error(opt_.file + " does not exist: give a size to make it");
    if (opt_.size > have) extend(have, opt_.size);
    const std::uint64_t size = std::max(have, opt_.size);
    if (!exists && o == op::append && opt_.size == 0) extend(0, 0);
    if (moves_blocks(o) && o != op::append) {
      blocks_ = size / opt_.block_size;
      if (blocks_ == 0)
        throw karga::error(opt_.file + " (" + std::to_string(size) + " bytes) is smaller than one block of " +
                           std::to_string(opt_.block_size));
    }
    if (opt_.direct) {
      const int fd = ::open(opt_.file.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
      if (fd < 0 && errno == EINVAL)
        throw karga::error(opt_.file + ": its filesystem does not take O_DIRECT (tmpfs before Linux 6.6 does not)");
      if (fd >= 0) ::close(fd);
    }
  }

  // Extends the file from `from` to `to` bytes with the pattern (made if missing).
  void extend(std::uint64_t from, std::uint64_t to) {
    const int fd = ::open(opt_.file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw karga::error(opt_.file + ": cannot make it: " + error_text(errno));
    std::vector<std::uint64_t> chunk(1 << 17);  // 1 MiB
    std::uint64_t at = from / 8 * 8;
    while (at < to) {
      const std::uint64_t n = std::min<std::uint64_t>(chunk.size() * 8, to - at);
      fill_pattern(chunk.data(), (n + 7) / 8 * 8, at);
      const auto written = ::pwrite(fd, chunk.data(), n, static_cast<off_t>(at));
      if (written <= 0) {
        const int e = errno;
        ::close(fd);
        throw karga::error(opt_.file + ": cannot fill it to " + std::to_string(to) + " bytes: " + error_text(e));
      }
      at += static_cast<std::uint64_t>(written);
    }
    ::close(fd);
  }

  void prepare_names() {
    std::error_code ec;
    std::filesystem::create_directories(opt_.directory, ec);
    if (ec) throw karga::error(opt_.directory + ": cannot make the directory: " + ec.message());
    if (!std::filesystem::is_directory(opt_.directory)) throw karga::error(opt_.directory + " is not a directory");
    const op o = opt_.operation;
    if (o != op::open && o != op::stat && o != op::unlink && o != op::rename && o != op::readdir) return;
    for (std::uint64_t i = 0; i < opt_.names; ++i) {
      const std::string name = opt_.directory + "/f" + std::to_string(i);
      const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) throw karga::error(name + ": cannot make it: " + error_text(errno));
      ::close(fd);
    }
  }

  options opt_;
  std::uint64_t blocks_ = 0;
  std::shared_ptr<std::atomic<std::uint64_t>> next_name_;  // shared by the shards: each name is taken once in turn
  mutable std::unique_ptr<shard_state> state_;
};

} // namespace karga::fs
