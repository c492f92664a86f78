// The Redis engine on a real Redis Cluster (3 masters, 3 replicas;
// redis_cluster_fixture.h; the SessionStore contract runs on it in redis_store_test.cc,
// one translation unit per contract instantiation) -- what a cluster adds: fan-out over sharded
// Pub/Sub (each message on its shard's master only), a time-out fired once across instances on
// every shard, a hot session's slot resharded while it is being switched (no error, no lost write),
// and a master killed while sessions run (its slots answer 503 until the replica is promoted, the
// others keep serving; then writes resume, watchers re-sync, no time-out fires twice).
#include <atomic>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <gtest/gtest.h>

#include "store/redis/cluster_router.h"
#include "store/redis/cluster_slots.h"
#include "store/redis/key_space.h"
#include "store/redis/redis_cluster_fixture.h"
#include "store/redis/redis_store.h"
#include "store/redis/redis_test_support.h"
#include "store/store_test_support.h"

namespace sk::store::testing {
namespace {

using redis::RedisStore;
using redis::RedisStoreOptions;
using redis::testing::RedisClusterFixture;
using redis::testing::shared_cluster;
using redis::testing::wait_until;

std::string fresh_prefix() {
  static std::atomic<int> n{0};
  return "c" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ":";
}

std::unique_ptr<RedisStore> make_store(asio::any_io_executor executor, const domain::Clock& clock,
                                       RedisStoreOptions options, const std::string& url) {
  auto parsed = redis::parse_redis_url(url);
  EXPECT_TRUE(parsed.ok());
  auto store = std::make_unique<RedisStore>(std::move(executor), clock, *parsed, options);
  EXPECT_TRUE(wait_until([&] { return store->subscribed(); }, 10s))
      << "no subscription to the cluster after 10 s";
  return store;
}

class ClusterStoreTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (auto& s : stores_) s->close();
    stores_.clear();
    EXPECT_TRUE(threads_.stop(3s)) << "background work still running 3 s after close()";
  }

  RedisStore& open(RedisClusterFixture& cluster, RedisStoreOptions options = {}) {
    options.key_prefix = prefix_;
    stores_.push_back(make_store(threads_.executor(), system_, options, cluster.url()));
    return *stores_.back();
  }

  template <typename T>
  T run(asio::awaitable<T> aw) {
    return *spawn_on(threads_.io(), std::move(aw)).get();
  }

  Session create_in(RedisStore& store, const Uuid& id, std::optional<TimePoint> deadline = {}) {
    auto t = created(id);
    Session s = t.state;
    const Status st = run(store.create(write_of(std::move(t), {"v1"}, deadline)));
    EXPECT_FALSE(st) << st->message;
    return s;
  }

  // A session id whose shard's slot is on node `master` (per the cluster now).
  Uuid session_on(RedisClusterFixture& cluster, int master, int from = 1) {
    const redis::KeySpace keys(prefix_, RedisStoreOptions{}.shards, true);
    for (int n = from; n < from + 1000; ++n) {
      if (cluster.master_of(redis::key_slot(keys.session(session_id(n)))) == master) {
        return session_id(n);
      }
    }
    throw std::runtime_error("no session id on that master");
  }

  IoThreads threads_;
  std::string prefix_ = fresh_prefix();
  std::vector<std::unique_ptr<RedisStore>> stores_;
  domain::SystemClock system_;
};

TEST_F(ClusterStoreTest, MessagesOfEveryShardReachEveryInstanceOnTheirShardOnly) {
  auto& cluster = shared_cluster();
  auto& a = open(cluster);
  auto& b = open(cluster);
  MessageLog on_b;
  auto subscription = b.subscribe(on_b.handler());
  constexpr int kSessions = 40;  // over all 16 shards, so over all 3 masters
  for (int n = 1; n <= kSessions; ++n) create_in(a, session_id(n));
  ASSERT_TRUE(on_b.wait_until(
      [&](const std::vector<StoreMessage>& all) {
        std::set<Uuid> seen;
        for (const auto& m : all) seen.insert(m.session_id);
        return seen.size() >= kSessions;
      },
      5s))
      << "instance b saw " << on_b.size() << " messages";
  // Each shard channel has both instances as subscribers on its own master, and the
  // cluster-wide channel has none: nothing is broadcast over the cluster bus.
  const redis::KeySpace keys(prefix_, RedisStoreOptions{}.shards, true);
  for (int shard = 0; shard < keys.shards(); ++shard) {
    const std::string channel = keys.channel(shard);
    const int master = cluster.master_of(redis::key_slot(channel));
    const auto numsub = cluster.node(master).cli({"PUBSUB", "SHARDNUMSUB", channel});
    ASSERT_EQ(numsub.elements.size(), 2U);
    EXPECT_EQ(numsub.elements[1].integer, 2) << channel;
  }
  for (int i = 0; i < RedisClusterFixture::kMasters; ++i) {
    const auto numsub = cluster.node(i).cli({"PUBSUB", "NUMSUB", keys.channel()});
    EXPECT_EQ(numsub.elements.at(1).integer, 0);
  }
}

TEST_F(ClusterStoreTest, ATimeOutFiresOnceAcrossInstancesOnEveryMaster) {
  auto& cluster = shared_cluster();
  std::array<DeadlineLog, 2> logs;
  std::array<RedisStore*, 2> instances{&open(cluster), &open(cluster)};
  for (std::size_t i = 0; i < 2; ++i) {
    instances[i]->set_deadline_handler(
        logs[i].handler(write_back_timeout(threads_.io(), instances[i])));
  }
  constexpr int kSessions = 30;
  const TimePoint deadline = system_.wall_now() + 400ms;
  for (int n = 1; n <= kSessions; ++n) {
    create_in(*instances[static_cast<std::size_t>(n % 2)], session_id(n), deadline);
  }
  ASSERT_TRUE(wait_until([&] { return logs[0].total() + logs[1].total() >= kSessions; }, 5s));
  std::this_thread::sleep_for(500ms);  // a second firing would come within a round or two
  for (int n = 1; n <= kSessions; ++n) {
    EXPECT_EQ(logs[0].fired(session_id(n)).size() + logs[1].fired(session_id(n)).size(), 1U)
        << "session " << n;
  }
}

