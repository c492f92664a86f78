// The audit trail end to end (issue 5, deliverable 6): real `synckairos` processes
// with a real redis-server and a real PostgreSQL (or, for the embedded engine, a
// real SQLite file), driven over HTTP exactly as clients do. What is checked is what
// SPEC §5 and §6 promise: every state change lands in PostgreSQL once, with its
// snapshot; nothing is lost while PostgreSQL is away or when a worker dies mid-batch;
// a poison event is dead-lettered after its backoff schedule without holding up the
// others; a session Redis lost comes back from the audit trail, and a deleted one
// does not; migrations are idempotent; `audit status` reports the queue.
//
// Timing: bounds are generous (sanitizer builds, a shared machine); the retry base
// is shortened by AUDIT_RETRY_BASE_MS so the schedules run in seconds.
#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "audit/postgres/postgres_server_fixture.h"
#include "audit/sqlite/sqlite_test_support.h"
#include "domain/time.h"
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

// Polls `done` every 100 ms; false if it never held within `limit`.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto until = SteadyClock::now() + limit;
  for (;;) {
    if (done()) return true;
    if (SteadyClock::now() >= until) return false;
    std::this_thread::sleep_for(100ms);
  }
}

class AuditFleet : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = std::make_unique<RedisServerFixture>();
    pg_ = std::make_unique<PostgresServerFixture>();
    pg_->create_database(kDb);
  }

  // A new instance with the Redis engine and the PostgreSQL audit trail, named A, B, ...
  // `retry_base_ms`: the audit's backoff base (100 ms runs the whole schedule fast).
  Instance& launch(std::vector<std::string> extra_args = {},
                   const std::string& retry_base_ms = "100") {
    const std::string name(1, static_cast<char>('A' + instances_.size()));
    std::vector<std::string> args{"--database-url", pg_->url(kDb), "--migrate-at-start",
                                  "--audit-retry-base-ms", retry_base_ms};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    instances_.push_back(std::make_unique<Instance>(name, redis_->url(), prefix(), args));
    auto& i = *instances_.back();
    EXPECT_TRUE(ready_becomes(i, 200, 30s)) << i.name() << " never ready:\n" << i.log_tail();
    return i;
  }

  static std::string prefix() { return "au:"; }

  std::string sql(const std::string& query) const { return pg_->scalar(query, kDb); }

  std::int64_t events_of(const std::string& session) const {
    return std::stoll(
        sql(fmt::format("SELECT count(*) FROM sync_events WHERE session_id = '{}'", session)));
  }

  // Waits until `session` has `n` audited events; then checks they are versions 1..n
  // (for single-event writes), each once.
  void expect_audited(const std::string& session, std::int64_t n, std::chrono::seconds limit) {
    ASSERT_TRUE(eventually([&] { return events_of(session) >= n; }, limit))
        << "audited " << events_of(session) << " of " << n << " events of " << session;
    EXPECT_EQ(events_of(session), n) << "more rows than state changes: a duplicate";
    EXPECT_EQ(sql(fmt::format("SELECT count(DISTINCT version) FROM sync_events WHERE session_id "
                              "= '{}'",
                              session)),
              std::to_string(n));
    EXPECT_EQ(sql(fmt::format(
                  "SELECT min(version) || '..' || max(version) FROM sync_events WHERE session_id "
                  "= '{}'",
                  session)),
              fmt::format("1..{}", n));
  }

  // Creates a started two-player clock through `via`: versions 1 (created), 2 (started).
  static void start_game(const Instance& via, const std::string& id) {
    ASSERT_EQ(post(via, "/v1/sessions", chess_body(id)).status, 201u);
    ASSERT_EQ(post(via, session_path(id, "start")).status, 200u);
  }

  std::int64_t redis_int(const std::vector<std::string>& args) const {
    return redis_->cli(args).integer;
  }

  std::int64_t audit_stream_length() const {
    std::int64_t total = 0;
    for (int shard = 0; shard < 16; ++shard) {
      total += redis_int({"XLEN", fmt::format("{}{{{}}}:audit", prefix(), shard)});
    }
    return total;
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

// ---------------------------------------------------------------------------
// Every change lands once, with the columns and the snapshot; the audit of a full
// game ends in the state the service shows; the streams are emptied.

TEST_F(AuditFleet, AFullGameLandsOnceAndItsAuditEndsInTheFinalState) {
  auto& a = launch();
  auto& b = launch();
  const std::string id = session_id(1);
  start_game(a, id);
  for (int k = 0; k < 20; ++k) {
    ASSERT_EQ(post(k % 2 == 0 ? b : a, session_path(id, "switch")).status, 200u);
  }
  ASSERT_EQ(post(a, session_path(id, "pause")).status, 200u);
  ASSERT_EQ(post(b, session_path(id, "resume")).status, 200u);
  ASSERT_EQ(post(a, session_path(id, "complete")).status, 200u);
  const auto final_state = get(b, session_path(id)).json()["data"];
  const std::int64_t n = final_state["version"].i64();
  ASSERT_EQ(n, 25);
  expect_audited(id, n, 30s);

  // Event types, in version order.
  const auto types = pg_->exec(
      fmt::format("SELECT event_type FROM sync_events WHERE session_id = '{}' ORDER BY version",
                  id),
      kDb);
  ASSERT_EQ(types.size(), 25u);
  EXPECT_EQ(types.front()[0], "session_created");
  EXPECT_EQ(types[1][0], "session_started");
  EXPECT_EQ(types[2][0], "cycle_switched");
  EXPECT_EQ(types[22][0], "session_paused");
  EXPECT_EQ(types[23][0], "session_resumed");
  EXPECT_EQ(types[24][0], "session_completed");

  // The audit replays to the final state: the last snapshot is the state shown.
  const auto last = Json::parse(sql(fmt::format(
      "SELECT state_snapshot::text FROM sync_events WHERE session_id = '{}' AND version = {}", id,
      n)));
  EXPECT_EQ(last["status"].str(), "completed");
  EXPECT_EQ(last["version"].i64(), n);
  for (std::size_t p = 0; p < 2; ++p) {
    EXPECT_EQ(last["participants"][p]["time_used_ms"].i64(),
              final_state["participants"][p]["time_used_ms"].i64());
    EXPECT_EQ(last["participants"][p]["cycle_count"].i64(),
              final_state["participants"][p]["cycle_count"].i64());
  }
  // The summaries.
  EXPECT_EQ(sql(fmt::format("SELECT final_status || ' ' || last_version FROM sync_sessions WHERE "
                            "session_id = '{}'",
                            id)),
            "completed 25");
  EXPECT_EQ(sql(fmt::format("SELECT count(*) FROM sync_participants WHERE session_id = '{}'", id)),
            "2");
  // Written records are deleted from the streams.
  EXPECT_TRUE(eventually([&] { return audit_stream_length() == 0; }, 10s))
      << audit_stream_length() << " entries left in the audit streams";

  // `audit status` (fleet-wide, from Redis alone).
  const auto status = run_and_capture({"audit", "status"},
                                      {"REDIS_URL=" + redis_->url(), "KEY_PREFIX=" + prefix()});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("waiting 0"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("completed_total 25"), std::string::npos) << status.output;
}

// ---------------------------------------------------------------------------
// Two instances writing batches of the same sessions at once: summary rows are
// locked in one order, so they may wait for each other but never deadlock.

TEST_F(AuditFleet, ConcurrentWritersOfTheSameSessionsNeverDeadlock) {
  std::array<Instance*, 2> fleet{&launch({"--audit-batch-size", "20"}),
                                 &launch({"--audit-batch-size", "20"})};
  constexpr int kSessions = 24;
  constexpr int kSwitches = 25;
  for (int n = 0; n < kSessions; ++n)
    start_game(*fleet[static_cast<std::size_t>(n % 2)], session_id(100 + n));
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (int k = 0; k < kSwitches; ++k) {
        for (int n = t; n < kSessions; n += 4) {
          (void)post(*fleet[static_cast<std::size_t>((n + k) % 2)],
                     session_path(session_id(100 + n), "switch"));
        }
      }
    });
  }
  for (auto& c : clients) c.join();
  for (int n = 0; n < kSessions; ++n) expect_audited(session_id(100 + n), 2 + kSwitches, 60s);
  EXPECT_EQ(sql("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"), "0");
  EXPECT_EQ(redis_->cli({"HGET", prefix() + "audit:stats", "failed"}).is_nil()
                ? "0"
                : redis_->cli({"HGET", prefix() + "audit:stats", "failed"}).str,
            "0");
}

