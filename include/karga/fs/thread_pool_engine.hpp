#pragma once
/// @file fs/thread_pool_engine.hpp
/// Blocking file calls on a pool of threads, each completing on the executor of the
/// action that asked: fio's `psync` with `numjobs` threads, under karga's load models.

#include <karga/fs/io_request.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace karga::fs {

/// A pool of `threads` threads making blocking calls. A call that finds every thread
/// busy waits in the pool's queue; its latency, measured from the action's start,
/// includes that wait.
class thread_pool_engine {
public:
  /// `threads` threads (at least 1).
  explicit thread_pool_engine(unsigned threads) : pool_(threads == 0 ? 1 : threads) {}
  thread_pool_engine(const thread_pool_engine&) = delete;
  thread_pool_engine& operator=(const thread_pool_engine&) = delete;
  /// Waits for the calls under way.
  ~thread_pool_engine() { pool_.join(); }

  /// Makes `r`'s call on a thread of the pool; completes, with what the call returned
  /// (≥ 0) or -errno, on the caller's executor.
  template <class Token = boost::asio::use_awaitable_t<>>
  auto submit(io_request r, Token&& token = {}) {
    return boost::asio::async_initiate<Token, void(long)>(
        [this](auto handler, io_request req) {
          // The caller's executor has work until the answer is posted back to it.
          auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
          boost::asio::post(pool_, [req, h = std::move(handler), work = std::move(work)]() mutable {
            const long result = perform_blocking(req);
            auto ex = work.get_executor();
            boost::asio::post(ex, [h = std::move(h), result]() mutable { std::move(h)(result); });
            work.reset();
          });
        },
        token, r);
  }

private:
  boost::asio::thread_pool pool_;
};

} // namespace karga::fs
