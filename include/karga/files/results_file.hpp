#pragma once
/// @file files/results_file.hpp
/// Aggregates as bytes, and back: a run's results written by one process and read,
/// merged and reported by another (`karga-merge`). The format is versioned and
/// documented in docs/format.md; histograms go in HdrHistogram's compressed V2
/// encoding. Part of the `karga::results` target (zlib).
///
/// ```cpp
/// karga::write_results("run.karga", aggregate);
/// auto back = karga::read_results<karga::basic_aggregate>("run.karga");  // == aggregate
/// ```
///
/// A type is serializable when `karga::codec<A>` is specialized: `name` (what the
/// file says it holds), `write(results_writer&, const A&)` and `A read(results_reader&)`.
/// karga's are below: `basic_aggregate`, `series_aggregate<A, I>` (and
/// `http::aggregate` in karga/http/results_codec.hpp). Decoding never trusts its input:
/// truncated, corrupt or future-version bytes throw `karga::error` saying what is wrong.

#include <karga/core/error.hpp>
#include <karga/core/run_info.hpp>
#include <karga/files/detail/hdr_codec.hpp>
#include <karga/measure/basic_aggregate.hpp>
#include <karga/measure/histogram.hpp>
#include <karga/measure/series_aggregate.hpp>
#include <karga/measure/time_series.hpp>

#include <zlib.h>

#include <bit>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace karga {

/// The version of the results format this karga writes, and the newest it reads.
inline constexpr std::uint16_t results_format_version = 2;
/// The first bytes of every results file.
inline constexpr std::string_view results_magic = "KARGARES";

/// Appends values little-endian.
class results_writer {
public:
  /// One byte.
  void u8(std::uint8_t v) { out_ += static_cast<char>(v); }
  /// Two bytes, little-endian.
  void u16(std::uint16_t v) { fixed(v, 2); }
  /// Four bytes, little-endian.
  void u32(std::uint32_t v) { fixed(v, 4); }
  /// Eight bytes, little-endian.
  void u64(std::uint64_t v) { fixed(v, 8); }
  /// Eight bytes, two's complement, little-endian.
  void i64(std::int64_t v) { fixed(static_cast<std::uint64_t>(v), 8); }
  /// A length (u32) and the bytes.
  void bytes(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  /// A string: its length (u32) and its bytes.
  void str(std::string_view s) { bytes(s); }
  /// A histogram: exact count, min, max and sum, and the buckets (compressed V2).
  template <class Layout>
  void histogram(const detail::hdr_counts& buckets, std::uint64_t count, std::uint64_t min, std::uint64_t max,
                 std::uint64_t sum) {
    u64(count);
    u64(min);
    u64(max);
    u64(sum);
    bytes(detail::compress_v2(detail::encode_v2(buckets, max)));
    (void)sizeof(Layout);
  }
  /// The bytes written so far (the writer is left empty).
  std::string take() { return std::move(out_); }

private:
  void fixed(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_ += static_cast<char>(static_cast<unsigned char>(v >> (8 * i)));
  }
  std::string out_;
};

/// Reads what `results_writer` wrote; every read is checked against the input's end,
/// and throws `karga::error` naming what was being read.
class results_reader {
public:
  /// Reads `in`, which must outlive the reader, written in format `version`.
  explicit results_reader(std::string_view in, std::uint16_t version = results_format_version) : in_(in), version_(version) {}
  /// The format version of what it reads (a codec reads older layouts by it).
  std::uint16_t version() const noexcept { return version_; }

