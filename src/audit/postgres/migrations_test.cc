// migrate: creates every table, type and index once; re-running (also with data in
// the tables, also from two migrators at once) changes nothing; a broken connection
// is reported as unavailable, not as a failed migration.
#include "audit/postgres/migrations.h"

#include <future>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "audit/audit_row.h"
#include "audit/audit_test_records.h"
#include "audit/postgres/pg_support.h"
#include "audit/postgres/postgres_audit_writer.h"
#include "audit/postgres/postgres_test_support.h"
#include "domain/json.h"

namespace sk::audit::postgres {
namespace {

using testing::PostgresTest;

std::set<std::string> column(const testing::PostgresServerFixture::Rows& rows) {
  std::set<std::string> out;
  for (const auto& r : rows) out.insert(r.at(0));
  return out;
}

class Migrate : public PostgresTest {};

// SQL literals of optional columns.
std::string opt(const std::optional<domain::Uuid>& v) {
  return v ? "'" + v->to_string() + "'" : std::string("NULL");
}
std::string opt(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : std::string("NULL");
}

TEST_F(Migrate, CreatesTheSchemaAndRecordsEachMigration) {
  const auto applied = migrate(conninfo());
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(*applied, static_cast<int>(migrations().size()));

  EXPECT_EQ(column(query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
                         "tablename NOT LIKE 'sync\\_events\\_p%'")),
            (std::set<std::string>{"sync_schema_migrations", "sync_sessions", "sync_events",
                                   "sync_participants"}));
  EXPECT_EQ(column(query("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND "
                         "indexname LIKE 'idx_%'")),
            (std::set<std::string>{"idx_sync_sessions_created", "idx_sync_events_recovery",
                                   "idx_sync_participants_participant"}));
  // Partitioned by the event's time, today's and tomorrow's days made.
  EXPECT_EQ(scalar("SELECT relkind FROM pg_class WHERE relname = 'sync_events'"), "p");
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'sync_events'::regclass"),
            "2");
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'sync_events'::regclass "
                   "AND inhrelid = to_regclass('sync_events_p' || "
                   "to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD'))"),
            "1");
  EXPECT_EQ(scalar("SELECT string_agg(atttypid::regtype::text, ',' ORDER BY attname) FROM "
                   "pg_attribute WHERE attrelid = 'sync_events'::regclass AND attname IN "
                   "('state_snapshot', 'metadata')"),
            "json,json");
  // The key's text compares byte by byte, whatever the database's locale.
  EXPECT_EQ(scalar("SELECT collation_name FROM information_schema.columns WHERE "
                   "table_name = 'sync_events' AND column_name = 'id'"),
            "C");
  EXPECT_EQ(scalar("SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e "
                   "JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'sync_mode'"),
            "per_participant,per_cycle,per_group,global,count_up");
  EXPECT_EQ(scalar("SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e "
                   "JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'sync_status'"),
            "pending,running,paused,expired,completed,cancelled");
  EXPECT_EQ(query("SELECT version, name FROM sync_schema_migrations ORDER BY version"),
            (testing::PostgresServerFixture::Rows{
                {"1", "initial_schema"}, {"2", "indexes"}, {"3", "partitioned_events"}}));
}

TEST_F(Migrate, RunningAgainIsANoOpEvenWithData) {
  ASSERT_TRUE(migrate(conninfo()).ok());
  query(
      "INSERT INTO sync_sessions (session_id, sync_mode, final_status, created_at, "
      "last_version, last_updated_at) VALUES ('5e000000-0000-4000-8000-000000000001', "
      "'per_cycle', 'running', now(), 3, now())");
  const std::string applied_at = scalar(
      "SELECT applied_at FROM sync_schema_migrations "
      "WHERE version = 1");
  for (int i = 0; i < 2; ++i) {
    const auto again = migrate(conninfo());
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(*again, 0);
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_sessions"), "1");
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_schema_migrations"), "3");
  EXPECT_EQ(scalar("SELECT applied_at FROM sync_schema_migrations WHERE version = 1"), applied_at);
}

TEST_F(Migrate, ConcurrentMigratorsApplyEachMigrationOnce) {
  const std::string info = conninfo();
  std::vector<std::future<domain::Result<int>>> runs;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::async(std::launch::async, [info] { return migrate(info); }));
  }
  int total = 0;
  for (auto& run : runs) {
    const auto applied = run.get();
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    total += *applied;
  }
  EXPECT_EQ(total, static_cast<int>(migrations().size()));
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_schema_migrations"), "3");
}

TEST_F(Migrate, MigrationsNeverDropOrRewrite) {
  for (const Migration& m : migrations()) {
    // The statements only: comments may say what is never done.
    std::string sql;
    std::size_t from = 0;
    while (from < m.sql.size()) {
      auto end = m.sql.find('\n', from);
      if (end == std::string_view::npos) end = m.sql.size();
      const std::string_view line = m.sql.substr(from, end - from);
      if (!line.starts_with("--")) sql.append(line).push_back('\n');
      from = end + 1;
    }
    for (char& c : sql) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // The one exception: 003 rebuilds sync_events partitioned, so it drops the old
    // table, after copying every row of it (RebuildingIntoPartitionsKeepsEveryRow).
    const std::string rebuilt = "DROP TABLE SYNC_EVENTS_UNPARTITIONED;";
    if (const auto at = sql.find(rebuilt); at != std::string::npos) {
      const auto copy = sql.find("INSERT INTO SYNC_EVENTS (");
      const auto source = sql.find("FROM SYNC_EVENTS_UNPARTITIONED;");
      EXPECT_TRUE(copy < at && source < at) << m.name << " drops a table it did not copy";
      sql.erase(at, rebuilt.size());
    }
    for (const char* word : {"DROP ", "TRUNCATE", "DELETE ", "UPDATE "}) {
      EXPECT_EQ(sql.find(word), std::string::npos) << m.name << " contains " << word;
    }
  }
}

