#pragma once
/// @file report/thresholds.hpp
/// Pass/fail criteria on a run's results, as k6 users write them, in C++ or as text:
///
/// ```cpp
/// using namespace karga::thresholds;
/// std::vector<karga::threshold> slo{p(99) < 250ms, error_rate() < 0.01, achieved() >= 0.99};
/// slo.push_back(karga::threshold::parse("status(5xx) == 0"));
/// report.thresholds = karga::evaluate(slo, results);   // a verdict each; reporters show them
/// ```
///
/// Text: `METRIC OP VALUE [abort]`, OP one of < <= > >= == !=.
///
/// | metric | what | value |
/// |---|---|---|
/// | `p(N)`, `avg`, `min`, `med`, `max` | latency from the intended start (what a user would see) | a duration with its unit: 250ms, 1.5s, 800us, 1h |
/// | `own.p(N)`, `own.avg`, … | the actions' own latency | a duration |
/// | `error_rate`, `success_rate` | failed (or ok) / (ok + failed) | 1% or 0.01 |
/// | `achieved` | started / scheduled | 99% or 0.99 |
/// | `rps` | started per second | a number |
/// | `ok`, `failed`, `dropped`, `interrupted` | counts | a number |
/// | `status(503)`, `status(5xx)` | responses with that status (HTTP aggregates) | a number |
/// | `status(NAME)` | calls that ended with the status an adapter names so: `status(UNAVAILABLE)`, `status(OK)` (gRPC's 17) | a number |
/// | `errors(NAME)` | actions that failed with the error an adapter names so: `errors(timeout)` (HTTP's kinds), `errors(ENOENT)` (an errno, files), `errors(UNAVAILABLE)` (gRPC's statuses) | a number |
/// | `NAME.p(N)`, `NAME.avg`, … | a latency an adapter measures besides the actions': gRPC's `msg` (between a stream's messages) and `first_msg` (to a call's first answer message) | a duration |
///
/// `abort` (or `abort_on_fail(true)`) asks a live evaluation to stop the run as soon
/// as the threshold fails, as Ctrl-C does; at the end every threshold is evaluated.

#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>
#include <karga/core/parse.hpp>
#include <karga/core/run_options.hpp>
#include <karga/measure/basic_aggregate.hpp>
#include <karga/measure/detail/basic_of.hpp>
#include <karga/measure/histogram.hpp>
#include <karga/measure/live_counters.hpp>
#include <karga/report/basic_report.hpp>

#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace karga {

/// One criterion: a metric of the results, compared with a value.
class threshold {
public:
  /// What a threshold measures: a latency, a ratio or rate, a count, an HTTP status.
  enum class metric_kind : std::uint8_t {
    percentile, mean, minimum, maximum,               // latency
    error_rate, success_rate, achieved, rps,          // ratios and rates
    ok, failed, dropped, interrupted,                 // counts
    status, status_class,                             // HTTP statuses
    named_errors,                                     // an adapter's errors of one name
    named_status,                                     // an adapter's calls that ended with a status of one name
  };
  /// How the observed value is compared with the threshold's value.
  enum class comparison : std::uint8_t { less, less_equal, greater, greater_equal, equal, not_equal };

  /// `m` compared by `c` with `value` (ns for a latency, a fraction for a ratio); `own` for the
  /// actions' own latency; `argument` is the percentile, or the status code or class;
  /// `error_name` the name of the errors `named_errors` counts (or the status
  /// `named_status` counts, or the adapter's histogram of a latency).
  threshold(metric_kind m, comparison c, double value, bool own = false, double argument = 0, std::string error_name = {})
      : metric_(m), comparison_(c), value_(value), own_(own), argument_(argument), error_name_(std::move(error_name)) {
    expression_ = describe();
  }

  /// Parses `METRIC OP VALUE [abort]`; throws `karga::error` saying what is wrong.
  static threshold parse(std::string_view text);

