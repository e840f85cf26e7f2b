// libFuzzer target for gRPC's wire pieces in karga::grpc: the message reader (the
// same messages whatever the pieces the bytes come in, and never one over the
// limit), grpc-message, grpc-timeout, grpc-status and gzip. The first byte picks;
// the rest is the input. A result that breaks an invariant is a crash.
#include <karga/grpc/framing.hpp>
#include <karga/grpc/gzip.hpp>
#include <karga/grpc/status.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {
void require(bool ok) {
  if (!ok) __builtin_trap();
}

struct read_out {
  std::vector<std::pair<std::string, bool>> messages;
  karga::grpc::framing_error error;
};
// `wire` read in pieces of `step` bytes (0: at once) by a reader of limit `max`.
read_out read(std::string_view wire, std::size_t step, std::size_t max) {
  karga::grpc::message_reader r(max);
  read_out out;
  auto on = [&](std::string_view m, bool compressed) {
    require(m.size() <= max);
    out.messages.emplace_back(std::string(m), compressed);
  };
  if (step == 0) {
    r.feed(wire, on);
  } else {
    for (std::size_t at = 0; at < wire.size(); at += step) r.feed(wire.substr(at, step), on);
  }
  r.finish();
  require(r.messages() == out.messages.size());
  out.error = r.error();
  return out;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::string_view s(reinterpret_cast<const char*>(data) + 3, size - 3);
  namespace grpc = karga::grpc;
  switch (data[0] % 5) {
    case 0: {  // framing: split-invariant, and what it read frames back to the input
      const std::size_t max = data[2] * 4u;
      const read_out whole = read(s, 0, max), split = read(s, 1 + data[1] % 17, max);
      require(whole.messages == split.messages && whole.error == split.error);
      std::string again;
      for (const auto& [m, c] : whole.messages) grpc::append_message(again, m, c);
      require(s.substr(0, again.size()) == again);
      if (whole.error == grpc::framing_error::none) require(again == s);
      break;
    }
    case 1: {  // grpc-message: never longer; plain text unchanged
      const std::string out = grpc::decode_grpc_message(s);
      require(out.size() <= s.size());
      if (s.find('%') == std::string_view::npos) require(out == s);
      break;
    }
    case 2: {  // grpc-timeout: a value read back encodes to one no shorter
      const auto d = grpc::decode_timeout(s);
      if (d.count() >= 0) {
        const std::string e = grpc::encode_timeout(d);
        require(e.size() >= 2 && e.size() <= 9);
        require(grpc::decode_timeout(e) >= d);
      }
      break;
    }
    case 3: {  // grpc-status and status names
      if (const auto c = grpc::parse_grpc_status(s)) require(static_cast<std::size_t>(*c) < grpc::status_count);
      if (const auto c = grpc::status_named(s)) require(static_cast<std::size_t>(*c) < grpc::status_count);
      break;
    }
    case 4: {  // gzip: never more than the limit; what it compresses comes back
      std::string out;
      const std::size_t max = data[1] * 256u;
      if (grpc::gzip_decompress(s, out, max)) require(out.size() <= max);
      std::string back;
      require(grpc::gzip_decompress(grpc::gzip_compress(s), back, s.size()) && back == s);
      break;
    }
  }
  return 0;
}
