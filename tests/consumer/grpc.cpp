// A program that found karga::grpc through find_package(karga COMPONENTS grpc) and got
// greeter.proto's classes from karga_grpc_messages(): typed calls to a greeter.
//
//   consumer_grpc HOST:PORT    exit 0 when 10 calls of 10 were answered "Hello karga"
#include "greeter.pb.h"

#include <karga/grpc.hpp>

#include <cstdio>

using namespace std::chrono_literals;

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
  return results.calls_with_status("OK") == 10u && report.all_ok() ? 0 : 1;
}
