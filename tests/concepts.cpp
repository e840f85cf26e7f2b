// Each concept, both ways: a type that models it, and for each numbered requirement
// a type that misses only that one and does not.
#include "catch.hpp"

#include <karga/karga.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace {

using boost::asio::awaitable;
using karga::basic_metric;

struct move_only {
  move_only() = default;
  move_only(move_only&&) = default;
  move_only& operator=(move_only&&) = default;
};

// metric ----------------------------------------------------------------------
TEST_CASE("metric: a copyable object type", "[concepts]") {
  STATIC_REQUIRE(karga::metric<basic_metric>);
  STATIC_REQUIRE(karga::metric<int>);
  STATIC_REQUIRE_FALSE(karga::metric<void>);           // 1. object type
  STATIC_REQUIRE_FALSE(karga::metric<basic_metric&>);  // 1. object type
  STATIC_REQUIRE_FALSE(karga::metric<move_only>);      // 2. copyable
}

// action ----------------------------------------------------------------------
struct good_action {
  awaitable<basic_metric> operator()() const;
};
struct mutable_action {  // like a `mutable` lambda: callable only as a non-const lvalue
  int calls = 0;
  awaitable<basic_metric> operator()() &;
};
struct uncopyable_action {
  std::unique_ptr<int> state;
  awaitable<basic_metric> operator()() const;
};
struct action_with_argument {
  awaitable<basic_metric> operator()(int) const;
};
struct action_returning_metric {
  basic_metric operator()() const;
};
struct action_returning_nothing {
  void operator()() const;
};
struct action_returning_move_only {
  awaitable<move_only> operator()() const;
};

TEST_CASE("action: a copyable callable returning awaitable<metric>, or the metric", "[concepts]") {
  STATIC_REQUIRE(karga::action<good_action>);
  STATIC_REQUIRE(karga::action<mutable_action>);
  auto lambda = []() -> awaitable<basic_metric> { co_return basic_metric{}; };
  STATIC_REQUIRE(karga::action<decltype(lambda)>);
  STATIC_REQUIRE(karga::action_of<decltype(lambda), basic_metric>);
  STATIC_REQUIRE(std::is_same_v<karga::metric_of_t<good_action>, basic_metric>);
  STATIC_REQUIRE_FALSE(karga::action<uncopyable_action>);           // 1. copy-constructible
  STATIC_REQUIRE_FALSE(karga::action<action_with_argument>);        // 2. invocable with no argument
  STATIC_REQUIRE(karga::action<action_returning_metric>);           // synchronous
  STATIC_REQUIRE(karga::synchronous_action<action_returning_metric>);
  STATIC_REQUIRE_FALSE(karga::synchronous_action<good_action>);
  STATIC_REQUIRE_FALSE(karga::action<action_returning_nothing>);    // 3. returns an awaitable or a metric
  STATIC_REQUIRE_FALSE(karga::action<action_returning_move_only>);  // 4. of a metric
  STATIC_REQUIRE_FALSE(karga::action_of<good_action, int>);
}

// aggregate -------------------------------------------------------------------
// Each flag turns one requirement off.
template <bool Default, bool Copy, bool Merge, bool Consume>
struct probe_aggregate {
  probe_aggregate()
    requires Default
  = default;
  explicit probe_aggregate(int) {}
  probe_aggregate(const probe_aggregate&)
    requires Copy
  = default;
  probe_aggregate(probe_aggregate&&) = default;
  probe_aggregate& operator=(const probe_aggregate&)
    requires Copy
  = default;
  probe_aggregate& operator=(probe_aggregate&&) = default;
  void merge(const probe_aggregate&)
    requires Merge
  {}
  void consume(const basic_metric&)
    requires Consume
  {}
};

TEST_CASE("aggregate: default-initializable, copyable, mergeable", "[concepts]") {
  STATIC_REQUIRE(karga::aggregate<probe_aggregate<true, true, true, true>>);
  STATIC_REQUIRE(karga::aggregate<karga::basic_aggregate>);
  STATIC_REQUIRE_FALSE(karga::aggregate<probe_aggregate<false, true, true, true>>);  // 1. default
  STATIC_REQUIRE_FALSE(karga::aggregate<probe_aggregate<true, false, true, true>>);  // 2. copyable
  STATIC_REQUIRE_FALSE(karga::aggregate<probe_aggregate<true, true, false, true>>);  // 3. merge
}

TEST_CASE("aggregate_for: consumes the metric", "[concepts]") {
  STATIC_REQUIRE(karga::aggregate_for<probe_aggregate<true, true, true, true>, basic_metric>);
  STATIC_REQUIRE(karga::aggregate_for<karga::basic_aggregate, basic_metric>);
  STATIC_REQUIRE_FALSE(karga::aggregate_for<probe_aggregate<true, true, false, true>, basic_metric>);  // 1.
  STATIC_REQUIRE_FALSE(karga::aggregate_for<karga::basic_aggregate, move_only>);                    // 2.
  STATIC_REQUIRE_FALSE(karga::aggregate_for<probe_aggregate<true, true, true, false>, basic_metric>);  // 3.
  STATIC_REQUIRE_FALSE(karga::aggregate_for<karga::basic_aggregate, int>);                          // 3.
}