// ---------------------------------------------------------------------------
// PostgreSQL away for 60 s during 1,000 switches: all 1,000 land once it is back.

TEST_F(AuditFleet, PostgresDownForSixtySecondsDuring1000SwitchesLosesNothing) {
  auto& a = launch();
  const std::string id = session_id(2);
  start_game(a, id);
  expect_audited(id, 2, 30s);

  const auto outage_start = SteadyClock::now();
  pg_->stop();
  for (int k = 0; k < 1000; ++k) {
    // The hot path never waits for PostgreSQL.
    const auto r = post(a, session_path(id, "switch"));
    ASSERT_EQ(r.status, 200u) << "switch " << k << " during the outage: " << r.body;
  }
  EXPECT_TRUE(ready_becomes(a, 503, 10s)) << "/ready should report the audit database away";
  EXPECT_NE(get(a, "/ready").body.find("audit_database"), std::string::npos);
  std::this_thread::sleep_until(outage_start + 60s);
  pg_->start();

  expect_audited(id, 1002, 90s);
  EXPECT_TRUE(ready_becomes(a, 200, 10s));
}

// ---------------------------------------------------------------------------
// With the default backoff (pauses of 2, 4, 8, 16, 32 s), writes resume within about
// a second of the probe seeing PostgreSQL back, not when the pause in progress ends
// (25-33 s after the database returned, once); the outage is logged once each way.

