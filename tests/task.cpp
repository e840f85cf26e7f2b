// karga::task: runs inline until it waits, takes frames from its thread's free list,
// awaits tasks and Asio operations, carries results, errors, exceptions and
// cancellation.
#include "actions.hpp"
#include "catch.hpp"

#include <karga/core/task.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

namespace {

namespace asio = boost::asio;
using karga::task;
using namespace std::chrono_literals;

task<int> forty_two() { co_return 42; }
task<int> sum_of(int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) s += co_await forty_two();
  co_return s;
}
task<int> nested(int depth) {
  if (depth == 0) co_return 0;  // not `?:`: g++ 12 runs a co_await of one branch whatever the condition
  co_return 1 + co_await nested(depth - 1);
}
task<void> throws() {
  throw std::runtime_error("from the task");
  co_return;
}
task<std::string> catches() {
  try {
    co_await throws();
  } catch (const std::runtime_error& e) {
    co_return std::string("caught: ") + e.what();
  }
  co_return "not thrown";
}

task<int> after(asio::steady_timer& t, std::chrono::milliseconds d) {
  t.expires_after(d);
  co_await t.async_wait(karga::use_task);
  co_return co_await forty_two() + 1;
}

// What an executor's worker does: start the task inline, and wait through Asio only
// when it suspended. Gives the result and whether it finished inline.
template <class T>
asio::awaitable<std::pair<T, bool>> run_in_worker(task<T> t) {
  const auto state = co_await asio::this_coro::cancellation_state;
  const bool inline_done = t.start(state.slot());
  if (!inline_done) co_await t.async_wait(asio::use_awaitable);
  co_return std::pair<T, bool>{t.result(), inline_done};
}

} // namespace

TEST_CASE("task: runs inline until it ends when nothing waits", "[task]") {
  task<int> t = sum_of(1000);
  REQUIRE_FALSE(t.done());  // lazy: nothing runs before start
  REQUIRE(t.start());
  REQUIRE(t.result() == 42000);

  task<int> deep = nested(1000);  // each level awaits the next by symmetric transfer
  REQUIRE(deep.start());
  REQUIRE(deep.result() == 1000);
}

TEST_CASE("task: an exception reaches the awaiting task and the owner", "[task]") {
  task<std::string> t = catches();
  REQUIRE(t.start());
  REQUIRE(t.result() == "caught: from the task");

  task<void> bare = throws();
  REQUIRE(bare.start());
  REQUIRE_THROWS_WITH(bare.result(), "from the task");
}

TEST_CASE("task: frames of the same size are reused from the thread's free list", "[task]") {
  using pool = karga::detail::task_frame_pool;
  void* a = pool::allocate(200);
  pool::deallocate(a, 200);
  void* b = pool::allocate(193);  // the same class: 193 to 256 bytes
  REQUIRE(b == a);
  void* c = pool::allocate(193);  // not the block just taken
  REQUIRE(c != a);
  pool::deallocate(b, 193);
  pool::deallocate(c, 193);
  void* big = pool::allocate(1 << 20);  // past the largest class: the heap, as it is
  pool::deallocate(big, 1 << 20);
}

TEST_CASE("task: awaits an Asio timer and resumes on its event loop", "[task]") {
  asio::io_context io;
  asio::steady_timer timer(io);
  std::pair<int, bool> got{};
  const auto t0 = std::chrono::steady_clock::now();
  asio::co_spawn(io, run_in_worker(after(timer, std::chrono::milliseconds(20))),
                 [&](std::exception_ptr e, std::pair<int, bool> r) {
                   REQUIRE_FALSE(e);
                   got = r;
                 });
  io.run();
  REQUIRE(got.first == 43);
  REQUIRE_FALSE(got.second);  // it suspended on the timer
  REQUIRE(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(20));
}

TEST_CASE("task: an operation's values and errors, with use_task and as_tuple(use_task)", "[task]") {
  asio::io_context io;
  asio::local::stream_protocol::socket a(io), b(io);
  asio::local::connect_pair(a, b);
  asio::write(a, asio::buffer(std::string("hello")));
  a.close();
  char buf[16];
  const auto reads = [&]() -> task<std::string> {
    const std::size_t n = co_await b.async_read_some(asio::buffer(buf), karga::use_task);  // (error_code, size_t) gives size_t
    auto [ec, m] = co_await b.async_read_some(asio::buffer(buf), asio::as_tuple(karga::use_task));  // nothing throws
    std::string thrown = "nothing";
    try {
      co_await a.async_read_some(asio::buffer(buf), karga::use_task);  // a is closed
    } catch (const boost::system::system_error& e) {
      thrown = e.code() == asio::error::bad_descriptor ? "bad_descriptor" : e.what();
    }
    co_return std::string(buf, n) + " " + (ec == asio::error::eof ? "eof" : ec.message()) + " " + std::to_string(m) + " " +
        thrown;
  };
  std::string got;
  asio::co_spawn(io, run_in_worker(reads()), [&](std::exception_ptr e, std::pair<std::string, bool> r) {
    REQUIRE_FALSE(e);
    got = r.first;
  });
  io.run();
  REQUIRE(got == "hello eof 0 bad_descriptor");
}

