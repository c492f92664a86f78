// A store that rolls back must not silence the audit trail (issue 16, item 4): real
// `synckairos` processes on a real redis-server with the real PostgreSQL audit trail.
//
// The rollback is emulated as a failover to a replica that missed the last writes
// (or an AOF restart that lost its last second) would leave it: a session's key is
// put back to its copy at version 12 (DUMP then RESTORE ... REPLACE) after 32
// versions were acknowledged, and 20 more changes are made. What must hold: every
// write of both branches is in sync_events (a write's nonce ends its event ids, so a
// reused version is recorded again), the rollback is stamped once (a new epoch at
// version 33, above every version written, one store_rolled_back event with the
// versions expected and found, the counter, a warning), whether the instance that
// notices it holds the session in its write cache (it notices before writing: no
// version is reused) or only saw its versions on the events channel (its first write
// reuses version 13, so the trail shows two writes of 13).
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "audit/postgres/postgres_server_fixture.h"
#include "domain/uuid.h"
#include "store/redis/key_space.h"
#include "store/redis/redis_server_fixture.h"
#include "support/bodies.h"
#include "support/http_client.h"
#include "support/instance.h"
#include "support/json.h"
#include "support/process.h"

namespace sk::testing {
namespace {

using namespace std::chrono_literals;
using audit::postgres::testing::PostgresServerFixture;
using store::redis::testing::RedisServerFixture;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kDb = "audit";

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto until = SteadyClock::now() + limit;
  for (;;) {
    if (done()) return true;
    if (SteadyClock::now() >= until) return false;
    std::this_thread::sleep_for(100ms);
  }
}

// The auditor's query of docs/design.md ("When the store rolls back"): versions of
// one life of a session written by more than one write (different nonces).
constexpr const char* kBranchedVersions = R"(
SELECT count(*) FROM (
  SELECT session_id, split_part(id, ':', 2) AS life, version
  FROM sync_events
  WHERE event_type <> 'session_deleted' AND session_id = '{}'
  GROUP BY session_id, split_part(id, ':', 2), version
  HAVING count(DISTINCT split_part(id, ':', 5)) > 1
) AS branched)";