TEST_F(AuditFleet, WritesResumeSoonAfterPostgresReturnsWhateverTheBackoff) {
  auto& a = launch({}, "2000");
  const std::string id = session_id(12);
  start_game(a, id);
  expect_audited(id, 2, 30s);

  pg_->stop();
  for (int k = 0; k < 3; ++k) ASSERT_EQ(post(a, session_path(id, "switch")).status, 200u);
  EXPECT_TRUE(ready_becomes(a, 503, 10s));
  // Writes were tried at about 0, 2, 6 and 14 s: the batch now sits in a 16 s pause.
  std::this_thread::sleep_for(20s);
  pg_->start();
  const auto back = SteadyClock::now();
  expect_audited(id, 5, 40s);
  const auto resumed_after = SteadyClock::now() - back;
  EXPECT_LT(resumed_after, 6s) << "the audit waited out its backoff after PostgreSQL returned";
  std::cout << "[ info ] audited "
            << std::chrono::duration_cast<std::chrono::milliseconds>(resumed_after).count()
            << " ms after PostgreSQL was back\n";

  EXPECT_TRUE(ready_becomes(a, 200, 10s));
  const auto log = a.log_tail(std::size_t{1} << 24);
  const auto once = [&](const std::string& what) {
    const auto first = log.find(what);
    return first != std::string::npos && log.find(what, first + 1) == std::string::npos;
  };
  EXPECT_TRUE(once(R"("msg":"dependency lost","dependency":"postgres")")) << log;
  EXPECT_TRUE(once(R"("msg":"dependency back","dependency":"postgres","down_ms":)")) << log;
  const auto metrics = get(a, "/metrics").body;
  EXPECT_NE(
      metrics.find(R"(synckairos_dependency_transitions_total{dependency="postgres",to="down"} 1)"),
      std::string::npos);
  EXPECT_NE(metrics.find(R"(synckairos_dependency_up{dependency="postgres"} 1)"),
            std::string::npos);
}

// ---------------------------------------------------------------------------
// A worker killed in the middle of a batch: another instance claims its records.

