#pragma once
/// @file http/h2/connection.hpp
/// One HTTP/2 connection of a client: nghttp2's session layer (frames, HPACK, flow
/// control) driven by an Asio socket on the shard's own executor. No thread of its
/// own, no hand-over per request: a request's coroutine submits its stream and waits
/// on a timer of its own, which the connection's read loop cancels when the stream
/// closes.
///
/// Flow control: every stream's window and the connection's are 2^30 − 1 bytes, and
/// nghttp2 gives the window back as soon as a DATA frame is read (its automatic
/// WINDOW_UPDATE): a load tester reads everything at once, so a small window would
/// only throttle the server's sending to the client's round trips, not protect memory.

#include <karga/core/error.hpp>
#include <karga/http/h2/request_form.hpp>
#include <karga/http/receive_stamp.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/fields.hpp>

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace karga::http::h2 {

/// The window of every stream and of the connection: 2^30 − 1 bytes (see the file's comment).
inline constexpr std::int32_t window_size = (1 << 30) - 1;

/// How one stream ended.
enum class stream_end : std::uint8_t {
  open,         ///< not yet
  complete,     ///< the whole response came
  refused,      ///< the server did not process it (REFUSED_STREAM, or past a GOAWAY's last stream): send it again
  reset,        ///< the server reset it (RST_STREAM with another code)
  lost,         ///< the connection ended first
  protocol,     ///< nghttp2 found the peer breaking HTTP/2
};

class connection;

/// A request body written while its stream runs (gRPC's client and bidi streams), in
/// place of the request form's.
struct body_stream {
  /// What has been written. Kept until the stream can no longer be sent again (a
  /// refused stream goes out again whole); the writer drops what went out once the
  /// response's headers came (`stream::got_headers`).
  std::string bytes;
  bool open = true;  ///< more may come: when all is out, the stream waits (nghttp2's deferred data)
};

/// One request's stream: what came back, kept in the requesting coroutine's frame.
struct stream {
  /// A stream not yet sent, its request to wait on `ex`.
  explicit stream(const boost::asio::any_io_executor& ex) : done(ex) {}
  std::int32_t id = 0;  ///< its stream id (0 before it is sent)
  stream_end end = stream_end::open;  ///< how it ended
  std::uint32_t error_code = 0;          ///< the RST_STREAM or GOAWAY code
  unsigned status = 0;  ///< the response's status
  std::uint64_t body_bytes = 0;  ///< the response body's size
  std::uint64_t header_wire_bytes = 0;   ///< HEADERS frames' payloads, both ways (HPACK-coded)
  std::uint64_t header_plain_bytes = 0;  ///< the same fields as text, "name: value\r\n" each
  bool got_headers = false;  ///< whether a response header came
  /// h2c with receive stamps: the kernel's stamp of the last segment of the read that
  /// ended the stream (streams ended by one read share it); the epoch: not known.
  clock::time_point received{};
  bool after_idle = false;               ///< sent on a connection idle since its last stream (the server may have closed it)
  bool keep = false;                     ///< keep headers (trailers too) and body (fetch), not only count them
  /// Given each piece of the response's body as it is read, in place of keeping it
  /// (a protocol over HTTP/2 reads its messages as they come); null: none.
  void (*on_data)(void* arg, std::string_view piece) = nullptr;
  /// Called when a piece of a streamed body went to the session (a writer waiting for
  /// room may go on); null: none.
  void (*on_sent)(void* arg) = nullptr;
  void* hook_arg = nullptr;              ///< the first argument of `on_data` and `on_sent`
  body_stream* streamed = nullptr;       ///< the body written as the stream runs; null: the form's
  boost::beast::http::fields headers;  ///< the response's headers (with `keep`)
  std::string body;  ///< the response's body (with `keep`)
  std::string message;                   ///< what went wrong, in words
  std::size_t body_sent = 0;  ///< of the request's body
  std::size_t index = 0;                 ///< in its connection's list of streams in flight
  const request_form* form = nullptr;  ///< the request it carries
  connection* owner = nullptr;           ///< the connection it is in flight on (null before and after)
  boost::asio::steady_timer done;        ///< waited on by the request; cancelled when the stream ends

  /// Its streamed body has grown or ended: what is new goes out with the next flush.
  void body_written();

  /// Ready for another attempt (on another stream): what came back is forgotten.
  void reset() {
    id = 0;
    end = stream_end::open;
    error_code = 0;
    status = 0;
    body_bytes = header_wire_bytes = header_plain_bytes = 0;
    got_headers = after_idle = false;
    received = {};
    headers.clear();
    body.clear();
    message.clear();
    body_sent = index = 0;
    form = nullptr;
    owner = nullptr;
  }
};

/// An HTTP/2 connection, over plain TCP (prior knowledge, h2c) or TLS (ALPN h2).
/// Everything runs on one executor; nothing is thread-safe.
class connection : public std::enable_shared_from_this<connection> {
public:
  /// TCP.
  using tcp = boost::asio::ip::tcp;

  /// A connection not yet open, on `ex`; at most `max_streams` streams at once
  /// (fewer if the server's MAX_CONCURRENT_STREAMS says so).
  connection(const boost::asio::any_io_executor& ex, std::uint32_t max_streams)
      : socket_(ex), max_streams_(max_streams) {}
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection() {
    if (session_) nghttp2_session_del(session_);
  }

  /// The socket, to connect; then `tls()` for the TLS stream, if any.
  tcp::socket& socket() noexcept { return socket_; }
  /// The TLS stream over the socket (https), made by the client before its handshake.
  std::optional<boost::asio::ssl::stream<tcp::socket&>>& tls() noexcept { return tls_; }
  /// h2c, before `start`: reads take the kernel's receive stamps (`stream::received`).
  /// False if the socket cannot.
  bool stamp_receives() noexcept { return stamped_ = enable_receive_stamps(socket_); }

  /// Starts HTTP/2 on the connected (and, for https, handshaken) socket: the
  /// client's preface and SETTINGS, then the read loop. Throws `karga::error` if
  /// nghttp2 cannot start.
  void start() {
    nghttp2_session_callbacks* cb = nullptr;
    if (nghttp2_session_callbacks_new(&cb) != 0) karga::detail::throw_error("nghttp2: no memory");
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    nghttp2_session_callbacks_set_on_frame_not_send_callback(cb, on_frame_not_send);
    nghttp2_session_callbacks_set_error_callback2(cb, on_error);
    nghttp2_option* opt = nullptr;
    nghttp2_option_new(&opt);
    // Until the server's SETTINGS come, assume its limit is ours.
    nghttp2_option_set_peer_max_concurrent_streams(opt, max_streams_);
    const int rc = nghttp2_session_client_new2(&session_, cb, this, opt);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cb);
    if (rc != 0) karga::detail::throw_error(std::string("nghttp2: ") + nghttp2_strerror(rc));
    const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                               {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<std::uint32_t>(window_size)}};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, window_size);
    boost::system::error_code ignored;
    socket_.non_blocking(true, ignored);  // for the writes of plain TCP and the reads of TLS done at once
    open_ = true;
    flush();
  }

  /// Whether it takes new streams: open, no GOAWAY received, a stream free.
  bool has_room() const noexcept { return accepting() && active_ < capacity(); }
  /// Whether it takes new streams at all (open, no GOAWAY received).
  bool accepting() const noexcept { return open_ && !goaway_; }
  /// Whether it has ended (and will take no stream).
  bool closed() const noexcept { return closed_; }
  /// Whether the server sent GOAWAY.
  bool goaway_received() const noexcept { return goaway_; }
  /// Streams in flight.
  std::size_t active() const noexcept { return active_; }
  /// Streams it may have at once: ours, or the server's if fewer.
  std::size_t capacity() const noexcept {
    if (!session_) return max_streams_;
    return std::min<std::size_t>(max_streams_, nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS));
  }
  /// Called when a stream of this connection frees a place, or more places open.
  void on_room(std::function<void(std::size_t)> f) { on_room_ = std::move(f); }

  /// Submits `s`'s request (its form must outlive the stream); the frames go out with
  /// the next flush, once per pass of the executor. Returns false, with `s`'s message
  /// set, if the session refuses it.
  bool submit(stream& s, const request_form& form) {
    s.form = &form;
    nv_.clear();  // kept between requests: no allocation per request once grown
    for (const auto& f : form.fields) {
      nv_.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(f.name.data())),
                    reinterpret_cast<std::uint8_t*>(const_cast<char*>(f.value.data())), f.name.size(), f.value.size(),
                    NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE});
      s.header_plain_bytes += f.name.size() + f.value.size() + 4;
    }
    nghttp2_data_provider body{};
    body.read_callback = read_body;
    const bool has_body = !form.body.empty() || s.streamed;
    const std::int32_t id = nghttp2_submit_request(session_, nullptr, nv_.data(), nv_.size(), has_body ? &body : nullptr, &s);
    if (id < 0) {
      s.message = std::string("nghttp2: ") + nghttp2_strerror(id);
      return false;
    }
    s.id = id;
    s.owner = this;
    s.index = streams_.size();
    s.after_idle = active_ == 0 && used_;
    streams_.push_back(&s);
    ++active_;
    used_ = true;
    read();
    schedule_flush();
    return true;
  }

  /// Gives up on `s` (its request timed out, or was cancelled): the server is told
  /// (RST_STREAM CANCEL) and the stream is forgotten.
  void abandon(stream& s) {
    if (s.id <= 0 || closed_ || s.end != stream_end::open) return;
    forget(s);
    nghttp2_session_set_stream_user_data(session_, s.id, nullptr);
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_CANCEL);
    schedule_flush();
  }

  /// `s`'s streamed body has more, or has ended: its DATA goes out with the next flush.
  void resume(stream& s) {
    if (closed_ || !session_ || s.id <= 0 || s.end != stream_end::open) return;
    nghttp2_session_resume_data(session_, s.id);  // (an error when it was not waiting: nothing to do)
    schedule_flush();
  }

  /// Closes the socket: every stream in flight ends `lost`.
  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

