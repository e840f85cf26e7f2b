#pragma once
/// @file detail/stop_signals.hpp
/// SIGINT and SIGTERM as a request to stop a run early: each shard listens on its
/// own executor (asio tells every listener of a signal), stops starting actions and
/// lets the ones in flight finish within the grace period.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <memory>
#include <optional>
#include <utility>

namespace karga::detail {

class stop_signals {
public:
  /// Listens when `enabled`; `on_stop` runs on `ex` at each signal until `close()`.
  template <class OnStop>
  stop_signals(const boost::asio::any_io_executor& ex, bool enabled, OnStop on_stop) {
    if (!enabled) return;
    signals_.emplace(ex, SIGINT, SIGTERM);
    listen(std::move(on_stop));
  }
  stop_signals(const stop_signals&) = delete;
  stop_signals& operator=(const stop_signals&) = delete;
  ~stop_signals() { *alive_ = false; }

  /// Stops listening (the run is over).
  void close() {
    *alive_ = false;
    if (signals_) {
      boost::system::error_code ignored;
      signals_->cancel(ignored);
    }
  }

private:
  template <class OnStop>
  void listen(OnStop on_stop) {
    signals_->async_wait([this, alive = alive_, on_stop = std::move(on_stop)](const boost::system::error_code& ec, int) {
      if (ec || !*alive) return;
      on_stop();
      listen(std::move(on_stop));
    });
  }

  // The handler may run after its shard is gone (cancelled, then run later).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::optional<boost::asio::signal_set> signals_;
};

} // namespace karga::detail
