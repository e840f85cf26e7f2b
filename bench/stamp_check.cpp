// A reader that reads each response at once, by polling its socket without sleeping,
// beside the kernel's receive stamp of the same response: how far apart the two are,
// and each one's latency from the request's write. For bench/receive_timestamps.sh.
//   stamp_check HOST PORT REQUESTS
#include <karga/http/receive_stamp.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

namespace {
double percentile_us(std::vector<karga::clock::duration> v, double p) {
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
  return std::chrono::duration<double, std::micro>(v[i]).count();
}
} // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    fmt::print(stderr, "usage: stamp_check HOST PORT REQUESTS\n");
    return 2;
  }
  namespace http = boost::beast::http;
  using boost::asio::ip::tcp;
  boost::asio::io_context io;
  tcp::socket socket(io);
  boost::asio::connect(socket, tcp::resolver(io).resolve(argv[1], argv[2]));
  socket.set_option(tcp::no_delay(true));
  socket.non_blocking(true);
  if (!karga::http::enable_receive_stamps(socket)) {
    fmt::print(stderr, "stamp_check: no receive timestamps here\n");
    return 1;
  }
  const std::string request = fmt::format("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", argv[1]);
  const long n = std::atol(argv[3]);
  std::vector<karga::clock::duration> gap, by_stamp, by_read;
  boost::beast::flat_buffer buffer;
  karga::clock::time_point stamp{};
  karga::http::stamped_reader reader(socket, &stamp);
  for (long i = 0; i < n; ++i) {
    const auto start = karga::clock::now();
    boost::asio::write(socket, boost::asio::buffer(request));
    http::response_parser<http::string_body> parser;
    stamp = {};
    boost::system::error_code ec;
    do {
      http::read_some(reader, buffer, parser, ec);
      if (ec && ec != boost::asio::error::would_block) {
        fmt::print(stderr, "stamp_check: {}\n", ec.message());
        return 1;
      }
    } while (!parser.is_done());
    const auto read = karga::clock::now();
    if (i < n / 10) continue;  // warm-up
    gap.push_back(read - stamp);
    by_stamp.push_back(stamp - start);
    by_read.push_back(read - start);
  }
  fmt::print("responses {}\n", gap.size());
  fmt::print("read - stamp µs: p50 {:.1f} p90 {:.1f} p99 {:.1f}\n", percentile_us(gap, 50), percentile_us(gap, 90),
             percentile_us(gap, 99));
  fmt::print("latency µs by stamp: p50 {:.1f}  by read: p50 {:.1f}\n", percentile_us(by_stamp, 50),
             percentile_us(by_read, 50));
}
