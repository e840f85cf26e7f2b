// karga's own figures: executor overhead, clock-reading actions, timing, histogram
// record, memory per in-flight action, schedule accuracy and smoothness, the open
// model under slow actions, overload, and the time series' cost and memory over a
// simulated hour. `karga_bench [name...]` runs some; no
// argument runs all. Results go to stdout as `name: figure` lines.
#include <karga/karga.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <fmt/format.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using karga::basic_metric;

namespace {

// Counts, and nothing else: the executor's cost alone.
struct counter {
  std::uint64_t n = 0;
  void consume(const basic_metric& m) noexcept { n += m.success; }
  void merge(const counter& o) noexcept { n += o.n; }
};

// basic_aggregate without the executor's timing: records only the action's latency.
struct untimed_aggregate : karga::basic_aggregate {
  void consume(const basic_metric& m) noexcept { karga::basic_aggregate::consume(m); }
};

// Keeps every start instant, for the accuracy figures.
struct start_log {
  std::vector<karga::clock::time_point> started;
  karga::histogram lag;
  void consume(const basic_metric&) {}
  void consume(const basic_metric&, const karga::timing& t) {
    started.push_back(t.started);
    lag.record(t.started - t.scheduled);
  }
  void merge(const start_log& o) {
    started.insert(started.end(), o.started.begin(), o.started.end());
    lag.merge(o.lag);
  }
};

auto null_action = []() -> asio::awaitable<basic_metric> { co_return basic_metric{{}, true, 0}; };
auto null_task = []() -> karga::task<basic_metric> { co_return basic_metric{{}, true, 0}; };

// An I/O-like action: waits `d` on a timer, reports how long it took.
auto sleeping_action(karga::clock::duration d) {
  return [d]() -> asio::awaitable<basic_metric> {
    const auto start = karga::clock::now();
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
    co_return basic_metric{karga::clock::now() - start, true, 0};
  };
}
auto sleeping_task(karga::clock::duration d) {
  return [d]() -> karga::task<basic_metric> {
    const auto start = karga::clock::now();
    asio::steady_timer t(co_await karga::task_executor, d);
    co_await t.async_wait(karga::use_task);
    co_return basic_metric{karga::clock::now() - start, true, 0};
  };
}

auto seed_action = []() -> asio::awaitable<basic_metric> {
  const auto start = karga::clock::now();
  co_return basic_metric{karga::clock::now() - start, true, 0};
};
auto seed_task = []() -> karga::task<basic_metric> {
  const auto start = karga::clock::now();
  co_return basic_metric{karga::clock::now() - start, true, 0};
};

karga::stage_executor flat(double rate, std::chrono::duration<double> d, unsigned threads = 1) {
  return karga::stage_executor::builder().start_rate(rate).stage(d, rate).threads(threads).late_start_limit(0s).build();
}

double seconds(karga::clock::duration d) { return std::chrono::duration<double>(d).count(); }

template <class A, class F>
double actions_per_second(const F& f, unsigned threads, std::uint64_t (*count)(const A&)) {
  const auto e = flat(1e10, 2s, threads);
  const auto t0 = karga::clock::now();
  const A a = e.run(f, A{});
  return static_cast<double>(count(a)) / seconds(karga::clock::now() - t0);
}

void throughput() {
  for (unsigned threads : {1u, 2u}) {
    fmt::print("executor overhead, null action, counting aggregate, {} thread(s): {:.1f} M actions/s\n", threads,
               actions_per_second<counter>(null_action, threads, [](const counter& c) { return c.n; }) / 1e6);
    fmt::print("seed-style action (two clock reads), latency histogram, {} thread(s): {:.1f} M actions/s\n", threads,
               actions_per_second<untimed_aggregate>(seed_action, threads,
                                                     [](const untimed_aggregate& a) { return a.ok(); }) / 1e6);
    fmt::print("seed-style karga::task action, latency histogram, {} thread(s): {:.1f} M actions/s\n", threads,
               actions_per_second<untimed_aggregate>(seed_task, threads,
                                                     [](const untimed_aggregate& a) { return a.ok(); }) / 1e6);
    fmt::print("null karga::task action, counting aggregate, {} thread(s): {:.1f} M actions/s\n", threads,
               actions_per_second<counter>(null_task, threads, [](const counter& c) { return c.n; }) / 1e6);
    fmt::print("null action, executor timing into basic_aggregate, {} thread(s): {:.1f} M actions/s\n", threads,
               actions_per_second<karga::basic_aggregate>(null_action, threads,
                                                          [](const karga::basic_aggregate& a) { return a.ok(); }) / 1e6);
  }
}

// What the context costs: the null action, without a context, then taking one it
// does not read (an executor builds it only for actions that take one), then one
// it reads. Interleaved runs, medians of 5.
void context_cost() {
  auto with_context = [](const karga::context&) -> asio::awaitable<basic_metric> { co_return basic_metric{{}, true, 0}; };
  auto reading = [](const karga::context& c) -> asio::awaitable<basic_metric> {
    co_return basic_metric{{}, c.arrival != ~0ull, 0};
  };
  const auto count = [](const counter& c) { return c.n; };
  std::vector<double> none, taken, read;
  for (int i = 0; i < 5; ++i) {
    none.push_back(actions_per_second<counter>(null_action, 1, count));
    taken.push_back(actions_per_second<counter>(with_context, 1, count));
    read.push_back(actions_per_second<counter>(reading, 1, count));
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  fmt::print("context: null action {:.1f} M actions/s; taking a context {:.1f} M/s; reading it {:.1f} M/s (medians of 5)\n",
             median(none) / 1e6, median(taken) / 1e6, median(read) / 1e6);
}

// The executor's floor: a null action through the executor, awaitable and
// synchronous, beside two loops with no executor: `co_await` of a null awaitable (a
// coroutine frame per action) and a plain call of a null function (no frame), each
// folding into the same counting aggregate. Medians of 3, one thread.
void floor() {
  const auto count = [](const counter& c) { return c.n; };
  auto sync_null = [] { return basic_metric{{}, true, 0}; };
  // One loop for 2 s, the clock read every 1,024 actions, as the executor does; the
  // action called through a pointer the compiler cannot see through.
  const auto plain_loop = [&] {
    basic_metric (*volatile call)() = +sync_null;
    counter c;
    std::uint64_t n = 0;
    const auto end = karga::clock::now() + 2s;
    const auto t0 = karga::clock::now();
    for (;;) {
      c.consume(call());
      if ((++n & 1023) == 0 && karga::clock::now() >= end) break;
    }
    return static_cast<double>(c.n) / seconds(karga::clock::now() - t0);
  };
  const auto frame_loop = [&] {
    asio::io_context io(1);
    double rate = 0;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      counter c;
      std::uint64_t n = 0;
      const auto end = karga::clock::now() + 2s;
      const auto t0 = karga::clock::now();
      for (;;) {
        c.consume(co_await null_action());
        if ((++n & 1023) == 0 && karga::clock::now() >= end) break;
      }
      rate = static_cast<double>(c.n) / seconds(karga::clock::now() - t0);
    }, asio::detached);
    io.run();
    return rate;
  };
  // The same loop over a null karga::task, each started inline and finished there, as
  // a worker would run it: a frame from the thread's free list, no scheduling.
  karga::task<basic_metric> (*volatile make_task)() = +[]() -> karga::task<basic_metric> { co_return basic_metric{{}, true, 0}; };
  const auto task_loop = [&] {
    counter c;
    std::uint64_t n = 0;
    const auto end = karga::clock::now() + 2s;
    const auto t0 = karga::clock::now();
    for (;;) {
      karga::task<basic_metric> t = make_task();
      t.start();
      c.consume(t.result());
      if ((++n & 1023) == 0 && karga::clock::now() >= end) break;
    }
    return static_cast<double>(c.n) / seconds(karga::clock::now() - t0);
  };
  std::vector<double> awaited, task_actions, sync, frames, plain, tasks;
  for (int i = 0; i < 3; ++i) {
    awaited.push_back(actions_per_second<counter>(null_action, 1, count));
    task_actions.push_back(actions_per_second<counter>(null_task, 1, count));
    sync.push_back(actions_per_second<counter>(sync_null, 1, count));
    frames.push_back(frame_loop());
    plain.push_back(plain_loop());
    tasks.push_back(task_loop());
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2] / 1e6;
  };
  fmt::print("floor, one thread, M actions/s (medians of 3): executor, null awaitable action {:.1f}; executor, null "
             "karga::task action {:.1f}; executor, null synchronous action {:.1f}; loop of co_await on a null awaitable (no executor) {:.1f}; loop of plain calls "
             "(no executor, no frame) {:.1f}; loop of null karga::task started inline (no executor) {:.1f}\n",
             median(awaited), median(task_actions), median(sync), median(frames), median(plain), median(tasks));
}

