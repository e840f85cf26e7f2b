// Arrival schedules, exactly: the inverse of the rate's integral, Poisson arrivals,
// rate functions and profiles.
#include "catch.hpp"
#include "error_message.hpp"

#include <karga/karga.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

karga::schedule seed_schedule() { return karga::schedule(0, {{10s, 100.0}, {30s, 100.0}, {5s, 0.0}}); }

// schedule ----------------------------------------------------------------------
TEST_CASE("schedule: the seed's profile has 500 + 3000 + 250 arrivals", "[schedule]") {
  const auto s = seed_schedule();
  CHECK(s.total() == 3750);
  CHECK(s.length() == 45.0);
  CHECK(s.due_by(10) == 500);
  CHECK(s.due_by(40) == 3500);
  CHECK(s.due_by(45) == 3750);
  CHECK(s.due_by(1e6) == 3750);
  CHECK(s.due_by(0) == 0);
  CHECK(s.due_by(-1) == 0);
}

TEST_CASE("schedule: arrival times are the inverse of the integral", "[schedule]") {
  const auto s = seed_schedule();
  // Ramp 0→100 over 10 s: N(t) = 5 t², so arrival k is at √((k+1)/5).
  for (std::uint64_t k : {0u, 1u, 4u, 99u, 250u, 499u})
    CHECK(s.time_of(k) == Approx(std::sqrt((k + 1) / 5.0)).epsilon(1e-12));
  // Constant 100/s: one every 10 ms after t = 10 s.
  for (std::uint64_t k : {500u, 501u, 1999u, 3499u})
    CHECK(s.time_of(k) == Approx(10.0 + (k + 1 - 500) / 100.0).epsilon(1e-12));
  // Ramp 100→0 over 5 s: N = 3500 + 100τ − 10τ², so τ = (100 − √(10000 − 40 m)) / 20.
  for (std::uint64_t k : {3500u, 3600u, 3748u, 3749u}) {
    const double m = static_cast<double>(k + 1 - 3500);
    CHECK(s.time_of(k) == Approx(40.0 + (100 - std::sqrt(10000 - 40 * m)) / 20).epsilon(1e-12));
  }
  CHECK(s.time_of(3749) == Approx(45.0).epsilon(1e-12));
}

TEST_CASE("schedule: a ramp 0→10,000/s over 5 s has 25,000 arrivals", "[schedule]") {
  const karga::schedule s(0, {{5s, 10000.0}});
  CHECK(s.total() == 25000);
  CHECK(s.time_of(24999) == Approx(5.0).epsilon(1e-12));
  CHECK(s.rate_at(2.5) == Approx(5000));
}

TEST_CASE("schedule: N(time_of(k)) = k + 1 and the cursor agrees, on random profiles", "[schedule]") {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> rate(0, 2000), len(0, 3);
  for (int round = 0; round < 20; ++round) {
    std::vector<karga::stage> stages;
    for (int i = 0; i < 5; ++i) stages.push_back({std::chrono::duration<double>(round % 4 == 0 && i == 2 ? 0 : len(rng)), rate(rng)});
    const karga::schedule s(rate(rng), stages);
    karga::schedule::cursor c(s);
    double previous = 0;
    for (std::uint64_t k = 0; k < s.total(); k += 7) {
      const double t = s.time_of(k);
      CHECK(c.time_of(k) == t);
      CHECK(t >= previous);
      CHECK(s.arrivals_by(t) == Approx(static_cast<double>(k + 1)).epsilon(1e-9));
      CHECK(s.due_by(t) == k + 1);  // arrival k is due at its own time, exactly
      CHECK(s.due_by(std::nextafter(t, 0.0)) <= k);
      previous = t;
    }
  }
}

