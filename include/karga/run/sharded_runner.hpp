#pragma once
/// @file run/sharded_runner.hpp
/// Runs a load model on n shards, shared-nothing: shard i on its own thread and
/// `io_context` (or, in `async_run`, shard 0 on the caller's executor), each with its
/// own copy of the action and of the aggregate; when all are over, merges the
/// aggregates, tells the result how the run went (`record_run`) and returns it.
/// karga's executors are built on it; so can yours:
///
/// ```cpp
/// struct run_n_times {
///   std::uint64_t n;
///   template <karga::action F, karga::aggregate_for<karga::metric_of_t<F>> A>
///   A run(const F& action, A initial, const karga::run_options& opt = {}) const {
///     const karga::load_plan plan{fmt::format("{} times", n), karga::load_kind::closed};
///     return karga::sharded_runner{}.run(action, std::move(initial), plan, opt,
///         [n = n](karga::shard<F, A>& s) -> boost::asio::awaitable<void> {
///           for (std::uint64_t i = s.index(); i < n && !s.stopping(); i += s.count())
///             co_await karga::run_action(s);
///         });
///   }
/// };
/// ```

#include <karga/core/concepts.hpp>
#include <karga/core/error.hpp>
#include <karga/core/hooks.hpp>
#include <karga/core/run_info.hpp>
#include <karga/core/run_options.hpp>
#include <karga/run/load_plan.hpp>
#include <karga/run/shard.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/version.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

// Asio 1.26's io_uring backend loses completions unless karga/run/asio_io_uring.hpp
// came first (it says why).
#if defined(BOOST_ASIO_HAS_IO_URING) && BOOST_ASIO_VERSION <= 102600 && !defined(KARGA_ASIO_IO_URING_SQE_CLEARED)
#error "karga: on Asio 1.26's io_uring backend, compile every file with -include karga/run/asio_io_uring.hpp (docs/io_uring.md)"
#endif

namespace karga {

/// Runs bodies on shards and merges what they measured. Cheap to copy.
class sharded_runner {
public:
  /// `threads` shards (at least 1), ending as `settings` say.
  explicit sharded_runner(unsigned threads = 1, shard_settings settings = {}) : threads_(threads), settings_(settings) {
    if (threads_ == 0) detail::throw_error("threads must be at least 1, got 0");
  }

  /// Shards, each with a thread and an io_context.
  unsigned threads() const noexcept { return threads_; }
  /// How its shards end a run.
  const shard_settings& settings() const noexcept { return settings_; }

  /// Runs `body(shard)` on every shard — a callable taking `karga::shard<F, A>&` and
  /// returning `boost::asio::awaitable<void>` — and returns the merged aggregate.
  /// Blocks; the calling thread runs shard 0. Rethrows the first exception a shard
  /// let out (after stopping the others).
  template <action F, aggregate_for<metric_of_t<F>> A, class Body>
  A run(const F& act, A initial, const load_plan& plan, const run_options& opt, Body body) const {
    const started when = start_of(opt);
    std::this_thread::sleep_until(when.steady);
    auto run_wide = std::make_shared<run_control>();
    auto shared_body = std::make_shared<Body>(std::move(body));
    std::vector<std::unique_ptr<threaded<F, A>>> shards;
    const shard_settings settings = settings_for(settings_, opt);
    for (unsigned i = 0; i < threads_; ++i)
      shards.push_back(std::make_unique<threaded<F, A>>(act, initial, i, threads_, settings, when.steady, run_wide,
                                                        opt.control, opt.name));
    std::vector<shard<F, A>*> states;
    for (auto& s : shards) states.push_back(s->state.get());
    auto sampler = watch(states, plan, opt, when);
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads_; ++i) pool.emplace_back([&, i] { shards[i]->run(shared_body); });
    shards[0]->run(shared_body);
    for (auto& t : pool) t.join();
    if (sampler) sampler->sampler.finish();
    for (auto& s : shards)
      if (s->failure) std::rethrow_exception(s->failure);
    return finish<A>(states, plan, opt, when);
  }

