// The GCRA arithmetic alone (gcra.h): burst, refill, the values of the headers, and
// the edges of windows and limits. Time is microseconds from an arbitrary zero.
#include "server/limits/gcra.h"

#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sk::server::limits {
namespace {

using namespace std::chrono_literals;

constexpr Micros kFull = Micros::min();  // a key never seen

// Takes `n` requests at `now`, threading the TAT; returns how many passed.
int take_n(const Gcra& g, Micros& tat, Micros now, int n) {
  int passed = 0;
  for (int i = 0; i < n; ++i) {
    const auto step = g.take(tat, now);
    if (step.allowed) ++passed;
    tat = step.tat;
  }
  return passed;
}

struct BurstCase {
  std::string name;
  RateLimit limit;
};
void PrintTo(const BurstCase& c, std::ostream* os) { *os << c.name; }

class GcraBurst : public ::testing::TestWithParam<BurstCase> {};

// From a full bucket exactly `limit` requests pass at one instant, whatever the
// rounding of T (1000 ms / 7, 1000 ms / 1500 where window-based capacity lets 1501).
TEST_P(GcraBurst, ExactlyLimitPassFromAFullBucket) {
  const Gcra g(GetParam().limit);
  Micros tat = kFull;
  const Micros now = 5s;
  for (std::int64_t i = 0; i < g.limit(); ++i) {
    const auto step = g.take(tat, now);
    ASSERT_TRUE(step.allowed) << "request " << i;
    EXPECT_EQ(step.remaining, g.limit() - 1 - i) << "request " << i;
    tat = step.tat;
  }
  const auto refused = g.take(tat, now);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.tat, tat) << "a refusal must not push the bucket further into debt";
  EXPECT_EQ(refused.remaining, 0);
}