TEST_F(AuditFleet, AWorkerKilledMidBatchIsReclaimedWithoutLossOrDuplicates) {
  auto& a = launch({"--audit-reclaim-idle-ms", "1000"});
  const std::string id = session_id(3);
  start_game(a, id);
  expect_audited(id, 2, 30s);

  // Hold the table, so A's next batch blocks inside its transaction.
  std::unique_ptr<PGconn, decltype(&PQfinish)> lock(PQconnectdb(pg_->conninfo(kDb).c_str()),
                                                    &PQfinish);
  ASSERT_EQ(PQstatus(lock.get()), CONNECTION_OK);
  PQclear(PQexec(lock.get(), "BEGIN; LOCK TABLE sync_events IN ACCESS EXCLUSIVE MODE;"));
  for (int k = 0; k < 50; ++k) ASSERT_EQ(post(a, session_path(id, "switch")).status, 200u);
  // A has taken a batch of them (pending in the group) and is stuck writing it; the
  // rest wait in the stream (A takes no more of a shard it is writing).
  ASSERT_TRUE(eventually(
      [&] {
        std::int64_t pending = 0;
        for (int shard = 0; shard < 16; ++shard) {
          const auto r =
              redis_->cli({"XPENDING", fmt::format("{}{{{}}}:audit", prefix(), shard), "audit"});
          if (!r.elements.empty()) pending += r.elements.front().integer;
        }
        return pending > 0;
      },
      20s));
  a.kill_now();
  PQclear(PQexec(lock.get(), "COMMIT;"));

  launch({"--audit-reclaim-idle-ms", "1000"});
  expect_audited(id, 52, 60s);
  EXPECT_TRUE(eventually([&] { return audit_stream_length() == 0; }, 20s));
}

// ---------------------------------------------------------------------------
// AUDIT_CONSUME=false: an instance that serves with the audit database (recovery,
// /ready) but leaves the streams to dedicated workers, e.g. beside PostgreSQL.

TEST_F(AuditFleet, AnInstanceThatDoesNotConsumeLeavesItsEventsToTheWorkersAndStillRecovers) {
  auto& serving = launch({"--audit-consume", "false"});
  const std::string id = session_id(9);
  start_game(serving, id);
  for (int k = 0; k < 3; ++k) ASSERT_EQ(post(serving, session_path(id, "switch")).status, 200u);
  // Its own poll interval is 50 ms: a consumer would have written them by now.
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(events_of(id), 0);
  EXPECT_EQ(audit_stream_length(), 5) << "the events wait in the streams, untrimmed";

  launch();  // a worker
  expect_audited(id, 5, 30s);
  EXPECT_TRUE(eventually([&] { return audit_stream_length() == 0; }, 20s));

  // The serving instance still restores what Redis lost.
  redis_->cli({"FLUSHALL"});
  const auto r = get(serving, session_path(id));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_TRUE(r.json()["data"]["recovered"].boolean());
  EXPECT_EQ(r.json()["data"]["version"].i64(), 5);
}

// ---------------------------------------------------------------------------
// A poison event: dead-lettered after the backoff schedule, others unaffected.

TEST_F(AuditFleet, APoisonEventIsDeadLetteredAfterItsBackoffAndOthersLand) {
  auto& a = launch();
  const std::string poisoned = session_id(4);
  const std::string healthy = session_id(5);
  pg_->exec(fmt::format(R"(
    CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.session_id = '{}' THEN RAISE EXCEPTION 'poisoned for the test'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER poison BEFORE INSERT ON sync_events FOR EACH ROW EXECUTE FUNCTION poison();
  )",
                        poisoned),
            kDb);
  const auto created = SteadyClock::now();
  ASSERT_EQ(post(a, "/v1/sessions", chess_body(poisoned)).status, 201u);
  start_game(a, healthy);
  for (int k = 0; k < 10; ++k) ASSERT_EQ(post(a, session_path(healthy, "switch")).status, 200u);
  expect_audited(healthy, 12, 30s);

  const std::string dead = prefix() + "audit:dead";
  ASSERT_TRUE(eventually([&] { return redis_int({"XLEN", dead}) == 1; }, 30s));
  // Five attempts with 100, 200, 400, 800 ms between them.
  EXPECT_GE(SteadyClock::now() - created, 1500ms);
  const auto entry = redis_->cli({"XRANGE", dead, "-", "+"}).elements.at(0).elements.at(1);
  std::map<std::string, std::string> fields;
  for (std::size_t i = 0; i + 1 < entry.elements.size(); i += 2) {
    fields[entry.elements[i].str] = entry.elements[i + 1].str;
  }
  EXPECT_EQ(fields["session"], poisoned);
  EXPECT_EQ(fields["attempts"], "5");
  EXPECT_NE(fields["error"].find("poisoned for the test"), std::string::npos) << fields["error"];
  EXPECT_EQ(events_of(poisoned), 0);
  EXPECT_TRUE(
      eventually([&] { return a.log_tail().find("audit alert") != std::string::npos; }, 5s));
  EXPECT_NE(get(a, "/metrics").body.find(R"(synckairos_audit_queue{state="dead_lettered"} 1)"),
            std::string::npos);
  EXPECT_TRUE(eventually([&] { return audit_stream_length() == 0; }, 10s));
}

