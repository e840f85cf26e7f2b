// The filesystem adapter: exact counts and bytes, data read back as written, offsets
// inside the file and aligned, errors by name with nothing else lost, metadata
// operations, each under every engine (blocking calls on the shard's thread or on a
// pool, io_uring), and the executors' promises (every arrival once, shards, stops)
// with file operations as the action.
#include "actions.hpp"
#include "catch.hpp"
#include "error_message.hpp"

#include <karga/fs.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;
using test::check_accounted;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
// What `expr` throws holds `part`.
#define CHECK_THAT_ERROR(expr, part) CHECK(contains(error_message([&] { (void)(expr); }), part))
namespace fs = karga::fs;
namespace stdfs = std::filesystem;

// A directory of its own for each case, removed after it.
struct scratch {
  stdfs::path dir;
  scratch() {
    dir = stdfs::temp_directory_path() / ("karga-fs-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    stdfs::remove_all(dir);
    stdfs::create_directories(dir);
  }
  ~scratch() {
    std::error_code ec;
    stdfs::remove_all(dir, ec);
  }
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

// The engines, as the test cases run them.
struct on_shard_thread {
  static constexpr fs::engine engine = fs::engine::sync;
  static constexpr unsigned depth = 0;
};
struct on_pool {
  static constexpr fs::engine engine = fs::engine::sync;
  static constexpr unsigned depth = 3;
};
struct on_uring {
  static constexpr fs::engine engine = fs::engine::uring;
  static constexpr unsigned depth = 4;
};

template <class Engine>
fs::options with(fs::options o) {
  o.engine = Engine::engine;
  o.depth = Engine::depth;
  return o;
}

auto iterations(std::uint64_t n, std::uint64_t users = 4, unsigned threads = 2) {
  return karga::shared_iterations_executor::builder().vus(users).iterations(n).threads(threads).build();
}

template <class F, class E>
fs::aggregate run_fs(const F& action, const E& executor) {
  return karga::scenario<fs::aggregate>::builder().name("fs").action(action).executor(executor).build().run();
}

std::uint64_t file_size(const std::string& path) { return stdfs::file_size(path); }

} // namespace

TEST_CASE("fs: sizes read as fio reads them, and bad ones are refused with a sentence", "[fs]") {
  CHECK(fs::parse_size("512") == 512);
  CHECK(fs::parse_size("4k") == 4096);
  CHECK(fs::parse_size("4K") == 4096);
  CHECK(fs::parse_size("64KiB") == 65536);
  CHECK(fs::parse_size("1M") == 1u << 20);
  CHECK(fs::parse_size("1GB") == 1u << 30);
  CHECK(fs::parse_size("2T") == std::uint64_t{2} << 40);
  CHECK_THAT_ERROR(fs::parse_size("4x"), "unknown unit \"x\"");
  CHECK_THAT_ERROR(fs::parse_size("k"), "is not a size");
  CHECK_THAT_ERROR(fs::parse_size("1.5k"), "unknown unit \".5k\"");
  CHECK_THAT_ERROR(fs::parse_size("20000000T"), "is too large");
  for (std::size_t i = 0; i < fs::op_count; ++i)
    CHECK(fs::parse_op(fs::to_string(static_cast<fs::op>(i))) == static_cast<fs::op>(i));
  CHECK_FALSE(fs::parse_op("randrw"));
  CHECK(fs::error_name(ENOENT) == "ENOENT");
  CHECK(fs::error_name(fs::data_mismatch) == "EMISMATCH");
  CHECK(fs::parse_error_name("EACCES") == EACCES);
  CHECK(fs::parse_error_name("EMISMATCH") == fs::data_mismatch);
  CHECK_THAT_ERROR(fs::parse_error_name("ENOPE"), "is not an errno name");
}

TEST_CASE("fs: a workload that cannot be prepared says why before any load", "[fs]") {
  scratch s;
  fs::options o;
  o.operation = fs::op::randread;
  o.file = s / "missing.dat";
  CHECK_THAT_ERROR(fs::workload(o), "does not exist: give a size to make it");
  o.size = 100;
  CHECK_THAT_ERROR(fs::workload(o), "(100 bytes) is smaller than one block of 4096");
  o.block_size = 12;
  CHECK_THAT_ERROR(fs::workload(o), "a multiple of 8 bytes, got 12");
  o.block_size = 4096;
  o.size = 8192;
  o.direct = true;
  o.block_size = 1000;
  CHECK_THAT_ERROR(fs::workload(o), "O_DIRECT needs a block size that is a multiple of 512");
  o.file.clear();
  CHECK_THAT_ERROR(fs::workload(o), "randread needs a file");
  o = {};
  o.operation = fs::op::create;
  CHECK_THAT_ERROR(fs::workload(o), "create needs a directory");
  o.directory = s / "d";
  o.engine = fs::engine::uring;
  o.depth = 5000;
  CHECK_THAT_ERROR(fs::workload(o), "io_uring takes at most 4096 entries");
  // O_DIRECT: refused with a sentence where the filesystem refuses it (tmpfs before
  // Linux 6.6), taken where it takes it.
  for (const std::string& where : {std::string("/dev/shm"), s.dir.string()}) {
    if (::access(where.c_str(), W_OK) != 0) continue;
    fs::options d;
    d.operation = fs::op::read;
    d.file = where + "/karga-fs-direct-" + std::to_string(::getpid());
    d.size = 8192;
    d.direct = true;
    const std::string made = error_message([&] { fs::workload{d}; });
    const int fd = ::open(d.file.c_str(), O_RDONLY | O_DIRECT);
    if (fd < 0 && errno == EINVAL)
      CHECK(contains(made, "its filesystem does not take O_DIRECT"));
    else
      CHECK(made == "no error");
    if (fd >= 0) ::close(fd);
    std::remove(d.file.c_str());
  }
}

TEMPLATE_TEST_CASE("fs: N appends of B bytes leave a file of N×B bytes, counted exactly", "[fs]", on_shard_thread, on_pool,
                   on_uring) {
  scratch s;
  fs::options o;
  o.operation = fs::op::append;
  o.file = s / "log";
  o.block_size = 1024;
  const fs::workload appends{with<TestType>(o)};
  const auto a = run_fs(appends, iterations(3000));
  CHECK(a.basic().ok() == 3000);
  CHECK(a.basic().failed() == 0);
  CHECK(a.basic().bytes() == 3000 * 1024);
  CHECK(a.operation(fs::op::append).count == 3000);
  CHECK(a.operation(fs::op::append).bytes == 3000 * 1024);
  CHECK(a.operation(fs::op::append).latency.count() == 3000);
  CHECK(file_size(o.file) == 3000 * 1024);
  check_accounted(a);
}

TEMPLATE_TEST_CASE("fs: what is written reads back, and a changed block is found, once per read of it", "[fs]",
                   on_shard_thread, on_pool, on_uring) {
  scratch s;
  fs::options w;
  w.operation = fs::op::randwrite;
  w.file = s / "data";
  w.size = 64 * 4096;  // made with karga's pattern, then written over at random
  const fs::workload writes{with<TestType>(w)};
  CHECK(writes.blocks() == 64);
  const auto written = run_fs(writes, iterations(2000));
  CHECK(written.basic().ok() == 2000);
  CHECK(file_size(w.file) == 64 * 4096);

  fs::options r = w;
  r.operation = fs::op::read;
  r.verify = true;
  const auto clean = run_fs(fs::workload{with<TestType>(r)}, iterations(64, 1, 1));  // each block once
  CHECK(clean.basic().ok() == 64);
  CHECK(clean.errors().empty());

  {  // one word of block 10 changed
    std::fstream f(w.file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10 * 4096 + 256);
    f.write("XXXXXXXX", 8);
  }
  const auto found = run_fs(fs::workload{with<TestType>(r)}, iterations(64 * 3, 1, 1));  // each block three times
  CHECK(found.basic().ok() == 64 * 3 - 3);
  CHECK(found.error_count(fs::data_mismatch) == 3);
  CHECK(contains(found.errors().at(fs::data_mismatch).first_message, "the block at offset 40960 of " + w.file));
  check_accounted(found);
}

TEMPLATE_TEST_CASE("fs: random offsets stay inside the file, on block boundaries", "[fs]", on_shard_thread, on_pool,
                   on_uring) {
  scratch s;
  fs::options o;
  o.operation = fs::op::randread;
  o.file = s / "data";
  o.size = 16 * 512 + 100;  // 16 whole blocks and a tail no read may touch
  o.block_size = 512;
  o.verify = true;  // a read off a block boundary would not hold the pattern of its offset
  const fs::workload reads{with<TestType>(o)};
  CHECK(reads.blocks() == 16);
  const auto a = run_fs(reads, iterations(5000));
  CHECK(a.basic().ok() == 5000);  // a read past the end would be short: an EIO
  CHECK(a.errors().empty());
  CHECK(a.operation(fs::op::randread).bytes == 5000 * 512);
}

TEMPLATE_TEST_CASE("fs: errors are counted by name with their first message, and nothing else is lost", "[fs]",
                   on_shard_thread, on_pool, on_uring) {
  scratch s;
  fs::options o;
  o.operation = fs::op::stat;
  o.file = s / "not-there";
  // The open model: 400 arrivals at 4,000/s, every one an ENOENT.
  const auto executor = karga::stage_executor::builder().start_rate(4000).stage(100ms, 4000).build();
  const auto a = run_fs(fs::workload{with<TestType>(o)}, executor);
  CHECK(a.basic().run().scheduled == 400);
  CHECK(a.basic().failed() == 400);
  CHECK(a.error_count(ENOENT) == 400);
  CHECK(a.errors().at(ENOENT).first_message == "ENOENT: No such file or directory (" + o.file + ")");
  check_accounted(a);
  const fs::report r{a};
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].name == "ENOENT");
  CHECK(r.errors[0].count == 400);
  const auto verdicts = karga::evaluate({karga::threshold::parse("errors(ENOENT) < 400"), karga::thresholds::errors("EACCES") == 0,
                                         karga::threshold::parse("errors(ENOPE) == 0")}, a);
  CHECK_FALSE(verdicts[0].passed);
  CHECK(verdicts[0].observed == 400);
  CHECK(verdicts[1].passed);
  CHECK(verdicts[2].observed_text == "not measured by this run");
  const std::string text = format_report(r);
  CHECK(contains(text, "errors          ENOENT×400"));
  CHECK(contains(text, "stat            400"));

  // A mkdir of a name that exists: EEXIST, beside the ones that succeed.
  fs::options m;
  m.operation = fs::op::mkdir;
  m.directory = s / "dirs";
  m.names = 10;
  const auto made = run_fs(fs::workload{with<TestType>(m)}, iterations(25, 1, 1));
  CHECK(made.basic().ok() == 10);
  CHECK(made.error_count(EEXIST) == 15);
}

