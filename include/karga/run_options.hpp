#pragma once
/// @file run_options.hpp
/// What a scenario (or a program) tells an executor about one run, besides the
/// action and the aggregate: the scenario's name, a control to stop the run from
/// elsewhere, and observers that watch it live.

#include <karga/live.hpp>
#include <karga/run_info.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace karga {

/// Stops runs from any thread, like Ctrl-C does: no new action starts, actions in
/// flight get the grace period. Share one between runs to stop them together.
class run_control {
public:
  /// Asks every run sharing this control to stop. Thread-safe; the first reason wins.
  void request_stop(stop_reason why = stop_reason::requested) {
    std::vector<listener> to_tell;
    {
      std::lock_guard lock(mutex_);
      if (reason_ == stop_reason::none) reason_ = why;
      to_tell = listeners_;
    }
    for (auto& l : to_tell) boost::asio::post(l.executor, [f = l.on_stop, why] { f(why); });
  }

  /// Whether a stop was asked for.
  bool stop_requested() const {
    std::lock_guard lock(mutex_);
    return reason_ != stop_reason::none;
  }

  /// For executors: `on_stop(why)` runs on `ex` when a stop is asked for (at once if
  /// one already was). Returns a key for `unsubscribe`.
  std::size_t subscribe(boost::asio::any_io_executor ex, std::function<void(stop_reason)> on_stop) {
    std::lock_guard lock(mutex_);
    const std::size_t key = next_key_++;
    listeners_.push_back({key, ex, on_stop});
    if (reason_ != stop_reason::none) boost::asio::post(ex, [f = std::move(on_stop), why = reason_] { f(why); });
    return key;
  }
  void unsubscribe(std::size_t key) {
    std::lock_guard lock(mutex_);
    std::erase_if(listeners_, [key](const listener& l) { return l.key == key; });
  }

private:
  struct listener {
    std::size_t key;
    boost::asio::any_io_executor executor;
    std::function<void(stop_reason)> on_stop;
  };
  mutable std::mutex mutex_;
  stop_reason reason_ = stop_reason::none;
  std::size_t next_key_ = 0;
  std::vector<listener> listeners_;
};

/// Per-run settings an executor takes besides its load model.
struct run_options {
  std::string name;                      ///< the scenario's name, for `run_info::scenario`
  std::shared_ptr<run_control> control;  ///< stops the run from elsewhere (optional)
  live_options live;                     ///< observers of the run while it goes on (none: no sampling)
};

} // namespace karga