class RollbackFleet : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = std::make_unique<RedisServerFixture>();
    pg_ = std::make_unique<PostgresServerFixture>();
    pg_->create_database(kDb);
  }

  Instance& launch() {
    const std::string name(1, static_cast<char>('A' + instances_.size()));
    std::vector<std::string> args{"--database-url", pg_->url(kDb), "--migrate-at-start",
                                  "--audit-retry-base-ms", "100"};
    instances_.push_back(std::make_unique<Instance>(name, redis_->url(), prefix(), args));
    auto& i = *instances_.back();
    EXPECT_TRUE(ready_becomes(i, 200, 30s)) << i.name() << " never ready:\n" << i.log_tail();
    return i;
  }

  static std::string prefix() { return "rb:"; }

  std::string session_key(const std::string& id) const {
    const store::redis::KeySpace keys(prefix(), 16);
    return keys.session(*domain::Uuid::parse(id));
  }

  std::string sql(const std::string& query) const { return pg_->scalar(query, kDb); }
  std::int64_t count(const std::string& query) const { return std::stoll(sql(query)); }

  std::int64_t rows_of(const std::string& id) const {
    return count(fmt::format("SELECT count(*) FROM sync_events WHERE session_id = '{}'", id));
  }

  static Json state_of(const Instance& via, const std::string& id) {
    return get(via, session_path(id)).json()["data"];
  }

  static void switch_via(const Instance& via, const std::string& id) {
    const auto r = post(via, session_path(id, "switch"));
    ASSERT_EQ(r.status, 200u) << r.body;
  }

  // A game played to version 32 through `via`, with the key's copy at version 12.
  std::string play_to_32_keeping_12(const Instance& via, const std::string& id) {
    EXPECT_EQ(post(via, "/v1/sessions", chess_body(id)).status, 201u);
    EXPECT_EQ(post(via, session_path(id, "start")).status, 200u);
    for (int v = 3; v <= 12; ++v) switch_via(via, id);
    const auto dump = redis_->cli({"DUMP", session_key(id)});
    EXPECT_FALSE(dump.str.empty());
    for (int v = 13; v <= 32; ++v) switch_via(via, id);
    EXPECT_EQ(state_of(via, id)["version"].i64(), 32);
    // Every write of the lost branch reached the audit trail before the rollback.
    EXPECT_TRUE(eventually([&] { return rows_of(id) >= 32; }, 30s)) << rows_of(id);
    return dump.str;
  }

  void roll_back(const std::string& id, const std::string& dump) {
    const auto r = redis_->cli({"RESTORE", session_key(id), "0", dump, "REPLACE"});
    ASSERT_EQ(r.str, "OK") << r.debug_string();
  }

  static std::int64_t rollbacks_counted(const Instance& i) {
    const auto body = get(i, "/metrics").body;
    const std::string name = "\nsynckairos_store_rollbacks_total ";
    const auto at = body.find(name);
    if (at == std::string::npos) return -1;
    return std::stoll(body.substr(at + name.size()));
  }

  // Both branches audited, none lost; the rollback stamped exactly once.
  void expect_both_branches(const std::string& id, const std::string& old_epoch,
                            std::int64_t reused_min, std::int64_t reused_max) {
    // 32 of the lost branch, 20 changes of the new one, 1 store_rolled_back.
    ASSERT_TRUE(eventually([&] { return rows_of(id) >= 53; }, 30s))
        << "audited " << rows_of(id) << " of 53 events";
    std::this_thread::sleep_for(500ms);  // nothing more comes
    EXPECT_EQ(rows_of(id), 53);
    EXPECT_EQ(count(fmt::format("SELECT count(*) FROM sync_events WHERE session_id = '{}' AND "
                                "event_type = 'store_rolled_back'",
                                id)),
              1);
    const auto event = Json::parse(
        sql(fmt::format("SELECT metadata::text FROM sync_events WHERE session_id = '{}' AND "
                        "event_type = 'store_rolled_back'",
                        id)));
    EXPECT_EQ(event["expected_version"].i64(), 32);
    EXPECT_GE(event["found_version"].i64(), 12);
    EXPECT_LE(event["found_version"].i64(), 32);
    // The versions written twice, with different nonces.
    const auto reused = count(fmt::format(kBranchedVersions, id));
    EXPECT_GE(reused, reused_min);
    EXPECT_LE(reused, reused_max);
    const auto stamped = Json::parse(
        sql(fmt::format("SELECT state_snapshot::text FROM sync_events WHERE session_id = '{}' AND "
                        "event_type = 'store_rolled_back'",
                        id)));
    EXPECT_NE(stamped["epoch"].str(), old_epoch);
  }

  void TearDown() override {
    stop_all(instances_, HasFailure());
    redis_.reset();
    pg_.reset();
  }

  std::unique_ptr<RedisServerFixture> redis_;
  std::unique_ptr<PostgresServerFixture> pg_;
  std::vector<std::unique_ptr<Instance>> instances_;
};

