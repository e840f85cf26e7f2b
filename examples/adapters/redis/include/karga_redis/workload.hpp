#pragma once
/// @file karga_redis/workload.hpp
/// A workload in redis-benchmark's words (`-t get`, `-r` keyspace, `-d` value size)
/// that is also karga's action: each call sends one command and returns its metric.
///
/// ```cpp
/// karga_redis::workload get{{.command = "get", .keyspace = 1000}, karga_redis::client{{.port = 6379}}};
/// auto results = karga::scenario<karga_redis::aggregate>::builder()
///                    .action(get)
///                    .executor(karga::constant_vus_executor::builder().vus(50).duration(10s).build())
///                    .build()
///                    .run();
/// ```
#include <karga_redis/client.hpp>
#include <karga_redis/metrics.hpp>

#include <karga/core/context.hpp>
#include <karga/core/error.hpp>
#include <karga/core/timing.hpp>

#include <boost/asio/awaitable.hpp>

#include <array>
#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace karga_redis {

/// A command the workload sends, with where its key and value go.
struct command_kind {
  std::string_view name;       ///< as the command line and the report say it ("get")
  std::string_view verb;       ///< as Redis reads it ("GET")
  std::string_view key_prefix; ///< its key is the prefix and a number ("key:42"); empty: no key
  bool value = false;          ///< whether it carries the value
  bool member = false;         ///< whether it carries a member or field ("element:7")
};

/// What the workload can send (redis-benchmark's tests, the ones with one command).
inline constexpr std::array<command_kind, 10> command_kinds{{
    {"ping", "PING", "", false, false},
    {"set", "SET", "key:", true, false},
    {"get", "GET", "key:", false, false},
    {"incr", "INCR", "counter:", false, false},
    {"lpush", "LPUSH", "mylist:", true, false},
    {"rpush", "RPUSH", "mylist:", true, false},
    {"lpop", "LPOP", "mylist:", false, false},
    {"rpop", "RPOP", "mylist:", false, false},
    {"sadd", "SADD", "myset:", false, true},
    {"hset", "HSET", "myhash:", true, true},
}};

/// The workload's options.
struct workload_options {
  std::string command = "ping";  ///< one of `command_kinds`' names
  std::uint64_t keyspace = 1;    ///< keys key:0 … key:<keyspace-1>, taken in turn
  std::size_t value_size = 3;    ///< bytes of SET's (and the others') value (redis-benchmark's -d)
};

class workload {
public:
  /// Checks `o`; throws `karga::error` for a command it does not know.
  workload(workload_options o, client c) : opt_(std::move(o)), client_(std::move(c)) {
    for (const auto& k : command_kinds)
      if (k.name == opt_.command) kind_ = &k;
    if (!kind_) {
      std::string names;
      for (const auto& k : command_kinds) names += (names.empty() ? "" : ", ") + std::string(k.name);
      throw karga::error("\"" + opt_.command + "\" is not a command this workload sends (" + names + ")");
    }
    if (opt_.keyspace == 0) throw karga::error("the keyspace holds at least 1 key");
    if (opt_.value_size > (std::size_t{512} << 20)) throw karga::error("a value is at most 512 MiB, as Redis takes");
    value_ = std::make_shared<const std::string>(opt_.value_size, 'x');
  }

  /// The command it sends.
  const command_kind& kind() const noexcept { return *kind_; }

  /// Sends one command; its metric holds the latency, the reply's size and any error.
  boost::asio::awaitable<metric> operator()(const karga::context&) const {
    std::array<std::string_view, 4> args;
    std::size_t n = 0;
    args[n++] = kind_->verb;
    char key[48], member[48];
    if (!kind_->key_prefix.empty()) args[n++] = numbered(key, kind_->key_prefix, next_++ % opt_.keyspace);
    if (kind_->member) args[n++] = numbered(member, "element:", next_member_++);
    if (kind_->value) args[n++] = *value_;
    const auto start = karga::clock::now();
    answer a = co_await client_.command(std::span<const std::string_view>(args.data(), n));
    co_return metric::of(kind_->verb, karga::clock::now() - start, std::move(a));
  }

private:
  // `prefix` and `i` written into `out`.
  static std::string_view numbered(char (&out)[48], std::string_view prefix, std::uint64_t i) {
    const std::size_t p = prefix.copy(out, 24);
    const auto end = std::to_chars(out + p, out + sizeof out, i).ptr;
    return {out, static_cast<std::size_t>(end - out)};
  }

  workload_options opt_;
  const command_kind* kind_ = nullptr;
  std::shared_ptr<const std::string> value_;  // shared by the shards' copies
  client client_;                              // each shard's copy has its own connections
  mutable std::uint64_t next_ = 0, next_member_ = 0;
};

} // namespace karga_redis
