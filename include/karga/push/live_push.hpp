#pragma once
/// @file push/live_push.hpp
/// Live samples pushed to a monitoring system while the run goes on, from a thread
/// of its own. The observer only copies a sample into a bounded queue, so a slow,
/// dead or refusing endpoint never delays an action or the sampler: when the queue
/// is full the oldest sample waiting is dropped (the final one never is), and every
/// sample that does not arrive is counted (`live_push_stats`).
///
/// ```cpp
/// karga::live_push influx(karga::push_target::parse("http://127.0.0.1:8086/write?db=karga"), {},
///                         karga::influxdb_format({{"segment", "0"}}));
/// karga::run_options options;
/// options.live.observers.push_back(influx.observer());
/// auto results = scenario.run(options);
/// influx.close();  // sends what is queued, the final sample last; at most one attempt's timeout more
/// fmt::print("{}\n", influx.stats().describe());
/// ```

#include <karga/core/live_sample.hpp>
#include <karga/push/http_push.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace karga {

/// A live sample and the wall-clock time it was taken.
struct stamped_sample {
  live_sample sample;  ///< what the sampler saw
  std::chrono::system_clock::time_point at;  ///< when
};

/// What a monitoring system takes: the request, and the body of a batch of samples.
struct live_format {
  std::string name;  ///< for messages: "influxdb", "prometheus-rw", …
  boost::beast::http::verb method = boost::beast::http::verb::post;  ///< POST or PUT
  std::string content_type;  ///< of the body
  std::vector<std::pair<std::string, std::string>> headers;  ///< the format's own (Content-Encoding, …)
  bool final_only = false;  ///< send only the final sample of each scenario (a batch job's result)
  /// The body of a batch, oldest sample first.
  std::function<std::string(std::span<const stamped_sample>)> encode;
};

/// How the pushes of a run went.
struct live_push_stats {
  std::string format;  ///< the format's name
  std::string url;     ///< where to, without a password
  std::uint64_t samples = 0;    ///< samples the observer was given (to send)
  std::uint64_t delivered = 0;  ///< of them, sent in a batch the endpoint took
  std::uint64_t dropped = 0;    ///< of them, not delivered: dropped from a full queue, in a batch that failed, or left at close
  std::uint64_t batches = 0;    ///< requests' batches the endpoint took
  std::uint64_t failed_batches = 0;  ///< batches every attempt of which failed
  std::string last_error;       ///< why the last failed batch failed

  /// Whether every sample arrived.
  bool ok() const noexcept { return dropped == 0; }
  /// One line: "influxdb http://…: 11 samples sent in 11 requests", or what was lost and why.
  std::string describe() const {
    if (ok()) return fmt::format("{} {}: {} sample{} sent in {} request{}", format, url, delivered, delivered == 1 ? "" : "s", batches, batches == 1 ? "" : "s");
    return fmt::format("{} {}: {} of {} samples not delivered ({} failed request{}{}{})", format, url, dropped, samples,
                       failed_batches, failed_batches == 1 ? "" : "s", last_error.empty() ? "" : "; last: ", last_error);
  }
};

/// Pushes the live samples of a run to one endpoint in one format (see the file).
class live_push {
public:
  /// Starts the sending thread. `capacity`: samples that may wait (at least 1).
  live_push(push_target target, push_options options, live_format format, std::size_t capacity = 120)
      : target_(std::move(target)), options_(std::move(options)), format_(std::move(format)),
        capacity_(capacity == 0 ? 1 : capacity) {
    stats_.format = format_.name;
    stats_.url = target_.url;
    thread_ = std::thread([this] { send_loop(); });
  }
  live_push(const live_push&) = delete;
  live_push& operator=(const live_push&) = delete;
  ~live_push() { close(); }

  /// The observer to add to `run_options::live.observers`; it must not outlive this.
  live_observer observer() {
    return [this](const live_sample& s) { take(s); };
  }

