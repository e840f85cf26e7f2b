#pragma once
/// @file measure/extends_basic.hpp
/// `extends_basic`: the base of an adapter's aggregate that adds figures of its own to
/// `basic_aggregate`'s. It holds the basic figures and passes karga's hooks to them,
/// so the adapter writes only `consume` and `merge`:
///
/// ```cpp
/// struct grpc_like_metric {
///   karga::clock::duration latency{};
///   int status = 0;
///   bool success() const { return status == 0; }
/// };
/// class by_status : public karga::extends_basic {
/// public:
///   void consume(const grpc_like_metric& m, const karga::timing& t) {
///     base_.consume({m.latency, m.success(), 0}, t);
///     ++statuses_[m.status & 15];
///   }
///   void merge(const by_status& o) {
///     base_.merge(o.base_);
///     for (int i = 0; i < 16; ++i) statuses_[i] += o.statuses_[i];
///   }
/// private:
///   std::uint64_t statuses_[16] = {};
/// };
/// ```

#include <karga/core/hooks.hpp>
#include <karga/core/run_info.hpp>
#include <karga/measure/basic_aggregate.hpp>

#include <cstdint>
#include <string_view>

namespace karga {

/// `basic_aggregate`'s figures, and the hooks that reach them, for an aggregate that
/// adds its own (`http::aggregate`, `fs::aggregate`).
class extends_basic {
public:
  /// See `basic_aggregate::record_dropped`.
  void record_dropped(std::uint64_t n, drop_reason why) noexcept { base_.record_dropped(n, why); }
  /// See `basic_aggregate::record_interrupted`.
  void record_interrupted(std::uint64_t n) noexcept { base_.record_interrupted(n); }
  /// See `basic_aggregate::record_exception`.
  void record_exception(std::string_view what) { base_.record_exception(what); }
  /// See `basic_aggregate::record_run`.
  void record_run(const run_info& info) { base_.record_run(info); }

  /// The counts and latencies every run has.
  const basic_aggregate& basic() const noexcept { return base_; }
  /// The counts and latencies every run has (for decoders).
  basic_aggregate& basic() noexcept { return base_; }

  /// Equal basic figures.
  friend bool operator==(const extends_basic&, const extends_basic&) = default;

protected:
  basic_aggregate base_;  ///< the basic figures: the derived aggregate's consume and merge feed them
};

} // namespace karga