  /// Asks live evaluation to stop the run when this threshold fails.
  threshold& abort_on_fail(bool on = true) {
    abort_ = on;
    return *this;
  }
  /// Whether live evaluation stops the run when this threshold fails.
  bool aborts_on_fail() const noexcept { return abort_; }
  /// The threshold as written (parsed), or as karga writes a typed one.
  const std::string& expression() const noexcept { return expression_; }
  /// What the threshold measures.
  metric_kind metric() const noexcept { return metric_; }
  /// Whether a latency threshold is on the actions' own latency (not from the intended start).
  bool own_latency() const noexcept { return own_; }
  /// Whether the metric is a latency (a duration).
  bool is_latency() const noexcept { return is_latency(metric_); }
  /// Whether the metric is a ratio (a fraction, written 0.01 or 1%).
  bool is_ratio() const noexcept { return is_ratio(metric_); }
  /// Whether metric `m` is a latency.
  static constexpr bool is_latency(metric_kind m) noexcept { return m <= metric_kind::maximum; }
  /// Whether metric `m` is a ratio.
  static constexpr bool is_ratio(metric_kind m) noexcept {
    return m == metric_kind::error_rate || m == metric_kind::success_rate || m == metric_kind::achieved;
  }

  /// The verdict on an observed value of the metric (ns for latency, a ratio for rates).
  threshold_verdict judge(double observed) const {
    threshold_verdict v{expression_, observed, format(observed), compare(observed), abort_};
    return v;
  }

  /// The metric's value on `a` (a basic_aggregate, or an aggregate with `basic()`,
  /// `base()`, `status_count()`, `errors_named()`, `calls_with_status()` or
  /// `histogram_named()`); nullopt when `a` does not have it.
  template <class A>
  std::optional<double> observe(const A& a) const;

  /// The metric's value on a run going on, so far (latency from its live histogram,
  /// 2 significant digits); nullopt for what a live sample does not carry (status
  /// codes, the actions' own latency when the run has timing).
  std::optional<double> observe_live(const live_sample& s) const {
    const double done = static_cast<double>(s.ok + s.failed);
    auto latency = [&](double p) -> std::optional<double> {
      if (own_ || !error_name_.empty()) return std::nullopt;
      std::uint64_t n = 0;
      for (auto c : s.latency_buckets) n += c;
      if (n == 0) return std::nullopt;
      return static_cast<double>(detail::live_percentile(s.latency_buckets, n, p));
    };
    switch (metric_) {
      case metric_kind::percentile: return latency(argument_);
      case metric_kind::maximum: return latency(100);
      case metric_kind::minimum: return latency(0.0001);
      case metric_kind::mean: return std::nullopt;
      case metric_kind::error_rate: return done > 0 ? std::optional(static_cast<double>(s.failed) / done) : std::nullopt;
      case metric_kind::success_rate: return done > 0 ? std::optional(static_cast<double>(s.ok) / done) : std::nullopt;
      case metric_kind::achieved:
        return s.scheduled > 0 ? std::optional(static_cast<double>(s.started) / static_cast<double>(s.scheduled)) : std::nullopt;
      case metric_kind::rps: return std::nullopt;  // meaningful over the whole run only
      case metric_kind::ok: return static_cast<double>(s.ok);
      case metric_kind::failed: return static_cast<double>(s.failed);
      case metric_kind::dropped: return static_cast<double>(s.dropped);
      case metric_kind::interrupted: return static_cast<double>(s.interrupted);
      default: return std::nullopt;
    }
  }

private:
  bool compare(double observed) const {
    switch (comparison_) {
      case comparison::less: return observed < value_;
      case comparison::less_equal: return observed <= value_;
      case comparison::greater: return observed > value_;
      case comparison::greater_equal: return observed >= value_;
      case comparison::equal: return observed == value_;
      case comparison::not_equal: return observed != value_;
    }
    return false;
  }
  std::string format(double v) const {
    if (is_latency()) return detail::human_duration(std::chrono::nanoseconds(std::llround(v)));
    if (is_ratio()) return detail::number(std::round(v * 1e6) / 1e4) + "%";
    if (metric_ == metric_kind::rps) return fmt::format("{:.1f}/s", v);
    return detail::number(v);
  }
  std::string describe() const;

  friend class threshold_parser;
  metric_kind metric_;
  comparison comparison_;
  double value_;
  bool own_;
  double argument_;  // the percentile, or the status code or class
  std::string error_name_;  // named_errors, named_status: which; a latency: the adapter's histogram it is of (empty: the actions')
  bool abort_ = false;
  std::string expression_;
};

