// Tests of the pure cluster routing helpers: slots (against values Redis itself
// gives, CLUSTER KEYSLOT), routing keys, CLUSTER SLOTS parsing, redirections.
#include "store/redis/cluster_slots.h"

#include <gtest/gtest.h>

#include "store/redis/key_space.h"

namespace sk::store::redis {
namespace {

TEST(ClusterSlots, KeySlotMatchesRedis) {
  EXPECT_EQ(key_slot("123456789"), 12739);  // the CRC16 check value 0x31C3
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("user1000"));
  EXPECT_EQ(key_slot("{user1000}.followers"), key_slot("user1000"));
  EXPECT_EQ(key_slot("foo{}{bar}"), key_slot("foo{}{bar}"));
  EXPECT_NE(key_slot("foo{}{bar}"), key_slot("bar"));  // an empty tag: the whole key
  EXPECT_EQ(key_slot("foo{{bar}}zap"), key_slot("{bar"));
  EXPECT_EQ(key_slot("foo{bar}{zap}"), key_slot("bar"));
}

TEST(ClusterSlots, EveryKeyOfAShardIsInOneSlot) {
  const KeySpace keys("sk:", 16);
  for (int shard = 0; shard < 16; ++shard) {
    const int slot = key_slot(keys.deadlines(shard));
    EXPECT_EQ(key_slot(keys.expiries(shard)), slot);
    EXPECT_EQ(key_slot(keys.watched(shard)), slot);
    EXPECT_EQ(key_slot(keys.audit(shard)), slot);
    EXPECT_EQ(key_slot(keys.channel(shard)), slot);
  }
  const auto id = domain::Uuid::parse("6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f").value();
  EXPECT_EQ(key_slot(keys.session(id)), key_slot(keys.deadlines(keys.shard_of(id))));
}

TEST(ClusterSlots, RoutingKeyIsTheFirstKeyOrNone) {
  using C = std::vector<std::string>;
  EXPECT_EQ(routing_key(C{"GET", "k"}), "k");
  EXPECT_EQ(routing_key(C{"EVALSHA", "abc", "2", "k1", "k2", "a"}), "k1");
  EXPECT_EQ(routing_key(C{"evalsha", "abc", "0", "a"}), std::nullopt);
  EXPECT_EQ(routing_key(C{"XREADGROUP", "GROUP", "g", "c", "COUNT", "5", "STREAMS", "s", ">"}),
            "s");
  EXPECT_EQ(routing_key(C{"XGROUP", "CREATE", "s", "g", "0"}), "s");
  EXPECT_EQ(routing_key(C{"SPUBLISH", "{3}ch", "m"}), "{3}ch");
  EXPECT_EQ(routing_key(C{"PING"}), std::nullopt);
  EXPECT_EQ(routing_key(C{"SCRIPT", "LOAD", "return 1"}), std::nullopt);
  EXPECT_EQ(routing_key(C{"PUBLISH", "ch", "m"}), std::nullopt);
  EXPECT_EQ(routing_key(C{}), std::nullopt);
}

TEST(ClusterSlots, AScriptWhoseKeysSpanTwoSlotsIsNamed) {
  using C = std::vector<std::string>;
  EXPECT_EQ(cross_slot(C{"EVALSHA", "abc", "2", "{3}:a", "{3}:b", "x"}), std::nullopt);
  EXPECT_EQ(cross_slot(C{"EVALSHA", "abc", "1", "{3}:a", "{4}:b"}), std::nullopt);  // an ARGV
  EXPECT_EQ(cross_slot(C{"GET", "{3}:a", "{4}:b", "c"}), std::nullopt);
  const auto crossing = cross_slot(C{"EVAL", "return 1", "2", "{3}:a", "{4}:b"});
  ASSERT_TRUE(crossing);
  EXPECT_NE(crossing->find("{4}:b"), std::string::npos) << *crossing;
  EXPECT_TRUE(crossing->starts_with("CROSSSLOT"));
}

Reply node(const char* host, std::int64_t port) {
  return Reply::array({Reply::string(host), Reply::of_integer(port), Reply::string("id")});
}
Reply range(std::int64_t first, std::int64_t last, Reply master) {
  return Reply::array({Reply::of_integer(first), Reply::of_integer(last), std::move(master),
                       node("10.0.0.9", 7009)});
}

TEST(ClusterSlots, ParsesClusterSlotsAndFindsGaps) {
  const Reply reply =
      Reply::array({range(0, 5460, node("10.0.0.1", 7000)), range(5461, 10922, node("", 7001)),
                    range(10923, 16000, node("10.0.0.1", 7000))});
  auto map = parse_cluster_slots(reply, NodeAddress{"10.0.0.2", 7001});
  ASSERT_TRUE(map.ok());
  ASSERT_EQ(map->masters.size(), 2U);
  EXPECT_EQ(map->masters[0], (NodeAddress{"10.0.0.1", 7000}));
  EXPECT_EQ(map->masters[1], (NodeAddress{"10.0.0.2", 7001}));  // the node asked
  EXPECT_EQ(map->master_of(0), 0);
  EXPECT_EQ(map->master_of(5461), 1);
  EXPECT_EQ(map->master_of(16000), 0);
  EXPECT_EQ(map->master_of(16001), -1);
  EXPECT_EQ(map->uncovered(), "16001-16383");

  auto full = parse_cluster_slots(Reply::array({range(0, 16383, node("h", 1))}), {});
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->uncovered(), "");
  EXPECT_EQ(SlotMap{}.uncovered(), "0-16383");
}

