// karga::task: runs inline until it waits, takes frames from its thread's free list,
// awaits tasks and Asio operations, carries results, errors, exceptions and
// cancellation.
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

task<int> forty_two() { co_return 42; }
task<int> sum_of(int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) s += co_await forty_two();
  co_return s;
}
task<int> nested(int depth) {
  if (depth == 0) co_return 0;  // (not in a ?: : g++ 12 evaluates a co_await in either branch)
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
