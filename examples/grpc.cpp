// The seed's staged profile against a gRPC greeter (helloworld.Greeter/SayHello, the
// greeter of gRPC's own examples): 0→100 calls/s over 10 s, 100/s for 30 s, 100→0/s
// over 5 s; a call succeeds when its status is OK and the answer greets "karga".
//
//   grpc [TARGET] [--quick]    TARGET: host:port (h2c) or https://host:port (default
//                              127.0.0.1:50051); --quick: 1 s, 3 s, 1 s
//
// The messages are protobuf, written by hand here (field 1, a string, each way) so
// that the example needs no generated code; with your .proto's classes,
// `co_await greeter.unary<HelloReply>(method, request)` does the same.
#include <karga/grpc.hpp>
#include <karga/karga.hpp>

#include <cstdio>
#include <cstring>
#include <string>

using namespace std::chrono_literals;

namespace {
// A protobuf message of one string field, number 1 (HelloRequest.name, HelloReply.message).
std::string field1(const std::string& s) { return std::string{'\x0a', static_cast<char>(s.size())} + s; }
} // namespace

int main(int argc, char** argv) try {
  std::string target = "127.0.0.1:50051";
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0)
      quick = true;
    else if (argv[i][0] == '-') {
      std::fprintf(stderr, "usage: %s [TARGET] [--quick]\nunknown option: %s\n", argv[0], argv[i]);
      return 2;
    } else
      target = argv[i];
  }
  std::printf("target: %s\n", target.c_str());
  std::fflush(stdout);

  const karga::grpc::channel greeter{target};  // heavy objects: create once
  karga::grpc::call_options opt;
  opt.deadline = 1s;
  const std::string request = field1("karga");
  const std::string_view one[] = {request};
  const auto call = greeter.prepare(karga::grpc::call_kind::unary, "helloworld.Greeter/SayHello", one, opt);
  const std::string want = field1("Hello karga");

  const double k = quick ? 0.1 : 1.0;
  auto results = karga::scenario<karga::grpc::aggregate>::builder()
                     .name("gRPC greeter")
                     .action([greeter, call, want]() -> boost::asio::awaitable<karga::grpc::metric> {
                       auto r = co_await greeter.call(call);
                       if (r.ok() && r.messages.front() != want) {
                         r.code = karga::grpc::status_code::internal;
                         r.message = "the greeting is not \"Hello karga\"";
                       }
                       co_return karga::grpc::to_metric(std::move(r));
                     })
                     .executor(karga::stage_executor::builder()
                                   .stages({{10s * k, 100.0}, {30s * k, 100.0}, {5s * k, 0.0}})
                                   .build())
                     .build()
                     .run();
  const karga::grpc::report report{results};
  karga::stdout_reporter{}.report(report);
  if (report.stop == karga::stop_reason::signal) return 128 + report.signal;
  return report.all_ok() && !report.stopped() ? 0 : 1;
} catch (const karga::error& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 2;
}
