#pragma once
/// @file push/http_post_reporter.hpp
/// The JSON report (`format_json`, as `--out json=FILE` writes it) POSTed to a URL
/// once, when the run is over: an asynchronous reporter.
///
/// ```cpp
/// karga::http_post_reporter post{karga::push_target::parse("http://127.0.0.1:8086/reports"), {.timeout = 2s}};
/// try {
///   karga::report_to(post, report);
/// } catch (const karga::error& e) {
///   fmt::print(stderr, "{}\n", e.message());  // "push json to http://…: failed after 3 attempts: …"
/// }
/// ```

#include <karga/core/error.hpp>
#include <karga/push/http_push.hpp>
#include <karga/reporters/json_reporter.hpp>

#include <boost/asio/awaitable.hpp>

#include <concepts>

namespace karga {

/// POSTs the JSON report to `target` (`Content-Type: application/json`). Throws
/// `karga::error` saying why when no attempt got a 2xx answer.
struct http_post_reporter {
  push_target target;    ///< where to
  push_options options;  ///< headers, authorization, timeout, retries

  /// Sends `r`, awaited on the caller's executor (`karga::report_to` from synchronous code).
  template <class R>
    requires std::derived_from<R, basic_report>
  boost::asio::awaitable<void> report(const R& r) const {
    const push_outcome out =
        co_await http_push(target, options, boost::beast::http::verb::post, "application/json", format_json(r));
    if (!out.ok) throw error(fmt::format("push json to {}: {}", target.url, out.describe()));
  }
};

} // namespace karga