  /// One byte; `what` names it in an error.
  std::uint8_t u8(std::string_view what) { return static_cast<std::uint8_t>(fixed(1, what)); }
  /// Two bytes, little-endian.
  std::uint16_t u16(std::string_view what) { return static_cast<std::uint16_t>(fixed(2, what)); }
  /// Four bytes, little-endian.
  std::uint32_t u32(std::string_view what) { return static_cast<std::uint32_t>(fixed(4, what)); }
  /// Eight bytes, little-endian.
  std::uint64_t u64(std::string_view what) { return fixed(8, what); }
  /// Eight bytes, two's complement, little-endian.
  std::int64_t i64(std::string_view what) { return static_cast<std::int64_t>(fixed(8, what)); }
  /// A length and that many bytes, at most `limit`.
  std::string_view bytes(std::string_view what, std::size_t limit = std::size_t{1} << 26) {
    const std::uint32_t n = u32(what);
    if (n > limit) fail(std::string(what) + " is longer than any karga writes");
    need(n, what);
    const std::string_view out = in_.substr(at_, n);
    at_ += n;
    return out;
  }
  /// A string of at most `limit` bytes.
  std::string str(std::string_view what, std::size_t limit = std::size_t{1} << 20) {
    return std::string(bytes(what, limit));
  }
  /// A count of items that follow, each at least `min_size` bytes: checked against
  /// what is left, so a corrupt count cannot make the reader allocate for nothing.
  std::size_t count(std::string_view what, std::size_t min_size, std::size_t limit) {
    const std::uint64_t n = u64(what);
    if (n > limit || n * std::max<std::size_t>(1, min_size) > in_.size() - at_) fail(std::string(what) + " is too large");
    return static_cast<std::size_t>(n);
  }
  /// A histogram of layout `Layout` (what `results_writer::histogram` wrote): its
  /// exact count, min, max and sum, and its buckets, checked against each other.
  template <class Layout>
  detail::hdr_counts histogram(std::string_view what, std::uint64_t& count, std::uint64_t& min, std::uint64_t& max,
                               std::uint64_t& sum) {
    count = u64(what);
    min = u64(what);
    max = u64(what);
    sum = u64(what);
    detail::hdr_counts h;
    try {
      h = detail::decompress_v2(bytes(what), Layout::bucket_count);
    } catch (const karga::error& e) {
      fail(std::string(what) + ": " + e.message());
    }
    std::uint64_t total = 0;
    for (const auto& [index, n] : h.buckets) {
      if (n > std::numeric_limits<std::uint64_t>::max() - total) fail(std::string(what) + ": counts overflow");
      total += n;
    }
    if (total != count) fail(std::string(what) + ": its buckets do not add up to its count");
    if (h.significant_digits != Layout::significant_digits) fail(std::string(what) + ": wrong resolution");
    if (count != 0 && (min > max || Layout::index_of(min) != h.buckets.front().first ||
                       Layout::index_of(max) != h.buckets.back().first))
      fail(std::string(what) + ": min and max do not match its buckets");
    return h;
  }
  /// Whether every byte was read.
  bool done() const noexcept { return at_ == in_.size(); }
  /// Throws `karga::error` "bad results file: `why`".
  [[noreturn]] void fail(const std::string& why) const { detail::throw_error("bad results file: " + why); }

private:
  void need(std::size_t n, std::string_view what) const {
    if (in_.size() - at_ < n) fail("it ends in the middle of " + std::string(what));
  }
  std::uint64_t fixed(int n, std::string_view what) {
    need(static_cast<std::size_t>(n), what);
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[at_ + static_cast<std::size_t>(i)])) << (8 * i);
    at_ += static_cast<std::size_t>(n);
    return v;
  }
  std::string_view in_;
  std::size_t at_ = 0;
  std::uint16_t version_;
};

/// How a type is written and read: specialize for your own aggregates.
template <class A>
struct codec;

