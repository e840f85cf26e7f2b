#pragma once
/// @file executors/detail/open_model_settings.hpp
/// The settings of the open-model builders (`stage_executor`,
/// `controlled_rate_executor`) besides the common ones: the cap on actions in flight
/// and the pacing slot.

#include <karga/core/detail/format.hpp>
#include <karga/core/error.hpp>
#include <karga/core/timing.hpp>
#include <karga/executors/detail/pacing_slot.hpp>
#include <karga/run/builder_settings.hpp>

#include <chrono>
#include <cstdint>

namespace karga::detail {

template <class Derived>
class open_model_settings : public builder_settings<Derived> {
public:
  /// Most actions in flight at once, over all shards (split exactly between them);
  /// arrivals beyond it are dropped. Default 0: no cap.
  Derived& max_in_flight(std::uint64_t n) {
    max_in_flight_ = n;
    return this->self();
  }
  /// The shortest time between two wakes of a shard for its arrivals (0 to 10 ms):
  /// a wake starts every arrival due by then, so an arrival starts at most this late,
  /// and closer arrivals cost fewer timer wakes. Default 500 µs.
  Derived& pacing_slot(std::chrono::duration<double> d) {
    pacing_slot_ = d;
    return this->self();
  }

protected:
  /// The cap, checked against the runner's threads (each shard needs one).
  std::uint64_t checked_max_in_flight(unsigned threads) const {
    if (max_in_flight_ != 0 && max_in_flight_ < threads)
      throw_error(fmt::format("max_in_flight ({}) must be 0 (no cap) or at least threads ({})", max_in_flight_, threads));
    return max_in_flight_;
  }
  clock::duration checked_pacing_slot() const { return detail::checked_pacing_slot(pacing_slot_); }

private:
  std::uint64_t max_in_flight_ = 0;
  std::chrono::duration<double> pacing_slot_{default_pacing_slot};
};

} // namespace karga::detail
