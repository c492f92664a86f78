// RedisRateLimiter against a real redis-server (store/redis/redis_server_fixture.h):
// the RateLimiter contract (rate_limiter_contract_test.h), then the burst's header
// values on Redis's clock, a limit shared by two instances (two clients), the script loaded again
// after SCRIPT FLUSH, keys that expire, and a stopped Redis failing fast. Timing
// assertions are generous upper bounds, never tight.
#include "server/limits/redis_rate_limiter.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "server/limits/rate_limiter_contract_test.h"
#include "store/redis/redis_server_fixture.h"
#include "store/redis/redis_test_support.h"

namespace sk::server::limits {
namespace {

using namespace std::chrono_literals;
using store::redis::RedisClient;
using store::redis::RedisUrl;
using store::redis::testing::IoThreads;
using store::redis::testing::RedisServerFixture;
using store::redis::testing::run;
using testing::RateLimiterContract;

RedisUrl parse(const std::string& url) {
  auto parsed = store::redis::parse_redis_url(url);
  if (!parsed.ok()) throw std::runtime_error("bad test url " + url);
  return std::move(parsed).value();
}

// The windows are long (a minute) so that Redis's own clock, which keeps running,
// refills nothing measurable while a test runs on a busy machine.
const RateLimit kFivePerMinute{5, 60s};

// The contract's harness: a redis-server of its own, one client on two threads.
class RedisHarness final : public testing::LimiterHarness {
 public:
  ~RedisHarness() override {
    client_.close();
    io_.stop(3000ms);
  }
  RateLimiter& limiter() override { return limiter_; }
  boost::asio::any_io_executor executor() override { return io_.executor(); }

 private:
  RedisServerFixture server_;
  IoThreads io_{2};
  RedisClient client_{io_.executor(), parse(server_.url())};
  RedisRateLimiter limiter_{client_, "sk:"};
};

INSTANTIATE_TEST_SUITE_P(Redis, RateLimiterContract,
                         ::testing::Values(testing::LimiterFactory{
                             "redis", [] { return std::make_unique<RedisHarness>(); }}),
                         testing::limiter_factory_name);

class RedisRateLimiterTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (auto& c : clients_) c->close();
    EXPECT_TRUE(io_.stop(3000ms));
  }

  RedisClient& client(store::redis::RedisClientOptions options = {}) {
    clients_.push_back(
        std::make_unique<RedisClient>(io_.executor(), parse(server_.url()), options));
    return *clients_.back();
  }

  domain::Result<RateDecision> take(RateLimiter& limiter, std::string key, RateLimit limit) {
    return run(io_.io(), take_owned(limiter, std::move(key), limit));
  }
  static boost::asio::awaitable<domain::Result<RateDecision>> take_owned(RateLimiter& limiter,
                                                                         std::string key,
                                                                         RateLimit limit) {
    co_return co_await limiter.take(key, limit);
  }
  RateDecision must_take(RateLimiter& limiter, std::string key, RateLimit limit) {
    auto d = take(limiter, std::move(key), limit);
    if (!d.ok()) throw std::runtime_error("take failed: " + d.error().message);
    return *d;
  }

  RedisServerFixture server_;
  IoThreads io_{2};
  std::vector<std::unique_ptr<RedisClient>> clients_;
};

TEST_F(RedisRateLimiterTest, BurstOfLimitThenRefused) {
  RedisRateLimiter limiter(client(), "sk:");
  for (int i = 0; i < 5; ++i) {
    const auto d = must_take(limiter, "client:sub:alice", kFivePerMinute);
    ASSERT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, 5);
    EXPECT_EQ(d.remaining, 4 - i);
    // T = 12 s. Redis's clock runs between the calls: a few seconds of slack for a
    // stalled machine, still far from any other T.
    EXPECT_GE(d.reset_s, 12 * (i + 1) - 5);
    EXPECT_LE(d.reset_s, 12 * (i + 1));
  }
  const auto refused = must_take(limiter, "client:sub:alice", kFivePerMinute);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_GE(refused.retry_after_s, 7);
  EXPECT_LE(refused.retry_after_s, 12);
  EXPECT_GE(refused.reset_s, 55);
  EXPECT_LE(refused.reset_s, 60);
  // Another key is its own bucket.
  EXPECT_TRUE(must_take(limiter, "client:sub:bob", kFivePerMinute).allowed);
}

TEST_F(RedisRateLimiterTest, RefillsOnRedisClock) {
  RedisRateLimiter limiter(client(), "sk:");
  const RateLimit two_per_200ms{2, 200ms};  // T = 100 ms
  ASSERT_TRUE(must_take(limiter, "k", two_per_200ms).allowed);
  ASSERT_TRUE(must_take(limiter, "k", two_per_200ms).allowed);
  // Unless the machine stalled 100 ms between the calls, the third is refused; either
  // way one passes again once Redis's clock has moved on.
  EXPECT_TRUE(store::redis::testing::wait_until(
      [&] { return must_take(limiter, "k", two_per_200ms).allowed; }, 3000ms));
}