namespace detail {
inline void write_histogram(results_writer& w, const histogram& h) {
  hdr_counts c;
  c.significant_digits = histogram::layout::significant_digits;
  const auto& counts = h.counts();
  for (std::size_t i = 0; i < counts.size(); ++i)
    if (counts[i] != 0) c.buckets.emplace_back(static_cast<std::uint32_t>(i), counts[i]);
  w.histogram<histogram::layout>(c, h.count(), h.min(), h.max(), h.sum());
}
inline histogram read_histogram(results_reader& r, std::string_view what) {
  std::uint64_t count, min, max, sum;
  const auto c = r.histogram<histogram::layout>(what, count, min, max, sum);
  std::vector<std::uint64_t> counts(c.buckets.empty() ? 0 : c.buckets.back().first + 1, 0);
  for (const auto& [index, n] : c.buckets) counts[index] = n;
  return histogram::from_counts(counts, min, max, sum);
}
inline void write_sparse(results_writer& w, const sparse_histogram& h) {
  hdr_counts c;
  c.significant_digits = sparse_histogram::layout::significant_digits;
  for (const auto& b : h.buckets()) c.buckets.emplace_back(b.index, b.count);
  w.histogram<sparse_histogram::layout>(c, h.count(), h.min(), h.max(), h.sum());
}
inline sparse_histogram read_sparse(results_reader& r, std::string_view what) {
  std::uint64_t count, min, max, sum;
  const auto c = r.histogram<sparse_histogram::layout>(what, count, min, max, sum);
  sparse_histogram h;
  for (const auto& [index, n] : c.buckets) h.add(index, n);
  if (count != 0) h.note_extremes(min, max, sum);
  return h;
}

inline void write_run(results_writer& w, const run_info& i) {
  w.str(i.scenario);
  w.str(i.model);
  w.u8(static_cast<std::uint8_t>(i.kind));
  w.u64(i.scheduled);
  w.i64(std::chrono::duration_cast<std::chrono::nanoseconds>(i.planned).count());
  w.i64(std::chrono::duration_cast<std::chrono::nanoseconds>(i.elapsed).count());
  w.u64(i.peak_in_flight);
  w.u32(i.threads);
  w.u8(static_cast<std::uint8_t>(i.stop));
  w.u32(static_cast<std::uint32_t>(i.signal));
  w.i64(std::chrono::duration_cast<std::chrono::nanoseconds>(i.started_at.time_since_epoch()).count());
}
inline run_info read_run(results_reader& r) {
  run_info i;
  i.scenario = r.str("the scenario's name");
  i.model = r.str("the load model");
  const auto kind = r.u8("the load kind");
  if (kind > static_cast<std::uint8_t>(load_kind::closed)) r.fail("an unknown load kind");
  i.kind = static_cast<load_kind>(kind);
  i.scheduled = r.u64("scheduled");
  i.planned = std::chrono::nanoseconds(r.i64("planned"));
  i.elapsed = std::chrono::nanoseconds(r.i64("elapsed"));
  i.peak_in_flight = r.u64("peak in flight");
  i.threads = r.u32("threads");
  const auto stop = r.u8("the stop reason");
  if (stop > static_cast<std::uint8_t>(stop_reason::error)) r.fail("an unknown stop reason");
  i.stop = static_cast<stop_reason>(stop);
  i.signal = static_cast<int>(r.u32("the signal"));
  i.started_at = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(r.i64("the start time"))));
  return i;
}
} // namespace detail

/// A sparse histogram (an adapter's per-kind latencies) in results files: an
/// adapter's codec writes its histograms with this one.
template <>
struct codec<sparse_histogram> {
  /// The type's name (a part of an aggregate's, never a file's own).
  static constexpr std::string_view name = "karga.sparse_histogram";
  /// Writes `h`.
  static void write(results_writer& w, const sparse_histogram& h) { detail::write_sparse(w, h); }
  /// Reads what `write` wrote; a bad one fails the read with a sentence.
  static sparse_histogram read(results_reader& r) { return detail::read_sparse(r, "a latency histogram"); }
};

