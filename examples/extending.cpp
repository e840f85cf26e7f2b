// The README's "Extending karga" section, compiled and run: a metric, aggregate,
// report and reporter of one's own, and an executor of one's own built with the
// toolkit (sharded_runner, shard, run_action).
#include <karga/karga.hpp>

#include <fmt/format.h>

using namespace std::chrono_literals;

struct bytes_metric { std::uint64_t bytes; };

struct total_bytes {                                   // aggregate_for<total_bytes, bytes_metric>
  std::uint64_t bytes = 0;
  std::uint64_t failed = 0;
  void consume(const bytes_metric& m) { bytes += m.bytes; }
  void merge(const total_bytes& o) { bytes += o.bytes, failed += o.failed; }
  void record_exception(std::string_view) { ++failed; }  // optional hook: an action threw
};

struct bytes_report {                                  // report_for<bytes_report, total_bytes>
  std::uint64_t kib;
  explicit bytes_report(const total_bytes& t) : kib(t.bytes / 1024) {}
};

struct print_reporter {                                // reporter_for<print_reporter, bytes_report>
  void report(const bytes_report& r) { fmt::print("{} KiB\n", r.kib); }
};

struct run_n_times {                                   // karga::executor<run_n_times>
  std::uint64_t n;
  unsigned threads = 1;

  template <karga::action F, karga::aggregate_for<karga::metric_of_t<F>> A>
  A run(const F& action, A initial, const karga::run_options& opt = {}) const {
    const karga::load_plan plan{fmt::format("{} times", n), karga::load_kind::closed, {}};
    return karga::sharded_runner(threads).run(action, std::move(initial), plan, opt,
        [n = n](karga::shard<F, A>& s) -> boost::asio::awaitable<void> {
          for (std::uint64_t i = s.index(); i < n && !s.stopping(); i += s.count())
            co_await karga::run_action(s);             // timing, exceptions, hooks, Ctrl-C
        });
  }
};

static_assert(karga::executor<run_n_times>);
static_assert(karga::reporter_for<print_reporter, bytes_report>);

int main() {
  auto write_4k = []() -> boost::asio::awaitable<bytes_metric> { co_return bytes_metric{4096}; };
  auto by_stages = karga::scenario<total_bytes>::builder()
                       .name("stages")
                       .action(write_4k)
                       .executor(karga::stage_executor::builder().start_rate(100).stage(1s, 100.0).build())
                       .build();
  auto by_count = karga::scenario<total_bytes>::builder()
                      .name("count")
                      .action(write_4k)
                      .executor(run_n_times{.n = 25, .threads = 2})
                      .build();
  int calls = 0;  // a mutable action: each shard calls its own copy
  auto counting = [calls]() mutable -> boost::asio::awaitable<bytes_metric> { co_return bytes_metric{++calls == 1 ? 1024u : 0u}; };
  const auto once_per_shard = karga::scenario<total_bytes>::builder().action(counting).executor(run_n_times{.n = 8, .threads = 2}).build().run();
  const auto stages = by_stages.run(), count = by_count.run();
  print_reporter{}.report(bytes_report{stages});   // 400 KiB
  print_reporter{}.report(bytes_report{count});    // 100 KiB
  print_reporter{}.report(bytes_report{once_per_shard});  // 2 KiB: 1 KiB from each shard's first call
  return stages.bytes == 100 * 4096 && count.bytes == 25 * 4096 && once_per_shard.bytes == 2048 ? 0 : 1;
}
