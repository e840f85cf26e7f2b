#pragma once
/// @file prometheus.hpp
/// A run's live figures in Prometheus' text exposition format, served at `/metrics`
/// while the run goes on. The endpoint is a live observer (`run_options::live`): the
/// sampling thread hands it a sample once per interval, so the actions' path takes no
/// lock and does no more than for any live view. Metric names and labels are listed
/// in docs/monitoring.md.
///
///     karga::prometheus_endpoint metrics({.host = "127.0.0.1", .port = 9464});
///     options.live.observers.push_back(metrics.observer());
///     auto report = executor.run(options);
///     metrics.close();  // after the last scrape of the final values, or the linger
///
/// After the final sample the endpoint keeps serving the final values until a scrape
/// has read them or the linger (5 s by default) has passed, so that the last scrape
/// sees the totals of the report.

#include <karga/live.hpp>

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
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace karga {

namespace detail {
/// A label value in the exposition format: backslash, double quote and newline escaped.
inline std::string prometheus_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
} // namespace detail

/// The upper bounds, in seconds, of the latency histogram's buckets (+Inf besides).
inline constexpr std::array<double, 20> prometheus_latency_bounds{
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,     0.25,   0.5,     1,      2.5,   5,      10,    30,   60,    300};

/// The exposition text of the latest sample of each scenario. `prefix` starts every
/// metric's name. A latency is counted in the first bucket whose bound is at least
/// its HdrHistogram bucket's midpoint: within 0.4 % of the bound.
inline std::string prometheus_text(const std::vector<live_sample>& samples, std::string_view prefix = "karga") {
  std::string out;
  auto family = [&](std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out), "# HELP {}_{} {}\n# TYPE {}_{} {}\n", prefix, name, help, prefix, name, type);
  };
  auto each = [&](std::string_view name, std::string_view extra_label, auto value_of) {
    for (const live_sample& s : samples)
      fmt::format_to(std::back_inserter(out), "{}_{}{{scenario=\"{}\"{}}} {}\n", prefix, name,
                     detail::prometheus_escape(s.scenario), extra_label, value_of(s));
  };
  auto counter = [&](std::string_view name, std::string_view help, auto value_of) {
    family(name, "counter", help);
    each(name, "", value_of);
  };
  auto gauge = [&](std::string_view name, std::string_view help, auto value_of) {
    family(name, "gauge", help);
    each(name, "", value_of);
  };

  counter("scheduled_total", "Arrivals due so far (open models); actions started (closed models).",
          [](const live_sample& s) { return s.scheduled; });
  counter("started_total", "Actions started.", [](const live_sample& s) { return s.started; });
  family("actions_total", "counter", "Actions by outcome: ok, failed, dropped (due, never started), interrupted.");
  each("actions_total", ",outcome=\"ok\"", [](const live_sample& s) { return s.ok; });
  each("actions_total", ",outcome=\"failed\"", [](const live_sample& s) { return s.failed; });
  each("actions_total", ",outcome=\"dropped\"", [](const live_sample& s) { return s.dropped; });
  each("actions_total", ",outcome=\"interrupted\"", [](const live_sample& s) { return s.interrupted; });
  counter("bytes_total", "Bytes the actions reported.", [](const live_sample& s) { return s.bytes; });
  gauge("in_flight", "Actions running.", [](const live_sample& s) { return s.in_flight; });
  gauge("users", "Active virtual users (closed models).", [](const live_sample& s) { return s.users; });
  gauge("target_rate", "Arrivals due per second over the last interval (open models).",
        [](const live_sample& s) { return s.target_rate; });
  gauge("achieved_rate", "Actions started per second over the last interval.",
        [](const live_sample& s) { return s.achieved_rate; });
  gauge("elapsed_seconds", "Time since the run's start.",
        [](const live_sample& s) { return std::chrono::duration<double>(s.elapsed).count(); });
  gauge("finished", "1 once the run is over and the values are final.",
        [](const live_sample& s) { return s.final ? 1 : 0; });

  // The metric's labelled counters, grouped by counter name.
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> labelled;  // name: help, lines
  for (const live_sample& s : samples)
    for (const auto& [label, n] : s.labels) {
      auto& [help, lines] = labelled[label.counter];
      help = label.help;
      lines.push_back(fmt::format("{}_{}_total{{scenario=\"{}\",{}=\"{}\"}} {}\n", prefix, label.counter,
                                  detail::prometheus_escape(s.scenario), label.name, detail::prometheus_escape(label.value), n));
    }
  for (const auto& [name, help_lines] : labelled) {
    family(name + "_total", "counter", help_lines.first);
    for (const auto& line : help_lines.second) out += line;
  }

  family("latency_seconds", "histogram",
         "Latency from the intended start (the action's own where the executor has no schedule).");
  for (const live_sample& s : samples) {
    const std::string scenario = detail::prometheus_escape(s.scenario);
    std::array<std::uint64_t, prometheus_latency_bounds.size() + 1> counts{};
    std::uint64_t count = 0;
    for (std::size_t i = 0; i < s.latency_buckets.size(); ++i) {
      const std::uint64_t n = s.latency_buckets[i];
      if (n == 0) continue;
      const double seconds = static_cast<double>(live_counters::layout::midpoint(i)) * 1e-9;
      std::size_t b = 0;
      while (b < prometheus_latency_bounds.size() && seconds > prometheus_latency_bounds[b]) ++b;
      counts[b] += n;
      count += n;
    }
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < prometheus_latency_bounds.size(); ++b) {
      cumulative += counts[b];
      fmt::format_to(std::back_inserter(out), "{}_latency_seconds_bucket{{scenario=\"{}\",le=\"{}\"}} {}\n", prefix, scenario,
                     prometheus_latency_bounds[b], cumulative);
    }
    fmt::format_to(std::back_inserter(out), "{}_latency_seconds_bucket{{scenario=\"{}\",le=\"+Inf\"}} {}\n", prefix, scenario,
                   count);
    fmt::format_to(std::back_inserter(out), "{}_latency_seconds_sum{{scenario=\"{}\"}} {}\n", prefix, scenario,
                   static_cast<double>(s.latency_sum_ns) * 1e-9);
    fmt::format_to(std::back_inserter(out), "{}_latency_seconds_count{{scenario=\"{}\"}} {}\n", prefix, scenario, count);
  }
  return out;
}

/// Where a `prometheus_endpoint` listens and how long it lingers.
struct prometheus_options {
  std::string host = "127.0.0.1";
  unsigned short port = 9464;     ///< 0: a free port (see `port()`)
  /// After the final sample, serve until a scrape has read it, for at most this long.
  std::chrono::milliseconds linger{5000};
  std::string prefix = "karga";   ///< the start of every metric's name
};

/// An HTTP endpoint serving `prometheus_text` of the latest samples at `/metrics`, on
/// a thread of its own. Binding happens in the constructor, which throws
/// `std::runtime_error` naming the address when it cannot.
class prometheus_endpoint {
public:
  explicit prometheus_endpoint(prometheus_options opt = {}) : opt_(std::move(opt)), acceptor_(context_) {
    try {
      const boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address(opt_.host), opt_.port);
      acceptor_.open(at.protocol());
      acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
      acceptor_.bind(at);
      acceptor_.listen();
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("the Prometheus endpoint cannot listen on {}:{}: {}", opt_.host, opt_.port, e.what()));
    }
    boost::asio::co_spawn(context_, accept(), boost::asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  prometheus_endpoint(const prometheus_endpoint&) = delete;
  prometheus_endpoint& operator=(const prometheus_endpoint&) = delete;
  ~prometheus_endpoint() { close(); }

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
