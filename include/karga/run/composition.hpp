#pragma once
/// @file run/composition.hpp
/// Several scenarios in one run: together (each from its own start offset) or one
/// after another. Each keeps its own aggregate; a combined `basic_aggregate` sums
/// them all. One Ctrl-C stops every scenario, running or still to come, and each
/// returns what it measured.
///
/// ```cpp
/// auto r = karga::run_together(browse, karga::after(30s, checkout));
/// auto& [browsing, buying] = r.each;              // each scenario's own aggregate
/// karga::stdout_reporter{}.report(karga::basic_report{r.combined});
/// ```

#include <karga/core/run_info.hpp>
#include <karga/core/run_options.hpp>
#include <karga/measure/basic_aggregate.hpp>
#include <karga/measure/detail/basic_of.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <concepts>
#include <csignal>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace karga {

/// A scenario that starts `offset` after the composed run does (together), or after
/// the one before it has ended (in sequence).
template <class S>
struct delayed {
  std::chrono::duration<double> offset;  ///< from the composed run's start (together) or the previous end (in sequence)
  S scenario;  ///< the scenario
};

/// `s`, started `offset` later.
template <class S>
delayed<S> after(std::chrono::duration<double> offset, S s) {
  return {offset, std::move(s)};
}

/// What a composed run returns: each scenario's aggregate, in the order given, and
/// their basic figures combined, with a `run_info` for the whole run.
template <class... A>
struct composed_results {
  std::tuple<A...> each;  ///< each scenario's aggregate, in the order given
  basic_aggregate combined;  ///< their basic figures added up, with a run_info for the whole
};

namespace detail {

template <class S>
struct composed_item {
  static const S& scenario(const S& s) noexcept { return s; }
  static std::chrono::duration<double> offset(const S&) noexcept { return {}; }
};
template <class S>
struct composed_item<delayed<S>> {
  static const S& scenario(const delayed<S>& d) noexcept { return d.scenario; }
  static std::chrono::duration<double> offset(const delayed<S>& d) noexcept { return d.offset; }
};
template <class I>
using composed_aggregate_t = decltype(composed_item<I>::scenario(std::declval<const I&>()).run(run_options{}));

// Whether a scenario's executor asks that SIGINT and SIGTERM stop it (one that does
// not say: yes).
template <class S>
bool listens_to_signals(const S& s) {
  if constexpr (requires { { s.executor().stop_on_signals() } -> std::convertible_to<bool>; })
    return s.executor().stop_on_signals();
  else
    return true;
}

// The run-wide part of a composition: one control every scenario shares, one
// listener for SIGINT and SIGTERM that passes each signal on through it (unless no
// scenario listens: then signals are left alone), and waits for start offsets that a
// stop cuts short.
class composer {
public:
  explicit composer(bool listen) : control_(std::make_shared<run_control>()) {
    if (listen) {
      signals_.emplace(io_, SIGINT, SIGTERM);
      wait_signal();
    }
    control_->subscribe(io_.get_executor(), [this](stop_reason, int) {
      std::lock_guard lock(mutex_);
      stopped_ = true;
      woken_.notify_all();
    });
    thread_ = std::thread([this] { io_.run(); });
  }
  composer(const composer&) = delete;
  composer& operator=(const composer&) = delete;
  ~composer() {
    boost::asio::post(io_, [this] {
      boost::system::error_code ignored;
      if (signals_) signals_->cancel(ignored);
      work_.reset();
    });
    thread_.join();
  }

  const clock::time_point start = clock::now();
  const std::chrono::system_clock::time_point wall_start = std::chrono::system_clock::now();

  /// Sleeps until `t`, or less if the run is stopped meanwhile.
  void wait_until(clock::time_point t) {
    std::unique_lock lock(mutex_);
    woken_.wait_until(lock, t, [this] { return stopped_; });
  }
  /// The options of a scenario whose schedule counts from `origin` (from now if the
  /// run was stopped before then: the scenario starts nothing, at once).
  run_options options(clock::time_point origin) const {
    run_options opt;
    opt.origin = std::min(origin, clock::now());
    opt.control = control_;
    opt.stop_on_signals = false;
    return opt;
  }
  void stop(stop_reason why) { control_->request_stop(why); }