TEST_CASE("timed_aggregate_for: takes the executor's timing", "[concepts]") {
  STATIC_REQUIRE(karga::timed_aggregate_for<karga::basic_aggregate, basic_metric>);
  STATIC_REQUIRE_FALSE(karga::timed_aggregate_for<probe_aggregate<true, true, true, true>, basic_metric>);
}

// Each hook on its own: a probe with exactly one hook, right or wrong.
struct only_dropped {
  void merge(const only_dropped&) {}
  void record_dropped(std::uint64_t, karga::drop_reason) {}
};
struct only_interrupted {
  void merge(const only_interrupted&) {}
  void record_interrupted(std::uint64_t) {}
};
struct only_exception {
  void merge(const only_exception&) {}
  void record_exception(std::string_view) {}
};
struct only_run {
  void merge(const only_run&) {}
  void record_run(const karga::run_info&) {}
};
struct wrong_dropped {
  void merge(const wrong_dropped&) {}
  void record_dropped(const std::string&) {}
};
struct dropped_0_1 {  // the signature before drop reasons: still called, deprecated
  void merge(const dropped_0_1&) {}
  void record_dropped(std::uint64_t) {}
};
struct final_aggregate final {  // its hooks cannot be probed
  void merge(const final_aggregate&) {}
};
struct wrong_interrupted {
  void merge(const wrong_interrupted&) {}
  void record_interrupted() {}
};
struct wrong_exception {  // string_view does not convert to const std::string&
  void merge(const wrong_exception&) {}
  void record_exception(const std::string&) {}
};
struct wrong_run {
  void merge(const wrong_run&) {}
  void record_run(karga::run_info&) {}
};
struct template_hook {  // any signature karga can call is fine
  void merge(const template_hook&) {}
  template <class N>
  void record_interrupted(N) {}
};

TEST_CASE("hooks: each is optional on its own", "[concepts]") {
  STATIC_REQUIRE(karga::records_dropped<only_dropped>);
  STATIC_REQUIRE_FALSE(karga::records_interrupted<only_dropped>);
  STATIC_REQUIRE(karga::records_interrupted<only_interrupted>);
  STATIC_REQUIRE_FALSE(karga::records_exception<only_interrupted>);
  STATIC_REQUIRE(karga::records_exception<only_exception>);
  STATIC_REQUIRE_FALSE(karga::records_run<only_exception>);
  STATIC_REQUIRE(karga::records_run<only_run>);
  STATIC_REQUIRE_FALSE(karga::records_dropped<only_run>);
  STATIC_REQUIRE(karga::records_dropped<karga::basic_aggregate>);
  STATIC_REQUIRE(karga::records_interrupted<karga::basic_aggregate>);
  STATIC_REQUIRE(karga::records_exception<karga::basic_aggregate>);
  STATIC_REQUIRE(karga::records_run<karga::basic_aggregate>);
  STATIC_REQUIRE(karga::records_interrupted<template_hook>);
  // With one hook, or none, or all: every hook present can be called.
  STATIC_REQUIRE(karga::hooks_callable<only_dropped>);
  STATIC_REQUIRE(karga::hooks_callable<only_run>);
  STATIC_REQUIRE(karga::hooks_callable<probe_aggregate<true, true, true, true>>);
  STATIC_REQUIRE(karga::hooks_callable<karga::basic_aggregate>);
  STATIC_REQUIRE(karga::hooks_callable<template_hook>);
}

TEST_CASE("hooks: one declared with a signature karga cannot call is caught", "[concepts]") {
  STATIC_REQUIRE_FALSE(karga::records_dropped<wrong_dropped>);
  STATIC_REQUIRE_FALSE(karga::hooks_callable<wrong_dropped>);
  STATIC_REQUIRE_FALSE(karga::hooks_callable<wrong_interrupted>);
  STATIC_REQUIRE_FALSE(karga::hooks_callable<wrong_exception>);
  STATIC_REQUIRE_FALSE(karga::hooks_callable<wrong_run>);
  STATIC_REQUIRE_FALSE(karga::hooks_callable<final_aggregate>);
  // karga 0.1's record_dropped(n): callable, through a deprecated path.
  STATIC_REQUIRE_FALSE(karga::records_dropped<dropped_0_1>);
  STATIC_REQUIRE(karga::records_dropped_without_reason<dropped_0_1>);
  STATIC_REQUIRE(karga::hooks_callable<dropped_0_1>);
}

