#pragma once
/// @file http/testing/h2_server_connection.hpp
/// The embedded server's HTTP/2 side (h2c, prior knowledge): one connection served
/// with nghttp2's server session, for examples and tests that need an HTTP/2 target
/// with nothing set up by hand.
///
/// Routes: `/` answers 200 with a short body; `/status/N` answers status N;
/// `/delay/MS` answers after MS milliseconds (other streams go on meanwhile);
/// `/bytes/N` answers N bytes (at most 64 MiB); `/echo` answers the request's body;
/// `/reset` resets the stream (RST_STREAM INTERNAL_ERROR); `/refuse` refuses it
/// (RST_STREAM REFUSED_STREAM: the client may send it again) every other time;
/// `/never` never answers; `/goaway` answers, then ends the connection with GOAWAY.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace karga::http {

/// One HTTP/2 connection of the embedded server.
class h2_server_connection : public std::enable_shared_from_this<h2_server_connection> {
public:
  /// Serves `socket`, whose first `preface` bytes were already read; counts each
  /// request in `requests`.
  h2_server_connection(boost::asio::ip::tcp::socket socket, boost::asio::strand<boost::asio::any_io_executor> strand,
                       std::string preface, std::atomic<std::uint64_t>& requests)
      : socket_(std::move(socket)), strand_(std::move(strand)), pending_(std::move(preface)), requests_(requests) {}
  h2_server_connection(const h2_server_connection&) = delete;
  h2_server_connection& operator=(const h2_server_connection&) = delete;
  ~h2_server_connection() {
    if (session_) nghttp2_session_del(session_);
  }

  /// Serves the connection until either side ends it (spawn it on the strand).
  static boost::asio::awaitable<void> serve(std::shared_ptr<h2_server_connection> self) {
    if (!self->start()) co_return;
    std::array<std::uint8_t, 16384> in{};
    for (;;) {
      if (!self->pending_.empty()) {
        const std::string data = std::move(self->pending_);
        self->pending_.clear();
        if (!self->receive(reinterpret_cast<const std::uint8_t*>(data.data()), data.size())) break;
      }
      if (!self->send() || self->done()) break;
      auto [ec, n] = co_await self->socket_.async_read_some(boost::asio::buffer(in), as_tuple);
      if (ec || !self->receive(in.data(), n)) break;
      if (!self->send() || self->done()) break;
    }
    // A lingering close, as nginx's: what the client sent meanwhile (requests past the
    // GOAWAY's last stream) is read and dropped until it closes, or for a second, so
    // that the kernel does not answer it with a reset that could destroy the GOAWAY
    // before the client reads it.
    boost::system::error_code ignored;
    self->socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    boost::asio::steady_timer linger(self->strand_, std::chrono::seconds(1));
    linger.async_wait([self](const boost::system::error_code& ec) {
      boost::system::error_code e;
      if (!ec) self->socket_.close(e);
    });
    for (;;) {
      auto [ec, n] = co_await self->socket_.async_read_some(boost::asio::buffer(in), as_tuple);
      if (ec) break;
    }
    linger.cancel();
    self->socket_.close(ignored);
  }

private:
  struct stream {
    std::string method, path, request_body;
    std::string body;  // the response's
    std::size_t sent = 0;
  };

