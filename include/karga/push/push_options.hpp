#pragma once
/// @file push/push_options.hpp
/// How a push is sent: extra headers, authorization, how long one attempt may take,
/// how often a failed one is tried again, and which certificates https trusts.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace karga {

/// How a push is sent (`http_push`). The defaults give an endpoint 5 s per attempt
/// and 3 attempts, 250 ms then 500 ms apart.
struct push_options {
  std::vector<std::pair<std::string, std::string>> headers{};  ///< sent with every request
  std::string bearer_token{};  ///< sent as "Authorization: Bearer …" when not empty
  std::chrono::milliseconds timeout{5000};  ///< one attempt: connecting, sending, the whole answer
  unsigned retries = 2;  ///< attempts after the first, after a network error, a 5xx, 408 or 429
  std::chrono::milliseconds backoff{250};  ///< the wait before the first retry, doubled before each next
  /// https: the certificates (PEM) that a server's must chain to; empty: the system's.
  std::string ca_file{};
  bool verify_peer = true;  ///< https: check the server's certificate and name (off: test setups only)
};

} // namespace karga