TEST(ClusterSlots, RefusesMalformedReplies) {
  EXPECT_FALSE(
      parse_cluster_slots(Reply::error("ERR This instance has cluster support disabled"), {}).ok());
  EXPECT_FALSE(parse_cluster_slots(Reply::string("x"), {}).ok());
  EXPECT_FALSE(parse_cluster_slots(Reply::array({range(0, 16384, node("h", 1))}), {}).ok());
  EXPECT_FALSE(parse_cluster_slots(Reply::array({range(9, 3, node("h", 1))}), {}).ok());
  EXPECT_FALSE(parse_cluster_slots(Reply::array({range(0, 3, node("h", 0))}), {}).ok());
  EXPECT_FALSE(parse_cluster_slots(Reply::array({Reply::array({Reply::of_integer(0)})}), {}).ok());
}

TEST(ClusterSlots, ParsesRedirections) {
  auto moved = parse_redirect(Reply::error("MOVED 3999 127.0.0.1:6381"));
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->kind, Redirect::Kind::moved);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->node, (NodeAddress{"127.0.0.1", 6381}));
  auto ask = parse_redirect(Reply::error("ASK 12 [::1]:7000"));
  ASSERT_TRUE(ask);
  EXPECT_EQ(ask->kind, Redirect::Kind::ask);
  EXPECT_EQ(ask->node, (NodeAddress{"::1", 7000}));
  auto no_host = parse_redirect(Reply::error("MOVED 1 :7000"));
  ASSERT_TRUE(no_host);
  EXPECT_EQ(no_host->node.host, "");
  EXPECT_FALSE(parse_redirect(Reply::error("MOVED x 1.2.3.4:5")));
  EXPECT_FALSE(parse_redirect(Reply::error("MOVED 99999 1.2.3.4:5")));
  EXPECT_FALSE(parse_redirect(Reply::error("MOVED 1 1.2.3.4")));
  EXPECT_FALSE(parse_redirect(Reply::error("ERR nope")));
  EXPECT_FALSE(parse_redirect(Reply::string("MOVED 1 h:2")));
  EXPECT_TRUE(is_retryable_cluster_error(
      Reply::error("TRYAGAIN Multiple keys request during rehashing of slot")));
  EXPECT_TRUE(is_retryable_cluster_error(Reply::error("CLUSTERDOWN The cluster is down")));
  EXPECT_FALSE(is_retryable_cluster_error(Reply::error("NOSCRIPT")));
}

}  // namespace
}  // namespace sk::store::redis