  template <class... A>
  composed_results<A...> results(std::tuple<std::optional<A>...>&& done, std::string model, clock::duration planned) {
    composed_results<A...> out{std::apply([](auto&&... a) { return std::tuple<A...>(std::move(*a)...); }, std::move(done)),
                               {}};
    run_info info;
    bool all_open = true;
    std::string names;
    std::apply(
        [&](const auto&... a) {
          (
              [&] {
                if (const basic_aggregate* b = basic_of(a)) {
                  out.combined.merge(*b);
                  info.scheduled += b->run().scheduled;
                  info.peak_in_flight += b->run().peak_in_flight;
                  info.threads += b->run().threads;
                  all_open = all_open && b->run().kind == load_kind::open;
                  names += (names.empty() ? "" : ", ") + b->run().scenario;
                }
              }(),
              ...);
        },
        out.each);
    info.scenario = names;
    info.model = std::move(model);
    info.kind = all_open ? load_kind::open : load_kind::closed;
    info.planned = planned;
    info.elapsed = clock::now() - start;
    info.started_at = wall_start;
    info.stop = control_->reason();
    info.signal = control_->signal();
    out.combined.record_run(info);
    return out;
  }

private:
  void wait_signal() {
    signals_->async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      control_->request_stop(stop_reason::signal, signal);
      wait_signal();
    });
  }

  std::shared_ptr<run_control> control_;
  boost::asio::io_context io_{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{io_.get_executor()};
  std::optional<boost::asio::signal_set> signals_;
  std::mutex mutex_;
  std::condition_variable woken_;
  bool stopped_ = false;
  std::thread thread_;
};

// How long an item's load model planned to run, with its offset.
template <class I, class A>
clock::duration planned_of(const I& item, const A& a) {
  const basic_aggregate* b = basic_of(a);
  return std::chrono::duration_cast<clock::duration>(composed_item<I>::offset(item)) + (b ? b->run().planned : clock::duration{});
}

} // namespace detail

/// Runs the scenarios at once, each on threads of its own from its start offset
/// (`karga::after`), and returns when the last has ended. Their schedules are on one
/// timeline: a scenario `after(300ms, ...)` has every intended start exactly 300 ms
/// after the one it would have at offset 0. A Ctrl-C (or an exception
/// from one scenario) stops them all; scenarios not yet started then report a run
/// that was stopped before it began. If every scenario's executor has
/// `stop_on_signals(false)`, signals are left alone. Rethrows the first exception
/// after all ended.
template <class... I>
composed_results<detail::composed_aggregate_t<I>...> run_together(const I&... items) {
  detail::composer c((detail::listens_to_signals(detail::composed_item<I>::scenario(items)) || ...));
  std::tuple<std::optional<detail::composed_aggregate_t<I>>...> done;
  std::array<std::exception_ptr, sizeof...(I)> failures;
  std::array<std::thread, sizeof...(I)> threads;
  [&]<std::size_t... N>(std::index_sequence<N...>) {
    ((threads[N] = std::thread([&] {
      try {
        const auto& item = std::get<N>(std::tie(items...));
        // Every schedule on one timeline: this one counts from the run's start plus its offset.
        const clock::time_point origin = c.start + std::chrono::duration_cast<clock::duration>(detail::composed_item<I>::offset(item));
        c.wait_until(origin);
        std::get<N>(done).emplace(detail::composed_item<I>::scenario(item).run(c.options(origin)));
      } catch (...) {
        failures[N] = std::current_exception();
        c.stop(stop_reason::error);
      }
    })),
     ...);
  }(std::index_sequence_for<I...>{});
  for (auto& t : threads) t.join();
  for (auto& f : failures)
    if (f) std::rethrow_exception(f);
  clock::duration planned{};
  [&]<std::size_t... N>(std::index_sequence<N...>) {
    ((planned = std::max(planned, detail::planned_of(items, *std::get<N>(done)))), ...);
  }(std::index_sequence_for<I...>{});
  return c.results(std::move(done), "together", planned);
}

/// Runs the scenarios one after another on the calling thread (each after its
/// offset, `karga::after`, counted from the end of the one before). A Ctrl-C stops
/// the running scenario and every later one, which then report a run stopped before
/// it began (if every scenario's executor has `stop_on_signals(false)`, signals are
/// left alone). An exception from a scenario ends the sequence and is rethrown.
template <class... I>
composed_results<detail::composed_aggregate_t<I>...> run_in_sequence(const I&... items) {
  detail::composer c((detail::listens_to_signals(detail::composed_item<I>::scenario(items)) || ...));
  std::tuple<std::optional<detail::composed_aggregate_t<I>>...> done;
  [&]<std::size_t... N>(std::index_sequence<N...>) {
    clock::time_point origin;
    ((origin = clock::now() + std::chrono::duration_cast<clock::duration>(detail::composed_item<I>::offset(items)),
      c.wait_until(origin), std::get<N>(done).emplace(detail::composed_item<I>::scenario(items).run(c.options(origin)))),
     ...);
  }(std::index_sequence_for<I...>{});
  clock::duration planned{};
  [&]<std::size_t... N>(std::index_sequence<N...>) {
    ((planned += detail::planned_of(items, *std::get<N>(done))), ...);
  }(std::index_sequence_for<I...>{});
  return c.results(std::move(done), "in sequence", planned);
}

} // namespace karga
