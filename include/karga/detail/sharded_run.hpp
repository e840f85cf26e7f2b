#pragma once
/// @file detail/sharded_run.hpp
/// Runs n shards of one load test, shard-nothing: each on its own thread and
/// io_context with its own copy of the action and aggregate, merged at the end.
/// Executors supply how to make a shard; this file owns threads and merging.

#include <karga/concepts.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <exception>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

namespace karga::detail {

/// What a shard offers: `run()` to the end on its executor, then its aggregate and
/// the most actions it had in flight.
template <class S>
concept shard = requires(S& s) {
  { s.run() } -> std::same_as<boost::asio::awaitable<void>>;
  s.result();
  { s.peak_in_flight() } -> std::convertible_to<std::uint64_t>;
  { s.not_scheduled() } -> std::convertible_to<std::uint64_t>;
  { s.stopped_at() } -> std::same_as<std::optional<std::chrono::steady_clock::time_point>>;
  s.request_stop();
};

/// The merged aggregate of all shards, the sum of their peaks in flight and of the
/// arrivals they left out because the run was stopped, and the earliest stop.
template <class A>
struct sharded_result {
  A aggregate;
  std::uint64_t peak_in_flight = 0;
  std::uint64_t not_scheduled = 0;
  std::optional<std::chrono::steady_clock::time_point> stopped_at;
};

/// One shard with its own io_context. Member order matters: the shard (and its
/// timers) go first, then the action (whose sockets need their io_context), then
/// the io_context with any coroutine it still holds.
template <class F, class Make>
struct threaded_shard {
  using shard_type = std::invoke_result_t<Make&, boost::asio::any_io_executor, F&, unsigned>;

  threaded_shard(const F& act, Make& make, unsigned index)
      : action(act), shard(make(boost::asio::any_io_executor(context.get_executor()), action, index)) {}

  std::exception_ptr run() noexcept {
    try {
      boost::asio::co_spawn(context, shard.run(), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
      context.run();
      return nullptr;
    } catch (...) {
      return std::current_exception();
    }
  }

  boost::asio::io_context context{1};
  F action;
  shard_type shard;
};

template <class A, class S, class Others>
sharded_result<A> merge_shards(S& first, Others& others) {
  sharded_result<A> out{std::move(first.result())};
  auto add = [&out](auto& s) {
    out.peak_in_flight += s.peak_in_flight();
    out.not_scheduled += s.not_scheduled();
    if (auto t = s.stopped_at(); t && (!out.stopped_at || *t < *out.stopped_at)) out.stopped_at = t;
  };
  add(first);
  for (auto& s : others) {
    out.aggregate.merge(s->shard.result());
    add(s->shard);
  }
  return out;
}

/// Runs `threads` shards, shard i made by `make(executor, action, i)`; the calling
/// thread runs shard 0. Rethrows the first error of any shard.
template <class A, class F, class Make>
sharded_result<A> run_sharded(unsigned threads, const F& act, Make make) {
  std::vector<std::unique_ptr<threaded_shard<F, Make>>> shards;
  for (unsigned i = 0; i < threads; ++i) shards.push_back(std::make_unique<threaded_shard<F, Make>>(act, make, i));
  std::vector<std::exception_ptr> errors(threads);
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&, i] { errors[i] = shards[i]->run(); });
  errors[0] = shards[0]->run();
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  auto first = std::move(shards.front());
  shards.erase(shards.begin());
  return merge_shards<A>(first->shard, shards);
}

/// Same as `run_sharded`, with shard 0 on the calling coroutine's executor.
template <class A, class F, class Make>
boost::asio::awaitable<sharded_result<A>> async_run_sharded(unsigned threads, const F& act, Make make) {
  auto ex = co_await boost::asio::this_coro::executor;
  std::vector<std::unique_ptr<threaded_shard<F, Make>>> others;
  for (unsigned i = 1; i < threads; ++i) others.push_back(std::make_unique<threaded_shard<F, Make>>(act, make, i));

  // The other shards tell this coroutine they are done through a timer that lives
  // as long as the last of them needs it.
  struct rendezvous {
    rendezvous(boost::asio::any_io_executor e, unsigned n) : timer(std::move(e)), remaining(n) {}
    boost::asio::steady_timer timer;
    std::atomic<unsigned> remaining;
  };
  auto meeting = std::make_shared<rendezvous>(ex, threads - 1);
  std::vector<std::exception_ptr> errors(threads);
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i)
    pool.emplace_back([&, i, meeting] {
      errors[i] = others[i - 1]->run();
      if (--meeting->remaining == 0)
        boost::asio::post(meeting->timer.get_executor(), [meeting] { meeting->timer.cancel(); });
    });

  F own = act;
  auto first = make(ex, own, 0u);
  try {
    co_await first.run();
  } catch (...) {
    errors[0] = std::current_exception();
  }
  while (meeting->remaining.load() != 0) {
    meeting->timer.expires_at(std::chrono::steady_clock::time_point::max());
    co_await meeting->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  co_return merge_shards<A>(first, others);
}

} // namespace karga::detail
