#pragma once
/// @file fs/results_codec.hpp
/// `fs::aggregate` in results files (see karga/files/results_file.hpp), so karga-merge
/// can add the files of several processes: needs the `karga::results` target.

#include <karga/files/results_file.hpp>
#include <karga/fs/metrics.hpp>

namespace karga {

/// `fs::aggregate` in results files: the basic figures, the operations made, the errors.
template <>
struct codec<fs::aggregate> {
  /// The type's name in the file.
  static constexpr std::string_view name = "karga.fs.aggregate";
  /// Writes `a`.
  static void write(results_writer& w, const fs::aggregate& a) {
    codec<basic_aggregate>::write(w, a.basic());
    std::uint64_t made = 0;
    for (std::size_t i = 0; i < fs::op_count; ++i) made += a.operation(static_cast<fs::op>(i)).count != 0;
    w.u64(made);
    for (std::size_t i = 0; i < fs::op_count; ++i) {
      const auto& f = a.operation(static_cast<fs::op>(i));
      if (f.count == 0) continue;
      w.str(fs::to_string(static_cast<fs::op>(i)));
      w.u64(f.count);
      w.u64(f.failed);
      w.u64(f.bytes);
      detail::write_sparse(w, f.latency);
    }
    w.u64(a.errors().size());
    for (const auto& [code, e] : a.errors()) {
      w.str(fs::error_name(code));
      w.u64(e.count);
      w.str(e.first_message);
    }
  }
  /// Reads what `write` wrote.
  static fs::aggregate read(results_reader& r) {
    fs::aggregate a;
    a.basic() = codec<basic_aggregate>::read(r);
    const std::size_t made = r.count("the number of operations", 8, fs::op_count);
    for (std::size_t i = 0; i < made; ++i) {
      const std::string name = r.str("an operation's name", 64);
      const auto o = fs::parse_op(name);
      if (!o) r.fail("an unknown operation \"" + name + "\"");
      auto& f = a.operation(*o);
      f.count = r.u64("an operation's count");
      f.failed = r.u64("an operation's failures");
      f.bytes = r.u64("an operation's bytes");
      f.latency = detail::read_sparse(r, "an operation's latency histogram");
      if (f.latency.count() != f.count) r.fail("an operation's latency histogram does not count each operation");
    }
    const std::size_t errors = r.count("the number of errors", 8, 4096);
    for (std::size_t i = 0; i < errors; ++i) {
      const std::string name = r.str("an error's name", 64);
      int code = 0;
      try {
        code = fs::parse_error_name(name);
      } catch (const karga::error& e) {
        r.fail(e.message());
      }
      fs::error_figures f;
      f.count = r.u64("an error's count");
      f.first_message = r.str("an error's first message");
      a.restore_error(code, std::move(f));
    }
    return a;
  }
};

} // namespace karga
