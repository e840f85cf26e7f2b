#pragma once
/// @file http/embedded_server.hpp
/// A small HTTP/1.1 server (Beast) on a loopback port of its own, for examples and
/// tests that need a real target with nothing set up by hand.
///
/// Routes: `/` answers 200 with a short body; `/status/N` answers status N;
/// `/delay/MS` answers 200 after MS milliseconds; `/close` closes the connection
/// without answering; `/truncate` closes it in the middle of a response. Every response keeps the connection alive unless asked not to.
/// Given a certificate and key, it serves HTTPS instead.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace karga::http {

/// PEM files for an HTTPS embedded server.
struct tls_files {
  std::string certificate_chain;
  std::string private_key;
};

class embedded_server {
public:
  /// Listens on 127.0.0.1 on a free port, served by `threads` threads.
  explicit embedded_server(unsigned threads = 1)
      : acceptor_(context_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    start(threads);
  }

  /// The same, over TLS with the given certificate and key.
  embedded_server(const tls_files& files, unsigned threads = 1)
      : tls_(std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server)),
        acceptor_(context_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    tls_->use_certificate_chain_file(files.certificate_chain);
    tls_->use_private_key_file(files.private_key, boost::asio::ssl::context::pem);
    start(threads);
  }
  embedded_server(const embedded_server&) = delete;
  embedded_server& operator=(const embedded_server&) = delete;
  ~embedded_server() {
    context_.stop();
    for (auto& t : threads_) t.join();
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  /// `http://127.0.0.1:PORT`, or `https://…` when serving TLS.
  std::string url() const { return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port()); }
  std::uint64_t connections() const noexcept { return connections_; }
  std::uint64_t requests() const noexcept { return requests_; }

private:
  void start(unsigned threads) {
    boost::asio::co_spawn(context_, accept(), boost::asio::detached);
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { context_.run(); });
  }

  boost::asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      ++connections_;
      if (tls_)
        boost::asio::co_spawn(acceptor_.get_executor(), serve_tls(std::move(socket)), boost::asio::detached);
      else
        boost::asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> serve_tls(boost::asio::ip::tcp::socket socket) {
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(std::move(socket), *tls_);
    auto [ec] = co_await stream.async_handshake(boost::asio::ssl::stream_base::server,
                                                boost::asio::as_tuple(boost::asio::use_awaitable));
    if (!ec) co_await serve(std::move(stream));
  }

  template <class Stream>
  boost::asio::awaitable<void> serve(Stream stream) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(stream, buffer, req, boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      ++requests_;
      const std::string target(req.target());
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.set(http::field::server, "karga-embedded");
      res.set(http::field::content_type, "text/plain");
      if (target == "/close") {
        boost::beast::get_lowest_layer(stream).close();
        co_return;
      } else if (target == "/truncate") {  // promises 100 bytes, sends 10, closes
        static constexpr std::string_view partial = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";
        co_await boost::asio::async_write(stream, boost::asio::buffer(partial), boost::asio::as_tuple(boost::asio::use_awaitable));
        boost::beast::get_lowest_layer(stream).close();
        co_return;
      } else if (target.rfind("/status/", 0) == 0) {
        res.result(static_cast<unsigned>(std::stoul(target.substr(8))));
      } else if (target.rfind("/delay/", 0) == 0) {
        boost::asio::steady_timer t(stream.get_executor(), std::chrono::milliseconds(std::stoul(target.substr(7))));
        co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      }
      res.body() = "hello, karga\n";
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, boost::asio::as_tuple(boost::asio::use_awaitable));
      if (wec || !res.keep_alive()) co_return;
    }
  }

  std::unique_ptr<boost::asio::ssl::context> tls_;  // outlives the connections in context_
  boost::asio::io_context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> requests_{0};
};

} // namespace karga::http