void histogram_record() {
  karga::histogram h;
  std::uint64_t x = 88172645463325252ull;
  constexpr int n = 200'000'000;
  const auto t0 = karga::clock::now();
  for (int i = 0; i < n; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    h.record(x >> (x & 63));  // values across every magnitude
  }
  const double ns = seconds(karga::clock::now() - t0) * 1e9 / n;
  fmt::print("histogram record (incl. a xorshift draw): {:.2f} ns  [count {}]\n", ns, h.count());
}

// Resident memory of this process now, in bytes.
std::size_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  if (f) {
    if (std::fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

template <class F>
void memory_per_in_flight(const char* what, const F& sleeper) {
  // 100,000 actions that each sleep 3 s, started within 0.1 s (none dropped, however
  // busy the machine). Heap in use and resident memory at their peaks, over the
  // actions: what one in-flight action costs.
  constexpr double rate = 1e6;
  const auto heap_before = mallinfo2().uordblks;
  const auto rss_before = resident_bytes();
  std::atomic<std::size_t> heap_peak{0}, rss_peak{0};
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done) {
      heap_peak = std::max<std::size_t>(heap_peak, mallinfo2().uordblks);
      rss_peak = std::max(rss_peak.load(), resident_bytes());
      std::this_thread::sleep_for(50ms);
    }
  });
  const auto e = karga::stage_executor::builder().start_rate(rate).stage(100ms, rate).late_start_limit(60s).build();
  const counter c = e.run(sleeper, counter{});
  done = true;
  sampler.join();
  const auto per = [&](std::size_t peak, std::size_t before) {
    return static_cast<double>(peak - before) / static_cast<double>(c.n);
  };
  fmt::print("memory per in-flight sleeping {} (its timer and frame included): {:.0f} bytes of heap, {:.0f} bytes "
             "resident  [{} actions]\n",
             what, per(heap_peak, heap_before), per(rss_peak, rss_before), c.n);
}

