#include <karga/karga.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
using namespace std::chrono_literals;
namespace asio = boost::asio;
int main() {
  auto results = karga::scenario<karga::basic_aggregate>::builder()
      .name("sleep scenario")
      .action([]() -> asio::awaitable<karga::basic_metric> {
        auto start = karga::clock::now();
        asio::steady_timer t(co_await asio::this_coro::executor, 50ms);
        co_await t.async_wait(asio::use_awaitable);
        co_return karga::basic_metric{.latency = karga::clock::now() - start, .success = true, .bytes = 10};
      })
      .executor(karga::stage_executor::builder().stages({{1s, 100.0}, {2s, 1000.0}, {1s, 0.0}}).build())
      .build()
      .run();
  karga::basic_report report{results};
  karga::stdout_reporter{}.report(report);
}
