// Conan's test package: a scenario of 10 actions on karga's core, reported.
#include <karga/karga.hpp>

using namespace std::chrono_literals;

int main() {
  auto results = karga::scenario<karga::basic_aggregate>::builder()
                     .action([]() -> boost::asio::awaitable<karga::basic_metric> { co_return karga::basic_metric{.success = true}; })
                     .executor(karga::shared_iterations_executor::builder().vus(2).iterations(10).build())
                     .build()
                     .run();
  karga::basic_report report{results};
  karga::stdout_reporter{}.report(report);
  return report.ok == 10 ? 0 : 1;
}