TEMPLATE_TEST_CASE("fs: create, stat, rename and unlink of a set of names, each exactly once", "[fs]", on_shard_thread,
                   on_pool, on_uring) {
  scratch s;
  fs::options o;
  o.directory = s / "names";
  o.names = 500;
  auto count_files = [&] {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : stdfs::directory_iterator(o.directory)) ++n;
    return n;
  };
  o.operation = fs::op::create;
  CHECK(run_fs(fs::workload{with<TestType>(o)}, iterations(500)).basic().ok() == 500);
  CHECK(count_files() == 500);
  o.operation = fs::op::stat;
  CHECK(run_fs(fs::workload{with<TestType>(o)}, iterations(1000)).basic().ok() == 1000);  // each twice
  o.operation = fs::op::readdir;
  const auto listed = run_fs(fs::workload{with<TestType>(o)}, iterations(3, 1, 1));
  CHECK(listed.basic().ok() == 3);
  CHECK(listed.basic().bytes() > 3 * 500 * 19);  // a getdents64 entry: 19 bytes and the name, at least
  o.operation = fs::op::rename;
  CHECK(run_fs(fs::workload{with<TestType>(o)}, iterations(250)).basic().ok() == 250);
  CHECK(stdfs::exists(o.directory + "/f0.renamed"));
  o.operation = fs::op::unlink;  // the names were made again by the workload: 500 + 250 renamed
  const auto gone = run_fs(fs::workload{with<TestType>(o)}, iterations(500));
  CHECK(gone.basic().ok() == 500);
  CHECK(count_files() == 250);
}