// One per process: the resident figure of a second run would count pages the first
// one left mapped.
void memory_per_in_flight() { memory_per_in_flight("awaitable action", sleeping_action(3s)); }
void memory_per_in_flight_task() { memory_per_in_flight("karga::task action", sleeping_task(3s)); }

void accuracy() {
  // A no-op at 10,000/s for 5 s: count, per-second counts, 10 ms windows, lag.
  const auto e = flat(10000, 5s);
  const start_log log = e.run(null_action, start_log{});
  auto started = log.started;
  std::sort(started.begin(), started.end());
  const auto origin = started.front() - 100us;
  std::vector<int> per_second(5, 0), per_window(500, 0);
  for (auto t : started) {
    const double s = seconds(t - origin);
    per_second[std::min(4, static_cast<int>(s))]++;
    per_window[std::min(499, static_cast<int>(s * 100))]++;
  }
  int good = 0;
  for (int w : per_window) good += (w >= 90 && w <= 110);
  fmt::print("10,000/s for 5 s: started {} of 50000 ({:+.3f} %)\n", started.size(),
             (static_cast<double>(started.size()) - 50000) / 500);
  std::string seconds_line;
  for (int c : per_second) seconds_line += fmt::format(" {} ({:+.2f} %)", c, (c - 10000) / 100.0);
  fmt::print("  per second:{}\n", seconds_line);
  fmt::print("  10 ms windows with 100 ± 10 starts: {:.1f} %\n", good / 5.0);
  fmt::print("  start lag: p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns\n", log.lag.percentile(50), log.lag.percentile(99),
             log.lag.percentile(99.9), log.lag.max());
}

void open_model() {
  const auto a = flat(1000, 5s).run(sleeping_action(50ms), karga::basic_aggregate{});
  fmt::print("50 ms actions at 1,000/s for 5 s: started {} of 5000, peak in flight {}, lag p99 {} µs\n", a.started(),
             a.run().peak_in_flight, a.start_lag().percentile(99) / 1000);
}