namespace detail {
// The first of `a`, `a.base()`, `a.base().base()`, … that `probe` takes (a generic
// lambda whose return type asks for a member); a null `const void*` when none does.
// An adapter's aggregate extends the basic one, so what a threshold reads may be a
// layer or two down.
template <class A, class Probe>
auto first_having(const A& a, Probe probe) {
  if constexpr (std::is_invocable_v<Probe, const A&>)
    return &a;
  else if constexpr (requires { a.base(); })
    return first_having(a.base(), probe);
  else
    return static_cast<const void*>(nullptr);
}
// HTTP statuses: `status_count(code)`.
inline constexpr auto has_status_count = [](const auto& x) -> decltype(void(x.status_count(200u))) {};
// An adapter's errors by name: `errors_named(name)`, nullopt for a name it does not know.
inline constexpr auto has_errors_named = [](const auto& x) -> decltype(void(x.errors_named(std::string_view()))) {};
// An adapter's calls by the name of the status they ended with: `calls_with_status(name)`,
// nullopt for a name that is no status's.
inline constexpr auto has_named_statuses = [](const auto& x) -> decltype(void(x.calls_with_status(std::string_view()))) {};
// An adapter's latencies of its own by name: `histogram_named(name)`, null for a name it
// does not know.
inline constexpr auto has_named_histograms = [](const auto& x) -> decltype(void(x.histogram_named(std::string_view()))) {};
} // namespace detail

template <class A>
std::optional<double> threshold::observe(const A& a) const {
  if (is_latency() && !error_name_.empty()) {  // a latency of an adapter's own histogram
    const auto* s = detail::first_having(a, detail::has_named_histograms);
    if constexpr (std::is_same_v<decltype(s), const void*>) {
      return std::nullopt;
    } else {
      const histogram* h = s->histogram_named(error_name_);
      if (!h || h->empty()) return std::nullopt;  // nothing measured is no pass
      switch (metric_) {
        case metric_kind::percentile: return static_cast<double>(h->percentile(argument_));
        case metric_kind::mean: return h->mean();
        case metric_kind::minimum: return static_cast<double>(h->min());
        default: return static_cast<double>(h->max());
      }
    }
  }
  if (metric_ == metric_kind::named_errors) {
    const auto* s = detail::first_having(a, detail::has_errors_named);
    if constexpr (std::is_same_v<decltype(s), const void*>) {
      return std::nullopt;
    } else {
      const std::optional<std::uint64_t> n = s->errors_named(error_name_);
      return n ? std::optional<double>(static_cast<double>(*n)) : std::nullopt;
    }
  }
  if (metric_ == metric_kind::named_status) {
    const auto* s = detail::first_having(a, detail::has_named_statuses);
    if constexpr (std::is_same_v<decltype(s), const void*>) {
      return std::nullopt;
    } else {
      const std::optional<std::uint64_t> n = s->calls_with_status(error_name_);
      return n ? std::optional<double>(static_cast<double>(*n)) : std::nullopt;
    }
  }
  if (metric_ == metric_kind::status || metric_ == metric_kind::status_class) {
    const auto* s = detail::first_having(a, detail::has_status_count);
    if constexpr (std::is_same_v<decltype(s), const void*>) {
      return std::nullopt;
    } else {
      const unsigned arg = static_cast<unsigned>(argument_);
      std::uint64_t n = 0;
      if (metric_ == metric_kind::status)
        n = s->status_count(arg);
      else
        for (unsigned c = arg * 100; c < arg * 100 + 100; ++c) n += s->status_count(c);
      return static_cast<double>(n);
    }
  }
  const basic_aggregate* b = detail::basic_of(a);
  if (!b) return std::nullopt;
  const histogram& h = own_ ? b->latency() : b->response_time();
  const double done = static_cast<double>(b->ok() + b->failed());
  const double scheduled = static_cast<double>(b->run().scheduled);
  const double seconds = std::chrono::duration<double>(b->run().planned > clock::duration::zero() ? b->run().planned
                                                                                                  : b->run().elapsed).count();
  switch (metric_) {
    case metric_kind::percentile: return static_cast<double>(h.percentile(argument_));
    case metric_kind::mean: return h.mean();
    case metric_kind::minimum: return static_cast<double>(h.min());
    case metric_kind::maximum: return static_cast<double>(h.max());
    case metric_kind::error_rate: return done > 0 ? static_cast<double>(b->failed()) / done : 0.0;
    case metric_kind::success_rate: return done > 0 ? static_cast<double>(b->ok()) / done : 0.0;
    case metric_kind::achieved: return scheduled > 0 ? static_cast<double>(b->started()) / scheduled : 0.0;
    case metric_kind::rps: return seconds > 0 ? static_cast<double>(b->started()) / seconds : 0.0;
    case metric_kind::ok: return static_cast<double>(b->ok());
    case metric_kind::failed: return static_cast<double>(b->failed());
    case metric_kind::dropped: return static_cast<double>(b->dropped());
    case metric_kind::interrupted: return static_cast<double>(b->interrupted());
    default: return std::nullopt;
  }
}

