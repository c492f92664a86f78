// Tests of RedisSubscriber against a real redis-server: messages in publish order
// (binary-safe), resubscription after the server kills the connection and after a
// restart on the same port (with on_resubscribed), the first subscription never
// counting as a resubscription, and close() ending delivery and all background work.
#include "store/redis/redis_subscriber.h"

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "store/redis/redis_client.h"
#include "store/redis/redis_server_fixture.h"
#include "store/redis/redis_test_support.h"

namespace sk::store::redis::testing {
namespace {

RedisUrl parse(const std::string& url) {
  auto parsed = parse_redis_url(url);
  if (!parsed.ok()) throw std::runtime_error("bad test url " + url);
  return std::move(parsed).value();
}

// What the subscriber delivered. Thread-safe.
class Inbox {
 public:
  void add(std::string_view channel, std::string_view payload) {
    std::lock_guard lock(mu_);
    messages_.emplace_back(std::string(channel), std::string(payload));
  }
  void resubscribed() { ++resubscriptions_; }
  std::vector<std::pair<std::string, std::string>> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return messages_.size();
  }
  int resubscriptions() const { return resubscriptions_; }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> messages_;
  std::atomic<int> resubscriptions_{0};
};

class RedisSubscriberTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (subscriber_) subscriber_->close();
    if (publisher_) publisher_->close();
    EXPECT_TRUE(io_.stop(3000ms)) << "background work still pending 3 s after close()";
  }

  RedisSubscriber& subscribe(std::vector<std::string> channels) {
    RedisClientOptions options;
    options.reconnect_backoff_max = 200ms;  // quick to come back in restart tests
    subscriber_ = std::make_unique<RedisSubscriber>(
        io_.executor(), parse(server_.url()), options, std::move(channels),
        [this](std::string_view c, std::string_view p) { inbox_.add(c, p); },
        [this] { inbox_.resubscribed(); });
    subscriber_->start();
    return *subscriber_;
  }

  // PUBLISHes in order on one connection; how many subscribers received each.
  std::vector<Reply> publish(const std::vector<std::pair<std::string, std::string>>& messages) {
    if (!publisher_)
      publisher_ = std::make_unique<RedisClient>(io_.executor(), parse(server_.url()));
    std::vector<std::vector<std::string>> commands;
    for (const auto& [channel, payload] : messages)
      commands.push_back({"PUBLISH", channel, payload});
    auto r = run(io_.io(), publisher_->pipeline(std::move(commands)));
    if (!r.ok()) throw std::runtime_error("publish failed: " + r.error().message);
    return std::move(r).value();
  }

  // Publishes until one message arrives: after a reconnect, `subscribed()` may turn
  // true a moment before a publisher's connection is back.
  bool probe(const std::string& channel, std::chrono::milliseconds timeout) {
    const auto before = inbox_.size();
    return wait_until(
        [&] {
          auto r = run(io_.io(), publisher_->command({"PUBLISH", channel, "probe"}));
          return wait_until([&] { return inbox_.size() > before; }, 50ms);
        },
        timeout);
  }

  RedisServerFixture server_;
  IoThreads io_{2};
  Inbox inbox_;  // outlives the subscriber
  std::unique_ptr<RedisClient> publisher_;
  std::unique_ptr<RedisSubscriber> subscriber_;
};

TEST_F(RedisSubscriberTest, DeliversMessagesInPublishOrder) {
  auto& sub = subscribe({"a", "b"});
  ASSERT_TRUE(wait_until([&] { return sub.subscribed(); }, 3000ms));
  std::vector<std::pair<std::string, std::string>> sent;
  for (int i = 0; i < 500; ++i) {
    sent.emplace_back(i % 3 == 0 ? "b" : "a", "m" + std::to_string(i));
  }
  sent.emplace_back("a", std::string("nul\0inside\r\n", 12));
  sent.emplace_back("other", "not subscribed");
  sent.emplace_back("b", "last");
  const auto receivers = publish(sent);
  EXPECT_EQ(receivers.front(), Reply::of_integer(1));
  EXPECT_EQ(receivers[501], Reply::of_integer(0));  // "other": nobody listens
  ASSERT_TRUE(wait_until([&] { return inbox_.size() >= 502; }, 3000ms)) << inbox_.size();
  auto want = sent;
  want.erase(want.begin() + 501);
  EXPECT_EQ(inbox_.messages(), want);
  EXPECT_EQ(inbox_.resubscriptions(), 0) << "the first subscription is not a resubscription";
}