  /// Same as `run`, with shard 0 on the calling coroutine's executor (through a
  /// strand, so an `io_context` run by several threads is safe) and the others on
  /// threads of their own. Takes its arguments by value: the coroutine outlives the
  /// caller's temporaries.
  template <action F, aggregate_for<metric_of_t<F>> A, class Body>
  boost::asio::awaitable<A> async_run(F act, A initial, load_plan plan, run_options opt, Body body) const {
    return async_run_copy(*this, std::move(act), std::move(initial), std::move(plan), std::move(opt), std::move(body));
  }

private:
  template <class F, class A, class Body>
  static boost::asio::awaitable<A> async_run_copy(sharded_runner self, F act, A initial, load_plan plan,
                                                  run_options opt, Body body) {
    const unsigned threads_ = self.threads_;
    const shard_settings settings_ = settings_for(self.settings_, opt);
    const started when = start_of(opt);
    if (clock::now() < when.steady) {
      boost::asio::steady_timer wait(co_await boost::asio::this_coro::executor, when.steady);
      co_await wait.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    auto run_wide = std::make_shared<run_control>();
    auto shared_body = std::make_shared<Body>(std::move(body));
    auto caller = co_await boost::asio::this_coro::executor;
    std::vector<std::unique_ptr<threaded<F, A>>> others;
    for (unsigned i = 1; i < threads_; ++i)
      others.push_back(std::make_unique<threaded<F, A>>(act, initial, i, threads_, settings_, when.steady, run_wide,
                                                        opt.control, opt.name));

    auto first = std::make_shared<shard<F, A>>(boost::asio::make_strand(caller), act, std::move(initial), 0u, threads_,
                                               when.steady, settings_, run_wide, opt.control, opt.name);
    std::vector<shard<F, A>*> states{first.get()};
    for (auto& s : others) states.push_back(s->state.get());
    auto sampler = self.watch(states, plan, opt, when);

    // The other shards tell this coroutine they are done through a timer that lives
    // as long as the last of them needs it.
    struct rendezvous {
      rendezvous(boost::asio::any_io_executor e, unsigned n) : timer(std::move(e)), remaining(n) {}
      boost::asio::steady_timer timer;
      std::atomic<unsigned> remaining;
    };
    auto meeting = std::make_shared<rendezvous>(caller, threads_ - 1);
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads_; ++i)
      pool.emplace_back([&, i, meeting] {
        others[i - 1]->run(shared_body);
        if (--meeting->remaining == 0)
          boost::asio::post(meeting->timer.get_executor(), [meeting] { meeting->timer.cancel(); });
      });

    std::exception_ptr failure;
    try {
      co_await boost::asio::co_spawn(first->executor(), first->run(shared_body), boost::asio::use_awaitable);
    } catch (...) {
      failure = std::current_exception();
      run_wide->request_stop(stop_reason::error);
    }
    while (meeting->remaining.load() != 0) {
      meeting->timer.expires_at(clock::time_point::max());
      co_await meeting->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    for (auto& t : pool) t.join();
    if (sampler) sampler->sampler.finish();
    for (auto& s : others)
      if (!failure && s->failure) failure = s->failure;
    if (failure) std::rethrow_exception(failure);
    co_return self.finish<A>(states, plan, opt, when);
  }

  static shard_settings settings_for(shard_settings s, const run_options& opt) {
    s.stop_on_signals = s.stop_on_signals && opt.stop_on_signals;
    return s;
  }

  struct started {
    clock::time_point steady;
    std::chrono::system_clock::time_point wall;
  };

  // Live counters for every shard and their sampler, when the run has observers.
  struct live_watch {
    std::vector<std::unique_ptr<live_counters>> counters;
    detail::live_sampler sampler;
  };
  template <class S>
  static std::unique_ptr<live_watch> watch(const std::vector<S*>& shards, const load_plan& plan, const run_options& opt,
                                           const started& when) {
    if (opt.live.observers.empty()) return nullptr;
    using metric = typename S::metric_type;
    std::vector<live_label> labels;
    if constexpr (has_live_labels<metric>)
      for (unsigned i = 0; i < metric::live_label_count; ++i) labels.push_back(metric::describe_live_label(i));
    std::vector<std::unique_ptr<live_counters>> counters;
    std::vector<live_counters*> raw;
    for (S* s : shards) {
      counters.push_back(std::make_unique<live_counters>(static_cast<unsigned>(labels.size())));
      s->attach(counters.back().get());
      raw.push_back(counters.back().get());
    }
    return std::unique_ptr<live_watch>(new live_watch{
        std::move(counters),
        detail::live_sampler(opt.live, raw, when.steady, opt.name, plan.kind, plan.planned, plan.due_by, std::move(labels))});
  }
  // The run's start, from which its schedule counts: `opt.origin` exactly, or
  // `opt.start_at` exactly if it is still to come, else now.
  static started start_of(const run_options& opt) {
    const clock::time_point steady = clock::now();
    const std::chrono::system_clock::time_point wall = std::chrono::system_clock::now();
    std::optional<clock::time_point> origin = opt.origin;
    if (!origin && opt.start_at && *opt.start_at > wall)
      origin = steady + std::chrono::duration_cast<clock::duration>(*opt.start_at - wall);
    if (!origin) return {steady, wall};
    return {*origin, wall + std::chrono::duration_cast<std::chrono::system_clock::duration>(*origin - steady)};
  }

  // A shard with an io_context and thread of its own. The io_context outlives the
  // shard's state unless coroutines were abandoned, which it then destroys.
  template <class F, class A>
  struct threaded {
    threaded(const F& act, const A& initial, unsigned index, unsigned count, const shard_settings& settings,
             clock::time_point start, std::shared_ptr<run_control> run_wide, std::shared_ptr<run_control> user,
             std::string scenario) try
        : state(std::make_shared<shard<F, A>>(context.get_executor(), act, initial, index, count, start, settings,
                                              std::move(run_wide), std::move(user), std::move(scenario))) {
    } catch (const boost::system::system_error& e) {  // Asio's backend did not start
      detail::throw_error("the event loop of shard " + std::to_string(index) + " could not start: " + e.what() +
#if defined(BOOST_ASIO_HAS_IO_URING) && defined(BOOST_ASIO_DISABLE_EPOLL)
                          " (Asio's io_uring backend: io_uring is not allowed here? /proc/sys/kernel/io_uring_disabled,"
                          " a container's seccomp profile)" +
#endif
                          "");
    }

    template <class Body>
    void run(const std::shared_ptr<Body>& body) {
      boost::asio::co_spawn(context, state->run(body), [this](std::exception_ptr e) {
        if (e) failure = e;
        if (state->abandoned()) context.stop();  // what is left ignores cancellation
      });
      try {
        context.run();
      } catch (...) {
        failure = std::current_exception();
      }
    }

    boost::asio::io_context context{1};
    std::shared_ptr<shard<F, A>> state;
    std::exception_ptr failure;
  };

  template <class A, class S>
  A finish(const std::vector<S*>& shards, const load_plan& plan, const run_options& opt, const started& when) const {
    A merged = shards.front()->take_result();
    run_info info;
    info.scenario = opt.name;
    info.model = plan.model;
    info.kind = plan.kind;
    info.planned = plan.planned;
    info.threads = threads_;
    info.started_at = when.wall;
    clock::time_point last = when.steady;
    std::optional<clock::time_point> stopped_at;
    std::exception_ptr failure;
    for (std::size_t i = 0; i < shards.size(); ++i) {
      S& s = *shards[i];
      if (i != 0) merged.merge(s.take_result());
      info.scheduled += s.scheduled();
      info.peak_in_flight += s.peak_in_flight();
      last = std::max(last, s.finished_at());
      if (!failure) failure = s.error();
      if (auto t = s.stop_time(); t && (!stopped_at || *t < *stopped_at)) {
        stopped_at = t;
        info.stop = s.why_stopped();
        info.signal = s.stop_signal();
      }
    }
    if (failure) std::rethrow_exception(failure);
    if (stopped_at && info.planned > clock::duration::zero())
      info.planned = std::min(info.planned, *stopped_at - when.steady);
    if (plan.due_by) {
      // Nothing is due after a stop.
      const clock::duration cut = stopped_at ? *stopped_at - when.steady : clock::duration::max();
      info.due_by = [f = plan.due_by, cut](clock::duration d) { return f(std::min(d, cut)); };
    }
    info.elapsed = last - when.steady;
    record_run(merged, info);
    return merged;
  }

  unsigned threads_;
  shard_settings settings_;
};

} // namespace karga
