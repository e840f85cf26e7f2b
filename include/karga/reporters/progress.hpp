#pragma once
/// @file reporters/progress.hpp
/// A live progress line, an observer of `live_sample`s: on a terminal one line that
/// updates in place, with a bar; otherwise a plain line every few intervals (logs of
/// CI jobs stay readable). For stderr by default:
///
/// ```cpp
/// karga::run_options opt;
/// opt.live.observers.push_back(karga::progress{});
/// scenario.run(opt);
/// ```

#include <karga/core/detail/format.hpp>
#include <karga/core/live_sample.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <unistd.h>

namespace karga {

/// Prints each sample as one line (see the file's comment).
class progress {
public:
  /// To `out`; `terminal` says whether to redraw one line (default: whether `out` is
  /// a terminal); without one, a line every `plain_every` samples and the last.
  explicit progress(std::FILE* out = stderr, int terminal = -1, unsigned plain_every = 5)
      : state_(std::make_shared<state>(out, terminal < 0 ? ::isatty(::fileno(out)) != 0 : terminal != 0, plain_every)) {}

  /// Prints sample `s` (the observer's call).
  void operator()(const live_sample& s) const {
    state& st = *state_;
    ++st.samples;
    if (!st.terminal && !s.final && st.samples % st.plain_every != 0) return;
    std::string line = format_line(s, st.terminal);
    if (st.terminal)
      line = "\r\x1b[2K" + line + (s.final ? "\n" : "");
    else
      line += "\n";
    std::fwrite(line.data(), 1, line.size(), st.out);
    std::fflush(st.out);
  }

  /// One sample as text, with a bar when `bar`.
  static std::string format_line(const live_sample& s, bool bar) {
    const double elapsed = std::chrono::duration<double>(s.elapsed).count();
    const double planned = std::chrono::duration<double>(s.planned).count();
    std::string out;
    if (bar && planned > 0) {
      constexpr int width = 20;
      const int full = static_cast<int>(std::min(1.0, elapsed / planned) * width);
      out += "[" + std::string(static_cast<std::size_t>(full), '#') + std::string(static_cast<std::size_t>(width - full), '.') + "] ";
    }
    out += planned > 0 ? fmt::format("{:.0f}s/{:.0f}s", elapsed, planned) : fmt::format("{:.0f}s", elapsed);
    if (s.kind == load_kind::open)
      out += fmt::format("  target {:.0f}/s achieved {:.0f}/s", s.target_rate, s.achieved_rate);
    else
      out += fmt::format("  {:.0f}/s", s.achieved_rate);
    out += fmt::format("  in flight {}  ok {}  failed {}  dropped {}", s.in_flight, s.ok, s.failed, s.dropped);
    if (s.interval_count != 0)
      out += fmt::format("  p50 {}  p99 {}", detail::human_duration(s.p50), detail::human_duration(s.p99));
    if (s.final) out += "  (done)";
    return out;
  }

private:
  struct state {
    state(std::FILE* o, bool t, unsigned every) : out(o), terminal(t), plain_every(every == 0 ? 1 : every) {}
    std::FILE* out;
    bool terminal;
    unsigned plain_every;
    unsigned long samples = 0;
  };
  std::shared_ptr<state> state_;  // observers are copied into the run's options
};

} // namespace karga