// ---------------------------------------------------------------------------
// Recovery: after FLUSHALL a session comes back from PostgreSQL; a deleted one not.

TEST_F(AuditFleet, AfterFlushallSessionsComeBackFromTheAuditTrailAndDeletedOnesDoNot) {
  auto& a = launch();
  auto& b = launch();
  const std::string id = session_id(6);
  const std::string gone = session_id(7);
  start_game(a, id);
  for (int k = 0; k < 5; ++k) ASSERT_EQ(post(a, session_path(id, "switch")).status, 200u);
  start_game(a, gone);
  ASSERT_EQ(call(a, boost::beast::http::verb::delete_, session_path(gone)).status, 204u);
  const auto before = get(a, session_path(id)).json()["data"];
  expect_audited(id, 7, 30s);
  ASSERT_TRUE(eventually([&] { return events_of(gone) == 3; }, 30s));

  redis_->cli({"FLUSHALL"});
  const auto r = get(b, session_path(id));
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto after = r.json()["data"];
  EXPECT_TRUE(after["recovered"].boolean());
  EXPECT_EQ(after["version"].i64(), 7);
  EXPECT_EQ(after["status"].str(), before["status"].str());
  EXPECT_EQ(after["active_participant_id"].str(), before["active_participant_id"].str());
  // A second read is an ordinary one: it is back in Redis.
  EXPECT_FALSE(get(a, session_path(id)).json()["data"].has("recovered"));
  EXPECT_EQ(get(a, session_path(gone)).status, 404u);

  // The game goes on, and the workers (their group recreated) audit it. Redis loses
  // it once more first: a switch that restores it says so, as every command does
  // (and `a`'s write cache, which still holds version 7, does not hide the loss).
  redis_->cli({"FLUSHALL"});
  const auto sw = post(a, session_path(id, "switch"));
  ASSERT_EQ(sw.status, 200u) << sw.body;
  EXPECT_TRUE(sw.json()["data"]["recovered"].boolean()) << sw.body;
  EXPECT_EQ(sw.json()["data"]["version"].i64(), 8);
  expect_audited(id, 8, 30s);
}

// ---------------------------------------------------------------------------
// `synckairos migrate` is idempotent.

TEST_F(AuditFleet, MigrateAppliesEachMigrationOnce) {
  pg_->create_database("fresh");
  const std::vector<std::string> env{"DATABASE_URL=" + pg_->url("fresh")};
  const auto first = run_and_capture({"migrate"}, env);
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("migrations applied: 3"), std::string::npos) << first.output;
  const auto second = run_and_capture({"migrate"}, env);
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("migrations applied: 0"), std::string::npos) << second.output;
  EXPECT_EQ(pg_->scalar("SELECT count(*) FROM sync_schema_migrations", "fresh"), "3");
}

// ---------------------------------------------------------------------------
// The embedded engine with AUDIT_DB=sqlite:PATH: the trail survives a restart, and
// so do the sessions (recovered from it).

