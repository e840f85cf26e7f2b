#pragma once
// A karga command line on CLI11: options whose values are read by cli/parse.hpp as
// they are parsed, `--help` and `--version`, rules between options written once (CLI11 enforces and `--help`
// shows those it can; each has the sentence a violation prints), and one way to end
// on bad input: one line on stderr and exit status 2.
#include <karga/core/error.hpp>
#include <karga/core/version.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace karga::cli {

inline constexpr int exit_usage = 2;

/// A command line: its options (CLI11), the rules between them, and its one way to
/// end on bad input.
class command {
public:
  /// A command called `name`. `--version` prints "NAME VERSION (karga K)" for a
  /// command of its own version, "NAME K" for one of karga's (no `version`).
  command(std::string name, const std::string& description, const std::string& version = "")
      : name_(std::move(name)), app_(description, name_) {
    app_.set_version_flag("--version", version.empty() ? name_ + " " + karga::version
                                                       : name_ + " " + version + " (karga " + karga::version + ")",
                          "print the version and exit");
  }

  /// The CLI11 application, to add the command's own options to.
  CLI::App& app() noexcept { return app_; }
  /// The command's name ("karga-http").
  const std::string& name() const noexcept { return name_; }

  /// Each of `options`, when given, needs every one of `others` (shown by `--help`).
  void needs(std::initializer_list<const char*> options, std::initializer_list<const char*> others, std::string sentence) {
    for (const char* o : options)
      for (const char* x : others) app_.get_option(o)->needs(app_.get_option(x));
    rules_.push_back({rule::needs, names(options), names(others), std::move(sentence)});
  }
  /// None of `options` goes with any of `others` (shown by `--help`).
  void excludes(std::initializer_list<const char*> options, std::initializer_list<const char*> others, std::string sentence) {
    for (const char* o : options)
      for (const char* x : others) app_.get_option(o)->excludes(app_.get_option(x));
    rules_.push_back({rule::excludes, names(options), names(others), std::move(sentence)});
  }
  /// Each of `options`, when given, needs at least one of `others` (CLI11 cannot
  /// say this: the options' help says it).
  void needs_one_of(std::initializer_list<const char*> options, std::initializer_list<const char*> others, std::string sentence) {
    rules_.push_back({rule::needs_one_of, names(options), names(others), std::move(sentence)});
  }

  /// Whether option `o` was given.
  bool given(const std::string& o) const { return app_.get_option(o)->count() != 0; }

  /// Parses the command line. `--help` and `--version` print and exit 0; anything wrong
  /// is one line on stderr and exit status 2. A value an option's reader refuses
  /// (`karga::error`) leaves `parse`, for the caller's one handler of such errors.
  void parse(int argc, char** argv) {
    try {
      app_.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      std::fputs(app_.help().c_str(), stdout);
      std::exit(0);
    } catch (const CLI::CallForVersion& v) {
      std::printf("%s\n", v.what());
      std::exit(0);
    } catch (const CLI::RequiresError& e) {
      usage_error(violated().value_or(e.what()));
    } catch (const CLI::ExcludesError& e) {
      usage_error(violated().value_or(e.what()));
    } catch (const CLI::ParseError& e) {
      usage_error(e.what());
    }
    if (auto why = violated()) usage_error(*why);
  }

  /// One line on stderr, then exit status 2.
  [[noreturn]] void usage_error(const std::string& why) const {
    std::fprintf(stderr, "%s: %s (see %s --help)\n", name_.c_str(), why.c_str(), name_.c_str());
    std::exit(exit_usage);
  }

private:
  struct rule {
    enum kind_t { needs, excludes, needs_one_of } kind;
    std::vector<std::string> options, others;
    std::string sentence;
  };
  static std::vector<std::string> names(std::initializer_list<const char*> l) { return {l.begin(), l.end()}; }

  // The sentence of the first rule the command line breaks.
  std::optional<std::string> violated() const {
    for (const rule& r : rules_) {
      bool any_other = false, all_others = true;
      for (const auto& x : r.others) {
        any_other = any_other || given(x);
        all_others = all_others && given(x);
      }
      for (const auto& o : r.options) {
        if (!given(o)) continue;
        const bool broken = r.kind == rule::needs ? !all_others : r.kind == rule::excludes ? any_other : !any_other;
        if (broken) return r.sentence;
      }
    }
    return std::nullopt;
  }

  std::string name_;
  CLI::App app_;
  std::vector<rule> rules_;
};

} // namespace karga::cli
