#pragma once
/// @file core/task.hpp
/// `karga::task<T>`: a coroutine type lighter than Asio's `awaitable<T>`. Its frame
/// comes from a free list of the thread that runs it (a shard's), it starts when its
/// owner starts it and runs inline until it first suspends, so a task that never
/// waits costs a call and no scheduling; tasks `co_await` tasks by symmetric transfer
/// and Asio's operations through the `karga::use_task` completion token. Every
/// executor takes an action that returns a `karga::task<M>`:
///
/// ```cpp
/// auto pause = []() -> karga::task<karga::basic_metric> {
///   boost::asio::steady_timer timer(co_await karga::task_executor, std::chrono::milliseconds(1));
///   co_await timer.async_wait(karga::use_task);  // an error code throws, as with use_awaitable
///   co_return karga::basic_metric{.success = true};
/// };
/// auto report = karga::scenario<karga::basic_aggregate>::builder()
///                   .action(pause)
///                   .executor(karga::stage_executor::builder().start_rate(100).stage(std::chrono::seconds(1), 100).build())
///                   .build()
///                   .run();
/// ```
///
/// A task cannot `co_await` an Asio `awaitable` (Asio's coroutines run only in
/// their own threads of execution); functions that return one are called from an
/// awaitable action.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

#include <array>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <new>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

namespace karga {

template <class T = void>
class task;

namespace detail {

// Frames are kept per thread in lists by size (64-byte steps up to 2 KiB): an action's
// frame is allocated and freed on its shard's thread, so the lists need no lock, and
// a frame freed by another thread simply joins that thread's list.
class task_frame_pool {
public:
  static constexpr std::size_t step = 64;
  static constexpr std::size_t classes = 32;

  static void* allocate(std::size_t n) {
    const std::size_t c = class_of(n);
    if (c >= classes) return ::operator new(n);
    lists& l = mine();
    if (block* b = l.free[c]) {
      l.free[c] = b->next;
      return b;
    }
    return ::operator new((c + 1) * step);
  }
  static void deallocate(void* p, std::size_t n) noexcept {
    const std::size_t c = class_of(n);
    if (c >= classes) return ::operator delete(p);
    lists& l = mine();
    l.free[c] = new (p) block{l.free[c]};
  }

private:
  struct block {
    block* next;
  };
  struct lists {
    std::array<block*, classes> free{};
    lists() = default;
    lists(const lists&) = delete;
    lists& operator=(const lists&) = delete;
    ~lists() {
      for (block* b : free)
        while (b) ::operator delete(std::exchange(b, b->next));
    }
  };
  static std::size_t class_of(std::size_t n) noexcept { return (n + step - 1) / step - 1; }
  static lists& mine() noexcept {
    thread_local lists l;
    return l;
  }
};

// What every task's promise has, whatever it returns: who resumes when it ends (a
// task awaiting it, or an Asio handler through `done`), and the cancellation slot
// its Asio operations attach to (the one its owner gave, passed down to sub-tasks).
struct task_promise_base {
  std::coroutine_handle<> continuation;
  // When an Asio operation waits for it (task::async_wait): `done` hands the result
  // on; `drop` destroys that operation's handler unrun, at the event loop's shutdown.
  void (*done)(void*) = nullptr;
  void (*drop)(void*) = nullptr;
  void* done_arg = nullptr;
  task_promise_base* root = this;  // the outermost task, which its owner waits for
  boost::asio::cancellation_slot slot;
  const boost::asio::any_io_executor* executor = nullptr;  // the owner's (a shard's), for co_await task_executor
  std::exception_ptr thrown;

  // The operation a task waits on was destroyed unrun: the event loop is shutting
  // down, and what waits for the task is destroyed with it (the owner's handler
  // holds the owner, the owner holds the task), as Asio's own waits are.
  void abandoned() noexcept {
    if (root->drop == nullptr) return;
    void (*d)(void*) = std::exchange(root->drop, nullptr);
    root->done = nullptr;
    d(std::exchange(root->done_arg, nullptr));
  }

  static void* operator new(std::size_t n) { return task_frame_pool::allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept { task_frame_pool::deallocate(p, n); }

  std::suspend_always initial_suspend() const noexcept { return {}; }
  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      task_promise_base& p = h.promise();
      if (p.continuation) return p.continuation;  // the awaiting task goes on at once
      p.drop = nullptr;
      if (p.done) p.done(p.done_arg);
      return std::noop_coroutine();  // back to whoever resumed it
    }
    void await_resume() const noexcept {}
  };
  final_awaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { thrown = std::current_exception(); }
};

template <class T>
struct task_promise : task_promise_base {
  std::optional<T> value;
  task<T> get_return_object() noexcept;
  template <class U>
    requires std::is_convertible_v<U&&, T>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  T take() {
    if (thrown) std::rethrow_exception(thrown);
    return std::move(*value);
  }
};

template <>
struct task_promise<void> : task_promise_base {
  task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() const {
    if (thrown) std::rethrow_exception(thrown);
  }
};

} // namespace detail