TEST(EmbeddedAudit, TheSqliteTrailSurvivesARestartAndBringsSessionsBack) {
  const audit::sqlite::testing::TempDir dir;
  const std::string file = dir.file("audit.db");
  const std::vector<std::string> env{"AUDIT_DB=sqlite:" + file};
  const std::string id = session_id(8);
  {
    Instance a("A", env, {});
    ASSERT_EQ(post(a, "/v1/sessions", chess_body(id)).status, 201u);
    ASSERT_EQ(post(a, session_path(id, "start")).status, 200u);
    for (int k = 0; k < 8; ++k) ASSERT_EQ(post(a, session_path(id, "switch")).status, 200u);
    EXPECT_EQ(a.stop().value_or(-1), 0) << a.log_tail();  // drains: flushes the queue
  }
  {
    audit::sqlite::testing::Inspector look(file);
    EXPECT_EQ(look.count("sync_events"), 10);
    EXPECT_EQ(look.scalar("SELECT max(version) FROM sync_events"), "10");
  }
  {
    Instance b("B", env, {});
    const auto r = get(b, session_path(id));
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_TRUE(r.json()["data"]["recovered"].boolean());
    EXPECT_EQ(r.json()["data"]["version"].i64(), 10);
    ASSERT_EQ(call(b, boost::beast::http::verb::delete_, session_path(id)).status, 204u);
    EXPECT_EQ(b.stop().value_or(-1), 0) << b.log_tail();
  }
  {
    Instance c("C", env, {});
    EXPECT_EQ(get(c, session_path(id)).status, 404u);  // deleted stays deleted
    EXPECT_EQ(c.stop().value_or(-1), 0) << c.log_tail();
  }
}

// A byo-yomi clock paused in overtime comes back from the audit trail exactly: the
// same periods, the same time left in the period, the same deadline once resumed.
TEST(EmbeddedAudit, RecoveryRestoresASessionMidOvertimeExactly) {
  const audit::sqlite::testing::TempDir dir;
  const std::vector<std::string> env{"AUDIT_DB=sqlite:" + dir.file("audit.db")};
  const std::string id = session_id(9);
  const std::string body =
      fmt::format(R"({{"session_id":"{}","sync_mode":"per_participant","total_time_ms":1000,)"
                  R"("time_control":{{"type":"byoyomi","periods":3,"period_ms":5000}},)"
                  R"("participants":[{{"participant_id":"{}"}},{{"participant_id":"{}"}}]}})",
                  id, kAlice, kBob);
  std::string paused_body;
  {
    Instance a("A", env, {});
    ASSERT_EQ(post(a, "/v1/sessions", body).status, 201u);
    ASSERT_EQ(post(a, session_path(id, "start")).status, 200u);
    std::this_thread::sleep_for(std::chrono::milliseconds{1300});  // Alice in overtime
    ASSERT_EQ(post(a, session_path(id, "switch")).status, 200u);   // her period resets
    ASSERT_EQ(post(a, session_path(id, "switch")).status, 200u);   // Bob: a quick move
    std::this_thread::sleep_for(std::chrono::milliseconds{1200});  // Alice: 1.2 s into it
    const auto paused = post(a, session_path(id, "pause"));
    ASSERT_EQ(paused.status, 200u) << paused.body;
    paused_body = paused.body;
    ASSERT_TRUE(paused.json()["data"]["participants"][0]["in_overtime"].boolean()) << paused.body;
    EXPECT_EQ(a.stop().value_or(-1), 0) << a.log_tail();
  }
  const auto before = Json::parse(paused_body)["data"];
  Instance b("B", env, {});
  const auto r = get(b, session_path(id));
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto after = r.json()["data"];
  EXPECT_TRUE(after["recovered"].boolean());
  EXPECT_EQ(after["version"].i64(), before["version"].i64());
  for (std::size_t k = 0; k < 2; ++k) {
    for (const char* field : {"total_time_ms", "time_remaining_ms", "periods_left",
                              "period_remaining_ms", "time_used_ms", "cycle_count"}) {
      EXPECT_EQ(after["participants"][k][field].i64(), before["participants"][k][field].i64())
          << "participant " << k << " " << field;
    }
    EXPECT_EQ(after["participants"][k]["in_overtime"].boolean(),
              before["participants"][k]["in_overtime"].boolean());
  }
  const auto resumed = post(b, session_path(id, "resume"));
  ASSERT_EQ(resumed.status, 200u) << resumed.body;
  const auto s = resumed.json()["data"];
  const auto left = before["participants"][0]["period_remaining_ms"].i64() + 2 * 5000;
  EXPECT_EQ(domain::to_unix_ms(*domain::parse_iso8601(s["deadline_at"].str())) -
                domain::to_unix_ms(*domain::parse_iso8601(s["cycle_started_at"].str())),
            left);
  EXPECT_EQ(b.stop().value_or(-1), 0) << b.log_tail();
}

}  // namespace
}  // namespace sk::testing