TEST_CASE("task: the owner's cancellation reaches the operation it waits on", "[task]") {
  asio::io_context io;
  asio::steady_timer timer(io);
  asio::cancellation_signal stop;
  std::string outcome = "not finished";
  asio::co_spawn(io, run_in_worker(after(timer, std::chrono::hours(1))),
                 asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e, std::pair<int, bool>) {
                   try {
                     if (e) std::rethrow_exception(e);
                     outcome = "no error";
                   } catch (const boost::system::system_error& err) {
                     outcome = err.code() == asio::error::operation_aborted ? "aborted" : err.what();
                   }
                 }));
  asio::steady_timer later(io);
  later.expires_after(std::chrono::milliseconds(10));
  later.async_wait([&](boost::system::error_code) { stop.emit(asio::cancellation_type::terminal); });
  const auto t0 = std::chrono::steady_clock::now();
  io.run();
  REQUIRE(outcome == "aborted");
  REQUIRE(std::chrono::steady_clock::now() - t0 < std::chrono::minutes(1));
}

TEST_CASE("task: an event loop shut down while a task waits destroys the task and its owner", "[task]") {
  struct flag {
    bool& set;
    ~flag() { set = true; }
  };
  bool task_gone = false, owner_gone = false, owner_ran_on = false;
  {
    asio::io_context io;
    asio::steady_timer timer(io);
    const auto waits = [&]() -> task<int> {
      flag f{task_gone};
      timer.expires_after(std::chrono::hours(1));
      co_await timer.async_wait(karga::use_task);
      co_return 1;
    };
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      flag f{owner_gone};
      co_await run_in_worker(waits());
      owner_ran_on = true;
    }, asio::detached);
    io.poll();  // the task now waits on the timer, its owner on the task
    REQUIRE_FALSE(task_gone);
    REQUIRE_FALSE(owner_gone);
  }  // the loop shuts down with both waiting: Asio destroys their frames
  REQUIRE(task_gone);
  REQUIRE(owner_gone);
  REQUIRE_FALSE(owner_ran_on);
}

// Every third call waits 1 ms on a timer of its shard; every tenth throws.
namespace {
auto some_wait(std::shared_ptr<std::atomic<std::uint64_t>> calls) {
  return [calls](const karga::context&) -> task<karga::basic_metric> {
    const std::uint64_t n = ++*calls;
    if (n % 3 == 0) {
      asio::steady_timer t(co_await karga::task_executor, std::chrono::milliseconds(1));
      co_await t.async_wait(karga::use_task);
    }
    if (n % 10 == 0) throw std::runtime_error("tenth");
    co_return karga::basic_metric{.success = true};
  };
}
auto sleeps_task(karga::clock::duration d) {
  return [d]() -> task<karga::basic_metric> {
    asio::steady_timer t(co_await karga::task_executor, d);
    co_await t.async_wait(karga::use_task);
    co_return karga::basic_metric{.success = true};
  };
}
} // namespace

TEST_CASE("task actions: every executor runs them, inline or waiting, exceptions counted", "[executor][task]") {
  static_assert(karga::task_action<decltype(some_wait(nullptr))>);
  static_assert(!karga::synchronous_action<decltype(some_wait(nullptr))>);
  static_assert(std::same_as<karga::metric_of_t<decltype(sleeps_task(1s))>, karga::basic_metric>);
  auto calls = std::make_shared<std::atomic<std::uint64_t>>(0);
  const auto open = test::run(some_wait(calls), karga::stage_executor::builder().start_rate(2000).stage(250ms, 2000).threads(2).build());
  CHECK(open.started() == 500);
  CHECK(open.failed() == 50);
  CHECK(open.ok() == 450);
  CHECK(open.exceptions().sorted() == std::vector<std::pair<std::string, std::uint64_t>>{{"tenth", 50}});
  CHECK(*calls == 500);
  test::check_accounted(open);

  *calls = 0;
  const auto users = test::run(some_wait(calls), karga::per_vu_iterations_executor::builder().vus(3).iterations(20).build());
  CHECK(users.ok() == 54);
  CHECK(users.failed() == 6);
  test::check_accounted(users);

  *calls = 0;
  auto rate = std::make_shared<karga::rate_control>(1000);
  const auto controlled = test::run(some_wait(calls), karga::controlled_rate_executor::builder().control(rate).duration(200ms).build());
  CHECK(controlled.started() == *calls);
  CHECK(controlled.started() >= 150);
  CHECK(controlled.failed() == *calls / 10);
  test::check_accounted(controlled);
}

TEST_CASE("task actions: the grace period cancels what waits, counted as interrupted", "[executor][task]") {
  const auto before = karga::clock::now();
  const auto open = test::run(sleeps_task(60s), karga::stage_executor::builder().start_rate(100).stage(100ms, 100).grace_period(100ms).build());
  CHECK(open.started() == 10);
  CHECK(open.interrupted() == 10);
  CHECK(open.failed() == 0);  // their cancellation is not a failure
  test::check_accounted(open);
  const auto closed = test::run(sleeps_task(60s), karga::constant_vus_executor::builder().vus(5).duration(100ms).grace_period(100ms).build());
  CHECK(closed.started() == 5);
  CHECK(closed.interrupted() == 5);
  test::check_accounted(closed);
  CHECK(karga::clock::now() - before < 30s);  // nobody waited for the 60 s tasks
}
