// A program that found karga through find_package: runs a tiny scenario.
#include <karga/karga.hpp>

using namespace std::chrono_literals;

int main() {
  auto results = karga::scenario<karga::basic_aggregate>::builder()
                     .action([]() -> boost::asio::awaitable<karga::basic_metric> {
                       co_return karga::basic_metric{.success = true};
                     })
                     .executor(karga::stage_executor::builder().start_rate(100).stage(100ms, 100.0).build())
                     .build()
                     .run();
  karga::basic_report report{results};
  karga::stdout_reporter{}.report(report);
  return report.ok == 10 ? 0 : 1;
}
