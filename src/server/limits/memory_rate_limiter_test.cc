// MemoryRateLimiter on a ManualClock: the RateLimiter contract (rate_limiter_contract_test.h),
// then the GCRA behaviours through the map as time moves, the memory bound under a
// flood of distinct keys (and what it forgets first), and many threads on one key with
// the clock frozen. No sleeps.
#include "server/limits/memory_rate_limiter.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "server/limits/rate_limiter_contract_test.h"

namespace sk::server::limits {
namespace {

using namespace std::chrono_literals;
using testing::RateLimiterContract;

const domain::TimePoint kT0 = domain::from_unix_ms(1'767'225'600'000);

// The contract's harness: a frozen ManualClock and four threads taking.
class MemoryHarness final : public testing::LimiterHarness {
 public:
  RateLimiter& limiter() override { return limiter_; }
  boost::asio::any_io_executor executor() override { return pool_.get_executor(); }

 private:
  domain::ManualClock clock_{kT0};
  MemoryRateLimiter limiter_{clock_};
  boost::asio::thread_pool pool_{4};  // last: its threads stop before the limiter goes
};

INSTANTIATE_TEST_SUITE_P(Memory, RateLimiterContract,
                         ::testing::Values(testing::LimiterFactory{
                             "memory", [] { return std::make_unique<MemoryHarness>(); }}),
                         testing::limiter_factory_name);

class MemoryRateLimiterTest : public ::testing::Test {
 protected:
  int take_n(std::string_view key, RateLimit limit, int n) {
    int passed = 0;
    for (int i = 0; i < n; ++i) passed += limiter_.take_now(key, limit).allowed ? 1 : 0;
    return passed;
  }

  domain::ManualClock clock_{kT0};
  MemoryRateLimiter limiter_{clock_};
};

TEST_F(MemoryRateLimiterTest, BurstOfLimitThenRefusedThenRefills) {
  const RateLimit five_per_second{5, 1000ms};  // T = 200 ms
  for (int i = 0; i < 5; ++i) {
    const auto d = limiter_.take_now("client:sub:alice", five_per_second);
    ASSERT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, 5);
    EXPECT_EQ(d.remaining, 4 - i);
    EXPECT_EQ(d.reset_s, 1);
  }
  EXPECT_EQ(limiter_.take_now("client:sub:alice", five_per_second),
            (RateDecision{false, 5, 0, 1, 1}));
  clock_.advance(199ms);
  EXPECT_FALSE(limiter_.take_now("client:sub:alice", five_per_second).allowed);
  clock_.advance(1ms);
  EXPECT_EQ(limiter_.take_now("client:sub:alice", five_per_second),
            (RateDecision{true, 5, 0, 1, 0}));
  clock_.advance(1000ms);
  EXPECT_EQ(take_n("client:sub:alice", five_per_second, 10), 5);
}

TEST_F(MemoryRateLimiterTest, KeysAreIndependent) {
  const RateLimit two{2, 60s};
  EXPECT_EQ(take_n("switch:a", two, 5), 2);
  EXPECT_EQ(take_n("switch:b", two, 5), 2);
  EXPECT_EQ(take_n("ws:ip:1.2.3.4", two, 5), 2);
  EXPECT_FALSE(limiter_.take_now("switch:a", two).allowed);
}

TEST_F(MemoryRateLimiterTest, UnlimitedTracksNothing) {
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "unlimited:" + std::to_string(i);
    ASSERT_EQ(limiter_.take_now(key, {0, 1000ms}), unlimited_decision());
  }
  EXPECT_EQ(limiter_.size(), 0u);
}

TEST_F(MemoryRateLimiterTest, RefusedRequestsAreNotCounted) {
  const RateLimit one{1, 1000ms};
  ASSERT_TRUE(limiter_.take_now("k", one).allowed);
  for (int i = 0; i < 100; ++i) ASSERT_FALSE(limiter_.take_now("k", one).allowed);
  clock_.advance(1000ms);
  EXPECT_TRUE(limiter_.take_now("k", one).allowed) << "hammering while refused must not extend";
}

TEST_F(MemoryRateLimiterTest, TakeAsCoroutine) {
  boost::asio::io_context io;
  auto done = boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<std::optional<domain::Result<RateDecision>>> {
        co_return co_await limiter_.take(std::string("client:sub:bob"), RateLimit{1, 1000ms});
      },
      boost::asio::use_future);
  io.run();
  auto first = done.get();
  ASSERT_TRUE(first && first->ok());
  EXPECT_TRUE((*first)->allowed);
  EXPECT_FALSE(limiter_.take_now("client:sub:bob", {1, 1000ms}).allowed);
}

// Buckets full again are pruned: after a window of quiet, a sweep drops them all.
TEST_F(MemoryRateLimiterTest, PrunesBucketsThatAreFullAgain) {
  const RateLimit limit{10, 1000ms};
  for (int i = 0; i < 5000; ++i) limiter_.take_now("old:" + std::to_string(i), limit);
  ASSERT_EQ(limiter_.size(), 5000u);
  clock_.advance(1000ms);
  for (int i = 0; i < 5000; ++i) limiter_.take_now("new:" + std::to_string(i), limit);
  // Each shard swept at least once while the new keys came in (a shard sweeps when a
  // new key finds twice its size after its last sweep), dropping every "old:" key; the
  // "new:" ones are all in debt, so all stay.
  EXPECT_EQ(limiter_.size(), 5000u);
}

// 200,000 distinct keys with the clock frozen (nothing ever becomes full again) and a
// cap of 1,000: the map never holds more than the cap, and a key deep in debt is not
// forgotten while the flood's shallow buckets are.
TEST(MemoryRateLimiterBound, FloodOfDistinctKeysStaysUnderTheCap) {
  domain::ManualClock clock(kT0);
  MemoryRateLimiter limiter(clock, 1000);
  const RateLimit limit{5, 60s};
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.take_now("hot", limit).allowed);
  ASSERT_FALSE(limiter.take_now("hot", limit).allowed);

  std::size_t peak = 0;
  for (int i = 0; i < 200'000; ++i) {
    ASSERT_TRUE(limiter.take_now("flood:" + std::to_string(i), limit).allowed)
        << "a full table must never refuse a newcomer";
    peak = std::max(peak, limiter.size());
  }
  EXPECT_LE(peak, 1000u);
  EXPECT_GT(limiter.size(), 100u) << "the cap is a bound, not a reason to forget everything";
  EXPECT_FALSE(limiter.take_now("hot", limit).allowed)
      << "the bucket deepest in debt was forgotten before the flood's";
}

TEST(MemoryRateLimiterBound, TinyCapStillWorks) {
  domain::ManualClock clock(kT0);
  MemoryRateLimiter limiter(clock, 1);  // one entry per shard
  const RateLimit one{1, 60s};
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.take_now(std::to_string(i), one).allowed);
  EXPECT_LE(limiter.size(), MemoryRateLimiter::kShards);
}

// Several threads on one key, the clock frozen: exactly `limit` pass in total.
TEST(MemoryRateLimiterThreads, OneKeyHammeredPassesExactlyTheLimit) {
  domain::ManualClock clock(kT0);
  MemoryRateLimiter limiter(clock);
  const RateLimit limit{1000, 1000ms};
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::atomic<int> allowed{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kPerThread; ++i) {
        if (limiter.take_now("switch:shared", limit).allowed) ++allowed;
        // Other keys at the same time, so the shards' maps change under the test too.
        limiter.take_now("other:" + std::to_string(t) + ":" + std::to_string(i), limit);
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 1000);
}

}  // namespace
}  // namespace sk::server::limits
