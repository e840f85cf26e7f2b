#pragma once
/// @file karga_redis/results_codec.hpp
/// `karga_redis::aggregate` in karga's results files (`--out results=FILE`), so the
/// files of several processes of one test add up. A codec is a specialization of
/// `karga::codec`: a name, `write`, and a `read` that trusts nothing it reads.
#include <karga_redis/metrics.hpp>

#include <karga/files/results_file.hpp>

template <>
struct karga::codec<karga_redis::aggregate> {
  static constexpr std::string_view name = "karga_redis.aggregate";

  static void write(results_writer& w, const karga_redis::aggregate& a) {
    codec<basic_aggregate>::write(w, a.basic());
    w.u64(a.commands().size());
    for (const auto& [name, f] : a.commands()) {
      w.str(name);
      w.u64(f.count);
      w.u64(f.failed);
      codec<sparse_histogram>::write(w, f.latency);
    }
    w.u64(a.errors().size());
    for (const auto& [name, e] : a.errors()) {
      w.str(name);
      w.u64(e.count);
      w.str(e.first_message);
    }
  }

  static karga_redis::aggregate read(results_reader& r) {
    karga_redis::aggregate a;
    a.basic() = codec<basic_aggregate>::read(r);
    const std::size_t commands = r.count("the number of commands", 8, 1024);
    for (std::size_t i = 0; i < commands; ++i) {
      auto& f = a.command(r.str("a command's name", 64));
      f.count = r.u64("a command's count");
      f.failed = r.u64("a command's failures");
      f.latency = codec<sparse_histogram>::read(r);
      if (f.latency.count() != f.count) r.fail("a command's latency histogram does not count each command");
    }
    const std::size_t errors = r.count("the number of errors", 8, 4096);
    for (std::size_t i = 0; i < errors; ++i) {
      auto& e = a.error(r.str("an error's name", 64));
      e.count = r.u64("an error's count");
      e.first_message = r.str("an error's first message");
    }
    return a;
  }
};
