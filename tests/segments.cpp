// Segments: one test split over processes, each taking every n-th arrival, user or
// iteration.
#include "actions.hpp"
#include "catch.hpp"
#include "error_message.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace {

using namespace std::chrono_literals;
using namespace test;

// Segments ---------------------------------------------------------------------------
TEST_CASE("segments: n processes of t threads take every arrival of the one schedule exactly once", "[executor][segment]") {
  for (const bool poisson : {false, true}) {
    auto builder = karga::stage_executor::builder().start_rate(0).stage(400ms, 3000.0).threads(2);
    if (poisson) builder.poisson(8);
    const auto whole = builder.build().schedule();
    std::mutex m;
    std::map<std::uint64_t, int> seen;  // arrival → times run
    karga::basic_aggregate merged;
    for (unsigned i = 0; i < 4; ++i) {
      auto act = [&](const karga::context& c) -> asio::awaitable<basic_metric> {
        std::lock_guard lock(m);
        ++seen[c.arrival];
        co_return basic_metric{.success = true};
      };
      auto part = builder;
      const auto exec = part.threads(i % 2 + 1).segment({i, 4}).build();  // 1 or 2 threads: any mix adds up
      CHECK(exec.description().ends_with(", segment " + std::to_string(i) + "/4"));
      const auto a = karga::scenario<karga::basic_aggregate>::builder().action(act).executor(exec).build().run();
      CHECK(a.run().scheduled == karga::segment{i, 4}.share(whole.total()));
      merged.merge(a);
    }
    INFO("poisson " << poisson);
    CHECK(merged.run().scheduled == whole.total());
    CHECK(merged.ok() + merged.dropped() == whole.total());
    REQUIRE(seen.size() == merged.ok());
    for (const auto& [k, n] : seen) {
      REQUIRE(k < whole.total());
      REQUIRE(n == 1);
    }
  }
}

TEST_CASE("segments: closed models split users, shared iterations too", "[executor][segment]") {
  std::uint64_t users = 0, shared = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const auto e = karga::constant_vus_executor::builder().vus(10).duration(1s).segment({i, 4}).build();
    CHECK(e.vus() == (i < 2 ? 3u : 2u));
    users += e.vus();
    const auto s = karga::shared_iterations_executor::builder().vus(8).iterations(101).segment({i, 4}).build();
    shared += s.iterations();
    CHECK(s.vus() == 2);
    CHECK(karga::per_vu_iterations_executor::builder().vus(8).iterations(5).segment({i, 4}).build().iterations() == 5);
  }
  CHECK(users == 10);
  CHECK(shared == 101);
  CHECK(error_message([] { karga::constant_vus_executor::builder().vus(2).duration(1s).segment({3, 4}).build(); }) ==
        "karga: segment 3/4 of 2 users has none: use fewer segments");
  CHECK(error_message([] { karga::stage_executor::builder().stage(1s, 1.0).segment({4, 4}).build(); }) ==
        "karga: segment 4/4: the index must be below the count (0/4 … 3/4)");
}

TEST_CASE("segments: from I/N and from a launcher's environment", "[segment]") {
  CHECK(karga::segment::parse("2/4") == karga::segment{2, 4});
  CHECK(error_message([] { karga::segment::parse("4/4"); }) == "karga: segment 4/4: the index must be below the count (0/4 … 3/4)");
  CHECK(error_message([] { karga::segment::parse("1of4"); }) == "karga: segment \"1of4\" is not I/N (e.g. 0/4)");
  CHECK(error_message([] { karga::segment::parse("-1/4"); }) == "karga: segment \"-1/4\" is not I/N (e.g. 0/4)");
  for (const char* v : {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "PMI_RANK", "PMI_SIZE", "SLURM_PROCID", "SLURM_NTASKS",
                        "JOB_COMPLETION_INDEX", "KARGA_SEGMENTS"})
    ::unsetenv(v);
  CHECK_FALSE(karga::segment::from_environment());
  ::setenv("JOB_COMPLETION_INDEX", "3", 1);
  CHECK(error_message([] { karga::segment::from_environment(); }) ==
        "karga: JOB_COMPLETION_INDEX is set but KARGA_SEGMENTS is not: how many processes are there?");
  ::setenv("KARGA_SEGMENTS", "5", 1);
  std::string source;
  CHECK(karga::segment::from_environment(&source) == karga::segment{3, 5});
  CHECK(source == "JOB_COMPLETION_INDEX/KARGA_SEGMENTS");
  ::setenv("OMPI_COMM_WORLD_RANK", "1", 1);  // Open MPI's comes first
  ::setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
  CHECK(karga::segment::from_environment() == karga::segment{1, 4});
  ::setenv("OMPI_COMM_WORLD_SIZE", "x", 1);
  CHECK(error_message([] { karga::segment::from_environment(); }) ==
        "karga: OMPI_COMM_WORLD_RANK=1, OMPI_COMM_WORLD_SIZE=x: not whole numbers");
  for (const char* v : {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "JOB_COMPLETION_INDEX", "KARGA_SEGMENTS"}) ::unsetenv(v);
}

} // namespace