TEST_F(RedisSubscriberTest, ResubscribesAfterTheServerDropsTheConnection) {
  auto& sub = subscribe({"events"});
  ASSERT_TRUE(wait_until([&] { return sub.subscribed(); }, 3000ms));
  publish({{"events", "before"}});
  ASSERT_TRUE(wait_until([&] { return inbox_.size() == 1; }, 3000ms));

  EXPECT_EQ(server_.cli({"CLIENT", "KILL", "TYPE", "pubsub"}), Reply::of_integer(1));
  ASSERT_TRUE(wait_until([&] { return inbox_.resubscriptions() == 1; }, 5000ms));
  EXPECT_TRUE(sub.subscribed());
  publish({{"events", "after"}});
  ASSERT_TRUE(wait_until([&] { return inbox_.size() == 2; }, 3000ms));
  EXPECT_EQ(inbox_.messages().back().second, "after");
  EXPECT_EQ(inbox_.resubscriptions(), 1);
}

TEST_F(RedisSubscriberTest, SurvivesARestartAndCallsOnResubscribed) {
  auto& sub = subscribe({"events"});
  ASSERT_TRUE(wait_until([&] { return sub.subscribed(); }, 3000ms));
  publish({{"events", "one"}});
  ASSERT_TRUE(wait_until([&] { return inbox_.size() == 1; }, 3000ms));

  server_.stop();
  EXPECT_TRUE(wait_until([&] { return !sub.subscribed(); }, 3000ms));
  EXPECT_EQ(inbox_.resubscriptions(), 0);
  server_.start();
  ASSERT_TRUE(wait_until([&] { return sub.subscribed(); }, 10000ms));
  EXPECT_TRUE(wait_until([&] { return inbox_.resubscriptions() == 1; }, 3000ms));
  ASSERT_TRUE(probe("events", 10000ms)) << "no message after the restart";
  EXPECT_EQ(inbox_.resubscriptions(), 1);
}

TEST_F(RedisSubscriberTest, FirstSubscriptionAfterAnOutageIsNotAResubscription) {
  server_.kill();
  auto& sub = subscribe({"events"});
  // A few failed attempts: the port is down but for the connections counted here.
  ASSERT_TRUE(failed_connects(server_.port(), 3, 5000ms));
  EXPECT_FALSE(sub.subscribed());
  server_.start();
  ASSERT_TRUE(wait_until([&] { return sub.subscribed(); }, 10000ms));
  publish({{"events", "hello"}});
  ASSERT_TRUE(wait_until([&] { return inbox_.size() == 1; }, 3000ms));
  EXPECT_EQ(inbox_.resubscriptions(), 0);
}

TEST_F(RedisSubscriberTest, CloseStopsDeliveryAndBackgroundWork) {
  auto& sub = subscribe({"events"});
  ASSERT_TRUE(wait_until([&] { return sub.subscribed(); }, 3000ms));
  sub.close();
  EXPECT_FALSE(sub.subscribed());
  // The server forgets the subscriber once the close has run on the strand.
  EXPECT_TRUE(wait_until(
      [&] {
        return publish({{"events", "after close"}}).front() == Reply::of_integer(0);
      },
      3000ms));
  EXPECT_EQ(inbox_.size(), 0U);
  sub.start();  // no-op after close
  EXPECT_FALSE(sub.subscribed());
  publisher_->close();
  EXPECT_TRUE(io_.stop(3000ms)) << "background work still pending 3 s after close()";
}

}  // namespace
}  // namespace sk::store::redis::testing
