// The RateLimiter contract (rate_limiter.h), written once and run unchanged against
// both engines: memory_rate_limiter_test.cc instantiates it for the in-process
// limiter, redis_rate_limiter_test.cc for a redis-server that test starts. What is
// particular to one engine (pruning, Redis's clock, scripts, a stopped server) belongs
// in that engine's tests.
//
//   INSTANTIATE_TEST_SUITE_P(Memory, RateLimiterContract,
//                            ::testing::Values(LimiterFactory{"memory", make_memory}),
//                            limiter_factory_name);
//
// Time never moves on purpose here: the memory engine's ManualClock stays frozen, and
// the windows are ten minutes so that Redis's own clock, which keeps running, refills
// nothing while a test runs on a busy machine (T >= 12 s). Test code only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "server/limits/rate_limiter.h"

namespace sk::server::limits::testing {

using namespace std::chrono_literals;

// One engine under test with what it needs (a clock, a server, a client), and an
// executor whose threads run its take()s.
class LimiterHarness {
 public:
  virtual ~LimiterHarness() = default;
  virtual RateLimiter& limiter() = 0;
  virtual boost::asio::any_io_executor executor() = 0;
};

struct LimiterFactory {
  std::string name;  // a valid test-name fragment: letters, digits, underscores
  std::function<std::unique_ptr<LimiterHarness>()> make;
};

inline std::string limiter_factory_name(const ::testing::TestParamInfo<LimiterFactory>& info) {
  return info.param.name;
}
inline void PrintTo(const LimiterFactory& factory, std::ostream* os) { *os << factory.name; }

class RateLimiterContract : public ::testing::TestWithParam<LimiterFactory> {
 protected:
  void SetUp() override { harness_ = GetParam().make(); }
  void TearDown() override { harness_.reset(); }

  // Starts one take() on the harness's executor; the key is owned by the coroutine.
  // (An optional because use_future needs a default-constructible result.)
  std::future<std::optional<domain::Result<RateDecision>>> start_take(std::string key,
                                                                      RateLimit limit) {
    return boost::asio::co_spawn(harness_->executor(),
                                 take_owned(harness_->limiter(), std::move(key), limit),
                                 boost::asio::use_future);
  }

  domain::Result<RateDecision> take(std::string key, RateLimit limit) {
    return *start_take(std::move(key), limit).get();
  }

  RateDecision must_take(std::string key, RateLimit limit) {
    auto d = take(std::move(key), limit);
    if (!d.ok()) throw std::runtime_error("take failed: " + d.error().message);
    return *d;
  }

  int count_allowed(const std::string& key, RateLimit limit, int n) {
    int allowed = 0;
    for (int i = 0; i < n; ++i) allowed += must_take(key, limit).allowed ? 1 : 0;
    return allowed;
  }

 private:
  static boost::asio::awaitable<std::optional<domain::Result<RateDecision>>> take_owned(
      RateLimiter& limiter, std::string key, RateLimit limit) {
    co_return co_await limiter.take(key, limit);
  }

  std::unique_ptr<LimiterHarness> harness_;
};

// From a full bucket exactly `limit` pass, remaining counting down to 0, then refusals
// with a Retry-After of at most one interval. Uneven intervals (600 s / 7) included.
TEST_P(RateLimiterContract, BurstOfExactlyLimitThenRefused) {
  for (const std::int64_t n : {1, 7, 50}) {
    const RateLimit limit{n, 10min};
    const std::string key = "burst:" + std::to_string(n);
    const std::int64_t interval_s = (600 + n - 1) / n;  // T rounded up
    for (std::int64_t i = 0; i < n; ++i) {
      const auto d = must_take(key, limit);
      ASSERT_TRUE(d.allowed) << "limit " << n << ", request " << i;
      EXPECT_EQ(d.limit, n);
      EXPECT_EQ(d.remaining, n - 1 - i) << "limit " << n << ", request " << i;
      EXPECT_EQ(d.retry_after_s, 0);
      EXPECT_GT(d.reset_s, 0);
      EXPECT_LE(d.reset_s, 600);
    }
    const auto refused = must_take(key, limit);
    EXPECT_FALSE(refused.allowed) << "limit " << n;
    EXPECT_EQ(refused.limit, n);
    EXPECT_EQ(refused.remaining, 0);
    EXPECT_GE(refused.retry_after_s, 1);
    EXPECT_LE(refused.retry_after_s, interval_s);
    EXPECT_GT(refused.reset_s, 600 - interval_s) << "the bucket is a whole window from full";
    EXPECT_LE(refused.reset_s, 600);
  }
}

// A refusal does not push the key further into debt: were refusals counted, Reset and
// Retry-After would grow by an interval with each one.
TEST_P(RateLimiterContract, RefusedRequestsAreNotCounted) {
  const RateLimit two{2, 10min};  // T = 300 s
  ASSERT_EQ(count_allowed("k", two, 2), 2);
  for (int i = 0; i < 50; ++i) {
    const auto d = must_take("k", two);
    ASSERT_FALSE(d.allowed) << i;
    ASSERT_LE(d.reset_s, 600) << i;
    ASSERT_LE(d.retry_after_s, 300) << i;
  }
}

// Every key is its own bucket, whatever it contains (Redis wraps it in a hash tag).
TEST_P(RateLimiterContract, KeysAreIndependent) {
  const RateLimit two{2, 10min};
  const std::vector<std::string> keys = {
      "client:sub:alice", "client:sub:bob", "switch:a", "ws:ip:::1", "a}b{c", "{}", "", "x"};
  for (const auto& key : keys) EXPECT_EQ(count_allowed(key, two, 5), 2) << "key '" << key << "'";
  for (const auto& key : keys) EXPECT_FALSE(must_take(key, two).allowed) << "key '" << key << "'";
}

// limit <= 0 or window <= 0: allowed, the unlimited decision, and nothing counted.
TEST_P(RateLimiterContract, UnlimitedIsAllowedAndCountsNothing) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(must_take("k", {0, 10min}), unlimited_decision());
    ASSERT_EQ(must_take("k", {-1, 10min}), unlimited_decision());
    ASSERT_EQ(must_take("k", {5, 0ms}), unlimited_decision());
  }
  EXPECT_EQ(count_allowed("k", {3, 10min}, 10), 3) << "the unlimited takes left the bucket full";
}

// Many take()s of one key at once, on all the executor's threads: exactly `limit`
// pass, and each passing one saw a different Remaining (no two read the same TAT).
TEST_P(RateLimiterContract, ConcurrentTakesPassExactlyTheLimit) {
  const RateLimit forty{40, 10min};
  std::vector<std::future<std::optional<domain::Result<RateDecision>>>> pending;
  for (int i = 0; i < 200; ++i) pending.push_back(start_take("switch:race", forty));
  std::set<std::int64_t> remaining;
  int allowed = 0;
  for (auto& p : pending) {
    auto d = *p.get();
    ASSERT_TRUE(d.ok()) << d.error().message;
    if (d->allowed) {
      ++allowed;
      remaining.insert(d->remaining);
    }
  }
  EXPECT_EQ(allowed, 40);
  ASSERT_EQ(remaining.size(), 40u);
  EXPECT_EQ(*remaining.begin(), 0);
  EXPECT_EQ(*remaining.rbegin(), 39);
}

}  // namespace sk::server::limits::testing
