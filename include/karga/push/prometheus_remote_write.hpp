#pragma once
/// @file push/prometheus_remote_write.hpp
/// Live samples sent with Prometheus' remote-write protocol (1.0: a `WriteRequest`
/// in protobuf, compressed with snappy's block format), under the same series names
/// and labels as the `/metrics` endpoint (`prometheus_families`), each series with
/// the extra labels given (`instance`, `segment`) so that the series of N processes
/// stay apart and `sum by (…)` adds them up.
///
/// The four messages of `WriteRequest` are encoded here, by hand: a header-only
/// library cannot ask its users' builds to run protoc, and the encoding of strings,
/// doubles and varints is all that is needed. A real Prometheus reads it in the tests.

#include <karga/exporters/prometheus_text.hpp>
#include <karga/push/live_push.hpp>

#include <snappy.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace karga {

/// Labels every series carries besides those of `/metrics` (`instance`, `segment`).
using prometheus_labels = std::vector<std::pair<std::string, std::string>>;

namespace detail {
// Protocol buffers' wire format, the three kinds a WriteRequest uses.
inline void proto_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
inline void proto_bytes(std::string& out, unsigned field, std::string_view bytes) {
  proto_varint(out, (field << 3) | 2);
  proto_varint(out, bytes.size());
  out += bytes;
}
inline void proto_double(std::string& out, unsigned field, double v) {
  proto_varint(out, (field << 3) | 1);
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  for (int i = 0; i < 8; ++i) out += static_cast<char>((bits >> (8 * i)) & 0xff);  // little-endian
}
inline void proto_int64(std::string& out, unsigned field, std::int64_t v) {
  proto_varint(out, field << 3);
  proto_varint(out, static_cast<std::uint64_t>(v));
}
} // namespace detail

/// The uncompressed `WriteRequest` of a batch: a `TimeSeries` per point of each
/// sample (labels sorted by name, `__name__` first), one `Sample` each, at the time
/// the sample was taken.
inline std::string remote_write_request(std::span<const stamped_sample> batch, const prometheus_labels& extra = {},
                                        std::string_view prefix = "karga") {
  std::string request, series, label, sample;
  for (const auto& [s, at] : batch) {
    const std::int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
    for (const auto& family : prometheus_families({s}, prefix))
      for (const auto& point : family.points) {
        std::vector<std::pair<std::string_view, std::string_view>> labels{{"__name__", point.name}};
        for (const auto& [k, v] : point.labels) labels.emplace_back(k, v);
        for (const auto& [k, v] : extra)
          if (!v.empty()) labels.emplace_back(k, v);
        std::sort(labels.begin(), labels.end());
        series.clear();
        for (const auto& [k, v] : labels) {
          label.clear();
          detail::proto_bytes(label, 1, k);
          detail::proto_bytes(label, 2, v);
          detail::proto_bytes(series, 1, label);
        }
        sample.clear();
        detail::proto_double(sample, 1, point.value);
        detail::proto_int64(sample, 2, ms);
        detail::proto_bytes(series, 2, sample);
        detail::proto_bytes(request, 1, series);
      }
  }
  return request;
}

/// The live format for `live_push`: a snappy-compressed `WriteRequest` POSTed to a
/// receiver (`http://HOST:9090/api/v1/write` for a Prometheus started with
/// `--web.enable-remote-write-receiver`).
inline live_format prometheus_remote_write_format(prometheus_labels extra = {}, std::string prefix = "karga") {
  live_format f;
  f.name = "prometheus-rw";
  f.content_type = "application/x-protobuf";
  f.headers = {{"Content-Encoding", "snappy"}, {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
  f.encode = [extra = std::move(extra), prefix = std::move(prefix)](std::span<const stamped_sample> batch) {
    const std::string request = remote_write_request(batch, extra, prefix);
    std::string compressed;
    snappy::Compress(request.data(), request.size(), &compressed);
    return compressed;
  };
  return f;
}

} // namespace karga
