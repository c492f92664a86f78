#include "server/connection_rate.h"

#include <chrono>

#include <gtest/gtest.h>

namespace sk::server {
namespace {

using namespace std::chrono_literals;
const ConnectionRate::TimePoint kT0 = ConnectionRate::TimePoint{} + 1000s;

// Events taken at `at` until the first refusal (at most `max`).
int taken(ConnectionRate& rate, ConnectionRate::TimePoint at, int max = 1000) {
  int n = 0;
  while (n < max && rate.try_take(at)) ++n;
  return n;
}

TEST(ConnectionRateTest, NoLimitAllowsEverything) {
  ConnectionRate rate;
  EXPECT_FALSE(rate.limited());
  EXPECT_EQ(taken(rate, kT0), 1000);
  EXPECT_EQ(rate.retry_after(kT0), 0s);
  ConnectionRate zero({0, 10});
  EXPECT_EQ(taken(zero, kT0), 1000);
}

TEST(ConnectionRateTest, BurstAtOnceThenOnePerInterval) {
  struct Case {
    const char* name;
    ConnectionRate::Limit limit;
    int burst_taken;
    std::chrono::milliseconds interval;
  };
  const Case cases[] = {
      {"20 per s, burst 40", {20, 40}, 40, 50ms},
      {"5 per s, burst 1", {5, 1}, 1, 200ms},
      {"burst 0 counts as 1", {10, 0}, 1, 100ms},
      {"1000 per s, burst 2000", {1000, 2000}, 2000, 1ms},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ConnectionRate rate(c.limit);
    EXPECT_EQ(taken(rate, kT0, 5000), c.burst_taken);
    // The next one is allowed exactly one interval later, and only one.
    EXPECT_EQ(rate.retry_after(kT0), c.interval);
    EXPECT_FALSE(rate.try_take(kT0 + c.interval - 1us));
    EXPECT_TRUE(rate.try_take(kT0 + c.interval));
    EXPECT_FALSE(rate.try_take(kT0 + c.interval));
  }
}

TEST(ConnectionRateTest, AQuietConnectionGetsItsBurstBackButNoMore) {
  ConnectionRate rate({10, 3});
  EXPECT_EQ(taken(rate, kT0), 3);
  // 10 s of silence refill the burst (3), not 100 events.
  EXPECT_EQ(taken(rate, kT0 + 10s), 3);
  EXPECT_EQ(rate.retry_after(kT0 + 10s), 100ms);
}

TEST(ConnectionRateTest, SteadyTrafficAtTheRateIsNeverRefused) {
  ConnectionRate rate({20, 1});
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(rate.try_take(kT0 + i * 50ms)) << i;
  }
}

}  // namespace
}  // namespace sk::server
