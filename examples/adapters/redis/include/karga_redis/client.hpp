#pragma once
/// @file karga_redis/client.hpp
/// A Redis client for actions: made once with its options, copied by each shard,
/// whose copy opens its own pool of pipelined connections at its first command (on
/// that shard's event loop, so a command never crosses threads).
#include <karga_redis/connection.hpp>

#include <karga/core/error.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace karga_redis {

/// Where the server is and how a shard talks to it.
struct options {
  std::string host = "127.0.0.1";  ///< an IP address or a name (resolved once, when the client is made)
  std::uint16_t port = 6379;       ///< the server's port
  unsigned connections = 1;        ///< connections per shard
  unsigned pipeline = 1;           ///< commands in flight per connection (redis-benchmark's -P)
};

class client {
public:
  /// Checks `o` and resolves the server's address; throws `karga::error` with a
  /// sentence when it cannot.
  explicit client(options o) : opt_(std::move(o)) {
    if (opt_.connections == 0) throw karga::error("a Redis client needs at least 1 connection");
    if (opt_.pipeline == 0) throw karga::error("a pipeline holds at least 1 command");
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    boost::system::error_code ec;
    const auto found = resolver.resolve(opt_.host, std::to_string(opt_.port), ec);
    if (ec || found.empty())
      throw karga::error("cannot resolve the Redis server \"" + opt_.host + "\": " + ec.message());
    server_ = found.begin()->endpoint();
  }
  /// A shard's copy: the same server, no connection yet.
  client(const client& o) : opt_(o.opt_), server_(o.server_) {}
  client& operator=(const client& o) {
    if (this != &o) {
      close();
      opt_ = o.opt_;
      server_ = o.server_;
      pool_.clear();
      room_.reset();
    }
    return *this;
  }
  client(client&&) noexcept = default;
  client& operator=(client&&) noexcept = default;
  ~client() { close(); }

  /// The options, as given.
  const options& settings() const noexcept { return opt_; }
  /// The server's address.
  const boost::asio::ip::tcp::endpoint& server() const noexcept { return server_; }

  /// Sends the command `args` (name first) on a connection of this shard's pool
  /// with room in its pipeline, and completes with its answer. Never fails for what
  /// the server does: a refused connection, a reset or bytes that are not RESP are
  /// the answer's `error`.
  template <class Token>
  auto async_command(std::span<const std::string_view> args, Token&& token) const {
    return boost::asio::async_initiate<Token, void(answer)>(
        [this](auto h, std::span<const std::string_view> args) {
          if (pool_.empty()) open(boost::asio::get_associated_executor(h));
          pick().async_command(args, std::move(h));
        },
        token, args);
  }
  /// `co_await client.command(args)`, `args` an array of string views (name first).
  boost::asio::awaitable<answer> command(std::span<const std::string_view> args) const {
    return async_command(args, boost::asio::use_awaitable);
  }

private:
  // The pool, on the executor of the shard that makes the first command.
  void open(const boost::asio::any_io_executor& ex) const {
    room_ = std::make_shared<std::vector<unsigned>>();
    for (unsigned i = 0; i < opt_.connections; ++i) {
      pool_.push_back(std::make_shared<connection>(ex, server_, opt_.pipeline));
      pool_.back()->on_room([room = room_, i] { room->push_back(i); });
      room_->insert(room_->end(), opt_.pipeline, i);
    }
  }

  // A connection with room in its pipeline: the one a reply last freed a place on
  // (in a closed loop, where the next command goes), else the least busy.
  connection& pick() const {
    while (!room_->empty()) {
      connection& c = *pool_[room_->back()];
      room_->pop_back();
      if (c.busy() < opt_.pipeline) return c;
    }
    return **std::min_element(pool_.begin(), pool_.end(), [](const auto& a, const auto& b) { return a->busy() < b->busy(); });
  }

  void close() {
    for (auto& c : pool_) c->close();
  }

  options opt_;
  boost::asio::ip::tcp::endpoint server_;
  mutable std::vector<std::shared_ptr<connection>> pool_;  // this copy's, made on its shard at the first command
  mutable std::shared_ptr<std::vector<unsigned>> room_;    // places freed in the pool's pipelines, newest last
};

} // namespace karga_redis
