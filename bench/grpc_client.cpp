// A closed-loop unary gRPC client on the official C++ library, written as a C++ user
// writes one by hand for speed: the asynchronous API, one completion queue polled by
// one thread, `connections` channels (each its own HTTP/2 connection) with `streams`
// calls in flight on each, a generic stub sending the same bytes every call. The
// latency of each call goes into karga's histogram (within 0.05 %).
//
//   grpc_client TARGET METHOD PAYLOAD CONNECTIONS STREAMS SECONDS
// prints: calls SECONDS calls/s p50_ns p99_ns
#include <karga/measure/histogram.hpp>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {
using clock_type = std::chrono::steady_clock;

struct call {
  grpc::GenericStub* stub = nullptr;
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  grpc::ByteBuffer response;
  grpc::Status status;
  clock_type::time_point start;
};
} // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s TARGET METHOD PAYLOAD CONNECTIONS STREAMS SECONDS\n", argv[0]);
    return 2;
  }
  const std::string target = argv[1], method = argv[2], payload = argv[3];
  const int connections = std::atoi(argv[4]), streams = std::atoi(argv[5]);
  const auto length = std::chrono::duration<double>(std::atof(argv[6]));
  grpc::Slice slice(payload);
  const grpc::ByteBuffer request(&slice, 1);

  grpc::CompletionQueue cq;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  for (int i = 0; i < connections; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    args.SetInt("karga.bench.channel", i);
    channels.push_back(grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
    stubs.push_back(std::make_unique<grpc::GenericStub>(channels.back()));
  }
  std::vector<call> calls(static_cast<std::size_t>(connections * streams));
  auto start_call = [&](call& c) {
    c.context = std::make_unique<grpc::ClientContext>();
    c.start = clock_type::now();
    c.reader = c.stub->PrepareUnaryCall(c.context.get(), method, request, &cq);
    c.reader->StartCall();
    c.reader->Finish(&c.response, &c.status, &c);
  };
  karga::histogram latency;
  std::uint64_t ok = 0, failed = 0;
  const auto begin = clock_type::now();
  const auto end = begin + std::chrono::duration_cast<clock_type::duration>(length);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    calls[i].stub = stubs[i % stubs.size()].get();
    start_call(calls[i]);
  }
  std::size_t in_flight = calls.size();
  void* tag = nullptr;
  bool got = false;
  while (in_flight != 0 && cq.Next(&tag, &got)) {
    auto& c = *static_cast<call*>(tag);
    const auto now = clock_type::now();
    latency.record(now - c.start);
    ++(c.status.ok() ? ok : failed);
    if (now < end)
      start_call(c);
    else
      --in_flight;
  }
  const double secs = std::chrono::duration<double>(clock_type::now() - begin).count();
  std::printf("%llu %.3f %.0f %llu %llu\n", static_cast<unsigned long long>(ok), secs, static_cast<double>(ok) / secs,
              static_cast<unsigned long long>(latency.percentile(50)), static_cast<unsigned long long>(latency.percentile(99)));
  if (failed != 0) std::fprintf(stderr, "%llu calls failed\n", static_cast<unsigned long long>(failed));
  cq.Shutdown();
  while (cq.Next(&tag, &got)) {
  }
  return failed == 0 ? 0 : 1;
}
