// Compiled by the test suite with one KARGA_CASE_* macro at a time; each must fail
// with the sentence the test expects (a deprecated_* case compiles, warning with
// it). Without a macro it must compile.
#include <karga/karga.hpp>

#include <string>

using namespace std::chrono_literals;

struct not_a_metric_sink {
  void merge(const not_a_metric_sink&) {}
};

// basic_aggregate with one hook declared with a signature karga cannot call.
struct dropped_by_name : karga::basic_aggregate {
  void record_dropped(const std::string&) {}
};
// karga 0.1's hook, without a reason: it compiles, with a warning that names the new one.
struct dropped_without_reason : karga::basic_aggregate {
  void record_dropped(std::uint64_t) {}
};
struct interrupted_without_count : karga::basic_aggregate {
  void record_interrupted() {}
};
struct exception_as_string : karga::basic_aggregate {
  void record_exception(const std::string&) {}
};
struct run_by_mutable_reference : karga::basic_aggregate {
  void record_run(karga::run_info&) {}
};

// A final aggregate with a mistyped hook: karga calls record_exception with a
// std::string_view, which does not convert to const std::string&.
struct counted final {
  std::uint64_t n = 0;
  void consume(const karga::basic_metric&) { ++n; }
  void merge(const counted& o) { n += o.n; }
  void record_exception(const std::string&) {}
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
#elif defined(KARGA_CASE_hook_dropped)
  auto s = karga::scenario<dropped_by_name>::builder().action(ok).executor(exec).build();
#elif defined(KARGA_CASE_deprecated_dropped)
  auto s = exec.run(ok, dropped_without_reason{});
#elif defined(KARGA_CASE_hook_interrupted)
  auto s = karga::scenario<interrupted_without_count>::builder().action(ok).executor(exec).build();
#elif defined(KARGA_CASE_hook_exception)
  auto s = karga::scenario<exception_as_string>::builder().action(ok).executor(exec).build();
#elif defined(KARGA_CASE_hook_run)
  auto s = karga::scenario<run_by_mutable_reference>::builder().action(ok).executor(exec).build();
#elif defined(KARGA_CASE_hook_final)
  auto s = karga::scenario<counted>::builder().action(ok).executor(exec).build();
#elif defined(KARGA_CASE_direct_final)
  auto s = exec.run(ok, counted{});
#elif defined(KARGA_CASE_direct_wrong_aggregate)
  auto s = exec.run(ok, not_a_metric_sink{});
#elif defined(KARGA_CASE_direct_wrong_hook)
  auto s = exec.run(ok, exception_as_string{});
#else
  auto s = karga::scenario<karga::basic_aggregate>::builder().action(ok).executor(exec).build();
#endif
  (void)s;
}
