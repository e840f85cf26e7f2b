// A program that found karga::grpc through find_package(karga COMPONENTS grpc) and got
// greeter.proto's classes from karga_grpc_messages(): typed calls to the test server
// (tests/grpc_probe_server): 10 unary greetings, then a bidi stream of protobuf
// messages to its echo (test.Probe/Bidi), and one that answers bytes of no message.
//
//   consumer_grpc HOST:PORT    exit 0 when each came to what it must
#include "greeter.pb.h"

#include <karga/grpc.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <string>

using namespace std::chrono_literals;

namespace {
// Writes three HelloRequests to the echo and reads them back typed: "ann bo cy" when
// all came back; then a message of bytes that no HelloRequest parses from (0xff).
boost::asio::awaitable<std::string> typed_streams(const karga::grpc::channel& ch) {
  std::string names;
  auto echo = co_await ch.open(karga::grpc::call_kind::bidi_streaming, "test.Probe/Bidi");
  for (const char* name : {"ann", "bo", "cy"}) {
    helloworld::HelloRequest request;
    request.set_name(name);
    co_await echo.write(request);
    if (auto back = co_await echo.read<helloworld::HelloRequest>()) names += (names.empty() ? "" : " ") + back->name();
  }
  const auto ended = co_await echo.finish();
  names += ended.ok() ? " / OK" : " / " + std::string(karga::grpc::to_string(ended.code));

  auto wrong = co_await ch.open(karga::grpc::call_kind::bidi_streaming, "test.Probe/Bidi");
  co_await wrong.write(std::string_view("\xff"));
  const bool none = !co_await wrong.read<helloworld::HelloRequest>();
  const auto given_up = co_await wrong.finish();
  names += " / " + std::string(none ? "nullopt " : "a message ") + std::string(karga::grpc::to_string(given_up.code)) +
           ": " + given_up.message;
  co_return names;
}
} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s HOST:PORT\n", argv[0]);
    return 2;
  }
  const karga::grpc::channel greeter{argv[1]};
  helloworld::HelloRequest request;
  request.set_name("karga");
  auto results = karga::scenario<karga::grpc::aggregate>::builder()
                     .action([greeter, request]() -> boost::asio::awaitable<karga::grpc::metric> {
                       auto r = co_await greeter.unary<helloworld::HelloReply>("helloworld.Greeter/SayHello", request);
                       if (r.ok() && r.response.message() != "Hello karga") {
                         r.code = karga::grpc::status_code::internal;
                         r.message = "the greeting is \"" + r.response.message() + "\"";
                       }
                       co_return karga::grpc::to_metric(std::move(r));
                     })
                     .executor(karga::stage_executor::builder().start_rate(100).stage(100ms, 100.0).build())
                     .build()
                     .run();
  const karga::grpc::report report{results};
  karga::stdout_reporter{}.report(report);
  if (results.calls_with_status("OK") != 10u || !report.all_ok()) return 1;

  boost::asio::io_context io;
  const karga::grpc::channel own = greeter;  // connections of its own, on `io`
  std::string streams;
  boost::asio::co_spawn(io, typed_streams(own), [&](std::exception_ptr e, std::string s) {
    streams = e ? "failed" : std::move(s);
  });
  io.run();
  std::printf("typed streams: %s\n", streams.c_str());
  return streams == "ann bo cy / OK / nullopt INTERNAL: an answer message does not parse as the type read" ? 0 : 1;
}