/// `basic_aggregate` in results files.
template <>
struct codec<basic_aggregate> {
  /// The type's name in the file.
  static constexpr std::string_view name = "karga.basic_aggregate";
  /// Writes `a`.
  static void write(results_writer& w, const basic_aggregate& a) {
    w.u64(a.ok());
    w.u64(a.failed() - a.exceptions().total());
    w.u64(a.dropped_by_cap());
    w.u64(a.dropped_late());
    w.u64(a.interrupted());
    w.u64(a.bytes());
    detail::write_histogram(w, a.latency());
    detail::write_histogram(w, a.response_time());
    detail::write_histogram(w, a.start_lag());
    const auto messages = a.exceptions().sorted();
    w.u64(messages.size());
    for (const auto& [what, n] : messages) {
      w.str(what);
      w.u64(n);
    }
    w.u64(a.exceptions().other());
    detail::write_run(w, a.run());
  }
  /// Reads what `write` wrote.
  static basic_aggregate read(results_reader& r) {
    basic_aggregate a;
    const auto ok = r.u64("ok"), failed = r.u64("failed"), cap = r.u64("dropped at max_in_flight"),
               late = r.u64("dropped late"), interrupted = r.u64("interrupted"), bytes = r.u64("bytes");
    auto latency = detail::read_histogram(r, "the latency histogram");
    auto response = detail::read_histogram(r, "the response-time histogram");
    auto lag = detail::read_histogram(r, "the start-lag histogram");
    if (latency.count() != ok + failed) r.fail("the latency histogram does not count every action that returned");
    error_counts exceptions;
    const std::size_t n = r.count("the number of exception messages", 12, error_counts::capacity);
    for (std::size_t i = 0; i < n; ++i) {
      std::string what = r.str("an exception message");
      exceptions.add(what, r.u64("an exception count"));
    }
    exceptions.add_other(r.u64("the other exceptions"));
    a.restore(ok, failed, cap, late, interrupted, bytes, std::move(latency), std::move(response), std::move(lag),
              std::move(exceptions), detail::read_run(r));
    return a;
  }
};

/// `series_aggregate<A, I>` in results files: `A`'s codec, then the intervals.
template <aggregate A, unsigned I>
struct codec<series_aggregate<A, I>> {
  /// The type's name in the file, with `A`'s and the interval.
  static std::string name_of() { return "karga.series_aggregate<" + std::string(codec<A>::name) + "," + std::to_string(I) + ">"; }
  /// Writes `a`.
  static void write(results_writer& w, const series_aggregate<A, I>& a) {
    codec<A>::write(w, a.base());
    const time_series& s = a.series();
    const auto& all = s.intervals();
    w.i64(std::chrono::duration_cast<std::chrono::nanoseconds>(s.interval()).count());
    w.u8(static_cast<std::uint8_t>(s.kind()));
    w.u64(s.unattributed_interrupted());
    w.u64(s.untimed());
    w.u64(all.size());
    for (const auto& f : all) {
      w.u64(f.scheduled);
      w.u64(f.ok);
      w.u64(f.failed);
      w.u64(f.interrupted);
      w.u64(f.bytes);
      w.u64(f.starts);
      w.u64(f.ends);
      w.u64(f.user_ns);
      detail::write_sparse(w, f.latency);
      detail::write_sparse(w, f.response_time);
    }
  }
  /// Reads what `write` wrote.
  static series_aggregate<A, I> read(results_reader& r) {
    series_aggregate<A, I> a;
    a.base() = codec<A>::read(r);
    const std::int64_t interval = r.i64("the interval");
    if (interval != static_cast<std::int64_t>(I) * 1'000'000) r.fail("the interval does not match the type");
    const auto kind = r.u8("the series' load kind");
    if (kind > static_cast<std::uint8_t>(load_kind::closed)) r.fail("an unknown load kind");
    const auto unattributed = r.u64("unattributed interrupted"), untimed = r.u64("untimed");
    const std::size_t n = r.count("the number of intervals", 64 + 2 * 44, 10'000'000);
    std::vector<interval_figures> intervals(n);
    for (auto& f : intervals) {
      f.scheduled = r.u64("an interval");
      f.ok = r.u64("an interval");
      f.failed = r.u64("an interval");
      f.interrupted = r.u64("an interval");
      f.bytes = r.u64("an interval");
      f.starts = r.u64("an interval");
      f.ends = r.u64("an interval");
      f.user_ns = r.u64("an interval");
      f.latency = detail::read_sparse(r, "an interval's latency histogram");
      f.response_time = detail::read_sparse(r, "an interval's response-time histogram");
    }
    a.series() = time_series::from_parts(std::chrono::milliseconds(I), std::move(intervals), unattributed, untimed,
                                         static_cast<load_kind>(kind));
    return a;
  }
};