// The instance that wrote versions 13..32 writes next: its write cache holds 32, the
// script answers a conflict with 12, and versions never go down.
TEST_F(RollbackFleet, TheWriterWithItsCacheStampsANewEpochAndBothBranchesAreAudited) {
  auto& a = launch();
  const std::string id = session_id(1);
  const auto dump = play_to_32_keeping_12(a, id);
  const std::string old_epoch = state_of(a, id)["epoch"].str();
  ASSERT_FALSE(old_epoch.empty());
  roll_back(id, dump);

  for (int k = 0; k < 20; ++k) switch_via(a, id);
  const auto now = state_of(a, id);
  EXPECT_EQ(now["version"].i64(), 53);  // the stamp at 33, then 20 changes
  EXPECT_NE(now["epoch"].str(), old_epoch);
  expect_both_branches(id, old_epoch, 0, 0);
  EXPECT_EQ(rollbacks_counted(a), 1);
  const auto log = a.log_tail(1 << 20);
  EXPECT_NE(log.find(R"("msg":"store rolled back","session_id":")" + id), std::string::npos) << log;
  EXPECT_NE(log.find(R"("expected_version":32,"found_version":12)"), std::string::npos);
}

// Another instance, which never wrote the session (no cache entry), makes the 20
// changes: its write of 13 goes through, but every instance saw 32 on the events
// channel, so the frame of 13 gives the rollback away; one of them stamps it.
TEST_F(RollbackFleet, AnInstanceWithoutTheCacheNoticesItOnTheChannelAndItIsStampedOnce) {
  auto& a = launch();
  auto& b = launch();
  const std::string id = session_id(2);
  const auto dump = play_to_32_keeping_12(a, id);
  const std::string old_epoch = state_of(b, id)["epoch"].str();
  roll_back(id, dump);

  for (int k = 0; k < 20; ++k) switch_via(b, id);
  ASSERT_TRUE(eventually([&] { return state_of(b, id)["epoch"].str() != old_epoch; }, 10s));
  // The stamp (at 33 or a little later, past the reused versions written before it)
  // and every change after it: the version is past the lost branch's.
  EXPECT_GE(state_of(b, id)["version"].i64(), 33);
  // At least 13 was written again before the channel told; at most all 20.
  expect_both_branches(id, old_epoch, 1, 20);
  EXPECT_EQ(rollbacks_counted(a) + rollbacks_counted(b), 1);
}

// A real failover, by replication: a replica that stopped receiving at version 12
// becomes the data the master serves (the master re-syncs from it, then is promoted
// back: the instance keeps its address, as behind a Sentinel-managed endpoint or a
// DNS switch). Its audit streams and consumer group go back too; nothing is lost.
TEST_F(RollbackFleet, AFailoverToAReplicaThatMissedWritesIsStampedAndAudited) {
  RedisServerFixture replica;
  auto master_says = [&](const std::vector<std::string>& args) { return redis_->cli(args); };
  ASSERT_EQ(replica.cli({"REPLICAOF", "127.0.0.1", std::to_string(redis_->port())}).str, "OK");
  auto& a = launch();
  const std::string id = session_id(4);
  ASSERT_EQ(post(a, "/v1/sessions", chess_body(id)).status, 201u);
  ASSERT_EQ(post(a, session_path(id, "start")).status, 200u);
  for (int v = 3; v <= 12; ++v) switch_via(a, id);
  const std::string key = session_key(id);
  ASSERT_TRUE(eventually(
      [&] {
        return replica.cli({"HGET", key, "v"}).str == "12";
      },
      10s))
      << "the replica never reached version 12";
  // The replica loses its link: what follows is acknowledged by the master alone.
  ASSERT_EQ(replica.cli({"REPLICAOF", "NO", "ONE"}).str, "OK");
  for (int v = 13; v <= 32; ++v) switch_via(a, id);
  ASSERT_TRUE(eventually([&] { return rows_of(id) >= 32; }, 30s)) << rows_of(id);
  const std::string old_epoch = state_of(a, id)["epoch"].str();

  // The failover: the stale replica's data is what is served from now on.
  ASSERT_EQ(master_says({"REPLICAOF", "127.0.0.1", std::to_string(replica.port())}).str, "OK");
  ASSERT_TRUE(eventually(
      [&] {
        const auto info = master_says({"INFO", "replication"}).str;
        return info.find("master_link_status:up") != std::string::npos &&
               master_says({"HGET", key, "v"}).str == "12";
      },
      20s))
      << "the master never took the replica's data";
  ASSERT_EQ(master_says({"REPLICAOF", "NO", "ONE"}).str, "OK");

  int ok = 0;
  for (int k = 0; k < 60 && ok < 20; ++k) {  // writes may 503 while the link settles
    if (post(a, session_path(id, "switch")).status == 200u) {
      ++ok;
    } else {
      std::this_thread::sleep_for(100ms);
    }
  }
  ASSERT_EQ(ok, 20);
  const auto now = state_of(a, id);
  EXPECT_EQ(now["version"].i64(), 53);  // the stamp at 33, then 20 changes
  EXPECT_NE(now["epoch"].str(), old_epoch);
  expect_both_branches(id, old_epoch, 0, 0);
  EXPECT_EQ(rollbacks_counted(a), 1);
}

// Without a rollback nothing is stamped: the epoch of a life stays the one it was
// created with through every ordinary write, on every instance.
TEST_F(RollbackFleet, OrdinaryWritesKeepTheEpoch) {
  auto& a = launch();
  auto& b = launch();
  const std::string id = session_id(3);
  ASSERT_EQ(post(a, "/v1/sessions", chess_body(id)).status, 201u);
  const std::string epoch = state_of(a, id)["epoch"].str();
  ASSERT_FALSE(epoch.empty());
  ASSERT_EQ(post(b, session_path(id, "start")).status, 200u);
  for (int k = 0; k < 10; ++k) switch_via(k % 2 == 0 ? a : b, id);
  EXPECT_EQ(state_of(b, id)["epoch"].str(), epoch);
  EXPECT_EQ(state_of(b, id)["version"].i64(), 12);
  ASSERT_TRUE(eventually([&] { return rows_of(id) >= 12; }, 30s));
  EXPECT_EQ(count(fmt::format(kBranchedVersions, id)), 0);
  EXPECT_EQ(rollbacks_counted(a) + rollbacks_counted(b), 0);
}

}  // namespace
}  // namespace sk::testing
