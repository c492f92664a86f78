// sync_events partitioned by day (issue 16, migration 003) against a real PostgreSQL:
// events of two days are both found by the auditor's queries (docs/design.md, "Audit
// trail at scale") and by recovery; a redelivered event is stored once whichever day
// it is in; a write for a day without a partition succeeds, also when the day was
// dropped behind the writer's back; retention drops only whole partitions older than
// it, and only with a retention set.
#include <ctime>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "audit/audit_test_records.h"
#include "audit/postgres/migrations.h"
#include "audit/postgres/postgres_audit_writer.h"
#include "audit/postgres/postgres_test_support.h"
#include "domain/json.h"

namespace sk::audit::postgres {
namespace {

using namespace sk::audit::testing;
using testing::PostgresServerFixture;
using testing::PostgresTest;
using Rows = PostgresServerFixture::Rows;

// The auditor's queries exactly as docs/design.md gives them ("Audit trail at scale"),
// $1 being a session or participant id.
//
// A session's history, in the order it happened (across its lives, if its id was
// deleted and created again). Served by idx_sync_events_recovery.
constexpr const char* kSessionHistory =
    "SELECT version, event_type, participant_id, time_remaining_ms, time_elapsed_ms,"
    " cycle_number, \"timestamp\", metadata->>'reason' AS reason"
    " FROM sync_events WHERE session_id = $1"
    " ORDER BY recorded_at, version, id";
// A participant's totals in one session (the primary key serves).
constexpr const char* kParticipantsOfSession =
    "SELECT participant_id, participant_index, total_time_ms, time_used_ms, cycle_count,"
    " has_expired FROM sync_participants WHERE session_id = $1 ORDER BY participant_index";
// A participant's totals over all its sessions (idx_sync_participants_participant).
constexpr const char* kParticipantTotals =
    "SELECT count(*) AS sessions, sum(time_used_ms) AS time_used_ms,"
    " sum(cycle_count) AS cycles, count(*) FILTER (WHERE has_expired) AS expired"
    " FROM sync_participants WHERE participant_id = $1";

std::string with_id(std::string sql, const Uuid& id) {
  const auto at = sql.find("$1");
  return sql.replace(at, 2, "'" + id.to_string() + "'");
}

constexpr std::int64_t kDayMs = 86'400'000;

class Partitions : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    const auto migrated = migrate(conninfo());
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
  }

  static void write_ok(PostgresAuditWriter& writer, std::span<const AuditRecord> batch) {
    const AuditStatus status = writer.write(batch);
    ASSERT_FALSE(status) << status->message;
  }

  std::set<std::string> partitions() const {
    std::set<std::string> out;
    for (const auto& r : query("SELECT inhrelid::regclass::text FROM pg_inherits WHERE "
                               "inhparent = 'sync_events'::regclass")) {
      out.insert(r.at(0));
    }
    return out;
  }

  // The partition a stored event is in.
  std::string partition_of(const std::string& event_id) const {
    return scalar("SELECT tableoid::regclass::text FROM sync_events WHERE id = '" + event_id + "'");
  }

  std::int64_t server_now_ms() const {
    return std::stoll(scalar("SELECT (extract(epoch FROM now()) * 1000)::bigint"));
  }

  static std::string day_name(std::int64_t unix_ms) {
    const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "sync_events_p%Y%m%d", &tm);
    return buf;
  }
};

