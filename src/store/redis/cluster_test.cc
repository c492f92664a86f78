// Tests of RedisClient's cluster mode (cluster_router.h) against a real Redis Cluster
// of 3 masters and 3 replicas (redis_cluster_fixture.h): routing of commands and
// scripts to their slot's master, pipelines split over nodes in the caller's order,
// MOVED after a resharding, ASK during one, a seed list of a non-cluster node refused
// with the reason, and a killed master costing only its slots until its replica is
// promoted.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/redis/cluster_router.h"
#include "store/redis/deployment_check.h"
#include "store/redis/redis_client.h"
#include "store/redis/redis_cluster_fixture.h"
#include "store/redis/redis_server_fixture.h"
#include "store/redis/redis_test_support.h"
#include "store/redis/scripts.h"

namespace sk::store::redis::testing {
namespace {

using Args = std::vector<std::string>;

RedisUrl parse(const std::string& url) {
  auto parsed = parse_redis_url(url);
  if (!parsed.ok()) throw std::runtime_error("bad test url " + url);
  return std::move(parsed).value();
}

std::string key_in_slot_of(int i) { return "{k" + std::to_string(i) + "}:value"; }

class ClusterClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new RedisClusterFixture(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    cluster_->wait_ok();
    client_ = std::make_unique<RedisClient>(io_.executor(), parse(cluster_->url()));
  }
  void TearDown() override {
    client_->close();
    EXPECT_TRUE(io_.stop(3000ms)) << "background work still pending 3 s after close()";
  }
  domain::Result<Reply> cmd(Args args) { return run(io_.io(), client_->command(std::move(args))); }
  domain::Result<std::vector<Reply>> pipe(std::vector<Args> commands) {
    return run(io_.io(), client_->pipeline(std::move(commands)));
  }

  static RedisClusterFixture* cluster_;
  IoThreads io_;
  std::unique_ptr<RedisClient> client_;
};
RedisClusterFixture* ClusterClientTest::cluster_ = nullptr;

TEST_F(ClusterClientTest, EveryKeyLandsOnTheMasterOfItsSlot) {
  for (int i = 0; i < 60; ++i) {
    const std::string key = key_in_slot_of(i);
    auto set = cmd({"SET", key, std::to_string(i)});
    ASSERT_TRUE(set.ok()) << set.error().message;
    ASSERT_FALSE(set->is_error()) << set->str;
    const int master = cluster_->master_of(key_slot(key));
    ASSERT_GE(master, 0);
    EXPECT_EQ(cluster_->node(master).cli({"GET", key}).str, std::to_string(i)) << key;
  }
  const auto map = client_->router()->slot_map();
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(map->masters.size(), 3U);
  EXPECT_EQ(map->uncovered(), "");
}

TEST_F(ClusterClientTest, APipelineOverSeveralNodesAnswersInOrder) {
  std::vector<Args> commands;
  for (int i = 0; i < 40; ++i)
    commands.push_back({"SET", key_in_slot_of(100 + i), "v" + std::to_string(i)});
  ASSERT_TRUE(pipe(commands).ok());
  std::vector<Args> reads;
  for (int i = 0; i < 40; ++i) reads.push_back({"GET", key_in_slot_of(100 + i)});
  reads.push_back({"PING"});
  auto replies = pipe(reads);
  ASSERT_TRUE(replies.ok()) << replies.error().message;
  ASSERT_EQ(replies->size(), 41U);
  for (int i = 0; i < 40; ++i)
    EXPECT_EQ((*replies)[static_cast<std::size_t>(i)].str, "v" + std::to_string(i));
  EXPECT_EQ(replies->back().str, "PONG");
}

TEST_F(ClusterClientTest, ScriptsAreLoadedOnEachMasterThatLacksThem) {
  const LuaScript script("return redis.call('INCR', KEYS[1])");
  for (int i = 0; i < 30; ++i) {
    auto reply = run(io_.io(), run_script(*client_, script, {key_in_slot_of(200 + i)}, {}));
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    EXPECT_EQ(reply->integer, 1) << reply->debug_string();
  }
}

TEST_F(ClusterClientTest, AScriptOverTwoSlotsIsRefusedBeforeItIsSent) {
  const LuaScript script("redis.call('SET', KEYS[1], 'x'); redis.call('SET', KEYS[2], 'x')");
  auto reply = run(io_.io(), run_script(*client_, script, {"{1}:a", "{2}:b"}, {}));
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  ASSERT_TRUE(reply->is_error());
  EXPECT_TRUE(reply->str.starts_with("CROSSSLOT")) << reply->str;
  for (int i = 0; i < cluster_->size(); ++i) {
    EXPECT_EQ(cluster_->node(i).cli({"EXISTS", "{1}:a"}).integer, 0);  // nothing ran anywhere
  }
}

TEST_F(ClusterClientTest, FollowsMovedAfterAReshardAndAskDuringIt) {
  const std::string key = key_in_slot_of(300);
  const int slot = key_slot(key);
  ASSERT_TRUE(cmd({"SET", key, "before"}).ok());
  const int from = cluster_->master_of(slot);
  const int to = (from + 1) % RedisClusterFixture::kMasters == cluster_->replica_of(from)
                     ? (from + 2) % RedisClusterFixture::kMasters
                     : (from + 1) % RedisClusterFixture::kMasters;
  ASSERT_NE(cluster_->node(to).cli({"ROLE"}).elements.at(0).str, "slave");
  const auto redirects_before = client_->router()->redirects();
  cluster_->move_slot(slot, to, [&](const std::string& step) {
    if (step != "migrated") return;
    // The key is on the target now, the slot still the source's: the source answers
    // ASK, the client follows it.
    auto during = cmd({"GET", key});
    ASSERT_TRUE(during.ok()) << during.error().message;
    EXPECT_EQ(during->str, "before") << during->debug_string();
  });
  auto after = cmd({"SET", key, "after"});
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_FALSE(after->is_error()) << after->str;
  EXPECT_EQ(cluster_->node(to).cli({"GET", key}).str, "after");
  EXPECT_GT(client_->router()->redirects(), redirects_before);
  EXPECT_TRUE(testing::wait_until(
      [&] {
        const auto map = client_->router()->slot_map();
        return map && map->masters[static_cast<std::size_t>(map->master_of(slot))].port ==
                          cluster_->node(to).port();
      },
      5000ms));
}

TEST(ClusterClientSeeds, ANodeWithoutClusterModeIsRefusedWithTheReason) {
  RedisServerFixture plain;
  IoThreads io;
  auto url = parse("redis+cluster://127.0.0.1:" + std::to_string(plain.port()));
  RedisClient client(io.executor(), url);
  auto reply = run(io.io(), client.command({"GET", "k"}));
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.error().message.find("cluster support disabled"), std::string::npos)
      << reply.error().message;
  client.close();
  EXPECT_TRUE(io.stop(3000ms));
}

}  // namespace
}  // namespace sk::store::redis::testing