// An existing database at migration 2 (sync_events unpartitioned, jsonb), populated
// over several days, then migrated: every row is in the partitioned table with the
// same columns and the same JSON, each in its day's partition; the summaries are
// untouched; the writer and recovery work on it, and the old rows still deduplicate.
TEST_F(Migrate, RebuildingIntoPartitionsKeepsEveryRow) {
  using namespace sk::audit::testing;
  Connection c = connect(conninfo());
  ASSERT_TRUE(c.conn) << c.error;
  const auto old_schema = migrate(c.conn.get(), 2);
  ASSERT_TRUE(old_schema.ok()) << old_schema.error().message;
  ASSERT_EQ(*old_schema, 2);

  // Games on three days, written as the old statement did (jsonb columns).
  std::vector<domain::AuditRecord> records;
  for (std::uint32_t day = 0; day < 3; ++day) {
    Game g(chess_request(), session_id(day + 1),
           kT0 + std::chrono::hours{24 * day} + std::chrono::hours{20});
    g.after(Millis{10}).apply(domain::StartCommand{});
    for (int k = 0; k < 4; ++k) g.after(Millis{60'000}).apply(domain::SwitchCommand{});
    records.insert(records.end(), g.records().begin(), g.records().end());
  }
  for (const auto& record : records) {
    const auto row = to_row(record);
    ASSERT_TRUE(row.ok()) << row.error().message;
    query(
        "INSERT INTO sync_events (id, session_id, version, event_type, participant_id, "
        "group_id, time_remaining_ms, time_elapsed_ms, cycle_number, \"timestamp\", "
        "recorded_at, state_snapshot, metadata) VALUES ('" +
        row->event_id + "', '" + row->session_id.to_string() + "', " +
        std::to_string(row->version) + ", '" + row->event_type + "', " + opt(row->participant_id) +
        ", " + opt(row->group_id) + ", " + opt(row->time_remaining_ms) + ", " +
        opt(row->time_elapsed_ms) + ", " + opt(row->cycle_number) + ", TIMESTAMPTZ 'epoch' + " +
        std::to_string(row->event_at_ms) + " * INTERVAL '1 ms', TIMESTAMPTZ 'epoch' + " +
        std::to_string(row->updated_at_ms) + " * INTERVAL '1 ms', '" + row->state_snapshot +
        "'::jsonb, '" + row->event_json + "'::jsonb)");
  }
  query(
      "INSERT INTO sync_sessions (session_id, sync_mode, final_status, created_at, "
      "last_version, last_updated_at) VALUES ('5e000000-0000-4000-8000-0000000000ff', "
      "'per_cycle', 'running', now(), 3, now())");
  const std::string columns =
      "SELECT id, session_id, version, event_type, participant_id, group_id, "
      "time_remaining_ms, time_elapsed_ms, cycle_number, \"timestamp\", recorded_at, "
      "state_snapshot::jsonb::text, metadata::jsonb::text FROM sync_events ORDER BY id";
  const auto before = query(columns);
  ASSERT_EQ(before.size(), records.size());
  const auto sessions = query("SELECT * FROM sync_sessions ORDER BY session_id");

  const auto applied = migrate(c.conn.get());
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(*applied, static_cast<int>(migrations().size()) - 2);
  EXPECT_EQ(query(columns), before);
  EXPECT_EQ(query("SELECT * FROM sync_sessions ORDER BY session_id"), sessions);
  EXPECT_EQ(scalar("SELECT to_regclass('sync_events_unpartitioned') IS NULL"), "t");
  // Each row in its day's partition (2026-01-01 to 01-03, the games' days).
  EXPECT_EQ(query("SELECT tableoid::regclass::text, count(*) FROM sync_events "
                  "WHERE \"timestamp\" < '2026-01-04Z' GROUP BY 1 ORDER BY 1"),
            (testing::PostgresServerFixture::Rows{{"sync_events_p20260101", "6"},
                                                  {"sync_events_p20260102", "6"},
                                                  {"sync_events_p20260103", "6"}}));

  // The writer goes on: the old rows are redeliveries, recovery reads them.
  PostgresAuditWriter writer(conninfo());
  const AuditStatus again = writer.write(records);
  ASSERT_FALSE(again) << again->message;
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events"), std::to_string(records.size()));
  const auto latest = writer.latest_state(session_id(3));
  ASSERT_TRUE(latest.ok() && *latest);
  EXPECT_EQ(domain::decode_session(**latest)->version, 6);
}

TEST_F(Migrate, AFailingMigrationIsRolledBackAndNamed) {
  // A table in the way of migration 1: it fails, and leaves nothing half-done.
  query("CREATE TABLE sync_events (x int)");
  const auto failed = migrate(conninfo());
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, domain::ErrorCode::internal);
  EXPECT_NE(failed.error().message.find("migration 1 initial_schema"), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_type WHERE typname = 'sync_mode'"), "0");
  // Created in the same transaction, so gone with it.
  EXPECT_EQ(scalar("SELECT to_regclass('sync_schema_migrations') IS NULL"), "t");
}

TEST(MigrateOffline, AnUnreachableDatabaseIsUnavailable) {
  const auto r = migrate(std::string("host=127.0.0.1 port=1 dbname=x connect_timeout=2"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, domain::ErrorCode::unavailable);
  EXPECT_EQ(migrate(static_cast<PGconn*>(nullptr)).error().code, domain::ErrorCode::unavailable);
}

}  // namespace
}  // namespace sk::audit::postgres