TEST_CASE("schedule: due_by agrees with time_of for every arrival of many random profiles", "[schedule]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> rate(0, 500), len(0, 2);
  int checked = 0;
  for (int round = 0; round < 200; ++round) {
    std::vector<karga::stage> stages;
    for (int i = 0; i < 4; ++i) stages.push_back({std::chrono::duration<double>(len(rng)), rate(rng)});
    const karga::schedule s(rate(rng), stages);
    for (std::uint64_t k = 0; k < s.total(); ++k, ++checked) {
      const double t = s.time_of(k);
      REQUIRE(s.due_by(t) == k + 1);
    }
  }
  CHECK(checked > 10'000);
}

TEST_CASE("schedule: a stage too short for a finite slope is a jump", "[schedule]") {
  const karga::schedule s(0, {{std::chrono::duration<double>(1e-300), 100.0}, {1s, 100.0}});
  CHECK(s.total() == 100);
  CHECK(s.time_of(0) == Approx(0.01));
  CHECK(std::isfinite(s.rate_at(0.5)));
}

TEST_CASE("schedule: zero-length stages are jumps, zero rates have no arrivals", "[schedule]") {
  SECTION("a jump to 100/s, then 1 s at 100/s") {
    const karga::schedule s(0, {{0s, 100.0}, {1s, 100.0}});
    CHECK(s.total() == 100);
    CHECK(s.time_of(0) == Approx(0.01));
    CHECK(s.time_of(99) == Approx(1.0));
  }
  SECTION("one stage of zero length") {
    const karga::schedule s(500, {{0s, 1000.0}});
    CHECK(s.total() == 0);
    CHECK(s.length() == 0);
  }
  SECTION("zero rate") {
    const karga::schedule s(0, {{5s, 0.0}});
    CHECK(s.total() == 0);
    CHECK(s.due_by(5) == 0);
  }
  SECTION("a pause between two bursts") {
    const karga::schedule s(0, {{0s, 10.0}, {1s, 10.0}, {0s, 0.0}, {2s, 0.0}, {0s, 10.0}, {1s, 10.0}});
    CHECK(s.total() == 20);
    CHECK(s.time_of(9) == Approx(1.0));
    CHECK(s.time_of(10) == Approx(3.1));
  }
  SECTION("start rate") {
    const karga::schedule s(100, {{2s, 100.0}});
    CHECK(s.total() == 200);
  }
}

TEST_CASE("schedule: huge rates stay exact", "[schedule]") {
  const karga::schedule s(0, {{0s, 1e12}, {1s, 1e12}});
  CHECK(s.total() == 1'000'000'000'000ull);
  CHECK(s.time_of(999'999'999'999ull) == Approx(1.0).epsilon(1e-15));
  CHECK(s.time_of(499'999'999'999ull) == Approx(0.5).epsilon(1e-15));
}

TEST_CASE("schedule and builder: bad input is a clear karga::error", "[schedule]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  using d = std::chrono::duration<double>;
  CHECK(error_message([] { karga::schedule(0, {}); }) == "karga: a schedule needs at least one stage");
  CHECK(error_message([] { karga::schedule(0, {{-1s, 1.0}}); }).starts_with("karga: stage 1: duration must be finite and not negative"));
  CHECK(error_message([&] { karga::schedule(0, {{1s, 1.0}, {d(nan), 1.0}}); }).starts_with("karga: stage 2: duration"));
  CHECK(error_message([&] { karga::schedule(0, {{d(inf), 1.0}}); }).starts_with("karga: stage 1: duration"));
  CHECK(error_message([] { karga::schedule(0, {{1s, -50.0}}); }) == "karga: stage 1: target rate must be finite and not negative, got -50/s");
  CHECK(error_message([&] { karga::schedule(0, {{1s, nan}}); }).starts_with("karga: stage 1: target rate"));
  CHECK(error_message([&] { karga::schedule(inf, {{1s, 1.0}}); }).starts_with("karga: start rate"));
  CHECK(error_message([&] { karga::schedule(-1, {{1s, 1.0}}); }).starts_with("karga: start rate"));
  CHECK(error_message([] { karga::schedule(0, {{1s, 1e300}}); }) == "karga: the schedule holds more than 2^53 arrivals");
  CHECK(error_message([] { karga::stage_executor::builder().stage(1s, 1.0).threads(0).build(); }) ==
        "karga: threads must be at least 1, got 0");
  CHECK(error_message([] { karga::stage_executor::builder().build(); }) == "karga: a schedule needs at least one stage");
  CHECK(error_message([] { karga::stage_executor::builder().stage(1s, 1.0).grace_period(-1s).build(); }) ==
        "karga: grace period must be finite, not negative and at most 10^9 s, got -1 s");
  CHECK(error_message([] { karga::stage_executor::builder().stage(1s, 1.0).threads(3).max_in_flight(2).build(); }) ==
        "karga: max_in_flight (2) must be 0 (no cap) or at least threads (3)");
  CHECK(error_message([] { karga::stage_executor::builder().stage(1s, 1.0).build(); }) == "no error");
}


// The largest distance between the empirical distribution of `x` and Exp(1): the
// Kolmogorov–Smirnov statistic.
double ks_exponential(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = 1 - std::exp(-x[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}

TEST_CASE("schedule: Poisson arrivals at 5,000/s for 10 s, counted and tested for exponential gaps", "[schedule][poisson]") {
  for (std::uint64_t seed : {1u, 42u, 2026u, 77777u}) {
    const karga::schedule s(5000, {{10s, 5000.0}}, seed);
    REQUIRE(s.is_poisson());
    // A Poisson count of mean 50,000: within 3 standard deviations (√50,000 ≈ 224).
    CHECK(std::abs(static_cast<double>(s.total()) - 50000.0) <= 671);
    std::vector<double> gaps;
    double last = 0;
    karga::schedule::cursor c(s);
    for (std::uint64_t k = 0; k < s.total(); ++k) {
      const double t = c.time_of(k);
      if (k % 101 == 0) REQUIRE(s.time_of(k) == t);  // the cursor walks to the same double
      REQUIRE(t >= last);
      gaps.push_back((t - last) * 5000);  // in units of the mean gap
      last = t;
    }
    // Exponential gaps at the 1% level of the Kolmogorov–Smirnov test.
    CHECK(ks_exponential(gaps) < 1.63 / std::sqrt(static_cast<double>(gaps.size())));
    CHECK(s.time_of(s.total() - 1) <= 10.0);
  }
}

TEST_CASE("schedule: Poisson arrivals over a ramp are a unit-rate process in N(t)", "[schedule][poisson]") {
  const karga::schedule s(0, {{10s, 2000.0}, {5s, 500.0}}, 9);
  std::vector<double> gaps;
  double last = 0;
  karga::schedule::cursor c(s);
  for (std::uint64_t k = 0; k < s.total(); ++k) {
    const double m = s.arrivals_by(c.time_of(k));
    gaps.push_back(m - last);
    last = m;
  }
  // N(15 s) = 10,000 + 6,250: the count is within 3σ of it, the gaps in N are Exp(1).
  CHECK(std::abs(static_cast<double>(s.total()) - 16250.0) <= 3 * std::sqrt(16250.0));
  CHECK(ks_exponential(gaps) < 1.63 / std::sqrt(static_cast<double>(gaps.size())));
  // Half the first stage's arrivals come in its last 2.93 s (N = 5t², √0.5·10 = 7.07).
  const double half = static_cast<double>(s.due_by(10)) / 2;
  CHECK(std::abs(static_cast<double>(s.due_by(std::sqrt(0.5) * 10)) - half) <= 3 * std::sqrt(half));
}

TEST_CASE("schedule: a Poisson schedule is the same for the same seed, and due_by agrees with time_of", "[schedule][poisson]") {
  const karga::schedule a(300, {{3s, 300.0}}, 5), b(300, {{3s, 300.0}}, 5), c(300, {{3s, 300.0}}, 6);
  REQUIRE(a.total() == b.total());
  bool differs = a.total() != c.total();
  for (std::uint64_t k = 0; k < a.total(); ++k) {
    REQUIRE(a.time_of(k) == b.time_of(k));
    if (k < c.total() && a.time_of(k) != c.time_of(k)) differs = true;
  }
  CHECK(differs);
  // Copies share the draws: a shard's copy gives the same times.
  const karga::schedule copy = a;
  CHECK(copy.time_of(a.total() / 2) == a.time_of(a.total() / 2));

  karga::schedule::cursor cur(a);
  std::uint64_t previous = 0;
  for (double t = 0; t <= 3.01; t += 0.0007) {
    const std::uint64_t n = a.due_by(t);
    REQUIRE(cur.due_by(t) == n);
    REQUIRE(n >= previous);
    if (n > 0) REQUIRE(a.time_of(n - 1) <= t + 1e-12);
    if (n < a.total()) REQUIRE(a.time_of(n) > t - 1e-12);
    previous = n;
  }
  CHECK(a.due_by(1e9) == a.total());
  // Long enough to cross many checkpoints: due_by from them equals walking.
  const karga::schedule long_one(20000, {{2s, 20000.0}}, 3);
  karga::schedule::cursor walk(long_one);
  for (double t = 0; t <= 2.0; t += 0.01) REQUIRE(long_one.due_by(t) == walk.due_by(t));
  CHECK(error_message([] { karga::schedule(0, {{1000s, 1e7}}, 1); }) == "karga: a Poisson schedule holds at most 2^32 arrivals");
}

TEST_CASE("schedule: a rate function's count is its integral within the stated bound", "[schedule][rate]") {
  // 100 ± 50 sin(2πt/10) for 60 s: N(t) = 100t + (50·10/2π)(1 − cos(2πt/10)).
  const double w = 2 * std::numbers::pi / 10;
  const auto exact = [&](double t) { return 100 * t + 50 / w * (1 - std::cos(w * t)); };
  const auto s = karga::profiles::sine(100, 50, 10s, 60s).schedule();
  CHECK(s.length() == Approx(60.0));
  // Trapezoid error ≤ t·h²·max|f''|/12 = 60·10⁻⁶·50w²/12 ≈ 10⁻⁴ arrivals: counts within 1.
  for (double t : {0.5, 2.5, 5.0, 7.77, 13.0, 31.4, 59.999, 60.0}) {
    INFO("t = " << t);
    CHECK(std::abs(static_cast<double>(s.due_by(t)) - std::floor(exact(t))) <= 1);
    CHECK(std::abs(s.arrivals_by(t) - exact(t)) < 1e-3);
  }
  CHECK(s.total() == static_cast<std::uint64_t>(std::floor(exact(60))));
  // Any function: f(t) = 3t² over 10 s has N = t³, 1000 arrivals.
  const auto cubic = karga::schedule::from_rate([](double t) { return 3 * t * t; }, 10s, 1ms);
  CHECK(std::abs(cubic.arrivals_by(10) - 1000) < 1e-3);
  CHECK(std::abs(cubic.time_of(7) - 2.0) < 1e-4);  // arrival 7 (the 8th) at t = ∛8
  // Bad functions and steps are refused before anything runs.
  CHECK(error_message([] { karga::schedule::from_rate([](double t) { return t < 1 ? 1.0 : -1.0; }, 2s); }) ==
        "karga: the rate function gives -1/s at 1 s");
  CHECK(error_message([] { karga::schedule::from_rate([](double) { return std::nan(""); }, 2s); }) ==
        "karga: the rate function gives nan/s at 0 s");
  CHECK(error_message([] { karga::schedule::from_rate([](double) { return 1.0; }, 2s, 0s); }) ==
        "karga: a rate function's step must be more than 0 and at most 10^7 steps long in all");
  CHECK(error_message([] { karga::schedule::from_rate([](double) { return 1.0; }, 0s); }) ==
        "karga: a rate function's length must be more than 0 and at most 10^9 s, got 0 s");
  CHECK(error_message([] { karga::profiles::sine(10, 20, 1s, 5s); }) ==
        "karga: a sine profile's amplitude must be between 0 and its mean");
}

TEST_CASE("profiles: each preset's count, exactly", "[schedule][profiles]") {
  namespace p = karga::profiles;
  CHECK(p::constant(250, 4s).schedule().total() == 1000);
  CHECK(p::ramp(100, 300, 10s).schedule().total() == 2000);
  // 100, 200, 300 /s for 2 s each.
  const auto st = p::stairs(100, 100, 3, 2s).schedule();
  CHECK(st.total() == 1200);
  CHECK(st.due_by(2) == 200);
  CHECK(st.due_by(4) == 600);
  // 10/s for 5 s, 1000/s for 1 s, 10/s for 4 s.
  const auto sp = p::spike(10, 1000, 5s, 1s, 4s).schedule();
  CHECK(sp.total() == 50 + 1000 + 40);
  CHECK(sp.due_by(5) == 50);
  CHECK(sp.due_by(6) == 1050);
  CHECK(p::sine(200, 100, 10s, 20s).schedule().total() == 4000);  // whole periods: the mean
  CHECK(p::stairs(100, 100, 3, 2s).description == "stairs from 100/s, +100/s every 2s, 3 steps");
  // The builder takes a profile or a rate function, not both with stages.
  const auto e = karga::stage_executor::builder().profile(p::ramp(0, 100, 10s)).poisson(3).build();
  CHECK(e.schedule().is_poisson());
  CHECK(e.description() == "ramp 0/s→100/s over 10s, Poisson arrivals (seed 3)");
  CHECK(karga::stage_executor::builder().rate([](double) { return 7.0; }, 10s).build().schedule().total() == 70);
  CHECK(error_message([] { karga::stage_executor::builder().stage(1s, 1.0).profile(karga::profiles::constant(1, 1s)).build(); }) ==
        "karga: give stages or a profile (or rate function), not both");
}

} // namespace
