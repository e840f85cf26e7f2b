// libFuzzer target for what reads untrusted bytes and text about results: the
// results file (whole, and each codec without the checksum in the way), the
// HdrHistogram decoder, and threshold expressions. Anything but a karga::error is a
// crash; so is a decoded aggregate that does not survive another round trip.
#include <karga/http/results_codec.hpp>
#include <karga/report/thresholds.hpp>
#include <karga/results.hpp>

#include <cstdint>
#include <string_view>

namespace {
void require(bool ok) {
  if (!ok) __builtin_trap();
}
template <class A>
void round_trip(std::string_view bytes) {
  karga::results_reader r(bytes);
  const A a = karga::codec<A>::read(r);
  require(karga::decode_results<A>(karga::encode_results(a)) == a);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view s(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 7) {
      case 0: karga::decode_results<karga::basic_aggregate>(s); break;
      case 1: round_trip<karga::basic_aggregate>(s); break;
      case 2: round_trip<karga::series_aggregate<karga::basic_aggregate>>(s); break;
      case 3: round_trip<karga::http::aggregate>(s); break;
      case 4: karga::detail::decompress_v2(s, karga::histogram::layout::bucket_count); break;
      case 5: karga::detail::decode_v2(s, karga::sparse_histogram::layout::bucket_count); break;
      case 6: {
        const auto t = karga::threshold::parse(s);
        require(!t.expression().empty());
        break;
      }
    }
  } catch (const karga::error&) {
  }
  return 0;
}