/// A verdict for each threshold on the results `a`; a threshold on a metric `a` does
/// not have (a status code of a non-HTTP run) fails, saying so.
template <class A>
std::vector<threshold_verdict> evaluate(const std::vector<threshold>& thresholds, const A& a) {
  std::vector<threshold_verdict> out;
  for (const auto& t : thresholds) {
    if (auto v = t.observe(a)) {
      out.push_back(t.judge(*v));
    } else {
      out.push_back({t.expression(), 0, "not measured by this run", false, t.aborts_on_fail()});
    }
  }
  return out;
}

/// An observer that evaluates the abort-on-fail thresholds on each live sample and
/// stops the run (`stop_reason::threshold`) through `control` at the first failure;
/// `failed()` names it. Every threshold is evaluated again on the final results.
class live_thresholds {
public:
  /// Watches `thresholds` (those with abort-on-fail) and stops runs through `control`.
  live_thresholds(std::vector<threshold> thresholds, std::shared_ptr<run_control> control)
      : state_(std::make_shared<state>(std::move(thresholds), std::move(control))) {}

  /// Evaluates the abort-on-fail thresholds on one sample (the observer's call).
  void operator()(const live_sample& s) const {
    state& st = *state_;
    if (s.final || st.failed) return;
    for (const auto& t : st.thresholds) {
      if (!t.aborts_on_fail()) continue;
      const auto v = t.observe_live(s);
      if (v && !t.judge(*v).passed) {
        st.failed = t.judge(*v);
        st.control->request_stop(stop_reason::threshold);
        return;
      }
    }
  }
  /// The verdict that stopped the run, if one did.
  std::optional<threshold_verdict> failed() const { return state_->failed; }

private:
  struct state {
    state(std::vector<threshold> t, std::shared_ptr<run_control> c) : thresholds(std::move(t)), control(std::move(c)) {}
    std::vector<threshold> thresholds;
    std::shared_ptr<run_control> control;
    std::optional<threshold_verdict> failed;
  };
  std::shared_ptr<state> state_;
};

/// Whether every verdict passed (true when there are none).
inline bool all_passed(const std::vector<threshold_verdict>& verdicts) {
  for (const auto& v : verdicts)
    if (!v.passed) return false;
  return true;
}

namespace detail {
/// The metrics a threshold names by a word, for the parser and for `describe()`;
/// `p(N)` and `status(N)` (`status(5xx)`) take an argument and are read apart.
struct threshold_metric_name {
  std::string_view name;
  threshold::metric_kind kind;  ///< what it measures
  double argument = 0;  ///< the percentile, or the status code or class
};
inline constexpr threshold_metric_name threshold_latency_names[] = {
    {"avg", threshold::metric_kind::mean},
    {"min", threshold::metric_kind::minimum},
    {"med", threshold::metric_kind::percentile, 50},
    {"max", threshold::metric_kind::maximum},
};
inline constexpr threshold_metric_name threshold_other_names[] = {
    {"error_rate", threshold::metric_kind::error_rate}, {"success_rate", threshold::metric_kind::success_rate},
    {"achieved", threshold::metric_kind::achieved},     {"rps", threshold::metric_kind::rps},
    {"ok", threshold::metric_kind::ok},                 {"failed", threshold::metric_kind::failed},
    {"dropped", threshold::metric_kind::dropped},       {"interrupted", threshold::metric_kind::interrupted},
};
} // namespace detail

