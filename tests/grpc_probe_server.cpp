// The gRPC server of karga's interop tests on the official gRPC C++ library
// (Debian's libgrpc++), a generic callback service: messages are bytes, so it serves
// the very methods of tests/grpc_server.py (the Python one) with the same meaning,
// and one test script runs against both. It counts what it serves; test.Probe/Counters
// answers the counts as JSON.
//
//   grpc_probe_server PORT_FILE [--port N] [--tls CERT KEY]
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

namespace {

struct counts {
  std::uint64_t calls = 0, received = 0, sent = 0;
};
std::mutex lock;
std::map<std::string, counts> by_method;
std::map<long, std::uint64_t> unary_seconds;  // unary calls started in each whole second of the wall clock
std::uint64_t status_calls = 0;

void count(const std::string& method, std::uint64_t received, std::uint64_t sent) {
  std::lock_guard g(lock);
  auto& c = by_method[method];
  ++c.calls;
  c.received += received;
  c.sent += sent;
}

std::string text(const grpc::ByteBuffer& b) {
  std::vector<grpc::Slice> slices;
  (void)b.Dump(&slices);
  std::string out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}
grpc::ByteBuffer buffer(const std::string& s) {
  grpc::Slice slice(s);
  return grpc::ByteBuffer(&slice, 1);
}
std::uint64_t number(const std::string& s) { return s.empty() ? 0 : std::strtoull(s.c_str(), nullptr, 10); }

std::string counters_json() {
  std::lock_guard g(lock);
  std::ostringstream o;
  o << "{\"methods\": {";
  const char* sep = "";
  for (const auto& [m, c] : by_method) {
    o << sep << '"' << m << "\": {\"calls\": " << c.calls << ", \"received\": " << c.received << ", \"sent\": " << c.sent << '}';
    sep = ", ";
  }
  o << "}, \"seconds\": {";
  sep = "";
  for (const auto& [s, n] : unary_seconds) {
    o << sep << '"' << s << "\": " << n;
    sep = ", ";
  }
  o << "}}";
  return o.str();
}

// One call of any method: what it does is chosen by the method's name.
class call final : public grpc::ServerGenericBidiReactor {
public:
  explicit call(grpc::GenericCallbackServerContext* ctx) : method_(ctx->method().substr(ctx->method().rfind('/') + 1)) {
    if (ctx->method().rfind("/test.Probe/", 0) != 0) {
      Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no such method"));
      return;
    }
    if (method_ == "Unary") {
      std::lock_guard g(lock);
      ++unary_seconds[static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch()).count())];
    }
    StartRead(&in_);
  }

  void OnReadDone(bool ok) override {
    if (ok) ++received_;
    const std::string m = ok ? text(in_) : std::string();
    if (method_ == "ClientStream") {
      if (ok) return StartRead(&in_);
      count(method_, received_, 1);
      return reply(std::to_string(received_));
    }
    if (method_ == "Bidi") {
      if (!ok) {
        count(method_, received_, sent_);
        return Finish(grpc::Status::OK);
      }
      out_ = in_;
      return StartWrite(&out_);
    }
    if (!ok) return Finish(grpc::Status(grpc::StatusCode::INTERNAL, "no request message"));
    if (method_ == "Unary") {
      count(method_, 1, 1);
      return reply(m);
    }
    if (method_ == "ServerStream") {
      left_ = number(m);
      return next();
    }
    if (method_ == "Status") {
      std::uint64_t k;
      {
        std::lock_guard g(lock);
        k = status_calls++ % 17;
      }
      count(method_, 1, k == 0 ? 1 : 0);
      if (k == 0) return reply("ok");
      return Finish(grpc::Status(static_cast<grpc::StatusCode>(k), "status " + std::to_string(k)));
    }
    if (method_ == "Sleep") {
      std::thread([this, ms = number(m)] {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        count(method_, 1, 1);
        reply("slept");
      }).detach();
      return;
    }
    if (method_ == "Big") {
      count(method_, 1, 1);
      return reply(std::string(number(m), 'x'));
    }
    if (method_ == "Counters") return reply(counters_json());
    if (method_ == "Reset") {
      std::lock_guard g(lock);
      by_method.clear();
      unary_seconds.clear();
      status_calls = 0;
      out_ = buffer("");
      return StartWriteAndFinish(&out_, grpc::WriteOptions(), grpc::Status::OK);
    }
    Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no such method"));
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return Finish(grpc::Status::CANCELLED);
    ++sent_;
    if (method_ == "ServerStream") return next();
    if (method_ == "Bidi") return StartRead(&in_);
  }

  void OnDone() override { delete this; }

private:
  void reply(const std::string& s) {
    out_ = buffer(s);
    StartWriteAndFinish(&out_, grpc::WriteOptions(), grpc::Status::OK);
  }
  // ServerStream: the next of its messages, or the end.
  void next() {
    if (left_ == 0) {
      count(method_, 1, sent_);
      return Finish(grpc::Status::OK);
    }
    out_ = buffer("m" + std::to_string(sent_));
    --left_;
    StartWrite(&out_);
  }

  std::string method_;
  grpc::ByteBuffer in_, out_;
  std::uint64_t received_ = 0, sent_ = 0, left_ = 0;
};

class probe final : public grpc::CallbackGenericService {
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override { return new call(ctx); }
};

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PORT_FILE [--port N] [--tls CERT KEY]\n", argv[0]);
    return 2;
  }
  const std::string port_file = argv[1];
  int want = 0;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--port" && i + 1 < argc) {
      want = std::atoi(argv[++i]);
    } else if (a == "--tls" && i + 2 < argc) {
      grpc::SslServerCredentialsOptions tls;
      tls.pem_key_cert_pairs.push_back({read_file(argv[i + 2]), read_file(argv[i + 1])});
      credentials = grpc::SslServerCredentials(tls);
      i += 2;
    } else {
      std::fprintf(stderr, "unknown argument: %s\n", argv[i]);
      return 2;
    }
  }
  probe service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(want), credentials, &port);
  builder.RegisterCallbackGenericService(&service);
  const auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "cannot listen on 127.0.0.1:%d\n", want);
    return 1;
  }
  {
    std::ofstream out(port_file + ".tmp");
    out << port;
  }
  std::rename((port_file + ".tmp").c_str(), port_file.c_str());  // whole when it appears
  server->Wait();
}
