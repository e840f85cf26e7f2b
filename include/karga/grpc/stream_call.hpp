#pragma once
/// @file grpc/stream_call.hpp
/// A client or bidi streaming call written and read as it goes, from `channel::open`:
/// `write` each message when the action chooses (at a person's pace, say), `read`
/// the answers one at a time, `finish` for the status (docs/grpc.md shows one).
///
/// The call runs beside the action that opened it, on the same executor: its answer's
/// messages are timed as they arrive, whether or not the action reads them then, so
/// the gaps between them are the server's, not the reader's.

#include <karga/core/error.hpp>
#include <karga/grpc/call.hpp>
#include <karga/grpc/detail/answer.hpp>
#include <karga/grpc/framing.hpp>
#include <karga/grpc/gzip.hpp>
#include <karga/http/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace karga::grpc {

/// A streaming call in progress (see the file's comment). Moving it moves the call;
/// destroying it before `finish` cancels the call (RST_STREAM CANCEL).
class stream_call {
public:
  /// At most this many bytes written wait to go out before `write` waits for room
  /// (the server's flow control, or a connection not yet open).
  static constexpr std::size_t write_backlog = 64 * 1024;

  /// Takes `other`'s call; `other` has none left.
  stream_call(stream_call&& other) noexcept = default;
  stream_call& operator=(stream_call&&) = delete;
  /// Cancels the call if it has not ended and `finish` was not awaited.
  ~stream_call() {
    if (st_) st_->abandon();
  }

  /// Sends `message` (gzipped with `call_options::compress`). Returns once it is
  /// taken: at once, unless more than `write_backlog` bytes still wait to go out. A
  /// message written after the call ended is not sent (`finish` tells how it ended);
  /// one over `call_options::max_send` ends the call RESOURCE_EXHAUSTED (its stream
  /// cancelled), as gRPC's clients do. Throws `karga::error` after `writes_done`, and
  /// what Asio throws on cancellation.
  boost::asio::awaitable<void> write(std::string_view message) {
    state& st = live("write");
    if (!st.body.open && !st.given_up) karga::detail::throw_error("stream_call::write after writes_done");
    if (st.ended || st.given_up) co_return;
    const std::string packed = st.call.options().compress ? gzip_compress(message) : std::string();
    const std::string_view m = st.call.options().compress ? std::string_view(packed) : message;
    if (m.size() > st.call.options().max_send) {
      st.give_up(status_code::resource_exhausted, "a request message of " + std::to_string(m.size()) +
                                                      " bytes is over the send limit of " +
                                                      std::to_string(st.call.options().max_send));
      co_return;
    }
    // Once the answer's headers came, the stream cannot be sent again: what went out
    // is dropped, so a long stream holds only what waits.
    if (st.s.got_headers && st.s.body_sent == st.body.bytes.size()) {
      st.body.bytes.clear();
      st.s.body_sent = 0;
    }
    append_message(st.body.bytes, m, st.call.options().compress);
    ++st.out.messages_sent;
    st.s.body_written();
    while (!st.ended && st.body.bytes.size() - st.s.body_sent > write_backlog) co_await st.wait();
  }

  /// Sends the protobuf `message`, serialized: `co_await call.write(request)`.
  template <protobuf_message M>
  boost::asio::awaitable<void> write(const M& message) {
    std::string bytes;
    message.SerializeToString(&bytes);
    co_await write(std::string_view(bytes));
  }

  /// Ends the requests (half-close): the server sees the end of the client's stream.
  void writes_done() {
    state& st = live("writes_done");
    if (!st.body.open) return;
    st.body.open = false;
    st.s.body_written();
  }

  /// The next answer message, decompressed; nullopt once the answer has ended (then
  /// `finish` has the status). Throws what Asio throws on cancellation.
  boost::asio::awaitable<std::optional<std::string>> read() {
    state& st = live("read");
    for (;;) {
      if (st.next < st.out.messages.size()) {
        std::optional<std::string> m(std::move(st.out.messages[st.next++]));
        if (st.next == st.out.messages.size()) {  // all read: nothing is held
          st.out.messages.clear();
          st.next = 0;
        }
        co_return m;
      }
      if (st.ended) co_return std::nullopt;
      co_await st.wait();
    }
  }

  /// The next answer message parsed as `M` (`co_await call.read<Reply>()`); nullopt
  /// once the answer has ended. One that does not parse as `M` ends the call INTERNAL
  /// (its stream cancelled) and gives nullopt.
  template <protobuf_message M>
  boost::asio::awaitable<std::optional<M>> read() {
    std::optional<std::string> bytes = co_await read();
    if (!bytes) co_return std::nullopt;
    std::optional<M> m(std::in_place);
    if (!m->ParseFromString(*bytes)) {
      live("read").give_up(status_code::internal, "an answer message does not parse as the type read");
      co_return std::nullopt;
    }
    co_return m;
  }