TEST_F(ClusterStoreTest, AHotSessionsSlotIsReshardedWhileItIsSwitched) {
  auto& cluster = shared_cluster();
  auto& a = open(cluster);
  auto& b = open(cluster);
  const Uuid id = session_id(7);
  MessageLog on_b;
  auto subscription = b.subscribe(on_b.handler());
  auto watched = run(b.watch(id));
  Session s = create_in(a, id);
  const redis::KeySpace keys(prefix_, RedisStoreOptions{}.shards, true);
  const int slot = redis::key_slot(keys.session(id));
  const int from = cluster.master_of(slot);
  int to = -1;
  for (int i = 0; i < cluster.size() && to < 0; ++i) {
    if (i != from && cluster.node(i).cli({"ROLE"}).elements.at(0).str == "master") to = i;
  }
  ASSERT_GE(to, 0);

  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::string first_error;
  std::int64_t version = s.version;
  std::thread switcher([&] {
    Session current = s;
    while (!stop) {
      Session next = bumped(current);
      const Status st =
          run(a.update(write_of(next, {"v" + std::to_string(next.version)}), current.version));
      if (st) {
        if (errors++ == 0) first_error = st->message;
        continue;
      }
      current = next;
      version = current.version;
    }
  });
  std::this_thread::sleep_for(100ms);
  cluster.move_slot(slot, to, [&](const std::string&) { std::this_thread::sleep_for(150ms); });
  std::this_thread::sleep_for(200ms);
  stop = true;
  switcher.join();

  EXPECT_EQ(errors.load(), 0) << first_error;
  EXPECT_EQ(cluster.master_of(slot), to);
  EXPECT_GT(version, s.version + 10) << "the switches stalled during the resharding";
  auto stored = run(b.get(id));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->version, version);  // no acknowledged write lost
  EXPECT_TRUE(on_b.wait_for_payload(id, "v" + std::to_string(version), 5s))
      << "the watcher on b did not get the last version";
}

// A cluster of its own: it loses a master.
TEST_F(ClusterStoreTest, AKilledMasterCostsOnlyItsSlotsUntilItsReplicaTakesOver) {
  RedisClusterFixture cluster;
  auto& a = open(cluster);
  auto& b = open(cluster);
  const int lost = 0;
  const int other = 1;
  const int replica = cluster.replica_of(lost);
  ASSERT_GE(replica, 0);
  const Uuid on_lost = session_on(cluster, lost);
  const Uuid on_other = session_on(cluster, other);
  const Uuid timed = session_on(cluster, lost, 500);
  MessageLog on_b;
  auto subscription = b.subscribe(on_b.handler());
  auto watched = run(b.watch(on_lost));
  DeadlineLog timeouts;
  a.set_deadline_handler(timeouts.handler());
  b.set_deadline_handler(timeouts.handler());
  Session lost_s = create_in(a, on_lost);
  Session other_s = create_in(a, on_other);
  create_in(a, timed, system_.wall_now() + 3s);  // due during or after the failover

  // Replication is asynchronous: a write the replica has not received is lost with
  // its master (that rollback is another test's). Here everything has reached it.
  ASSERT_EQ(cluster.node(lost).cli({"WAIT", "1", "5000"}).integer, 1);
  cluster.node(lost).kill();
  // While the failover runs: the lost master's session fails fast (503), the other
  // master's keeps being written.
  int other_writes = 0;
  int lost_failures = 0;
  bool resumed = false;
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < until && !resumed) {
    Session next = bumped(other_s);
    if (!run(a.update(write_of(next), other_s.version))) {
      other_s = next;
      ++other_writes;
    }
    Session lost_next = bumped(lost_s);
    const Status st = run(
        a.update(write_of(lost_next, {"v" + std::to_string(lost_next.version)}), lost_s.version));
    if (st) {
      EXPECT_EQ(st->code, domain::ErrorCode::unavailable) << st->message;
      ++lost_failures;
      std::this_thread::sleep_for(50ms);
    } else {
      lost_s = lost_next;
      resumed = lost_failures > 0;
    }
  }
  ASSERT_TRUE(resumed) << "writes to the lost master's slots did not resume within 20 s";
  EXPECT_GT(other_writes, 5) << "the other masters' slots stopped serving";
  EXPECT_EQ(cluster.master_of(redis::key_slot(redis::KeySpace(prefix_, 16, true).session(on_lost))),
            replica);
  // The watcher on b was told to re-sync, then gets the writes after the failover.
  EXPECT_TRUE(on_b.wait_until(
      [&](const std::vector<StoreMessage>& all) {
        return std::ranges::any_of(
            all, [](const StoreMessage& m) { return m.kind == MessageKind::resync; });
      },
      10s));
  Session after = bumped(lost_s);
  ASSERT_FALSE(run(a.update(write_of(after, {"after"}), lost_s.version)));
  EXPECT_TRUE(on_b.wait_for_payload(on_lost, "after", 10s));
  // The time-out on the lost master fired once, on one instance.
  ASSERT_TRUE(timeouts.wait_for(1, 15s));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(timeouts.fired(timed).size(), 1U);
  std::printf("failover: %d writes to other masters during it, %d failed writes to the lost one\n",
              other_writes, lost_failures);
}

}  // namespace
}  // namespace sk::store::testing