TEMPLATE_TEST_CASE("fs: shards split the work and merge, and a stop ends the run with every operation accounted for", "[fs]",
                   on_shard_thread, on_pool, on_uring) {
  scratch s;
  fs::options o;
  o.operation = fs::op::randread;
  o.file = s / "data";
  o.size = 1 << 20;
  const fs::workload reads{with<TestType>(o)};
  const auto split = run_fs(reads, iterations(10'000, 8, 4));
  CHECK(split.basic().ok() == 10'000);
  CHECK(split.basic().run().threads == 4);
  CHECK(split.operation(fs::op::randread).count == 10'000);

  auto control = std::make_shared<karga::run_control>();
  karga::run_options opt;
  opt.control = control;
  std::thread stopper([control] {
    std::this_thread::sleep_for(150ms);
    control->request_stop();
  });
  const auto stopped = karga::scenario<fs::aggregate>::builder()
                           .action(reads)
                           .executor(karga::stage_executor::builder().start_rate(20'000).stage(30s, 20'000).threads(2).build())
                           .build()
                           .run(opt);
  stopper.join();
  CHECK(stopped.basic().run().stopped());
  CHECK(stopped.basic().ok() > 0);
  CHECK(stopped.basic().run().scheduled < 30 * 20'000);
  check_accounted(stopped);
}

TEST_CASE("fs: live counters by operation and by error, exact at the end", "[fs][live]") {
  scratch s;
  fs::options o;
  o.operation = fs::op::unlink;
  o.directory = s / "names";
  o.names = 300;  // made before the run: 300 unlinks succeed, the next 200 find nothing
  std::vector<karga::live_sample> samples;
  std::mutex m;
  karga::run_options opt;
  opt.live.interval = 100ms;
  opt.live.observers.push_back([&](const karga::live_sample& sample) {
    std::lock_guard lock(m);
    samples.push_back(sample);
  });
  const auto a = karga::scenario<fs::aggregate>::builder()
                     .action(fs::workload{o})
                     .executor(karga::stage_executor::builder().start_rate(2000).stage(250ms, 2000).build())
                     .build()
                     .run(opt);
  REQUIRE(a.basic().run().scheduled == 500);
  REQUIRE_FALSE(samples.empty());
  std::map<std::string, std::uint64_t> counted;
  for (const auto& [label, n] : samples.back().labels) counted[label.counter + " " + label.name + "=" + label.value] = n;
  CHECK(counted["fs_operations op=unlink"] == 300);
  CHECK(counted["fs_errors error=ENOENT"] == 200);
  CHECK(fs::metric{{}, fs::op::read, 0, EHWPOISON, {}}.live_label() == fs::op_count + EHWPOISON - 1);
  CHECK(fs::metric::describe_live_label(fs::op_count + EACCES - 1).value == "EACCES");
  CHECK(fs::metric::describe_live_label(fs::metric{{}, fs::op::read, 0, fs::data_mismatch, {}}.live_label()).value == "EMISMATCH");
  CHECK(fs::metric::describe_live_label(fs::metric{{}, fs::op::read, 0, 4000, {}}.live_label()).value == "other");
}

TEST_CASE("fs: aggregates merge, and round-trip through a results file", "[fs][results]") {
  fs::aggregate a, b;
  a.consume(fs::metric{1ms, fs::op::read, 4096, 0, {}});
  a.consume(fs::metric{2ms, fs::op::read, 0, ENOENT, "ENOENT: first"});
  b.consume(fs::metric{3ms, fs::op::write, 512, 0, {}});
  b.consume(fs::metric{4ms, fs::op::read, 0, ENOENT, "ENOENT: second"});
  b.consume(fs::metric{5ms, fs::op::read, 0, fs::data_mismatch, "EMISMATCH: x"});
  a.merge(b);
  CHECK(a.operation(fs::op::read).count == 4);
  CHECK(a.operation(fs::op::read).failed == 3);
  CHECK(a.operation(fs::op::write).bytes == 512);
  CHECK(a.error_count(ENOENT) == 2);
  CHECK(a.errors().at(ENOENT).first_message == "ENOENT: first");
  CHECK(a.basic().bytes() == 4096 + 512);

  scratch s;
  karga::write_results(s / "run.karga", a);
  const auto back = karga::read_results<fs::aggregate>(s / "run.karga");
  CHECK(back == a);
  const fs::report r{back};
  REQUIRE(r.operations.size() == 2);
  CHECK(r.operations[0].operation == fs::op::read);
  CHECK(r.operations[1].operation == fs::op::write);
  CHECK(r.operations[0].p99 >= 4ms);
  CHECK(r.operations[0].max == 5ms);
}
