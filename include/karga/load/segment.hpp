#pragma once
/// @file load/segment.hpp
/// One process's part of a test run by N processes: segment i of n takes every
/// n-th arrival of the one schedule (arrivals i, i + n, i + 2n, …) and every n-th
/// user or iteration of a closed model, so that n processes together send exactly
/// what one process would. Within a process, shards split the segment's part again.
///
/// Set it in code (`.segment({i, n})` on any executor builder), from the command
/// line (`karga-http --segment i/n`), or from the launcher's environment:
/// `karga::segment::from_environment()` reads Kubernetes Indexed Jobs
/// (`JOB_COMPLETION_INDEX`, with the count in `KARGA_SEGMENTS`), Open MPI
/// (`OMPI_COMM_WORLD_RANK`/`_SIZE`), MPICH (`PMI_RANK`/`PMI_SIZE`) and Slurm
/// (`SLURM_PROCID`/`SLURM_NTASKS`). Each process writes its results
/// (`write_results`); `karga-merge` merges them exactly.

#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace karga {

/// Segment `index` of `count`: one process's part of a test (see the file's comment).
struct segment {
  unsigned index = 0;  ///< this process's segment, from 0
  unsigned count = 1;  ///< how many processes share the test

  /// Throws `karga::error` unless index < count.
  void check() const {
    if (count == 0 || index >= count)
      detail::throw_error("segment " + std::to_string(index) + "/" + std::to_string(count) +
                          ": the index must be below the count (0/4 … 3/4)");
  }

  /// How many of items 0 … n − 1 belong to this segment.
  std::uint64_t share(std::uint64_t n) const noexcept { return n > index ? (n - index + count - 1) / count : 0; }

  /// "I/N" as written on a command line; throws `karga::error` otherwise.
  static segment parse(std::string_view text) {
    const auto slash = text.find('/');
    segment s;
    if (slash == std::string_view::npos || !whole(text.substr(0, slash), s.index) || !whole(text.substr(slash + 1), s.count))
      detail::throw_error("segment \"" + std::string(text) + "\" is not I/N (e.g. 0/4)");
    s.check();
    return s;
  }

  /// The segment a launcher gave this process, if one did (see the file's comment);
  /// throws `karga::error` for a malformed value. The variable it came from goes to
  /// `*source` when given.
  static std::optional<segment> from_environment(std::string* source = nullptr) {
    struct pair {
      const char* index;
      const char* count;
    };
    for (const pair p : {pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"}, pair{"PMI_RANK", "PMI_SIZE"},
                         pair{"SLURM_PROCID", "SLURM_NTASKS"}, pair{"JOB_COMPLETION_INDEX", "KARGA_SEGMENTS"}}) {
      const char* i = std::getenv(p.index);
      if (i == nullptr) continue;
      const char* n = std::getenv(p.count);
      if (n == nullptr)
        detail::throw_error(std::string(p.index) + " is set but " + p.count + " is not: how many processes are there?");
      segment s;
      if (!whole(i, s.index) || !whole(n, s.count))
        detail::throw_error(std::string(p.index) + "=" + i + ", " + p.count + "=" + n + ": not whole numbers");
      s.check();
      if (source) *source = std::string(p.index) + "/" + p.count;
      return s;
    }
    return std::nullopt;
  }

  friend bool operator==(const segment&, const segment&) = default;

private:
  static bool whole(std::string_view s, unsigned& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size() && !s.empty();
  }
};

} // namespace karga