TEST_F(RedisRateLimiterTest, UnlimitedDoesNoIo) {
  RedisRateLimiter limiter(client(), "sk:");
  server_.stop();
  const auto d = take(limiter, "k", {0, 1000ms});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, unlimited_decision());
}

// Two instances (two clients, two limiters) share the bucket: 20 requests each,
// interleaved, limit 10: exactly 10 pass in total.
TEST_F(RedisRateLimiterTest, TwoInstancesShareTheLimit) {
  RedisRateLimiter a(client(), "sk:");
  RedisRateLimiter b(client(), "sk:");
  const RateLimit ten_per_minute{10, 60s};
  int allowed_a = 0;
  int allowed_b = 0;
  for (int i = 0; i < 20; ++i) {
    allowed_a += must_take(a, "switch:7d3f", ten_per_minute).allowed ? 1 : 0;
    allowed_b += must_take(b, "switch:7d3f", ten_per_minute).allowed ? 1 : 0;
  }
  EXPECT_EQ(allowed_a + allowed_b, 10);
  EXPECT_GT(allowed_a, 0);
  EXPECT_GT(allowed_b, 0);
}

// The same, concurrently: 100 coroutines at once over two clients (pipelined on their
// connections), limit 30: the script's atomicity alone keeps the total at 30.
TEST_F(RedisRateLimiterTest, ConcurrentTakesNeverExceedTheLimit) {
  RedisRateLimiter a(client(), "sk:");
  RedisRateLimiter b(client(), "sk:");
  const RateLimit thirty_per_minute{30, 60s};
  std::vector<std::future<std::optional<domain::Result<RateDecision>>>> pending;
  for (int i = 0; i < 100; ++i) {
    pending.push_back(store::testing::spawn_on(
        io_.io(), take_owned(i % 2 == 0 ? a : b, "switch:race", thirty_per_minute)));
  }
  int allowed = 0;
  for (auto& p : pending) {
    auto d = p.get();
    ASSERT_TRUE(d && d->ok());
    allowed += (*d)->allowed ? 1 : 0;
  }
  EXPECT_EQ(allowed, 30);
}

TEST_F(RedisRateLimiterTest, LoadsTheScriptAgainAfterScriptFlush) {
  RedisRateLimiter limiter(client(), "sk:");
  ASSERT_TRUE(must_take(limiter, "k", kFivePerMinute).allowed);
  ASSERT_EQ(server_.cli({"SCRIPT", "FLUSH"}), store::redis::Reply::status("OK"));
  const auto d = must_take(limiter, "k", kFivePerMinute);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 3) << "the bucket survived the flush of the script cache";
}

TEST_F(RedisRateLimiterTest, KeysExpireWhenTheBucketIsFull) {
  RedisRateLimiter limiter(client(), "sk:");
  EXPECT_EQ(limiter.redis_key("client:sub:alice"), "sk:rl:{client:sub:alice}");
  ASSERT_TRUE(must_take(limiter, "client:sub:alice", kFivePerMinute).allowed);
  const auto one = server_.cli({"PTTL", "sk:rl:{client:sub:alice}"});
  ASSERT_EQ(one.kind, store::redis::ReplyKind::integer);
  EXPECT_GT(one.integer, 7'000);  // T = 12 s (slack for a stalled machine)
  EXPECT_LE(one.integer, 12'000);
  for (int i = 0; i < 4; ++i) must_take(limiter, "client:sub:alice", kFivePerMinute);
  const auto all = server_.cli({"PTTL", "sk:rl:{client:sub:alice}"});
  EXPECT_GT(all.integer, 50'000);  // the whole window: full again in a minute
  EXPECT_LE(all.integer, 60'000);

  // A short window really goes away.
  ASSERT_TRUE(must_take(limiter, "short", {3, 50ms}).allowed);
  EXPECT_TRUE(store::redis::testing::wait_until(
      [&] {
        return server_.cli({"EXISTS", "sk:rl:{short}"}).integer == 0;
      },
      3000ms));
}

TEST_F(RedisRateLimiterTest, StoppedRedisIsUnavailableQuickly) {
  store::redis::RedisClientOptions options;
  options.connect_timeout = 500ms;
  options.command_timeout = 500ms;
  RedisRateLimiter limiter(client(options), "sk:");
  ASSERT_TRUE(must_take(limiter, "k", kFivePerMinute).allowed);
  server_.stop();
  const auto started = std::chrono::steady_clock::now();
  const auto d = take(limiter, "k", kFivePerMinute);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, domain::ErrorCode::unavailable);
  EXPECT_LT(took, 3s) << "connect timeout + command timeout bound every call";
}

TEST_F(RedisRateLimiterTest, ErrorReplyIsUnavailable) {
  RedisRateLimiter limiter(client(), "sk:");
  server_.cli({"HSET", "sk:rl:{wrongtype}", "f", "v"});  // not a string
  const auto d = take(limiter, "wrongtype", kFivePerMinute);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, domain::ErrorCode::unavailable);
}

}  // namespace
}  // namespace sk::server::limits