  /// After the run: starts sending what waits and returns; `close` waits for it. Of
  /// several pushes, call this on each first, so that their last requests overlap.
  void begin_close() {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    closing_ = true;
    close_by_ = std::chrono::steady_clock::now() + options_.timeout + options_.backoff;
    changed_.notify_all();
  }

  /// After the run: sends what waits, then stops. A batch still being sent when one
  /// attempt's timeout has passed since `begin_close` is given up (its samples
  /// counted as dropped).
  void close() {
    begin_close();
    std::unique_lock lock(mutex_);
    if (!thread_.joinable()) return;
    if (!changed_.wait_until(lock, close_by_, [this] { return finished_; })) {
      abandon_ = true;
      context_.stop();
    }
    lock.unlock();
    thread_.join();
  }

  /// How the pushes went so far (final after `close`).
  live_push_stats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }

private:
  void take(const live_sample& s) {
    if (format_.final_only && !s.final) return;
    stamped_sample stamped{s, std::chrono::system_clock::now()};
    std::lock_guard lock(mutex_);
    // Each sample a millisecond at least after the one before: a receiver refuses two
    // values of a series at one time (remote write counts in ms), or going back.
    if (stamped.at < last_at_ + std::chrono::milliseconds(1)) stamped.at = last_at_ + std::chrono::milliseconds(1);
    last_at_ = stamped.at;
    ++stats_.samples;
    if (queue_.size() >= capacity_) {
      auto oldest = queue_.begin();
      while (oldest != queue_.end() && oldest->sample.final) ++oldest;
      if (oldest != queue_.end()) {
        queue_.erase(oldest);
        ++stats_.dropped;
      }
    }
    queue_.push_back(std::move(stamped));
    changed_.notify_all();
  }

  void send_loop() {
    for (;;) {
      std::vector<stamped_sample> batch;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return closing_ || !queue_.empty(); });
        if (queue_.empty()) break;
        batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
        queue_.clear();
      }
      push_outcome out;
      context_.restart();
      if (abandon_) {
        out.error = "given up at close";
      } else {
        std::string unread;  // if the certificates cannot be read, http_push says so for the batch
        if (target_.tls && !tls_) tls_ = push_tls_context(options_, unread);  // once, on this thread
        boost::asio::co_spawn(
            context_,
            http_push(target_, options_, format_.method, format_.content_type, format_.encode(batch), format_.headers,
                      tls_.get()),
            [&out](std::exception_ptr e, push_outcome o) {
              if (!e) {
                out = std::move(o);
                return;
              }
              try {
                std::rethrow_exception(e);
              } catch (const std::exception& x) {
                out.error = x.what();  // the format's encoder, or memory
              }
            });
        context_.run();
        if (abandon_ && !out.ok) out.error = "given up at close: " + (out.error.empty() ? std::string("no answer") : out.error);
      }
      std::lock_guard lock(mutex_);
      if (out.ok) {
        stats_.delivered += batch.size();
        ++stats_.batches;
      } else {
        stats_.dropped += batch.size();
        ++stats_.failed_batches;
        stats_.last_error = out.error;
      }
      if (abandon_) break;
    }
    std::lock_guard lock(mutex_);
    stats_.dropped += queue_.size();
    queue_.clear();
    finished_ = true;
    changed_.notify_all();
  }

  push_target target_;
  push_options options_;
  live_format format_;
  std::size_t capacity_;
  std::unique_ptr<boost::asio::ssl::context> tls_;  // https: made once, by the sending thread; outlives context_
  boost::asio::io_context context_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<stamped_sample> queue_;
  std::chrono::system_clock::time_point last_at_{};
  bool closing_ = false;
  std::chrono::steady_clock::time_point close_by_{};
  bool finished_ = false;
  std::atomic<bool> abandon_{false};
  live_push_stats stats_;
  std::thread thread_;
};

} // namespace karga
