#pragma once
/// @file karga_redis/connection.hpp
/// One connection to Redis, pipelined: commands are written as they come, up to
/// `depth` waiting for their replies; more wait their turn in the connection. Replies
/// come back in order, so each completes the oldest command. Single-threaded: a
/// connection belongs to one shard's event loop.
#include <karga_redis/resp.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace karga_redis {

/// What became of a command.
enum class failure : std::uint8_t {
  none,        ///< a reply came (it may be a Redis error reply)
  connect,     ///< the connection could not be made
  closed,      ///< the server closed or reset the connection before the reply
  protocol,    ///< the server's bytes were not RESP
  cancelled,   ///< the run cancelled it (its end, after the grace period)
};
/// The failure's name in reports.
inline const char* to_string(failure f) noexcept {
  switch (f) {
    case failure::none: return "none";
    case failure::connect: return "connect";
    case failure::closed: return "closed";
    case failure::protocol: return "protocol";
    case failure::cancelled: return "cancelled";
  }
  return "?";
}

/// A command's answer: the reply, or why there is none (with the system's words).
struct answer {
  failure error = failure::none;
  reply value;
  std::string message;  ///< what went wrong, when something did
};

class connection : public std::enable_shared_from_this<connection> {
public:
  using handler = boost::asio::any_completion_handler<void(answer)>;

  connection(boost::asio::any_io_executor ex, boost::asio::ip::tcp::endpoint server, unsigned depth)
      : socket_(ex), server_(server), depth_(depth == 0 ? 1 : depth) {}

  /// Commands written or waiting (the pool sends to the least busy connection).
  std::size_t busy() const noexcept { return sent_.size() + waiting_.size(); }

  /// Sends the command `args` (name first) and completes with its answer. The
  /// arguments are encoded before this returns: they need not outlive the call. A
  /// cancelled command completes at once as `cancelled`; its reply, if it was sent,
  /// is read and dropped.
  template <class Token>
  auto async_command(std::span<const std::string_view> args, Token&& token) {
    return boost::asio::async_initiate<Token, void(answer)>(
        [this](auto h, std::span<const std::string_view> args) {
          const std::uint64_t id = ++commands_;
          handler done(std::move(h));
          // The slot is the type-erased handler's: in Boost 1.81, erasing a handler
          // takes over its slot, so a handler assigned to it before never fires.
          auto slot = boost::asio::get_associated_cancellation_slot(done);
          const bool cancellable = slot.is_connected();
          if (cancellable)
            slot.assign([weak = weak_from_this(), id](boost::asio::cancellation_type) {
              if (auto self = weak.lock()) self->cancel(id);
            });
          if (state_ == state::open && waiting_.empty() && sent_.size() < depth_) {
            encode(out_, args);  // straight into the write buffer: no copy of its own
            sent_.push_back({id, cancellable, std::move(done)});
          } else {
            pending p{{id, cancellable, std::move(done)}, {}};
            encode(p.command, args);
            waiting_.push_back(std::move(p));
          }
          pump();
        },
        token, args);
  }

  /// Calls `f` each time a reply frees a place in the pipeline (the pool's hint).
  void on_room(std::function<void()> f) { on_room_ = std::move(f); }

  /// Closes the socket: what is in flight completes as `closed`.
  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

private:
  enum class state : std::uint8_t { idle, connecting, open };
  struct entry {
    std::uint64_t id;
    bool cancellable;  // a handler of the slot to clear when it completes
    handler done;  // empty once cancelled: the reply is dropped
  };
  struct pending : entry {
    std::string command;
  };

  // Moves waiting commands into the write buffer while the depth allows, and starts
  // what the connection needs next: connecting, writing, reading. An idle connection
  // keeps no read pending, so it holds no work of the shard's event loop (which ends
  // when its actions have); a server's close is then found by the next command.
  void pump() {
    if (state_ == state::idle) {
      if (waiting_.empty()) return;
      state_ = state::connecting;
      boost::asio::co_spawn(socket_.get_executor(), connect(shared_from_this()), boost::asio::detached);
      return;
    }
    if (state_ != state::open) return;
    while (!waiting_.empty() && sent_.size() < depth_) {
      if (waiting_.front().done) {  // else cancelled while it waited
        out_ += waiting_.front().command;
        sent_.push_back(std::move(static_cast<entry&>(waiting_.front())));
      }
      waiting_.pop_front();
    }
    if (!writing_ && !replying_ && !out_.empty()) {
      writing_ = true;
      boost::asio::co_spawn(socket_.get_executor(), write(shared_from_this()), boost::asio::detached);
    }
    if (!reading_ && !sent_.empty()) {
      reading_ = true;
      boost::asio::co_spawn(socket_.get_executor(), read(shared_from_this()), boost::asio::detached);
    }
  }

  static constexpr auto as_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

  static boost::asio::awaitable<void> connect(std::shared_ptr<connection> self) {
    const std::uint64_t generation = ++self->generation_;
    self->in_.clear();
    auto [ec] = co_await self->socket_.async_connect(self->server_, as_tuple);
    if (self->generation_ != generation) co_return;  // given up meanwhile
    if (ec) {
      self->fail_all(failure::connect, ec.message());
      co_return;
    }
    self->socket_.set_option(boost::asio::ip::tcp::no_delay(true), ec);
    self->state_ = state::open;
    self->pump();
  }