// ... and then one every T: the first at exactly retry_in, never 1 µs before.
TEST_P(GcraBurst, ThenOnePerIntervalExactlyAtRetryAfter) {
  const Gcra g(GetParam().limit);
  Micros tat = kFull;
  Micros now = 5s;
  ASSERT_EQ(take_n(g, tat, now, static_cast<int>(g.limit())), g.limit());
  for (int round = 0; round < 5; ++round) {
    const auto refused = g.take(tat, now);
    ASSERT_FALSE(refused.allowed);
    ASSERT_GT(refused.retry_in, 0us);
    EXPECT_FALSE(g.take(tat, now + refused.retry_in - 1us).allowed) << "round " << round;
    now += refused.retry_in;
    const auto step = g.take(tat, now);
    ASSERT_TRUE(step.allowed) << "round " << round;
    EXPECT_EQ(step.remaining, 0);
    tat = step.tat;
    EXPECT_EQ(refused.retry_in, g.interval()) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Limits, GcraBurst,
    ::testing::Values(BurstCase{"one_per_second", {1, 1000ms}},
                      BurstCase{"three_per_second", {3, 1000ms}},
                      BurstCase{"seven_per_second_uneven_interval", {7, 1000ms}},
                      BurstCase{"ten_per_minute", {10, 60'000ms}},
                      BurstCase{"1500_per_second_rounding_would_allow_1501", {1500, 1000ms}},
                      BurstCase{"100_per_10ms", {100, 10ms}}),
    [](const auto& test) { return test.param.name; });

TEST(Gcra, IntervalAndCapacity) {
  const Gcra g({3, 1000ms});
  EXPECT_EQ(g.interval(), 333'333us);
  EXPECT_EQ(g.capacity(), 999'999us);
  // More requests than microseconds in the window: T cannot be below 1 µs.
  const Gcra fast({5000, 1ms});
  EXPECT_EQ(fast.interval(), 1us);
  EXPECT_EQ(fast.capacity(), 5000us);
}

TEST(Gcra, HeaderValuesOfTenPerMinute) {
  const Gcra g({10, 60s});  // T = 6 s
  Micros tat = kFull;
  const Micros now = 100s;

  auto first = g.take(tat, now);
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.remaining, 9);
  EXPECT_EQ(first.reset_in, 6s);
  EXPECT_EQ(to_decision(10, first), (RateDecision{true, 10, 9, 6, 0}));
  tat = first.tat;

  ASSERT_EQ(take_n(g, tat, now, 9), 9);
  auto refused = g.take(tat, now);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.reset_in, 60s);
  EXPECT_EQ(refused.retry_in, 6s);
  EXPECT_EQ(to_decision(10, refused), (RateDecision{false, 10, 0, 60, 6}));

  // Half a minute later five have dripped back; the bucket is full at +60 s.
  auto later = g.take(tat, now + 30s);
  EXPECT_TRUE(later.allowed);
  EXPECT_EQ(later.remaining, 4);
  EXPECT_EQ(later.reset_in, 36s);
  tat = later.tat;
  EXPECT_EQ(take_n(g, tat, now + 30s, 10), 4);
}

TEST(Gcra, RoundsSecondsUp) {
  const Gcra g({2, 3s});  // T = 1.5 s
  Micros tat = kFull;
  const auto a = g.take(tat, 0us);
  EXPECT_EQ(to_decision(2, a).reset_s, 2);  // 1.5 s
  tat = a.tat;
  tat = g.take(tat, 0us).tat;
  const auto refused = g.take(tat, 0us);
  EXPECT_EQ(refused.retry_in, 1500ms);
  EXPECT_EQ(to_decision(2, refused), (RateDecision{false, 2, 0, 3, 2}));
  // 1 µs before the retry: still refused, and Retry-After says 1, never 0.
  const auto nearly = g.take(tat, 1500ms - 1us);
  EXPECT_FALSE(nearly.allowed);
  EXPECT_EQ(nearly.retry_in, 1us);
  EXPECT_EQ(to_decision(2, nearly).retry_after_s, 1);
}

TEST(Gcra, ATatInThePastIsAFullBucket) {
  const Gcra g({4, 1s});
  Micros tat = kFull;
  const Micros now = 10s;
  ASSERT_EQ(take_n(g, tat, now, 4), 4);
  EXPECT_EQ(tat, now + 1s);  // full again exactly one window later
  Micros after = tat;
  EXPECT_EQ(take_n(g, after, now + 1s, 5), 4);
  Micros long_after = tat;
  EXPECT_EQ(take_n(g, long_after, now + 1h, 5), 4) << "idle time is not banked beyond the limit";
}

TEST(Gcra, CeilSeconds) {
  EXPECT_EQ(ceil_seconds(0us), 0);
  EXPECT_EQ(ceil_seconds(-5s), 0);
  EXPECT_EQ(ceil_seconds(1us), 1);
  EXPECT_EQ(ceil_seconds(1s), 1);
  EXPECT_EQ(ceil_seconds(1s + 1us), 2);
}

TEST(Gcra, ClampsAbsurdLimitsAndWindows) {
  const Gcra huge({std::int64_t{1} << 62, std::chrono::milliseconds::max()});
  EXPECT_EQ(huge.limit(), Gcra::kMaxLimit);
  EXPECT_GE(huge.interval(), 1us);
  EXPECT_LE(huge.capacity(), std::chrono::duration_cast<Micros>(Gcra::kMaxWindow));
  EXPECT_TRUE(huge.take(kFull, 1'800'000'000s).allowed);
}

TEST(RateLimit, ZeroOrNegativeIsUnlimited) {
  EXPECT_TRUE((RateLimit{0, 1000ms}).unlimited());
  EXPECT_TRUE((RateLimit{-3, 1000ms}).unlimited());
  EXPECT_TRUE((RateLimit{5, 0ms}).unlimited());
  EXPECT_FALSE((RateLimit{1, 1ms}).unlimited());
}

TEST(LocalRateLimit, BurstThenRefill) {
  LocalRateLimit bucket({2, 1000ms});
  const std::chrono::steady_clock::time_point t0{};
  EXPECT_TRUE(bucket.take(t0).allowed);
  EXPECT_TRUE(bucket.take(t0).allowed);
  const auto refused = bucket.take(t0);
  EXPECT_EQ(refused, (RateDecision{false, 2, 0, 1, 1}));
  EXPECT_FALSE(bucket.take(t0 + 499ms).allowed);
  EXPECT_TRUE(bucket.take(t0 + 500ms).allowed);
}

TEST(LocalRateLimit, UnlimitedAlwaysAllows) {
  LocalRateLimit bucket({0, 1000ms});
  const std::chrono::steady_clock::time_point t0{};
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(bucket.take(t0).allowed);
  EXPECT_EQ(bucket.take(t0), unlimited_decision());
}

}  // namespace
}  // namespace sk::server::limits
