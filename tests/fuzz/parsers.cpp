// libFuzzer target for every parser karga-http and karga::http have: counts,
// numbers, durations, stages, headers, URLs and request targets, the schedule built
// from what they return, and a request's HTTP/2 form (checked by nghttp2's own
// validators, which servers built on it apply). The first byte picks the parser; the rest is its
// input. Anything but a karga::error, or a result that breaks an invariant, is a crash.
#include "../../tools/header.hpp"

#include <karga/cli/parse.hpp>

#include <karga/http/h2/request_form.hpp>
#include <karga/http/url.hpp>
#include <karga/load/schedule.hpp>
#include <karga/load/segment.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include <nghttp2/nghttp2.h>

namespace {
void require(bool ok) {
  if (!ok) __builtin_trap();
}
bool clean(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos; }
const auto* bytes(const std::string& s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

// "path \x1e name \x1f value \x1e name \x1f value …" into a path and headers.
struct h2_header {
  std::string name, value;
};
struct h2_input {
  std::string path;
  std::vector<h2_header> headers;
};
h2_input split_h2_input(std::string_view s) {
  h2_input in;
  std::size_t at = s.find('\x1e');
  in.path = std::string(s.substr(0, at));
  while (at != std::string_view::npos) {
    const std::size_t next = s.find('\x1e', at + 1);
    const std::string_view part = s.substr(at + 1, next == std::string_view::npos ? std::string_view::npos : next - at - 1);
    const std::size_t sep = part.find('\x1f');
    in.headers.push_back({std::string(part.substr(0, sep)),
                          std::string(sep == std::string_view::npos ? std::string_view() : part.substr(sep + 1))});
    at = next;
  }
  return in;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view s(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace karga::cli;
  using karga_tools::parse_header;
  try {
    switch (data[0] % 10) {
      case 0: {
        const auto n = parse_count(s, "n", 1, 100000);
        require(n >= 1 && n <= 100000);
        break;
      }
      case 1: {
        const double v = parse_number(s, "x");
        require(std::isfinite(v) && v >= 0);
        break;
      }
      case 2: {
        const auto d = parse_duration(s, "d");
        require(std::isfinite(d.count()) && d.count() >= 0 && d.count() <= karga::schedule::max_length);
        break;
      }
      case 3: {
        const auto st = parse_stage(s);
        const karga::schedule sched(0, {st, st});
        if (sched.total() > 0) require(sched.due_by(sched.time_of(sched.total() - 1)) == sched.total());
        break;
      }
      case 4: {
        const auto [name, value] = parse_header(s);
        require(!name.empty() && clean(name) && clean(value));
        break;
      }
      case 5: {
        const auto u = karga::http::parse_url(s);
        require(!u.host.empty() && clean(u.host) && clean(u.host_header) && clean(u.base_path));
        const int port = std::atoi(u.port.c_str());
        require(port >= 1 && port <= 65535);
        karga::http::check_target(u.base_path.empty() ? "/" : u.base_path);
        break;
      }
      case 7: {
        const auto t = parse_wall_time(s, "t");
        require(t.time_since_epoch().count() >= 0);
        break;
      }
      case 8: {
        const auto seg = karga::segment::parse(s);
        require(seg.index < seg.count);
        break;
      }
      case 9: {  // a request's HTTP/2 form: what nghttp2 would send, valid by its own checks
        const auto in = split_h2_input(s);
        static const auto u = karga::http::parse_url("http://127.0.0.1:8080");
        const auto form = karga::http::h2::make_request_form("GET", u, in.path, in.headers, std::string());
        require(form.fields.size() >= 4);
        const char* pseudo[] = {":method", ":scheme", ":authority", ":path"};
        for (int i = 0; i < 4; ++i) require(form.fields[i].name == pseudo[i]);
        require(nghttp2_check_method(bytes(form.fields[0].value), form.fields[0].value.size()) != 0);
        require(nghttp2_check_authority(bytes(form.fields[2].value), form.fields[2].value.size()) != 0);
        require(nghttp2_check_path(bytes(form.fields[3].value), form.fields[3].value.size()) != 0);
        for (std::size_t i = 4; i < form.fields.size(); ++i) {
          const auto& f = form.fields[i];
          require(!f.name.empty() && f.name[0] != ':');
          require(nghttp2_check_header_name(bytes(f.name), f.name.size()) != 0);
          require(nghttp2_check_header_value(bytes(f.value), f.value.size()) != 0);
          require(!karga::http::h2::detail::connection_specific(f.name));
        }
        break;
      }
      case 6: {  // a schedule from raw numbers: start rate, then (duration, rate) pairs
        double v[7] = {};
        std::memcpy(v, s.data(), std::min(s.size(), sizeof v));
        std::vector<karga::stage> stages;
        for (int i = 1; i + 1 < 7; i += 2) stages.push_back({std::chrono::duration<double>(std::fmod(std::abs(v[i]), 100.0)), std::fmod(std::abs(v[i + 1]), 1e4)});
        const karga::schedule sched(std::fmod(std::abs(v[0]), 1e4), stages);
        double previous = 0;
        for (std::uint64_t k = 0; k < sched.total(); k += 1 + sched.total() / 64) {
          const double t = sched.time_of(k);
          require(t >= previous && t <= sched.length() + 1e-9);
          require(sched.due_by(t) == k + 1);
          previous = t;
        }
        break;
      }
    }
  } catch (const karga::error&) {
  }
  return 0;
}
