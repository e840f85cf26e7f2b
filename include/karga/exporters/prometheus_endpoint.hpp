#pragma once
/// @file exporters/prometheus_endpoint.hpp
/// A run's live figures in Prometheus' text exposition format, served at `/metrics`
/// while the run goes on (target `karga::prometheus`: Boost.Beast). The endpoint is a live observer (`run_options::live`): the
/// sampling thread hands it a sample once per interval, so the actions' path takes no
/// lock and does no more than for any live view. Metric names and labels are listed
/// in docs/monitoring.md.
///
/// ```cpp
/// karga::prometheus_endpoint metrics({.host = "127.0.0.1", .port = 9464});
/// karga::run_options options;
/// options.live.observers.push_back(metrics.observer());
/// auto results = scenario.run(options);
/// metrics.close();  // after the last scrape of the final values, or the linger
/// ```
///
/// After the final sample the endpoint keeps serving the final values until a scrape
/// has read them or the linger (5 s by default) has passed, so that the last scrape
/// sees the totals of the report.

#include <karga/core/error.hpp>
#include <karga/exporters/prometheus_text.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace karga {

/// Where a `prometheus_endpoint` listens and how long it lingers.
struct prometheus_options {
  std::string host = "127.0.0.1";  ///< an IP address to listen on
  unsigned short port = 9464;     ///< 0: a free port (see `port()`)
  /// After the final sample, serve until a scrape has read it, for at most this long.
  std::chrono::milliseconds linger{5000};
  std::string prefix = "karga";   ///< the start of every metric's name
};

/// An HTTP endpoint serving `prometheus_text` of the latest samples at `/metrics`, on
/// a thread of its own. Binding happens in the constructor, which throws
/// `karga::error` naming the address when it cannot.
class prometheus_endpoint {
public:
  /// Listens as `opt` says (see the class).
  explicit prometheus_endpoint(prometheus_options opt = {}) : opt_(std::move(opt)), acceptor_(context_) {
    try {
      const boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address(opt_.host), opt_.port);
      acceptor_.open(at.protocol());
      acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
      acceptor_.bind(at);
      acceptor_.listen();
    } catch (const std::exception& e) {
      detail::throw_error(fmt::format("the Prometheus endpoint cannot listen on {}:{}: {}", opt_.host, opt_.port, e.what()));
    }
    boost::asio::co_spawn(context_, accept(), boost::asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  prometheus_endpoint(const prometheus_endpoint&) = delete;
  prometheus_endpoint& operator=(const prometheus_endpoint&) = delete;
  ~prometheus_endpoint() { close(); }

  /// The port it listens on.
  unsigned short port() const { return acceptor_.local_endpoint().port(); }

  /// The observer to add to `run_options::live.observers`; it must not outlive this.
  live_observer observer() {
    return [this](const live_sample& s) { update(s); };
  }

  /// The latest exposition text.
  std::string text() const {
    std::lock_guard lock(mutex_);
    std::vector<live_sample> all;
    for (const auto& [name, s] : latest_) all.push_back(s);
    return prometheus_text(all, opt_.prefix);
  }

  /// Stops serving: at once when no run has ended, else once a scrape has read the
  /// final values or the linger has passed since the last run ended.
  void close() {
    {
      std::unique_lock lock(mutex_);
      if (closed_) return;
      if (final_at_) changed_.wait_until(lock, *final_at_ + opt_.linger, [this] { return scraped_final_; });
      closed_ = true;
    }
    context_.stop();
    if (thread_.joinable()) thread_.join();
  }

  /// Scrapes served so far.
  std::uint64_t scrapes() const {
    std::lock_guard lock(mutex_);
    return scrapes_;
  }

private:
  void update(const live_sample& s) {
    std::lock_guard lock(mutex_);
    latest_[s.scenario] = s;
    if (s.final) {
      final_at_ = std::chrono::steady_clock::now();
      scraped_final_ = false;
    }
  }

  std::string scrape() {
    std::string body = text();
    std::lock_guard lock(mutex_);
    ++scrapes_;
    if (final_at_ && all_final()) {
      scraped_final_ = true;
      changed_.notify_all();
    }
    return body;
  }

  bool all_final() const {
    for (const auto& [name, s] : latest_)
      if (!s.final) return false;
    return true;
  }

  boost::asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      boost::asio::co_spawn(context_, serve(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(socket, buffer, req, boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      http::response<http::string_body> res;
      res.version(req.version());
      res.keep_alive(req.keep_alive());
      const auto target = std::string_view(req.target().data(), req.target().size());
      if (target != "/metrics" && !target.starts_with("/metrics?")) {
        res.result(http::status::not_found);
        res.set(http::field::content_type, "text/plain");
        res.body() = "karga serves /metrics\n";
      } else if (req.method() != http::verb::get) {
        res.result(http::status::method_not_allowed);
      } else {
        res.result(http::status::ok);
        res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        res.body() = scrape();
      }
      res.prepare_payload();
      auto [wec, written] = co_await http::async_write(socket, res, boost::asio::as_tuple(boost::asio::use_awaitable));
      if (wec || !res.keep_alive()) co_return;
    }
  }

  prometheus_options opt_;
  boost::asio::io_context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, live_sample> latest_;
  std::optional<std::chrono::steady_clock::time_point> final_at_;
  bool scraped_final_ = false;
  bool closed_ = false;
  std::uint64_t scrapes_ = 0;
};

} // namespace karga
