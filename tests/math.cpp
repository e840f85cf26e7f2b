// The arithmetic, exactly: arrival schedules, the histogram, aggregates and reports.
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

// histogram ---------------------------------------------------------------------
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

TEST_CASE("histogram: values below 2048 ns are exact", "[histogram]") {
  karga::histogram h;
  for (std::uint64_t v = 0; v < 2048; ++v) h.record(v);
  CHECK(h.count() == 2048);
  CHECK(h.min() == 0);
  CHECK(h.max() == 2047);
  CHECK(h.mean() == Approx(1023.5));
  CHECK(h.percentile(50) == 1023);
  CHECK(h.percentile(100) == 2047);
  CHECK(h.percentile(0) == 0);
  for (std::uint64_t v = 0; v < 2048; ++v) CHECK(h.count_at(v) == 1);
}

TEST_CASE("histogram: percentiles within 1/2048 of the exact sorted value", "[histogram]") {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> spread(13.0, 2.5);  // ~ from ns to hours
  std::vector<std::uint64_t> values;
  karga::histogram h;
  for (int i = 0; i < 200000; ++i) {
    const auto v = static_cast<std::uint64_t>(std::min(spread(rng), 1e16));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 99.999}) {
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100 * values.size()));
    const double exact = static_cast<double>(values[rank - 1]);
    const double got = static_cast<double>(h.percentile(p));
    CHECK(std::abs(got - exact) <= exact * karga::histogram::relative_error);
  }
  CHECK(h.min() == values.front());
  CHECK(h.max() == values.back());
  double sum = 0;
  for (auto v : values) sum += static_cast<double>(v);
  CHECK(h.mean() == Approx(sum / values.size()).epsilon(1e-12));
  double sq = 0;
  for (auto v : values) sq += (v - h.mean()) * (v - h.mean());
  CHECK(h.stddev() == Approx(std::sqrt(sq / values.size())).epsilon(1e-3));
}

TEST_CASE("histogram: merging shards equals one histogram of all values", "[histogram]") {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::uint64_t> any(0, std::numeric_limits<std::uint64_t>::max() >> 8);
  karga::histogram all, a, b, c;
  for (int i = 0; i < 30000; ++i) {
    const auto v = any(rng) >> (i % 50);
    all.record(v);
    (i % 3 == 0 ? a : i % 3 == 1 ? b : c).record(v);
  }
  karga::histogram ab = a;
  ab.merge(b);
  ab.merge(c);
  CHECK(ab == all);
  karga::histogram cb = c;
  cb.merge(b);
  cb.merge(a);
  CHECK(cb == all);
  karga::histogram empty;
  empty.merge(all);
  CHECK(empty == all);
}

TEST_CASE("histogram: edges", "[histogram]") {
  karga::histogram h;
  CHECK(h.percentile(50) == 0);
  CHECK(h.mean() == 0);
  CHECK(h.min() == 0);
  h.record(-5ms);  // a negative duration counts as zero
  CHECK(h.count_at(0) == 1);
  h.record(std::numeric_limits<std::uint64_t>::max());
  CHECK(h.max() == std::numeric_limits<std::uint64_t>::max());
  CHECK(h.percentile(100) == std::numeric_limits<std::uint64_t>::max());
  h.record(1h);
  CHECK(std::abs(static_cast<double>(h.percentile(60)) - 3.6e12) <= 3.6e12 / 2048);
}

// aggregate and report ------------------------------------------------------------
karga::basic_aggregate sample(int seed) {
  std::mt19937 rng(seed);
  karga::basic_aggregate a;
  const auto t0 = karga::clock::now();
  for (int i = 0; i < 1000; ++i) {
    const auto lat = std::chrono::microseconds(rng() % 5000);
    const auto sched = t0 + std::chrono::milliseconds(i);
    const auto lag = std::chrono::microseconds(rng() % 100);
    a.consume(karga::basic_metric{lat, rng() % 10 != 0, rng() % 1000},
              karga::timing{sched, sched + lag, sched + lag + lat});
  }
  a.record_dropped(seed, karga::drop_reason::late);
  a.record_dropped(seed % 2, karga::drop_reason::max_in_flight);
  a.record_interrupted(seed % 3);
  a.record_exception("boom " + std::to_string(seed % 2));
  return a;
}