private:
  static connection& self(void* user_data) noexcept { return *static_cast<connection*>(user_data); }
  static stream* stream_of(nghttp2_session* session, std::int32_t id) noexcept {
    return static_cast<stream*>(nghttp2_session_get_stream_user_data(session, id));
  }

  static int on_header(nghttp2_session* session, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                       const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void*) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    stream* s = stream_of(session, frame->hd.stream_id);
    if (!s) return 0;
    const std::string_view n(reinterpret_cast<const char*>(name), namelen), v(reinterpret_cast<const char*>(value), valuelen);
    s->header_plain_bytes += namelen + valuelen + 4;
    s->got_headers = true;
    if (n == ":status") {
      unsigned code = 0;
      std::from_chars(v.data(), v.data() + v.size(), code);
      if (frame->headers.cat == NGHTTP2_HCAT_RESPONSE || code >= 200) s->status = code;  // the final status
    } else if (s->keep && !n.starts_with(':')) {
      s->headers.insert(n, v);
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    connection& c = self(user_data);
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS:
        if (stream* s = stream_of(session, frame->hd.stream_id)) s->header_wire_bytes += frame->hd.length;
        break;
      case NGHTTP2_SETTINGS:
        if (!(frame->hd.flags & NGHTTP2_FLAG_ACK)) c.room_changed();  // the server's limit may have grown
        break;
      case NGHTTP2_GOAWAY:
        c.goaway_ = true;  // streams past its last one end refused, and are sent again
        c.goaway_code_ = frame->goaway.error_code;
        c.goaway_last_ = frame->goaway.last_stream_id;
        break;
      default: break;
    }
    return 0;
  }

  static int on_frame_send(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    // nghttp2 sends GOAWAY itself only to end a session the server broke; its code
    // and debug data say how.
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      connection& c = self(user_data);
      c.broken_ = true;
      c.broken_why_ = nghttp2_http2_strerror(frame->goaway.error_code);
      if (frame->goaway.opaque_data_len != 0)
        c.broken_why_ += ": " + std::string(reinterpret_cast<const char*>(frame->goaway.opaque_data), frame->goaway.opaque_data_len);
    }
    if (frame->hd.type == NGHTTP2_HEADERS)
      if (stream* s = stream_of(session, frame->hd.stream_id)) s->header_wire_bytes += frame->hd.length;
    return 0;
  }

  static int on_data_chunk(nghttp2_session* session, std::uint8_t, std::int32_t id, const std::uint8_t* data,
                           std::size_t len, void*) {
    if (stream* s = stream_of(session, id)) {
      s->body_bytes += len;
      if (s->on_data)
        s->on_data(s->hook_arg, std::string_view(reinterpret_cast<const char*>(data), len));
      else if (s->keep)
        s->body.append(reinterpret_cast<const char*>(data), len);
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session* session, std::int32_t id, std::uint32_t code, void* user_data) {
    connection& c = self(user_data);
    --c.active_;
    if (stream* s = stream_of(session, id)) {
      s->error_code = code;
      s->end = code == NGHTTP2_NO_ERROR                  ? stream_end::complete
               : code == NGHTTP2_REFUSED_STREAM          ? stream_end::refused
               : code == NGHTTP2_PROTOCOL_ERROR && !s->got_headers ? stream_end::protocol
                                                         : stream_end::reset;
      if (s->end != stream_end::complete) s->message = std::string("stream reset: ") + nghttp2_http2_strerror(code);
      if (c.in_recv_) s->received = c.stamp_;
      nghttp2_session_set_stream_user_data(session, id, nullptr);
      c.forget(*s);
      s->done.cancel();
    }
    c.room_changed();
    return 0;
  }

  // What nghttp2 found wrong in what the server sent, in its words.
  static int on_error(nghttp2_session*, int, const char* msg, std::size_t len, void* user_data) {
    self(user_data).error_ = std::string(msg, len);
    return 0;
  }

  // A request's HEADERS that nghttp2 would not send (GOAWAY came first): its stream
  // never opened, so no close is coming for it. It never reached the server, so it
  // ends refused and goes out again on another connection.
  static int on_frame_not_send(nghttp2_session* session, const nghttp2_frame* frame, int, void* user_data) {
    connection& c = self(user_data);
    if (frame->hd.type != NGHTTP2_HEADERS || nghttp2_session_find_stream(session, frame->hd.stream_id)) return 0;
    const auto it = std::find_if(c.streams_.begin(), c.streams_.end(), [&](const stream* s) { return s->id == frame->hd.stream_id; });
    if (it == c.streams_.end()) return 0;
    stream& s = **it;
    --c.active_;
    s.end = stream_end::refused;
    s.message = "not sent: the server sent GOAWAY first";
    c.forget(s);
    s.done.cancel();
    c.room_changed();
    return 0;
  }

  static ssize_t read_body(nghttp2_session* session, std::int32_t id, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source*, void*) {
    stream* s = stream_of(session, id);
    if (!s) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    const std::string& body = s->streamed ? s->streamed->bytes : s->form->body;
    const bool more = s->streamed && s->streamed->open;
    const std::size_t n = std::min(length, body.size() - s->body_sent);
    if (n == 0 && more) return NGHTTP2_ERR_DEFERRED;  // until `resume`
    std::copy_n(body.data() + s->body_sent, n, buf);
    s->body_sent += n;
    if (s->body_sent == body.size() && !more) *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (s->on_sent) s->on_sent(s->hook_arg);
    return static_cast<ssize_t>(n);
  }

  void room_changed() {
    if (on_room_ && has_room()) on_room_(capacity() - active_);
  }

  // What nghttp2 has to send goes out once per pass of the executor: the streams a
  // pass submits share their writes.
  void schedule_flush() {
    if (flush_pending_) return;
    flush_pending_ = true;
    boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->flush_pending_ = false;
      self->flush();
    });
  }

  void flush() {
    if (closed_ || !session_) return;
    for (;;) {
      const std::uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return fail(boost::asio::error::make_error_code(boost::asio::error::fault), nghttp2_strerror(static_cast<int>(n)));
      if (n == 0) break;
      out_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    stop_reading_if_idle();
    if (out_.empty() || writing_) return;
    if (!tls_) {  // plain TCP: at once, as the socket takes it; the rest asynchronously
      boost::system::error_code ec;
      std::size_t sent = 0;
      while (sent < out_.size()) {
        sent += socket_.write_some(boost::asio::buffer(out_.data() + sent, out_.size() - sent), ec);
        if (ec) break;
      }
      out_.erase(0, sent);
      if (ec && ec != boost::asio::error::would_block && ec != boost::asio::error::try_again) return fail(ec, ec.message());
      if (out_.empty()) return;
    }
    writing_ = true;
    boost::asio::co_spawn(socket_.get_executor(), write_loop(shared_from_this()), boost::asio::detached);
  }

  static boost::asio::awaitable<void> write_loop(std::shared_ptr<connection> self) {
    while (!self->out_.empty() && !self->closed_) {
      std::string chunk = std::move(self->out_);
      self->out_.clear();
      auto [ec, n] = self->tls_ ? co_await boost::asio::async_write(*self->tls_, boost::asio::buffer(chunk), as_tuple)
                                : co_await boost::asio::async_write(self->socket_, boost::asio::buffer(chunk), as_tuple);
      if (ec) {
        self->fail(ec, ec.message());
        break;
      }
    }
    self->writing_ = false;
  }

  // A connection reads while it has streams in flight. Idle, it keeps no read
  // pending, so that it holds no work of its executor (a shard's event loop ends when
  // its actions have); what the server sent meanwhile is read with the next stream.
  void read() {
    if (reading_ || closed_) return;
    reading_ = true;
    idle_stop_ = false;
    boost::asio::co_spawn(socket_.get_executor(), read_loop(shared_from_this()), boost::asio::detached);
  }
  // No stream is left, but a read is pending (the last stream was given up): end it.
  // The cancel completes later (on io_uring, maybe as a read that got its bytes): a
  // stream submitted meanwhile finds `reading_` set and relies on that read going on.
  void stop_reading_if_idle() {
    if (active_ != 0 || !reading_ || in_recv_ || closed_) return;
    idle_stop_ = true;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  }

  static boost::asio::awaitable<void> read_loop(std::shared_ptr<connection> self) {
    for (;;) {
      boost::system::error_code ec;
      std::size_t n = 0;
      if (self->stamped_) {
        // Stamped: a wait until the socket is readable, then one recvmsg (which takes
        // the stamps); a wait that finds nothing to read waits again.
        std::tie(ec) = co_await self->socket_.async_wait(tcp::socket::wait_read, as_tuple);
        if (!ec) {
          self->stamp_ = {};
          n = stamped_reader(self->socket_, &self->stamp_).read_some(boost::asio::buffer(self->in_), ec);
          if (ec == boost::asio::error::would_block) continue;
        }
      } else if (self->tls_) {
        // (An if, not ?:: g++ 12 may evaluate a co_await in the branch not taken.)
        std::tie(ec, n) = co_await self->tls_->async_read_some(boost::asio::buffer(self->in_), as_tuple);
      } else {
        std::tie(ec, n) = co_await self->socket_.async_read_some(boost::asio::buffer(self->in_), as_tuple);
      }
      if (std::exchange(self->idle_stop_, false) && ec == boost::asio::error::operation_aborted && !self->closed_) {
        // A stream submitted since the cancel found this read pending: it goes on.
        if (self->active_ != 0) continue;
        self->reading_ = false;
        co_return;
      }
      if (ec) {
        self->fail(ec, ec == boost::asio::error::eof ? "the server closed the connection" : ec.message());
        co_return;
      }
      self->in_recv_ = true;
      ssize_t used = nghttp2_session_mem_recv(self->session_, self->in_.data(), n);
      // TLS gives a record a read, often one response: the records the socket already
      // holds are read at once, so that the streams they end resume together and their
      // next requests share one write (else: a write per request). Such a read never
      // has to write: HTTP/2 forbids renegotiation (the client refuses it) and TLS
      // 1.3's key update answers with the next write.
      boost::system::error_code later;
      for (int records = 0; self->tls_ && used >= 0 && records < 64; ++records) {
        const std::size_t m = self->tls_->read_some(boost::asio::buffer(self->in_), later);
        if (later == boost::asio::error::would_block || later == boost::asio::error::try_again) later = {};
        if (later || m == 0) break;
        used = nghttp2_session_mem_recv(self->session_, self->in_.data(), m);
      }
      self->in_recv_ = false;
      if (used < 0) {
        self->fail(boost::asio::error::make_error_code(boost::asio::error::fault),
                   std::string("HTTP/2 protocol error: ") + nghttp2_strerror(static_cast<int>(used)), stream_end::protocol);
        co_return;
      }
      if (later) {
        self->fail(later, later == boost::asio::error::eof ? "the server closed the connection" : later.message());
        co_return;
      }
      self->flush();  // acknowledgements and window updates
      if (self->closed_) co_return;
      if (!nghttp2_session_want_read(self->session_) && !nghttp2_session_want_write(self->session_)) {
        if (self->broken_) {
          self->fail({}, "HTTP/2 protocol error: " + (self->error_.empty() ? self->broken_why_ : self->error_), stream_end::protocol);
          co_return;
        }
        self->fail({}, self->goaway_ ? "the server sent GOAWAY (" + std::string(nghttp2_http2_strerror(self->goaway_code_)) +
                                           ", last stream " + std::to_string(self->goaway_last_) + ")"
                                     : "the session ended");
        co_return;
      }
      if (self->active_ == 0) {  // idle: no read pending (see `read`)
        self->reading_ = false;
        co_return;
      }
    }
  }

  // The connection is over: every stream in flight ends `how` (lost: it may or may
  // not have been served).
  void fail(const boost::system::error_code&, const std::string& why, stream_end how = stream_end::lost) {
    if (closed_) return;
    closed_ = true;
    open_ = false;
    boost::system::error_code ignored;
    socket_.close(ignored);
    for (stream* s : streams_) {
      // A stream nghttp2 never opened had none of its frames made: it never reached the
      // server, so it can go out again on another connection.
      const bool unsent = nghttp2_session_find_stream(session_, s->id) == nullptr;
      nghttp2_session_set_stream_user_data(session_, s->id, nullptr);
      s->end = unsent ? stream_end::refused : how;
      s->message = unsent ? "not sent: " + why : why;
      s->owner = nullptr;
      s->done.cancel();
    }
    streams_.clear();
    active_ = 0;
    if (on_room_) on_room_(0);  // waiters look again (and open another connection)
  }

  void forget(stream& s) noexcept {
    s.owner = nullptr;
    streams_[s.index] = streams_.back();
    streams_[s.index]->index = s.index;
    streams_.pop_back();
  }

  static constexpr auto as_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

  tcp::socket socket_;
  std::optional<boost::asio::ssl::stream<tcp::socket&>> tls_;
  nghttp2_session* session_ = nullptr;
  std::uint32_t max_streams_;
  std::size_t active_ = 0;
  bool open_ = false, closed_ = false, goaway_ = false;
  std::uint32_t goaway_code_ = 0;
  std::int32_t goaway_last_ = 0;
  bool broken_ = false;  // nghttp2 ended the session over the server's protocol error
  std::string error_;       // nghttp2's words for it
  std::string broken_why_;  // the code (and debug data) of the GOAWAY it sent
  bool flush_pending_ = false, writing_ = false;
  bool reading_ = false, in_recv_ = false, idle_stop_ = false, used_ = false;
  bool stamped_ = false;        // reads take the kernel's receive stamps (h2c)
  clock::time_point stamp_{};   // the stamp of the read being handled
  std::vector<stream*> streams_;  // in flight, with user data set
  std::vector<nghttp2_nv> nv_;    // the request being submitted (nghttp2 copies it)
  std::string out_;
  std::array<std::uint8_t, 16384> in_{};
  std::function<void(std::size_t)> on_room_;
};

inline void stream::body_written() {
  if (owner) owner->resume(*this);
}

} // namespace karga::http::h2