// A game played across midnight (UTC): kT0 is 2026-01-01 00:00.
Game across_midnight(const Uuid& id, std::uint32_t offset_s = 0) {
  Game g(chess_request(), id, kT0 - Millis{60'000} + Millis{offset_s * 1000});
  g.after(Millis{10}).apply(domain::StartCommand{});
  for (int k = 0; k < 6; ++k) g.after(Millis{20'000}).apply(domain::SwitchCommand{});
  return g;
}

TEST_F(Partitions, EventsOfTwoDaysAreFoundByTheAuditorQueriesAndByRecovery) {
  PostgresAuditWriter writer(conninfo());
  const Game a = across_midnight(session_id(1));
  const Game b = across_midnight(session_id(2), 5);
  std::vector<AuditRecord> batch = a.records();
  batch.insert(batch.end(), b.records().begin(), b.records().end());
  write_ok(writer, batch);

  const auto& r = a.records();
  EXPECT_EQ(partition_of(r.front().event_id), "sync_events_p20251231");
  EXPECT_EQ(partition_of(r.back().event_id), "sync_events_p20260101");

  // The history: every event of the session, from both days, in order.
  const Rows history = query(with_id(kSessionHistory, session_id(1)));
  ASSERT_EQ(history.size(), r.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(history[i].at(0), std::to_string(r[i].version)) << i;
  }
  EXPECT_EQ(history.front().at(1), "session_created");
  EXPECT_EQ(history.back().at(1), "cycle_switched");

  // The participants' totals, in the session and over both sessions.
  const Rows in_session = query(with_id(kParticipantsOfSession, session_id(1)));
  ASSERT_EQ(in_session.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& p = a.state().participants[i];
    EXPECT_EQ(in_session[i],
              (std::vector<std::string>{
                  p.participant_id.to_string(), std::to_string(p.participant_index),
                  std::to_string(p.total_time.count()), std::to_string(p.time_used.count()),
                  std::to_string(p.cycle_count), p.has_expired ? "t" : "f"}));
  }
  const auto& pa = a.state().participants[0];
  const auto& pb = b.state().participants[0];
  EXPECT_EQ(query(with_id(kParticipantTotals, participant_id(1))),
            (Rows{{"2", std::to_string(pa.time_used.count() + pb.time_used.count()),
                   std::to_string(pa.cycle_count + pb.cycle_count), "0"}}));

  // Recovery reads the newest snapshot, in the later day's partition.
  const auto latest = writer.latest_state(session_id(1));
  ASSERT_TRUE(latest.ok() && *latest) << (latest.ok() ? "none" : latest.error().message);
  EXPECT_EQ(**latest, r.back().state);  // json: the text as recorded
}

TEST_F(Partitions, RecoveryFindsTheNewestEvenWhenTheLaterDayWasWrittenFirst) {
  PostgresAuditWriter writer(conninfo());
  const Game a = across_midnight(session_id(1));
  const auto& r = a.records();
  write_ok(writer, {&r.back(), 1});
  write_ok(writer, {r.data(), r.size() - 1});
  const auto latest = writer.latest_state(session_id(1));
  ASSERT_TRUE(latest.ok() && *latest);
  EXPECT_EQ(**latest, r.back().state);

  // Deleted the next day: nothing to recover, whichever partition holds what.
  Game later = a;
  later.after(Millis{kDayMs}).remove();
  write_ok(writer, {&later.records().back(), 1});
  const auto gone = writer.latest_state(session_id(1));
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(*gone, std::nullopt);
}

TEST_F(Partitions, ARedeliveredEventInAnyPartitionIsNotDuplicated) {
  PostgresAuditWriter writer(conninfo());
  const Game a = across_midnight(session_id(1));
  const auto& r = a.records();
  write_ok(writer, r);
  write_ok(writer, r);
  // Piecemeal, newest first, and by a second writer (another instance).
  PostgresAuditWriter other(conninfo());
  for (auto it = r.rbegin(); it != r.rend(); ++it) write_ok(other, {&*it, 1});
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events"), std::to_string(r.size()));
  EXPECT_EQ(scalar("SELECT count(DISTINCT tableoid) FROM sync_events"), "2");
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events_p20251231") + "+" +
                scalar("SELECT count(*) FROM sync_events_p20260101"),
            scalar("SELECT count(*) FILTER (WHERE \"timestamp\" < '2026-01-01Z') || '+' || "
                   "count(*) FILTER (WHERE \"timestamp\" >= '2026-01-01Z') FROM sync_events"));
}

TEST_F(Partitions, AWriteForADayWithoutAPartitionSucceeds) {
  PostgresAuditWriter writer(conninfo());
  // 2031-03-04: no partition yet.
  const std::int64_t day = 1'930'348'800'000;
  ASSERT_EQ(partitions().count(day_name(day)), 0u);
  Game g(chess_request(), session_id(1), domain::from_unix_ms(day + 1000));
  g.after(Millis{10}).apply(domain::StartCommand{});
  write_ok(writer, {&g.records()[0], 1});
  EXPECT_EQ(partitions().count("sync_events_p20310304"), 1u);

  // Dropped behind the writer's back (another instance's retention): the writer still
  // thinks the day exists, gets "no partition", makes it again and writes.
  query("DROP TABLE sync_events_p20310304");
  write_ok(writer, {&g.records()[1], 1});
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events_p20310304"), "1");

  // And before 1970 (a floor, not a truncation, of the day).
  Game old(chess_request(), session_id(2), domain::from_unix_ms(-1000));
  write_ok(writer, old.records());
  EXPECT_EQ(partition_of(old.records()[0].event_id), "sync_events_p19691231");
}

TEST_F(Partitions, TheWriterKeepsUpcomingDaysCreated) {
  PartitionOptions options;
  options.ahead_days = 4;
  PostgresAuditWriter writer(conninfo(), options);
  const Game g(chess_request(), session_id(1));
  write_ok(writer, g.records());
  EXPECT_FALSE(writer.last_maintenance_error());
  const std::int64_t now = server_now_ms();
  const auto have = partitions();
  for (int d = 0; d <= 4; ++d) {
    EXPECT_EQ(have.count(day_name(now + d * kDayMs)), 1u) << d;
  }
}

TEST_F(Partitions, RetentionDropsOnlyWholeOldPartitions) {
  const std::int64_t now = server_now_ms();
  PostgresAuditWriter keep_all(conninfo());
  std::vector<AuditRecord> batch;
  for (const int days_ago : {30, 10, 4, 1, 0}) {
    const Game g(chess_request(), session_id(static_cast<std::uint32_t>(100 + days_ago)),
                 domain::from_unix_ms(now - days_ago * kDayMs));
    batch.insert(batch.end(), g.records().begin(), g.records().end());
  }
  write_ok(keep_all, batch);
  const auto before = partitions();

  // No retention (the default): nothing is dropped.
  std::vector<std::string> dropped;
  EXPECT_FALSE(keep_all.maintain_partitions(&dropped));
  EXPECT_TRUE(dropped.empty());
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events"), "5");

  // 5 days: the days ending 5 or more days ago go, the others stay, with all their rows.
  PartitionOptions options;
  options.retention_days = 5;
  PostgresAuditWriter writer(conninfo(), options);
  EXPECT_FALSE(writer.maintain_partitions(&dropped));
  EXPECT_EQ(std::set<std::string>(dropped.begin(), dropped.end()),
            (std::set<std::string>{day_name(now - 30 * kDayMs), day_name(now - 10 * kDayMs)}));
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events"), "3");
  for (const int days_ago : {4, 1, 0}) {
    EXPECT_EQ(scalar("SELECT count(*) FROM sync_events WHERE session_id = '" +
                     session_id(static_cast<std::uint32_t>(100 + days_ago)).to_string() + "'"),
              "1")
        << days_ago;
  }
  // The summaries are not the trail's days: they stay.
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_sessions"), "5");
  const auto after = partitions();
  EXPECT_EQ(before.size() - after.size(), 2u);

  // A late event of a dropped day is still written (its day made again).
  const Game late(chess_request(), session_id(130), domain::from_unix_ms(now - 30 * kDayMs));
  write_ok(writer, late.records());
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events WHERE session_id = '" +
                   session_id(130).to_string() + "'"),
            "1");

  // Run again: idempotent, and a DEFAULT partition (no upper bound) is never taken.
  query("CREATE TABLE sync_events_other PARTITION OF sync_events DEFAULT");
  dropped.clear();
  EXPECT_FALSE(writer.maintain_partitions(&dropped));
  EXPECT_EQ(dropped, (std::vector<std::string>{day_name(now - 30 * kDayMs)}));
  EXPECT_EQ(partitions().count("sync_events_other"), 1u);
}

}  // namespace
}  // namespace sk::audit::postgres