TEST_CASE("basic_aggregate: merge is associative and commutative", "[aggregate]") {
  const auto a = sample(1), b = sample(2), c = sample(3);
  auto ab_c = a;
  ab_c.merge(b);
  ab_c.merge(c);
  auto bc = b;
  bc.merge(c);
  auto a_bc = a;
  a_bc.merge(bc);
  CHECK(ab_c.latency() == a_bc.latency());
  CHECK(ab_c.response_time() == a_bc.response_time());
  CHECK(ab_c.succeeded() == a_bc.succeeded());
  CHECK(ab_c.exceptions().total() == a_bc.exceptions().total());
  auto ba = b;
  ba.merge(a);
  auto ab = a;
  ab.merge(b);
  CHECK(ab.latency() == ba.latency());
  CHECK(ab.dropped() == ba.dropped());
  CHECK(ab.dropped_late() == a.dropped_late() + b.dropped_late());
  CHECK(ab.dropped_by_cap() == a.dropped_by_cap() + b.dropped_by_cap());
  CHECK(ab.failed() == ba.failed());
  CHECK(ab.started() == a.started() + b.started());
  CHECK(ab.exceptions().sorted() == ba.exceptions().sorted());
}

TEST_CASE("basic_aggregate: counts each outcome", "[aggregate]") {
  karga::basic_aggregate a;
  const auto t = karga::clock::now();
  a.consume({3ms, true, 100});
  a.consume({5ms, false, 20}, {t, t + 1ms, t + 6ms});
  a.record_exception("refused");
  a.record_exception("refused");
  a.record_dropped(4, karga::drop_reason::max_in_flight);
  a.record_dropped(1, karga::drop_reason::late);
  a.record_interrupted(2);
  CHECK(a.succeeded() == 1);
  CHECK(a.failed() == 3);
  CHECK(a.dropped() == 5);
  CHECK(a.dropped_by_cap() == 4);
  CHECK(a.dropped_late() == 1);
  CHECK(a.interrupted() == 2);
  CHECK(a.started() == 6);
  CHECK(a.bytes() == 120);
  CHECK(a.latency().count() == 2);
  CHECK(a.response_time().count() == 1);
  CHECK(a.response_time().max() == 6'000'000);
  CHECK(a.start_lag().max() == 1'000'000);
  CHECK(a.exceptions().sorted() == std::vector<std::pair<std::string, std::uint64_t>>{{"refused", 2}});
}

TEST_CASE("error_counts: keeps 16 messages, counts the rest as other", "[aggregate]") {
  karga::error_counts e;
  for (int i = 0; i < 20; ++i) e.add(fmt::format("m{}", i), 2);
  e.add("m0");
  CHECK(e.sorted().size() == 16);
  CHECK(e.sorted().front() == std::pair<std::string, std::uint64_t>{"m0", 3});
  CHECK(e.other() == 8);
  CHECK(e.total() == 41);
}