namespace detail {
template <class A>
std::string codec_name() {
  if constexpr (requires { codec<A>::name_of(); })
    return codec<A>::name_of();
  else
    return std::string(codec<A>::name);
}
} // namespace detail

/// `a` as the bytes of a results file.
template <class A>
std::string encode_results(const A& a) {
  results_writer payload;
  codec<A>::write(payload, a);
  const std::string body = payload.take();
  results_writer w;
  for (char c : results_magic) w.u8(static_cast<std::uint8_t>(c));
  w.u16(results_format_version);
  w.str(detail::codec_name<A>());
  w.bytes(body);
  w.u32(static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
  return w.take();
}

namespace detail {
// Reads a results file's magic, version and type; returns the version.
inline std::uint16_t read_results_header(results_reader& r, std::string_view bytes, std::string& type) {
  if (bytes.size() < results_magic.size() || bytes.substr(0, results_magic.size()) != results_magic)
    r.fail("it does not start with KARGARES: not a karga results file");
  for (std::size_t i = 0; i < results_magic.size(); ++i) r.u8("the magic");
  const std::uint16_t version = r.u16("the version");
  if (version > results_format_version)
    r.fail("format version " + std::to_string(version) + " is newer than this karga reads (" +
           std::to_string(results_format_version) + "); use a newer karga");
  if (version == 0) r.fail("format version 0 does not exist");
  type = r.str("the type", 4096);
  return version;
}
} // namespace detail

/// The name of the aggregate type that `bytes` (from `encode_results`) holds, e.g.
/// "karga.series_aggregate<karga.http.aggregate,1000>", for a reader of several kinds
/// (karga-merge); throws `karga::error` for bytes that are not a results file.
inline std::string results_type(std::string_view bytes) {
  results_reader r(bytes);
  std::string type;
  detail::read_results_header(r, bytes, type);
  return type;
}

/// The name of the aggregate type that results file `A` holds: `codec<A>`'s name.
template <class A>
std::string results_type_name() {
  return detail::codec_name<A>();
}

/// The `A` that `bytes` (from `encode_results`) holds; throws `karga::error` saying
/// what is wrong with anything else.
template <class A>
A decode_results(std::string_view bytes) {
  results_reader r(bytes);
  std::string type;
  const std::uint16_t version = detail::read_results_header(r, bytes, type);
  if (type != detail::codec_name<A>()) r.fail("it holds " + type + ", not " + detail::codec_name<A>());
  const std::string_view body = r.bytes("the results", std::size_t{1} << 31);
  const std::uint32_t crc = r.u32("the checksum");
  if (crc != static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))))
    r.fail("the checksum does not match: the file is corrupt");
  if (!r.done()) r.fail("bytes follow the results");
  results_reader inner(body, version);
  A out = codec<A>::read(inner);
  if (!inner.done()) inner.fail("bytes follow the results");
  return out;
}

/// Writes `a` to `path`; throws `karga::error` if it cannot.
template <class A>
void write_results(const std::string& path, const A& a) {
  const std::string bytes = encode_results(a);
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) detail::throw_error("cannot write " + path);
}

namespace detail {
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_error("cannot read " + path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
} // namespace detail

/// Reads an `A` from `path`.
template <class A>
A read_results(const std::string& path) {
  const std::string bytes = detail::read_file(path);
  try {
    return decode_results<A>(bytes);
  } catch (const karga::error& e) {
    throw e.with_context(path);
  }
}

/// The name of the aggregate type results file `path` holds (see `results_type`).
inline std::string read_results_type(const std::string& path) {
  const std::string bytes = detail::read_file(path);
  try {
    return results_type(bytes);
  } catch (const karga::error& e) {
    throw e.with_context(path);
  }
}

} // namespace karga