  // Reads while replies are due; each completes the oldest command.
  static boost::asio::awaitable<void> read(std::shared_ptr<connection> self) {
    const std::uint64_t generation = self->generation_;
    while (!self->sent_.empty() && self->generation_ == generation) {
      auto [ec, n] = co_await self->socket_.async_read_some(boost::asio::buffer(self->read_buffer_.get(), read_size), as_tuple);
      if (self->generation_ != generation) break;
      if (ec) {
        self->fail_all(failure::closed, ec == boost::asio::error::eof ? "the server closed the connection" : ec.message());
        break;
      }
      // Replies are parsed where they were read; only a reply cut by the read's end
      // is kept, for the next read to complete.
      std::string_view in(self->read_buffer_.get(), n);
      if (!self->in_.empty()) {
        self->in_.append(in);
        in = self->in_;
      }
      std::size_t parsed = 0;
      // The commands the replies' actions send next go out together, after the
      // batch: one write for what one read brought back.
      self->replying_ = true;
      try {
        for (;;) {
          answer a;
          const auto size = parse(in.substr(parsed), a.value);
          if (!size) break;
          parsed += *size;
          if (self->sent_.empty()) throw protocol_error("a reply to no command");
          entry e = std::move(self->sent_.front());
          self->sent_.pop_front();
          if (self->on_room_) self->on_room_();
          if (e.done) self->complete(std::move(e), std::move(a));
          if (self->generation_ != generation) break;  // the connection failed meanwhile
        }
      } catch (const protocol_error& e) {
        self->replying_ = false;
        self->fail_all(failure::protocol, e.message());
        break;
      }
      self->replying_ = false;
      if (self->generation_ != generation) break;
      self->in_ = std::string(in.substr(parsed));
      self->pump();  // freed slots take waiting commands
    }
    if (self->generation_ == generation) self->reading_ = false;
  }

  static boost::asio::awaitable<void> write(std::shared_ptr<connection> self) {
    const std::uint64_t generation = self->generation_;  // a reconnection is another's to write
    std::string buffer;
    while (!self->out_.empty() && self->state_ == state::open && self->generation_ == generation) {
      buffer.clear();
      std::swap(buffer, self->out_);  // commands that come meanwhile go out in the next write
      auto [ec, n] = co_await boost::asio::async_write(self->socket_, boost::asio::buffer(buffer), as_tuple);
      if (ec) {
        if (self->generation_ == generation) self->fail_all(failure::closed, ec.message());
        break;
      }
    }
    self->writing_ = false;
    self->pump();  // a reconnection may have found the writer busy
  }

  // A reply resumes its action at once; a cancellation later, as Asio's own
  // operations do: never inside the signal's emit, whose caller may be iterating
  // over what the resumed action changes.
  void complete(entry e, answer a, bool later = false) {
    if (e.cancellable) boost::asio::get_associated_cancellation_slot(e.done).clear();
    if (later)
      boost::asio::post(socket_.get_executor(), boost::asio::append(std::move(e.done), std::move(a)));
    else
      boost::asio::dispatch(boost::asio::append(std::move(e.done), std::move(a)));
  }
  static answer failed(failure why, const std::string& message) {
    answer a;
    a.error = why;
    a.message = message;
    return a;
  }

  // Command `id`, cancelled: it completes now; sent, its reply will be dropped.
  // When no command waits for the connection any more, it is closed (the next
  // command connects again): a read pending for replies nobody wants would keep the
  // shard's event loop alive, and a server that never answers never frees it.
  void cancel(std::uint64_t id) {
    auto once = [&](entry& e) {
      complete(std::move(e), failed(failure::cancelled, "cancelled"), true);
      auto live = [](const entry& x) { return static_cast<bool>(x.done); };
      if (std::none_of(sent_.begin(), sent_.end(), live) && std::none_of(waiting_.begin(), waiting_.end(), live))
        fail_all(failure::cancelled, "cancelled");
    };
    for (auto& p : waiting_)
      if (p.id == id) {
        // Left in place, empty, never sent: erasing would move-assign handlers,
        // which Boost 1.81's any_completion_handler gets wrong.
        if (p.done) once(p);
        return;
      }
    for (auto& e : sent_)
      if (e.id == id && e.done) {
        once(e);
        return;
      }
  }

  // Completes every command sent or waiting with `why`; the next command connects again.
  void fail_all(failure why, const std::string& message) {
    close();
    state_ = state::idle;
    reading_ = false;
    ++generation_;  // the read and write of this connection stop
    out_.clear();
    in_.clear();
    std::deque<entry> sent = std::move(sent_);
    std::deque<pending> waiting = std::move(waiting_);
    sent_.clear();
    waiting_.clear();
    for (auto& e : sent)
      if (e.done) complete(std::move(e), failed(why, message));
    for (auto& p : waiting)
      if (p.done) complete(std::move(static_cast<entry&>(p)), failed(why, message));
  }

  boost::asio::ip::tcp::socket socket_;
  boost::asio::ip::tcp::endpoint server_;
  unsigned depth_;
  state state_ = state::idle;
  bool writing_ = false, reading_ = false;
  bool replying_ = false;  // completing the replies of one read: writes wait for its end
  std::uint64_t generation_ = 0;  // connections made and failed: a read or write of an earlier one stops
  std::uint64_t commands_ = 0;    // ids of commands
  std::string out_;               // encoded commands not yet written
  static constexpr std::size_t read_size = 16 * 1024;
  std::unique_ptr<char[]> read_buffer_ = std::make_unique_for_overwrite<char[]>(read_size);
  std::string in_;                // the start of a reply the last read cut
  std::deque<entry> sent_;        // written (or about to be), oldest first: the next reply is the front's
  std::deque<pending> waiting_;   // beyond the depth
  std::function<void()> on_room_;
};

} // namespace karga_redis