inline std::string threshold::describe() const {
  static constexpr std::string_view ops[] = {"<", "<=", ">", ">=", "==", "!="};
  std::string m;
  if (metric_ == metric_kind::percentile)
    m = "p(" + detail::number(argument_) + ")";
  else if (metric_ == metric_kind::status)
    m = "status(" + detail::number(argument_) + ")";
  else if (metric_ == metric_kind::status_class)
    m = "status(" + detail::number(argument_) + "xx)";
  else if (metric_ == metric_kind::named_errors)
    m = "errors(" + error_name_ + ")";
  else if (metric_ == metric_kind::named_status)
    m = "status(" + error_name_ + ")";
  using names = std::span<const detail::threshold_metric_name>;
  for (const names all : {names(detail::threshold_latency_names), names(detail::threshold_other_names)})
    for (const auto& n : all)
      if (m.empty() && n.kind == metric_) m = n.name;
  if (own_) m = "own." + m;
  if (is_latency() && !error_name_.empty()) m = error_name_ + "." + m;
  const std::string value = is_latency() ? detail::human_duration(std::chrono::nanoseconds(std::llround(value_)))
                            : is_ratio() ? detail::number(value_ * 100) + "%"
                                         : detail::number(value_);
  return m + " " + std::string(ops[static_cast<int>(comparison_)]) + " " + value;
}

/// Reads `METRIC OP VALUE [abort]`: metrics by the tables above, values in karga's
/// one grammar of numbers and durations (core/parse.hpp).
class threshold_parser {
public:
  /// A parser of `text`.
  explicit threshold_parser(std::string_view text) : text_(text), rest_(text) {}

  /// The threshold `text` says; throws `karga::error` naming what is wrong.
  threshold parse() {
    skip();
    const bool own = take("own.");
    threshold::metric_kind metric{};
    double argument = 0;
    std::string error_name;
    // NAME.p(N), NAME.avg, …: a latency an adapter measures besides the actions'.
    std::string histogram;
    if (const auto dot = rest_.find('.'); !own && dot != 0 && dot != std::string_view::npos &&
        rest_.substr(0, dot).find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos) {
      histogram = std::string(rest_.substr(0, dot));
      rest_.remove_prefix(dot + 1);
    }
    if (take("p(")) {
      metric = threshold::metric_kind::percentile;
      argument = number_until(')', "a percentile");
      if (!(argument > 0 && argument <= 100)) fail("the percentile must be more than 0 and at most 100");
    } else if (const auto* n = named(detail::threshold_latency_names)) {
      metric = n->kind;
      argument = n->argument;
    } else if (own) {
      fail("own. goes with a latency: own.p(99), own.avg, own.min, own.med or own.max");
    } else if (const auto* o = named(detail::threshold_other_names)) {
      metric = o->kind;
    } else if (take("status(")) {
      skip();
      if (rest_.size() >= 3 && rest_[0] >= '1' && rest_[0] <= '5' && (rest_.substr(1, 2) == "xx" || rest_.substr(1, 2) == "XX")) {
        metric = threshold::metric_kind::status_class;
        argument = rest_[0] - '0';
        rest_.remove_prefix(3);
        expect(')');
      } else if (!rest_.empty() && std::isalpha(static_cast<unsigned char>(rest_[0]))) {
        metric = threshold::metric_kind::named_status;
        error_name = name_until_paren("status( takes a status: status(503), status(5xx), status(UNAVAILABLE)");
      } else {
        metric = threshold::metric_kind::status;
        argument = number_until(')', "a status code");
        if (argument < 100 || argument > 599 || argument != std::floor(argument)) fail("a status code is 100 to 599");
      }
    } else if (take("errors(")) {
      metric = threshold::metric_kind::named_errors;
      skip();
      error_name = name_until_paren("errors( takes the name of an error: errors(timeout), errors(ENOENT)");
    } else {
      std::string names = "p(N)";
      for (const auto& l : detail::threshold_latency_names) names += ", " + std::string(l.name);
      names += " (own. for the actions' own latency)";
      for (const auto& o : detail::threshold_other_names) names += ", " + std::string(o.name);
      fail("unknown metric; use " + names + ", status(CODE), status(NAME) or errors(NAME)");
    }
    if (!histogram.empty()) {
      if (!threshold::is_latency(metric)) fail(histogram + ". goes with a latency: " + histogram + ".p(99), " + histogram + ".max");
      error_name = std::move(histogram);
    }
    skip();
    const threshold::comparison op = comparison();
    skip();
    const std::string_view token = rest_.substr(0, rest_.find_first_of(" \t"));
    rest_.remove_prefix(token.size());
    if (token.empty()) fail("expected a value");
    const bool percent = threshold::is_ratio(metric) && token.back() == '%';
    double value = 0;
    try {
      if (threshold::is_latency(metric))
        value = parse_duration(token).count() * 1e9;
      else
        value = parse_number(percent ? token.substr(0, token.size() - 1) : token) / (percent ? 100 : 1);
    } catch (const error& e) {
      fail(e.message());
    }
    if (threshold::is_ratio(metric) && !percent && value > 1) fail("a rate is a fraction (0.01) or a percentage (1%)");
    skip();
    const bool abort = take("abort");
    skip();
    if (!rest_.empty()) fail("unexpected \"" + std::string(rest_) + "\"");
    threshold t(metric, op, value, own, argument, std::move(error_name));
    t.abort_on_fail(abort);
    return t;
  }

private:
  // A name (letters, digits, _ and -) up to ')', which is taken too; `what` is the
  // error's words for anything else.
  std::string name_until_paren(const char* what) {
    const auto end = rest_.find(')');
    std::string_view name = rest_.substr(0, end);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (end == std::string_view::npos) fail("expected ')'");
    if (name.empty() || name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
                            std::string_view::npos)
      fail(what);
    rest_.remove_prefix(end + 1);
    return std::string(name);
  }

