#pragma once
/// @file http/results_codec.hpp
/// `http::aggregate` in results files (see karga/files/results_file.hpp): needs both the
/// `karga::http` and `karga::results` targets.

#include <karga/files/results_file.hpp>
#include <karga/http/metrics.hpp>

namespace karga {

/// `http::aggregate` in results files: the basic figures, then statuses and errors.
template <>
struct codec<http::aggregate> {
  /// The type's name in the file.
  static constexpr std::string_view name = "karga.http.aggregate";
  /// Writes `a`.
  static void write(results_writer& w, const http::aggregate& a) {
    codec<basic_aggregate>::write(w, a.basic());
    std::uint64_t codes = 0;
    for (unsigned c = 100; c < 600; ++c) codes += a.status_count(c) != 0;
    w.u64(codes);
    for (unsigned c = 100; c < 600; ++c)
      if (auto n = a.status_count(c)) {
        w.u16(static_cast<std::uint16_t>(c));
        w.u64(n);
      }
    w.u64(a.status_count(0));
    w.u64(http::error_kind_count);
    for (std::size_t k = 0; k < http::error_kind_count; ++k) {
      w.u64(a.error_count(static_cast<http::error_kind>(k)));
      w.str(a.first_message(static_cast<http::error_kind>(k)));
    }
    w.u64(a.protocol_count(1));
    w.u64(a.protocol_count(2));
    w.u64(a.header_wire_bytes());
    w.u64(a.header_plain_bytes());
  }
  /// Reads what `write` wrote.
  static http::aggregate read(results_reader& r) {
    http::aggregate a;
    a.basic() = codec<basic_aggregate>::read(r);
    const std::size_t codes = r.count("the number of status codes", 10, 500);
    for (std::size_t i = 0; i < codes; ++i) {
      const unsigned code = r.u16("a status code");
      if (code < 100 || code >= 600) r.fail("a status code out of 100–599");
      a.restore_status(code, r.u64("a status count"));
    }
    a.restore_status(0, r.u64("the other statuses"));
    // Format 1 (karga 0.1) had seven kinds, `other` last, and HTTP/1.1 only.
    const std::size_t kinds = r.version() == 1 ? 7 : http::error_kind_count;
    if (r.u64("the number of error kinds") != kinds) r.fail("another set of HTTP error kinds");
    for (std::size_t k = 0; k < kinds; ++k) {
      const auto n = r.u64("an error count");
      const auto kind = k + 1 == kinds ? http::error_kind::other : static_cast<http::error_kind>(k);
      a.restore_error(kind, n, r.str("an error message"));
    }
    if (r.version() == 1) {
      const basic_aggregate& b = a.basic();
      a.restore_protocols(b.ok() + b.failed() - b.exceptions().total(), 0, 0, 0);
    } else {
      const auto http1 = r.u64("the HTTP/1.1 requests"), http2 = r.u64("the HTTP/2 requests");
      a.restore_protocols(http1, http2, r.u64("the header bytes on the wire"), r.u64("the header bytes as text"));
    }
    return a;
  }
};

} // namespace karga