TEST_CASE("hooks: the free functions call a hook only where there is one", "[concepts]") {
  only_exception e;
  karga::record_dropped(e, 3, karga::drop_reason::late);  // no such hook: nothing happens
  karga::basic_aggregate a;
  karga::record_dropped(a, 3, karga::drop_reason::late);
  karga::record_dropped(a, 2, karga::drop_reason::max_in_flight);
  karga::record_interrupted(a, 4);
  karga::record_exception(a, "boom");
  CHECK(a.dropped_late() == 3);
  CHECK(a.dropped_by_cap() == 2);
  CHECK(a.interrupted() == 4);
  CHECK(a.failed() == 1);
  CHECK(karga::exception_message(std::make_exception_ptr(std::runtime_error("x"))) == "x");
  CHECK(karga::exception_message(std::make_exception_ptr(42)) == "unknown exception");
}

// report and reporter -----------------------------------------------------------
struct uncopyable_report {
  explicit uncopyable_report(const karga::basic_aggregate&) {}
  uncopyable_report(const uncopyable_report&) = delete;
};
struct unrelated_report {};

TEST_CASE("report_for: a copyable value built from the aggregate", "[concepts]") {
  STATIC_REQUIRE(karga::report_for<karga::basic_report, karga::basic_aggregate>);
  STATIC_REQUIRE_FALSE(karga::report_for<uncopyable_report, karga::basic_aggregate>);  // 1.
  STATIC_REQUIRE_FALSE(karga::report_for<unrelated_report, karga::basic_aggregate>);   // 2.
}

struct silent_reporter {};
struct other_reporter {
  void report(const unrelated_report&);
};

TEST_CASE("reporter_for: report(r)", "[concepts]") {
  STATIC_REQUIRE(karga::reporter_for<karga::stdout_reporter, karga::basic_report>);
  STATIC_REQUIRE(karga::reporter_for<other_reporter, unrelated_report>);
  STATIC_REQUIRE_FALSE(karga::reporter_for<silent_reporter, karga::basic_report>);
  STATIC_REQUIRE_FALSE(karga::reporter_for<other_reporter, karga::basic_report>);
}

// executor ----------------------------------------------------------------------
struct sync_executor {
  template <karga::action F, karga::aggregate_for<karga::metric_of_t<F>> A>
  A run(const F&, A a) const {
    return a;
  }
};
// Calls the caller's action as given: a const action only.
struct const_calling_executor {
  template <karga::action F, karga::aggregate_for<karga::metric_of_t<F>> A>
  A run(const F& f, A a) const
    requires requires { f(); }
  {
    return a;
  }
};
struct wrong_result_executor {
  template <class F, class A>
  int run(const F&, A) const {
    return 0;
  }
};
struct no_run_executor {};

TEST_CASE("executor: run(action, aggregate) returns the aggregate", "[concepts]") {
  using karga::archetypes::action, karga::archetypes::aggregate;
  STATIC_REQUIRE(karga::executor<karga::stage_executor>);
  STATIC_REQUIRE(karga::executor<sync_executor>);
  STATIC_REQUIRE(karga::executor_for<karga::stage_executor, good_action, karga::basic_aggregate>);
  STATIC_REQUIRE(karga::async_executor_for<karga::stage_executor, good_action, karga::basic_aggregate>);
  STATIC_REQUIRE_FALSE(karga::async_executor_for<sync_executor, good_action, karga::basic_aggregate>);
  STATIC_REQUIRE_FALSE(karga::executor_for<sync_executor, action_with_argument, karga::basic_aggregate>);  // 1.
  STATIC_REQUIRE_FALSE(karga::executor_for<sync_executor, good_action, aggregate>);                        // 1.
  STATIC_REQUIRE_FALSE(karga::executor<wrong_result_executor>);                                             // 2.
  STATIC_REQUIRE_FALSE(karga::executor<const_calling_executor>);  // 2. must call its own, non-const copy
  STATIC_REQUIRE(karga::executor<karga::constant_vus_executor>);
  STATIC_REQUIRE_FALSE(karga::executor<no_run_executor>);                                                   // 2.
}

// The whole chain with user types: a metric, aggregate, report and reporter in a
// dozen lines, run by the stage executor.
struct bytes_metric {
  std::uint64_t bytes;
};
struct total_bytes {
  std::uint64_t bytes = 0;
  void consume(const bytes_metric& m) { bytes += m.bytes; }
  void merge(const total_bytes& o) { bytes += o.bytes; }
};
struct bytes_report {
  std::uint64_t kib;
  explicit bytes_report(const total_bytes& t) : kib(t.bytes / 1024) {}
};
struct capture_reporter {
  std::uint64_t* seen;
  void report(const bytes_report& r) { *seen = r.kib; }
};

TEST_CASE("user-defined metric, aggregate, report and reporter compose", "[concepts]") {
  using namespace std::chrono_literals;
  auto results = karga::scenario<total_bytes>::builder()
                     .name("bytes")
                     .action([]() -> awaitable<bytes_metric> { co_return bytes_metric{512}; })
                     .executor(karga::stage_executor::builder().start_rate(200).stage(50ms, 200.0).build())
                     .build()
                     .run();
  std::uint64_t kib = 0;
  capture_reporter{&kib}.report(bytes_report{results});
  CHECK(results.bytes == 10 * 512);
  CHECK(kib == 5);
}

} // namespace