  bool start() {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    const int rc = nghttp2_session_server_new(&session_, cb, this);
    nghttp2_session_callbacks_del(cb);
    if (rc != 0) return false;
    const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 256},
                                               {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, (1u << 30) - 1}};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, (1 << 30) - 1);
    return true;
  }

  bool receive(const std::uint8_t* data, std::size_t n) { return nghttp2_session_mem_recv(session_, data, n) >= 0; }

  // Writes what the session has to send; false when the connection failed.
  bool send() {
    std::string out;
    for (;;) {
      const std::uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return false;
      if (n == 0) break;
      out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    if (out.empty()) return true;
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(out), ec);  // the test server's simplicity: a blocking write
    return !ec;
  }
  bool done() const { return !nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_); }

  static h2_server_connection& self(void* p) { return *static_cast<h2_server_connection*>(p); }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
      self(user_data).streams_[frame->hd.stream_id];
    return 0;
  }
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                       const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user_data) {
    auto& streams = self(user_data).streams_;
    auto it = streams.find(frame->hd.stream_id);
    if (it == streams.end()) return 0;
    const std::string_view n(reinterpret_cast<const char*>(name), namelen);
    if (n == ":path") it->second.path.assign(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":method") it->second.method.assign(reinterpret_cast<const char*>(value), valuelen);
    return 0;
  }
  static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data, std::size_t len,
                           void* user_data) {
    auto& streams = self(user_data).streams_;
    if (auto it = streams.find(id); it != streams.end())
      it->second.request_body.append(reinterpret_cast<const char*>(data), std::min<std::size_t>(len, (64u << 20) - it->second.request_body.size()));
    return 0;
  }
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
      self(user_data).answer(frame->hd.stream_id);
    return 0;
  }
  static int on_stream_close(nghttp2_session*, std::int32_t id, std::uint32_t, void* user_data) {
    self(user_data).streams_.erase(id);
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t id, std::uint8_t* buf, std::size_t length, std::uint32_t* flags,
                           nghttp2_data_source*, void* user_data) {
    auto& streams = self(user_data).streams_;
    auto it = streams.find(id);
    if (it == streams.end()) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    stream& s = it->second;
    const std::size_t n = std::min(length, s.body.size() - s.sent);
    std::copy_n(s.body.data() + s.sent, n, buf);
    s.sent += n;
    if (s.sent == s.body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  static unsigned number_after(std::string_view s, std::size_t from) {
    unsigned v = 0;
    std::from_chars(s.data() + std::min(from, s.size()), s.data() + s.size(), v);
    return v;
  }

  void answer(std::int32_t id) {
    auto it = streams_.find(id);
    if (it == streams_.end()) return;
    ++requests_;
    stream& s = it->second;
    const std::string_view path = s.path;
    if (path == "/never") return;
    if (path == "/reset") {
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_INTERNAL_ERROR);
      return;
    }
    if (path == "/refuse" && refusals_++ % 2 == 0) {
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
      return;
    }
    if (path.starts_with("/delay/")) {
      auto timer = std::make_shared<boost::asio::steady_timer>(strand_, std::chrono::milliseconds(number_after(path, 7)));
      timer->async_wait([self = shared_from_this(), timer, id](const boost::system::error_code&) {
        self->respond(id, 200, "hello, karga\n");
        self->send();
      });
      return;
    }
    unsigned status = 200;
    std::string body = "hello, karga\n";
    if (path.starts_with("/status/")) {
      status = number_after(path, 8);
      if (status < 100 || status > 999) status = 400;
    } else if (path.starts_with("/bytes/")) {
      body.assign(std::min(number_after(path, 7), 64u << 20), 'x');
    } else if (path == "/echo") {
      body = s.request_body;
    }
    respond(id, status, std::move(body));
    // One GOAWAY a connection: a second one for a request read in the same pass would
    // name a later last stream, which the protocol forbids.
    if (path == "/goaway" && !std::exchange(goaway_sent_, true))
      nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                            nullptr, 0);
  }

  void respond(std::int32_t id, unsigned status, std::string body) {
    auto it = streams_.find(id);
    if (it == streams_.end()) return;
    stream& s = it->second;
    const bool head = s.method == "HEAD";
    s.body = head ? std::string() : std::move(body);
    const std::string code = std::to_string(status), length = std::to_string(head ? 0 : s.body.size());
    auto nv = [](std::string_view n, const std::string& v) {
      return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(n.data())),
                        reinterpret_cast<std::uint8_t*>(const_cast<char*>(v.data())), n.size(), v.size(), NGHTTP2_NV_FLAG_NONE};
    };
    static const std::string type = "text/plain", server = "karga-embedded";
    const nghttp2_nv headers[] = {nv(":status", code), nv("content-type", type), nv("server", server),
                                  nv("content-length", length)};
    nghttp2_data_provider provider{};
    provider.read_callback = read_body;
    nghttp2_submit_response(session_, id, headers, std::size(headers), s.body.empty() ? nullptr : &provider);
  }

  static constexpr auto as_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;  // the session's one thread at a time
  std::string pending_;
  std::atomic<std::uint64_t>& requests_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, stream> streams_;
  std::uint64_t refusals_ = 0;
  bool goaway_sent_ = false;
};

} // namespace karga::http