  [[noreturn]] void fail(const std::string& why) const {
    detail::throw_error("bad threshold \"" + std::string(text_) + "\": " + why);
  }
  void skip() {
    while (!rest_.empty() && (rest_.front() == ' ' || rest_.front() == '\t')) rest_.remove_prefix(1);
  }
  bool take(std::string_view word) {
    if (!rest_.starts_with(word)) return false;
    rest_.remove_prefix(word.size());
    return true;
  }
  template <std::size_t N>
  const detail::threshold_metric_name* named(const detail::threshold_metric_name (&names)[N]) {
    for (const auto& n : names)
      if (take(n.name)) return &n;
    return nullptr;
  }
  void expect(char c) {
    skip();
    if (rest_.empty() || rest_.front() != c) fail(std::string("expected '") + c + "'");
    rest_.remove_prefix(1);
  }
  // A number up to `close`, which it consumes.
  double number_until(char close, std::string_view what) {
    skip();
    const auto end = rest_.find(close);
    std::string_view digits = rest_.substr(0, end);
    while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t')) digits.remove_suffix(1);
    double v = 0;
    try {
      v = parse_number(digits);
    } catch (const error&) {
      fail("expected " + std::string(what));
    }
    if (end == std::string_view::npos) fail(std::string("expected '") + close + "'");
    rest_.remove_prefix(end + 1);
    return v;
  }
  threshold::comparison comparison() {
    if (take("<=")) return threshold::comparison::less_equal;
    if (take(">=")) return threshold::comparison::greater_equal;
    if (take("==")) return threshold::comparison::equal;
    if (take("!=")) return threshold::comparison::not_equal;
    if (take("<")) return threshold::comparison::less;
    if (take(">")) return threshold::comparison::greater;
    fail("expected <, <=, >, >=, == or !=");
  }

  std::string_view text_;
  std::string_view rest_;
};

inline threshold threshold::parse(std::string_view text) {
  threshold t = threshold_parser(text).parse();
  t.expression_ = std::string(text);
  return t;
}