  /// Half-closes (if not yet), waits for the call's end and returns what it came to;
  /// `messages` holds the answer messages not read. The call is over then. Throws
  /// what Asio throws on cancellation.
  boost::asio::awaitable<call_result> finish() {
    state& st = live("finish");
    writes_done();
    while (!st.ended) co_await st.wait();
    call_result out = std::move(st.out);
    out.messages.erase(out.messages.begin(), out.messages.begin() + static_cast<std::ptrdiff_t>(st.next));
    out.metadata = std::move(st.s.headers);
    detail::settle(out, st.call.kind(), st.call.options(), st.answer, st.s, st.kind, st.why, st.timeout);
    if (st.given_up) {  // the call was given up here, whatever the stream's end says
      out.code = st.given_up->first;
      out.message = std::move(st.given_up->second);
    }
    st_.reset();
    co_return out;
  }

  /// Whether the call has ended (its answer all read in, or it failed, or it was given
  /// up: a message refused, an answer that did not parse); `finish` says how.
  bool ended() const noexcept { return !st_ || st_->ended || st_->given_up; }
  /// Request messages written so far.
  std::uint64_t messages_sent() const noexcept { return st_ ? st_->out.messages_sent : 0; }

private:
  friend class channel;
  using clock = std::chrono::steady_clock;

  // The call, shared by the object the action holds and the exchange running beside it.
  struct state {
    state(const boost::asio::any_io_executor& ex, prepared_call c, clock::duration channel_timeout)
        : call(std::move(c)),
          answer{out, message_reader(call.options().max_receive), true, clock::now()},
          s(ex),
          signal(ex, clock::time_point::max()),
          timeout(channel_timeout) {
      s.keep = true;
      s.streamed = &body;
      s.on_data = &on_data;
      s.on_sent = &on_sent;
      s.hook_arg = this;
      answer.stream = &s;
      answer.arrived = &signal;
    }
    state(const state&) = delete;
    state& operator=(const state&) = delete;

    prepared_call call;
    call_result out;
    detail::answer answer;
    http::h2::body_stream body;
    http::h2::stream s;
    // Wakes a waiting read or write (more than one may wait: a bidi action often reads
    // and writes in two coroutines). It never expires; `cancel` wakes every wait.
    boost::asio::steady_timer signal;
    clock::duration timeout;
    std::size_t next = 0;  // the first of `out.messages` not yet read
    bool ended = false;
    // The call given up here (a message over max_send, an answer not of the type read):
    // its status and why, whatever the stream's end says.
    std::optional<std::pair<status_code, std::string>> given_up;
    http::error_kind kind = http::error_kind::none;
    std::string why;

    static void on_data(void* arg, std::string_view piece) { detail::answer::on_data(&static_cast<state*>(arg)->answer, piece); }
    static void on_sent(void* arg) { static_cast<state*>(arg)->signal.cancel(); }

    // Until something changes; throws on the action's cancellation (and then gives
    // the call up), as Asio's own operations do.
    boost::asio::awaitable<void> wait() {
      co_await signal.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      const auto cs = co_await boost::asio::this_coro::cancellation_state;
      if (cs.cancelled() != boost::asio::cancellation_type::none) {
        abandon();
        throw boost::system::system_error(boost::asio::error::operation_aborted);
      }
    }
    // The action let go before the end: the stream is cancelled (its exchange sees
    // its wait cut short while the stream is open, and resets it).
    void abandon() {
      if (ended) return;
      body.open = false;
      s.body_written();
      s.done.cancel();
    }
    void give_up(status_code code, std::string why) {
      given_up.emplace(code, std::move(why));
      abandon();
    }
    void end(http::error_kind k, std::string w) {
      out.latency = clock::now() - answer.start;
      kind = k;
      why = std::move(w);
      ended = true;
      signal.cancel();
    }
  };

  // Opened by `channel::open`: the exchange starts at once, beside the action.
  stream_call(const http::client& client, const boost::asio::any_io_executor& ex, prepared_call call,
              clock::duration channel_timeout)
      : st_(std::make_shared<state>(ex, std::move(call), channel_timeout)) {
    boost::asio::co_spawn(ex, run(client, st_), [st = st_](std::exception_ptr e) {
      if (e && !st->ended) st->end(http::error_kind::other, "the call's exchange failed");
    });
  }

  static boost::asio::awaitable<void> run(const http::client& client, std::shared_ptr<state> st) {
    auto [kind, why] = co_await client.exchange(st->call.request(), st->s, st->call.options().deadline);
    st->end(kind, std::move(why));
  }

  state& live(const char* what) const {
    if (!st_) karga::detail::throw_error(std::string("stream_call::") + what + " after finish (or on a moved-from call)");
    return *st_;
  }

  std::shared_ptr<state> st_;
};

} // namespace karga::grpc