/// A coroutine that computes a `T`: see the file's comment. Move-only; destroying it
/// destroys its frame, so it must outlive its run (an owner keeps it while it waits).
template <class T>
class task {
public:
  using promise_type = detail::task_promise<T>;  ///< what the compiler makes its frames with
  using value_type = T;                           ///< what it computes

  /// Takes `o`'s frame; `o` is left empty.
  task(task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  /// Destroys its own frame, takes `o`'s.
  task& operator=(task&& o) noexcept {
    if (this != &o) {
      if (h_) h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  task(const task&) = delete;
  task& operator=(const task&) = delete;
  ~task() {
    if (h_) h_.destroy();
  }

  /// Runs it until it ends or first suspends; its Asio operations attach to `slot`
  /// (the owner's cancellation, e.g. a worker's), and `co_await karga::task_executor`
  /// in it gives `*executor` (which must outlive it). Returns `done()`.
  bool start(boost::asio::cancellation_slot slot = {}, const boost::asio::any_io_executor* executor = nullptr) {
    h_.promise().slot = slot;
    h_.promise().executor = executor;
    h_.resume();
    return h_.done();
  }
  /// Whether it has ended (its result or exception is ready).
  bool done() const noexcept { return h_.done(); }
  /// Its result, or what it threw, once `done()`. Once only.
  T result() { return h_.promise().take(); }

  /// Completes (signature `void()`) when the started task ends; its handler runs
  /// through its associated executor, never inside the task's last step. The task's
  /// result is then read with `result()`. It holds no work of the event loop: what the
  /// task waits on does (Asio's operations do; anything else needs its own guard).
  template <class Token>
  auto async_wait(Token&& token) {
    return boost::asio::async_initiate<Token, void()>(
        [this](auto handler) {
          using handler_type = decltype(handler);
          // No work guard: what the task waits on (an Asio operation) keeps the loop going.
          struct waiter {
            handler_type handler;
            static void drop(void* self) { delete static_cast<waiter*>(self); }
            static void resume(void* self) {
              auto* w = static_cast<waiter*>(self);
              auto ex = boost::asio::get_associated_executor(w->handler);
              boost::asio::post(ex, [w] {
                handler_type h = std::move(w->handler);
                delete w;
                std::move(h)();
              });
            }
          };
          if (h_.done()) {
            boost::asio::post(boost::asio::get_associated_executor(handler), std::move(handler));
            return;
          }
          auto* w = new waiter{std::move(handler)};
          h_.promise().done = &waiter::resume;
          h_.promise().drop = &waiter::drop;
          h_.promise().done_arg = w;
        },
        token);
  }

  /// In another task: `co_await` runs this one there and then (symmetric transfer),
  /// with the awaiting task's cancellation.
  auto operator co_await() && noexcept { return awaiter{h_}; }

private:
  struct awaiter {
    std::coroutine_handle<promise_type> h;
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> parent) noexcept {
      h.promise().continuation = parent;
      h.promise().slot = parent.promise().slot;
      h.promise().root = parent.promise().root;
      h.promise().executor = parent.promise().executor;
      return h;
    }
    T await_resume() { return h.promise().take(); }
  };
  friend promise_type;
  explicit task(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

namespace detail {
template <class T>
task<T> task_promise<T>::get_return_object() noexcept {
  return task<T>(std::coroutine_handle<task_promise<T>>::from_promise(*this));
}
inline task<void> task_promise<void>::get_return_object() noexcept {
  return task<void>(std::coroutine_handle<task_promise<void>>::from_promise(*this));
}
} // namespace detail

/// `co_await karga::task_executor` in a task gives the executor its owner started it
/// with (in an action: its shard's), to make timers and sockets on; like Asio's
/// `this_coro::executor`. Throws `std::logic_error` if it was started without one.
struct task_executor_t {
  /// Reads the executor from the awaiting task's frame, without suspending it.
  struct awaiter {
    const boost::asio::any_io_executor* executor = nullptr;  ///< what the task was started with
    /// Always goes to `await_suspend`, where the task's frame is at hand.
    bool await_ready() const noexcept { return false; }
    /// Takes the task's executor; the task goes on at once.
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) noexcept {
      executor = h.promise().executor;
      return false;
    }
    /// The executor.
    boost::asio::any_io_executor await_resume() const {
      if (executor == nullptr) throw std::logic_error("karga::task_executor: the task was started without an executor");
      return *executor;
    }
  };
  /// See `task_executor_t`.
  awaiter operator co_await() const noexcept { return {}; }
};
/// See `task_executor_t`.
inline constexpr task_executor_t task_executor{};

/// The completion token that makes an Asio operation awaitable in a `karga::task`:
/// `co_await timer.async_wait(karga::use_task)`. As with `use_awaitable`, an error
/// code first in the completion throws `boost::system::system_error`, and the rest
/// is the result (nothing, one value, or a tuple); with
/// `boost::asio::as_tuple(karga::use_task)` nothing throws. The operation attaches
/// to the task's cancellation slot.
struct use_task_t {};
/// See `use_task_t`.
inline constexpr use_task_t use_task{};

namespace detail {

template <class... Args>
struct use_task_result {
  using type = std::tuple<Args...>;
  static type make(std::tuple<Args...>&& t) { return std::move(t); }
};
template <>
struct use_task_result<> {
  using type = void;
};
template <class A>
struct use_task_result<A> {
  using type = A;
  static A make(std::tuple<A>&& t) { return std::move(std::get<0>(t)); }
};

template <class... Args>
struct use_task_values {
  using result = use_task_result<Args...>;
  static auto take(std::tuple<Args...>&& t) {
    if constexpr (sizeof...(Args) != 0) return result::make(std::move(t));
  }
};
template <class... Args>
struct use_task_values<boost::system::error_code, Args...> {
  using result = use_task_result<Args...>;
  static auto take(std::tuple<boost::system::error_code, Args...>&& t) {
    if (const auto ec = std::get<0>(t)) throw boost::system::system_error(ec);
    if constexpr (sizeof...(Args) != 0)
      return std::apply([](const boost::system::error_code&, Args&&... rest) { return result::make({std::move(rest)...}); },
                        std::move(t));
  }
};

// The awaiter an operation started with use_task returns: it starts the operation
// when the task suspends, and its handler resumes the task with the results.
template <class Initiation, class InitArgs, class... Args>
class use_task_awaiter {
public:
  use_task_awaiter(Initiation init, InitArgs args) : init_(std::move(init)), args_(std::move(args)) {}

  class handler {
  public:
    handler(use_task_awaiter* self, std::coroutine_handle<> task, task_promise_base* promise) noexcept
        : self_(self), task_(task), promise_(promise) {}
    handler(handler&& o) noexcept
        : self_(o.self_), task_(o.task_), promise_(std::exchange(o.promise_, nullptr)) {}
    handler& operator=(handler&&) = delete;
    ~handler() {
      if (promise_) promise_->abandoned();  // destroyed unrun
    }

    using cancellation_slot_type = boost::asio::cancellation_slot;
    cancellation_slot_type get_cancellation_slot() const noexcept {
      return promise_ ? promise_->slot : cancellation_slot_type{};
    }
    void operator()(Args... args) {
      promise_ = nullptr;
      self_->values_.emplace(std::move(args)...);
      task_.resume();
    }

  private:
    use_task_awaiter* self_;
    std::coroutine_handle<> task_;
    task_promise_base* promise_;
  };

  bool await_ready() const noexcept { return false; }
  template <class P>
  void await_suspend(std::coroutine_handle<P> h) {
    std::apply([&](auto&&... a) { std::move(init_)(handler(this, h, &h.promise()), std::move(a)...); },
               std::move(args_));
  }
  auto await_resume() { return use_task_values<std::decay_t<Args>...>::take(std::move(*values_)); }

private:
  Initiation init_;
  InitArgs args_;
  std::optional<std::tuple<std::decay_t<Args>...>> values_;
};

} // namespace detail
} // namespace karga

/// @cond
// use_task's completion: an awaiter that starts the operation when a task awaits it.
template <class... Args>
struct boost::asio::async_result<karga::use_task_t, void(Args...)> {
  template <class Initiation, class... InitArgs>
  static auto initiate(Initiation&& init, karga::use_task_t, InitArgs&&... args) {
    return karga::detail::use_task_awaiter<std::decay_t<Initiation>, std::tuple<std::decay_t<InitArgs>...>, Args...>(
        std::forward<Initiation>(init), std::tuple<std::decay_t<InitArgs>...>(std::forward<InitArgs>(args)...));
  }
};
/// @endcond
