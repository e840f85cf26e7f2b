// Compiled by the test suite with one KARGA_CASE_* macro at a time; each must fail
// with the sentence the test expects. Without a macro it must compile.
#include <karga/karga.hpp>

using namespace std::chrono_literals;

struct not_a_metric_sink {
  void merge(const not_a_metric_sink&) {}
};

int main() {
  auto ok = []() -> boost::asio::awaitable<karga::basic_metric> { co_return karga::basic_metric{}; };
  auto exec = karga::stage_executor::builder().stage(1s, 1.0).build();
#if defined(KARGA_CASE_no_action)
  auto s = karga::scenario<karga::basic_aggregate>::builder().executor(exec).build();
#elif defined(KARGA_CASE_no_executor)
  auto s = karga::scenario<karga::basic_aggregate>::builder().action(ok).build();
#elif defined(KARGA_CASE_bad_action)
  auto s = karga::scenario<karga::basic_aggregate>::builder().action([](int) { return 0; }).executor(exec).build();
#elif defined(KARGA_CASE_wrong_metric)
  auto s = karga::scenario<karga::basic_aggregate>::builder()
               .action([]() -> boost::asio::awaitable<int> { co_return 1; })
               .executor(exec)
               .build();
#else
  auto s = karga::scenario<karga::basic_aggregate>::builder().action(ok).executor(exec).build();
#endif
  (void)s;
}