TEST_CASE("basic_report: target vs achieved, ratios, percentiles", "[report]") {
  karga::basic_aggregate a;
  for (int i = 1; i <= 100; ++i) a.consume({std::chrono::milliseconds(i), i <= 90, 1000});
  a.record_dropped(50, karga::drop_reason::max_in_flight);
  karga::run_info info;
  info.scenario = "checkout";
  info.model = "stages 10s→20/s";
  info.scheduled = 200;
  info.planned = 10s;
  info.elapsed = 12s;
  info.peak_in_flight = 7;
  a.record_run(info);
  const karga::basic_report r{a};
  CHECK(r.scheduled == 200);
  CHECK(r.target_rate == Approx(20.0));
  CHECK(r.started == 100);
  CHECK(r.achieved_rate == Approx(10.0));
  CHECK(r.dropped == 50);
  CHECK(r.success_ratio == Approx(0.9));
  CHECK(r.bytes_per_second == Approx(100000.0 / 12));
  CHECK(r.latency.count == 100);
  CHECK(r.latency.min == 1ms);
  CHECK(r.latency.max == 100ms);
  CHECK(r.latency.mean == std::chrono::microseconds(50500));
  CHECK(std::abs((r.latency.p50 - 50ms).count()) <= 50'000'000 / 2048);
  CHECK(std::abs((r.latency.p99 - 99ms).count()) <= 99'000'000 / 2048);
  CHECK(r.response_time.count == 0);
  CHECK(r.peak_in_flight == 7);

  CHECK(r.scenario == "checkout");
  const std::string text = karga::format_report(r);
  CHECK(text.find("scenario        checkout: stages 10s→20/s") != std::string::npos);
  CHECK(text.find("dropped         all at max_in_flight") != std::string::npos);
  CHECK(text.find("200 arrivals over 10.000s (20.0/s)") != std::string::npos);
  CHECK(text.find("achieved 10.0/s, 50.00% of target") != std::string::npos);
  CHECK(text.find("ok 90  failed 10  dropped 50  interrupted 0") != std::string::npos);
  CHECK(text.find("latency") != std::string::npos);
  CHECK(text.find("from intended") == std::string::npos);  // nothing recorded, nothing shown
}

TEST_CASE("basic_report: a closed model has no target, a count-based one no planned length", "[report]") {
  karga::basic_aggregate a;
  for (int i = 0; i < 91; ++i) a.consume({1ms, true, 0});
  karga::run_info info;
  info.kind = karga::load_kind::closed;
  info.scheduled = 91;
  info.elapsed = 500ms;  // no planned length: the rate is over the elapsed time
  a.record_run(info);
  const karga::basic_report r{a};
  CHECK(r.target_rate == 0);
  CHECK(r.achieved_rate == Approx(182.0));
  const std::string text = karga::format_report(r);
  CHECK(text.find("91 iterations in 0.500s (182.0/s)") != std::string::npos);
  CHECK(text.find("of target") == std::string::npos);
  CHECK(text.find("over 0.000s") == std::string::npos);
}

TEST_CASE("basic_report: an empty aggregate reports zeros", "[report]") {
  const karga::basic_report r{karga::basic_aggregate{}};
  CHECK(r.started == 0);
  CHECK(r.achieved_rate == 0);
  CHECK(r.success_ratio == 0);
  CHECK(r.latency.p99 == 0ns);
  CHECK(karga::format_report(r).find("nothing was scheduled") != std::string::npos);
}

} // namespace

namespace {

using namespace std::chrono_literals;

// sparse_histogram and time_series ---------------------------------------------------
TEST_CASE("sparse_histogram: percentiles within 1/256 of the exact value, merge is exact", "[series]") {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> dist(13.0, 1.2);  // around 0.4 ms, long tail
  std::vector<std::uint64_t> values;
  karga::sparse_histogram all, a, b;
  for (int i = 0; i < 50'000; ++i) {
    const auto v = static_cast<std::uint64_t>(dist(rng));
    values.push_back(v);
    all.record(v);
    (i % 3 ? a : b).record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9}) {
    const auto exact = values[static_cast<std::size_t>(std::ceil(p / 100 * values.size())) - 1];
    CHECK(std::abs(static_cast<double>(all.percentile(p)) - static_cast<double>(exact)) <=
          static_cast<double>(exact) * karga::sparse_histogram::relative_error);
  }
  CHECK(all.min() == values.front());
  CHECK(all.max() == values.back());
  a.merge(b);
  CHECK(a == all);
}

karga::timing at(karga::clock::time_point start, double scheduled_s, double lag_s, double latency_s) {
  const auto s = start + std::chrono::duration_cast<karga::clock::duration>(std::chrono::duration<double>(scheduled_s));
  const auto st = s + std::chrono::duration_cast<karga::clock::duration>(std::chrono::duration<double>(lag_s));
  return {s, st, st + std::chrono::duration_cast<karga::clock::duration>(std::chrono::duration<double>(latency_s))};
}

