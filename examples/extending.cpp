// The README's "Extending karga" section, compiled and run: a metric, aggregate,
// report and reporter of one's own, and an executor of one's own.
#include <karga/karga.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <fmt/format.h>

using namespace std::chrono_literals;

struct bytes_metric { std::uint64_t bytes; };

struct total_bytes {                                   // aggregate_for<total_bytes, bytes_metric>
  std::uint64_t bytes = 0;
  void consume(const bytes_metric& m) { bytes += m.bytes; }
  void merge(const total_bytes& o) { bytes += o.bytes; }
};

struct bytes_report {                                  // report_for<bytes_report, total_bytes>
  std::uint64_t kib;
  explicit bytes_report(const total_bytes& t) : kib(t.bytes / 1024) {}
};

struct print_reporter {                                // reporter_for<print_reporter, bytes_report>
  void report(const bytes_report& r) { fmt::print("{} KiB\n", r.kib); }
};

struct run_n_times {                                   // karga::executor<run_n_times>
  int n;
  template <karga::action F, karga::aggregate_for<karga::metric_of_t<F>> A>
  A run(const F& action, A aggregate) const {
    boost::asio::io_context ctx;
    boost::asio::co_spawn(ctx, [&]() -> boost::asio::awaitable<void> {
      for (int i = 0; i < n; ++i) aggregate.consume(co_await action());
    }, boost::asio::detached);
    ctx.run();
    return aggregate;
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
  auto by_count = karga::scenario<total_bytes>::builder().name("count").action(write_4k).executor(run_n_times{25}).build();
  print_reporter{}.report(bytes_report{by_stages.run()});   // 400 KiB
  print_reporter{}.report(bytes_report{by_count.run()});    // 100 KiB
}
