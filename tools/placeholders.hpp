#pragma once
// {n}, {shard} and {uuid} in a message or a metadata value from the command line,
// filled in for each call. Any other brace is the text's own (JSON is full of them).
#include <karga/core/context.hpp>

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace karga_tools {

/// A text with placeholders, split once; `render` fills them in for one call.
class placeholder_text {
public:
  /// What a placeholder stands for.
  enum class kind : std::uint8_t { text, n, shard, uuid };

  explicit placeholder_text(std::string_view text) {
    static constexpr std::pair<std::string_view, kind> names[] = {{"{n}", kind::n}, {"{shard}", kind::shard}, {"{uuid}", kind::uuid}};
    std::size_t literal = 0;
    for (std::size_t i = text.find('{'); i != std::string_view::npos; i = text.find('{', i + 1)) {
      for (const auto& [name, k] : names) {
        if (text.substr(i, name.size()) != name) continue;
        if (i > literal) pieces_.push_back({kind::text, std::string(text.substr(literal, i - literal))});
        pieces_.push_back({k, {}});
        literal = i + name.size();
        i = literal - 1;
        break;
      }
    }
    if (literal < text.size() || pieces_.empty()) pieces_.push_back({kind::text, std::string(text.substr(literal))});
  }

  /// Whether it has a placeholder (else it is the same for every call).
  bool varies() const noexcept {
    for (const auto& p : pieces_)
      if (p.what != kind::text) return true;
    return false;
  }

  /// The text for the call `c`: {n} its number (open models: its place in the
  /// schedule, unique in the run; closed models: its number on its shard), {shard} its
  /// shard, {uuid} a random (version 4) UUID.
  std::string render(const karga::context& c) const {
    std::string out;
    for (const auto& p : pieces_) {
      switch (p.what) {
        case kind::text: out += p.text; break;
        case kind::n: out += std::to_string(c.arrival); break;
        case kind::shard: out += std::to_string(c.shard); break;
        case kind::uuid: out += boost::uuids::to_string(uuids()()); break;
      }
    }
    return out;
  }

private:
  struct piece {
    kind what;
    std::string text;
  };
  // Each shard's thread draws from a generator of its own, seeded from the system's entropy.
  static boost::uuids::random_generator_mt19937& uuids() {
    thread_local boost::uuids::random_generator_mt19937 gen;
    return gen;
  }

  std::vector<piece> pieces_;
};

} // namespace karga_tools