TEST_CASE("time_series: each action counts in the interval of its intended start", "[series]") {
  const auto t0 = karga::clock::now();
  karga::time_series s(1s);
  s.start(t0);
  s.record(true, 5ms, 10, at(t0, 0.2, 0.001, 0.005));
  s.record(false, 5ms, 0, at(t0, 0.9, 0.3, 0.005));   // due in second 0, started in 1
  s.record(true, 2s, 0, at(t0, 1.5, 0.0, 2.0));      // due in 1, ends in 3
  s.record_failure(at(t0, 2.0, 0.0, 0.1));           // exactly on a boundary: the end of second 1
  s.record_interrupted(at(t0, 2.5, 0.0, 9.0));
  const auto& f = s.intervals();
  REQUIRE(f.size() == 12);  // up to the interrupted action's end, at 11.5 s
  CHECK(f[0].ok == 1);
  CHECK(f[0].failed == 1);
  CHECK(f[0].bytes == 10);
  CHECK(f[0].starts == 1);  // the late one started in second 1
  CHECK(f[1].starts == 3);
  CHECK(f[1].ok == 1);
  CHECK(f[1].failed == 1);
  CHECK(f[2].interrupted == 1);
  CHECK(f[0].latency.count() == 2);
  CHECK(f[0].response_time.max() >= 305'000'000);
  CHECK(s.in_flight(0) == 0);
  CHECK(s.in_flight(1) == 2);  // the 2 s action, started at 1.5, and the failure started at 2.0
  CHECK(s.in_flight(2) == 2);  // the 2 s action and the interrupted one
  CHECK(s.in_flight(3) == 1);
}

TEST_CASE("time_series: late results go sparse, and the order of recording does not matter", "[series]") {
  const auto t0 = karga::clock::now();
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> when(0, 30), latency(0, 0.05);
  std::vector<karga::timing> timings;
  for (int i = 0; i < 20'000; ++i) timings.push_back(at(t0, when(rng), 0, latency(rng)));
  karga::time_series in_order(1s), shuffled(1s), half_a(1s), half_b(1s);
  for (auto* s : {&in_order, &shuffled, &half_a, &half_b}) s->start(t0);
  auto sorted = timings;
  std::sort(sorted.begin(), sorted.end(), [](auto& x, auto& y) { return x.scheduled < y.scheduled; });
  for (const auto& t : sorted) in_order.record(true, t.finished - t.started, 1, t);
  for (const auto& t : timings) shuffled.record(true, t.finished - t.started, 1, t);  // far out of order
  for (std::size_t i = 0; i < timings.size(); ++i)
    (i % 2 ? half_a : half_b).record(true, timings[i].finished - timings[i].started, 1, timings[i]);
  half_a.merge(half_b);
  CHECK(shuffled == in_order);
  CHECK(half_a == in_order);
  std::uint64_t total = 0;
  for (const auto& f : in_order.intervals()) total += f.ok;
  CHECK(total == 20'000);
}

TEST_CASE("time_series: scheduled per interval from the schedule, exactly", "[series]") {
  // Ramp 0→100/s over 10 s: N(t) = 5t², arrival m (from 1) is due at √(m/5), so
  // second k, (k, k+1], holds the m with 5k² < m ≤ 5(k+1)²: 5(2k+1) of them.
  const karga::schedule sched(0, {{10s, 100.0}});
  karga::run_info info;
  info.kind = karga::load_kind::open;
  info.due_by = [&](karga::clock::duration d) { return sched.due_by(std::chrono::duration<double>(d).count()); };
  karga::time_series s(1s);
  s.record_run(info);
  const auto& f = s.intervals();
  REQUIRE(f.size() == 10);
  for (std::size_t k = 0; k < 10; ++k) CHECK(f[k].scheduled == 5 * (2 * k + 1));
  const karga::series_report r{s};
  CHECK(r.rows[3].target_rate == Approx(35.0));
  CHECK(r.rows[3].dropped == 35);  // nothing started
}

} // namespace