namespace sk::store::redis::testing {
namespace {

DeploymentCheck check(const std::string& url) {
  IoThreads io;
  auto result = run(io.io(), check_deployment(io.executor(), parse(url)));
  EXPECT_TRUE(io.stop(3000ms));
  return result;
}

std::string message_of(const DeploymentCheck& c) {
  return c.error ? c.error->violations.at(0).message : std::string("(no error)");
}

// A one-node cluster serving every slot by itself.
RedisServerOptions lone_cluster_node() {
  RedisServerOptions options;
  options.port = free_cluster_port();
  options.extra_args = {"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"};
  return options;
}

TEST(DeploymentCheck, APlainUrlAtAClusterNodeIsRefusedWithTheHint) {
  auto& cluster = shared_cluster();
  const auto c = check("redis://127.0.0.1:" + std::to_string(cluster.node(0).port()));
  ASSERT_TRUE(c.error);
  EXPECT_NE(message_of(c).find("redis+cluster://"), std::string::npos) << message_of(c);
  EXPECT_FALSE(check(cluster.url()).error) << message_of(check(cluster.url()));
}

TEST(DeploymentCheck, AClusterUrlAtAPlainRedisIsRefused) {
  RedisServerFixture plain;
  const auto c = check("redis+cluster://127.0.0.1:" + std::to_string(plain.port()));
  ASSERT_TRUE(c.error);
  EXPECT_NE(message_of(c).find("not in cluster mode"), std::string::npos) << message_of(c);
  EXPECT_FALSE(check(plain.url()).error);
}

TEST(DeploymentCheck, SlotsWithoutAMasterAreRefused) {
  RedisServerFixture node(lone_cluster_node());
  ASSERT_FALSE(node.cli({"CLUSTER", "ADDSLOTSRANGE", "0", "16000"}).is_error());
  const auto c = check("redis+cluster://127.0.0.1:" + std::to_string(node.port()));
  ASSERT_TRUE(c.error);
  EXPECT_NE(message_of(c).find("16001-16383"), std::string::npos) << message_of(c);
}

TEST(DeploymentCheck, SeedsOfTwoClustersAreRefusedAndAnUnreachableSeedIsReported) {
  RedisServerFixture one(lone_cluster_node());
  RedisServerFixture two(lone_cluster_node());
  ASSERT_FALSE(one.cli({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"}).is_error());
  ASSERT_FALSE(two.cli({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"}).is_error());
  const std::string a = "127.0.0.1:" + std::to_string(one.port());
  const std::string b = "127.0.0.1:" + std::to_string(two.port());
  const auto c = check("redis+cluster://" + a + "," + b);
  ASSERT_TRUE(c.error);
  EXPECT_NE(message_of(c).find("disagree"), std::string::npos) << message_of(c);
  two.kill();
  const auto alone = check("redis+cluster://" + a + "," + b);
  EXPECT_FALSE(alone.error) << message_of(alone);
  EXPECT_NE(alone.unreachable.find(std::to_string(two.port())), std::string::npos)
      << alone.unreachable;
}

}  // namespace
}  // namespace sk::store::redis::testing
