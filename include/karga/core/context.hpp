#pragma once
/// @file core/context.hpp
/// What an action may know about the run it is part of. An action that takes a
/// `const karga::context&` gets one; an action that takes nothing costs nothing for it
/// (executors build a context only for actions that take one).
///
/// ```cpp
/// auto per_user = [client](const karga::context& c) -> boost::asio::awaitable<karga::http::metric> {
///   const auto start = karga::clock::now();
///   auto res = co_await client.get("/users/" + std::to_string(c.user));  // one account per user
///   co_return karga::http::to_metric(res, karga::clock::now() - start);
/// };
/// ```

#include <karga/core/timing.hpp>

#include <cstdint>
#include <string_view>

namespace karga {

/// One action's place in the run.
struct context {
  std::string_view scenario;          ///< the scenario's name (empty without one); valid while the action runs
  std::uint64_t user = 0;             ///< closed models: the virtual user, from 0 over all shards; open models: 0
  std::uint64_t iteration = 0;        ///< closed models: this user's iteration, from 0; open models: = arrival
  std::uint64_t arrival = 0;          ///< open models: the arrival's index in the schedule; closed: the shard's count of iterations
  clock::time_point intended_start{}; ///< when the action was due (closed models: when it could start)
  unsigned shard = 0;                 ///< the shard running it
};

} // namespace karga