/// Typed thresholds: `p(99) < 250ms`, `own(avg()) < 10ms`, `error_rate() < 0.01`.
namespace thresholds {

/// A metric, waiting for its comparison.
struct metric_ref {
  threshold::metric_kind kind;  ///< what it measures
  double argument = 0;  ///< the percentile, or the status code or class
  bool own = false;  ///< the actions' own latency rather than from the intended start
  std::string error_name{};  ///< `errors(NAME)`: the name

  /// The threshold comparing this metric by `c` with `v`.
  threshold compare(threshold::comparison c, double v) const { return threshold(kind, c, v, own, argument, error_name); }
  /// The threshold comparing this latency by `c` with `d`.
  template <class Rep, class Period>
  threshold compare(threshold::comparison c, std::chrono::duration<Rep, Period> d) const {
    return compare(c, std::chrono::duration<double, std::nano>(d).count());
  }
};
#define KARGA_THRESHOLD_OPERATOR(op, cmp)                                                 \
  inline threshold operator op(const metric_ref& m, double v) { return m.compare(threshold::comparison::cmp, v); } \
  template <class Rep, class Period>                                                      \
  threshold operator op(const metric_ref& m, std::chrono::duration<Rep, Period> d) {     \
    return m.compare(threshold::comparison::cmp, d);                                      \
  }
KARGA_THRESHOLD_OPERATOR(<, less)
KARGA_THRESHOLD_OPERATOR(<=, less_equal)
KARGA_THRESHOLD_OPERATOR(>, greater)
KARGA_THRESHOLD_OPERATOR(>=, greater_equal)
KARGA_THRESHOLD_OPERATOR(==, equal)
KARGA_THRESHOLD_OPERATOR(!=, not_equal)
#undef KARGA_THRESHOLD_OPERATOR

/// Latency from the intended start at percentile `n`.
inline metric_ref p(double n) { return {threshold::metric_kind::percentile, n}; }
/// The mean latency from the intended start.
inline metric_ref avg() { return {threshold::metric_kind::mean}; }
/// The least latency from the intended start.
inline metric_ref min() { return {threshold::metric_kind::minimum}; }
/// The median latency from the intended start.
inline metric_ref med() { return {threshold::metric_kind::percentile, 50}; }
/// The greatest latency from the intended start.
inline metric_ref max() { return {threshold::metric_kind::maximum}; }
/// The same metric on the actions' own latency.
inline metric_ref own(metric_ref m) {
  m.own = true;
  return m;
}
/// Failed / (ok + failed).
inline metric_ref error_rate() { return {threshold::metric_kind::error_rate}; }
/// Ok / (ok + failed).
inline metric_ref success_rate() { return {threshold::metric_kind::success_rate}; }
/// Started / scheduled.
inline metric_ref achieved() { return {threshold::metric_kind::achieved}; }
/// Actions started per second (over the planned length, else the elapsed time).
inline metric_ref rps() { return {threshold::metric_kind::rps}; }
/// Actions that succeeded.
inline metric_ref ok() { return {threshold::metric_kind::ok}; }
/// Actions that failed, thrown exceptions included.
inline metric_ref failed() { return {threshold::metric_kind::failed}; }
/// Arrivals due but never started.
inline metric_ref dropped() { return {threshold::metric_kind::dropped}; }
/// Actions cancelled at the end of the grace period.
inline metric_ref interrupted() { return {threshold::metric_kind::interrupted}; }
/// Responses with status `code` (a number from 100 to 599).
inline metric_ref status(unsigned code) { return {threshold::metric_kind::status, static_cast<double>(code)}; }
/// Calls that ended with the status an adapter names `name`: `status("UNAVAILABLE")`
/// (gRPC's statuses, in any case).
inline metric_ref status(std::string name) { return {threshold::metric_kind::named_status, 0, false, std::move(name)}; }
/// Actions that failed with the error an adapter names `name`: `errors("timeout")`
/// (an HTTP error kind), `errors("ENOENT")` (an errno of the filesystem adapter).
inline metric_ref errors(std::string name) { return {threshold::metric_kind::named_errors, 0, false, std::move(name)}; }

} // namespace thresholds
} // namespace karga
