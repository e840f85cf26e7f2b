#pragma once
/// @file core/run_control.hpp
/// A stop button for runs that any thread may press, as Ctrl-C does.

#include <karga/core/run_info.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace karga {

/// Stops runs from any thread, like Ctrl-C does: no new action starts, actions in
/// flight get the grace period. Share one between runs to stop them together.
/// Each request counts as a Ctrl-C would: the first ends the plan, the next ends
/// the grace period, the next abandons actions that ignore cancellation.
class run_control {
public:
  /// Asks every run sharing this control to stop. Thread-safe; the first reason (and
  /// signal number, for `stop_reason::signal`) wins.
  void request_stop(stop_reason why = stop_reason::requested, int signal = 0) {
    std::vector<listener> to_tell;
    {
      std::lock_guard lock(mutex_);
      if (reason_ == stop_reason::none) {
        reason_ = why;
        signal_ = signal;
      }
      to_tell = listeners_;
    }
    for (auto& l : to_tell) boost::asio::post(l.executor, [f = l.on_stop, why, signal] { f(why, signal); });
  }

  /// Whether a stop was asked for.
  bool stop_requested() const {
    std::lock_guard lock(mutex_);
    return reason_ != stop_reason::none;
  }
  /// The first stop's reason (`none` without one) and its signal number (0 if none).
  stop_reason reason() const {
    std::lock_guard lock(mutex_);
    return reason_;
  }
  /// The first stop's signal number (0 if none).
  int signal() const {
    std::lock_guard lock(mutex_);
    return signal_;
  }

  /// For executors: `on_stop(why, signal)` runs on `ex` at each stop request (at
  /// once if one was already made). Returns a key for `unsubscribe`.
  std::size_t subscribe(boost::asio::any_io_executor ex, std::function<void(stop_reason, int)> on_stop) {
    std::lock_guard lock(mutex_);
    const std::size_t key = next_key_++;
    listeners_.push_back({key, ex, on_stop});
    if (reason_ != stop_reason::none)
      boost::asio::post(ex, [f = std::move(on_stop), why = reason_, sig = signal_] { f(why, sig); });
    return key;
  }
  /// Stops telling the listener `key`.
  void unsubscribe(std::size_t key) {
    std::lock_guard lock(mutex_);
    std::erase_if(listeners_, [key](const listener& l) { return l.key == key; });
  }

private:
  struct listener {
    std::size_t key;
    boost::asio::any_io_executor executor;
    std::function<void(stop_reason, int)> on_stop;
  };
  mutable std::mutex mutex_;
  stop_reason reason_ = stop_reason::none;
  int signal_ = 0;
  std::size_t next_key_ = 0;
  std::vector<listener> listeners_;
};

} // namespace karga