void overload() {
  // 2 ms actions at 10,000/s for 3 s: waiting (I/O-like) and busy (CPU-bound).
  const auto waiting = sleeping_action(2ms);
  auto busy = []() -> asio::awaitable<basic_metric> {
    const auto start = karga::clock::now();
    while (karga::clock::now() - start < 2ms) {
    }
    co_return basic_metric{karga::clock::now() - start, true, 0};
  };
  const auto e = karga::stage_executor::builder().start_rate(10000).stage(3s, 10000.0).build();
  fmt::print("2 ms waiting actions at 10,000/s for 3 s:\n{}", karga::format_report(karga::basic_report{e.run(waiting, karga::basic_aggregate{})}));
  fmt::print("2 ms busy actions at 10,000/s for 3 s:\n{}", karga::format_report(karga::basic_report{e.run(busy, karga::basic_aggregate{})}));
}

// Peak resident memory of this process so far, in MiB.
double peak_rss_mib() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  char line[256];
  long kib = 0;
  while (f && std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
  if (f) std::fclose(f);
  return static_cast<double>(kib) / 1024;
}

// Feeds `n` synthetic actions (100,000/s of intended starts, a log-normal-ish
// latency, a small lag) straight into an aggregate; returns ns per action.
template <class A>
double feed(A& a, std::uint64_t n) {
  const auto t0 = karga::clock::now();
  if constexpr (requires { a.record_start(t0); }) a.record_start(t0);
  std::uint64_t x = 88172645463325252ull;
  const auto begin = karga::clock::now();
  for (std::uint64_t i = 0; i < n; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const auto scheduled = t0 + std::chrono::microseconds(10 * i);
    const auto started = scheduled + std::chrono::nanoseconds(2000 + (x & 0xfff));
    const auto latency = std::chrono::nanoseconds(200'000 + ((x >> 12) & 0xfffff) * ((x >> 40) & 3));
    a.consume(basic_metric{latency, (x & 0xff) != 0, 512}, karga::timing{scheduled, started, started + latency});
  }
  return seconds(karga::clock::now() - begin) * 1e9 / static_cast<double>(n);
}

void series() {
  // A simulated hour at 100,000 actions/s: 360 M actions into 1 s intervals.
  constexpr std::uint64_t n = 360'000'000;
  karga::basic_aggregate plain;
  const double plain_ns = feed(plain, n);
  const double rss_before = peak_rss_mib();
  karga::series_aggregate<karga::basic_aggregate> with_series;
  const double series_ns = feed(with_series, n);
  karga::run_info info;
  info.kind = karga::load_kind::open;
  info.due_by = [](karga::clock::duration d) {
    return static_cast<std::uint64_t>(std::min<std::int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count() / 10, n));
  };
  with_series.record_run(info);
  std::size_t buckets = 0;
  for (const auto& f : with_series.series().intervals()) buckets += f.latency.buckets().size() + f.response_time.buckets().size();
  fmt::print("1 hour at 100,000/s (360 M synthetic actions): basic_aggregate {:.2f} ns/action, series_aggregate {:.2f} ns/action "
             "(+{:.2f} ns)\n", plain_ns, series_ns, series_ns - plain_ns);
  fmt::print("  {} intervals, {} sparse buckets ({:.1f} MiB of them); peak RSS of the whole process {:.1f} MiB "
             "(before the series {:.1f} MiB)\n", with_series.series().intervals().size(), buckets,
             static_cast<double>(buckets * sizeof(karga::sparse_histogram::bucket)) / (1 << 20), peak_rss_mib(), rss_before);
}

} // namespace

int main(int argc, char** argv) {
  struct entry {
    const char* name;
    void (*run)();
  };
  const entry all[] = {{"throughput", throughput}, {"histogram", histogram_record},
                       {"memory", memory_per_in_flight}, {"memory-task", memory_per_in_flight_task},
                       {"accuracy", accuracy},     {"open-model", open_model},     {"overload", overload},
                       {"series", series},         {"context", context_cost},     {"floor", floor}};
  for (const auto& e : all) {
    bool wanted = argc == 1;
    for (int i = 1; i < argc; ++i) wanted |= std::strcmp(argv[i], e.name) == 0;
    if (wanted) e.run();
  }
}
