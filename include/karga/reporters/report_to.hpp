#pragma once
/// @file reporters/report_to.hpp
/// Runs a reporter to completion from synchronous code, whether its `report(r)` works
/// at once or is a coroutine (`async_reporter_for`):
///
/// ```cpp
/// karga::report_to(karga::stdout_reporter{}, report);          // at once
/// // karga::report_to(karga::http_post_reporter{...}, report);  // awaited on an io_context of its own
/// ```

#include <karga/core/concepts.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <utility>

namespace karga {

/// Sends `r` through `p` and returns once it is sent. A coroutine reporter runs on an
/// `io_context` of its own on this thread; what it throws is thrown here.
template <class P, class R>
  requires reporter_for<std::remove_reference_t<P>, R>
void report_to(P&& p, const R& r) {
  if constexpr (async_reporter_for<std::remove_reference_t<P>, R>) {
    boost::asio::io_context context;
    std::exception_ptr failure;
    boost::asio::co_spawn(context, p.report(r), [&failure](std::exception_ptr e) { failure = std::move(e); });
    context.run();
    if (failure) std::rethrow_exception(failure);
  } else {
    p.report(r);
  }
}

} // namespace karga
