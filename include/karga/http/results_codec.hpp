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
    if (r.u64("the number of error kinds") != http::error_kind_count) r.fail("another set of HTTP error kinds");
    for (std::size_t k = 0; k < http::error_kind_count; ++k) {
      const auto n = r.u64("an error count");
      a.restore_error(static_cast<http::error_kind>(k), n, r.str("an error message"));
    }
    return a;
  }
};

} // namespace karga
