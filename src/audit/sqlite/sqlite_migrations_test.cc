// The SQLite audit schema: versioned, recorded, idempotent, never destructive, with
// the same tables and columns as PostgreSQL's.
#include "audit/sqlite/sqlite_migrations.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "audit/sqlite/sqlite_audit_writer.h"
#include "audit/sqlite/sqlite_test_support.h"

namespace sk::audit::sqlite {
namespace {

using testing::Inspector;
using testing::Row;
using testing::TempDir;

Connection open_or_die(const std::string& path) {
  SqliteError error;
  auto c = Connection::open(path, std::chrono::milliseconds{1000}, Synchronous::normal, error);
  if (!c) throw std::runtime_error(error.message);
  return std::move(*c);
}

std::vector<std::string> columns(Inspector& db, const std::string& table) {
  std::vector<std::string> out;
  for (const auto& r :
       db.rows("SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid")) {
    out.push_back(r[0].value());
  }
  return out;
}

TEST(Migrations, AscendingContiguousFromOne) {
  std::int64_t expected = 1;
  for (const auto& m : migrations()) {
    EXPECT_EQ(m.version, expected++);
    EXPECT_FALSE(m.name.empty());
  }
  EXPECT_GE(migrations().size(), 2u);
}

TEST(Migrations, NeverDestructive) {
  for (const auto& m : migrations()) {
    std::string sql{m.sql};
    std::transform(sql.begin(), sql.end(), sql.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    for (const char* word : {"DROP ", "DELETE ", "RENAME ", "TRUNCATE ", "UPDATE "}) {
      EXPECT_EQ(sql.find(word), std::string::npos) << m.name << " contains " << word;
    }
  }
}

TEST(Migrations, FreshFileGetsEveryMigrationRecorded) {
  TempDir dir;
  auto db = open_or_die(dir.file("audit.db"));
  const auto r = migrate(db);
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.applied, static_cast<int>(migrations().size()));

  Inspector look(dir.file("audit.db"));
  const auto recorded =
      look.rows("SELECT version, name, applied_at FROM sync_schema_migrations ORDER BY version");
  ASSERT_EQ(recorded.size(), migrations().size());
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    EXPECT_EQ(recorded[i][0], std::to_string(migrations()[i].version));
    EXPECT_EQ(recorded[i][1], std::string(migrations()[i].name));
    // unix ms, taken by SQLite: after 2020 and before 2100
    const auto at = std::stoll(recorded[i][2].value());
    EXPECT_GT(at, 1'577'836'800'000LL);
    EXPECT_LT(at, 4'102'444'800'000LL);
  }
}

TEST(Migrations, RunningAgainAppliesNothingAndChangesNothing) {
  TempDir dir;
  const auto path = dir.file("audit.db");
  {
    auto db = open_or_die(path);
    ASSERT_FALSE(migrate(db).error);
  }
  Inspector look(path);
  const auto before = look.rows("SELECT * FROM sync_schema_migrations ORDER BY version");
  const auto schema = look.rows("SELECT type, name, sql FROM sqlite_master ORDER BY name");
  for (int i = 0; i < 2; ++i) {
    auto db = open_or_die(path);
    const auto r = migrate(db);
    ASSERT_FALSE(r.error) << r.error->message;
    EXPECT_EQ(r.applied, 0);
  }
  EXPECT_EQ(look.rows("SELECT * FROM sync_schema_migrations ORDER BY version"), before);
  EXPECT_EQ(look.rows("SELECT type, name, sql FROM sqlite_master ORDER BY name"), schema);
}

TEST(Migrations, OpeningTheWriterTwiceIsHarmless) {
  TempDir dir;
  const auto path = dir.file("audit.db");
  for (int i = 0; i < 2; ++i) {
    auto w = open_sqlite_writer(path);
    ASSERT_TRUE(w.ok()) << w.error().message;
  }
  Inspector look(path);
  EXPECT_EQ(look.count("sync_schema_migrations"), static_cast<long long>(migrations().size()));
}

TEST(Migrations, TablesAndColumnsMatchThePostgresSchema) {
  TempDir dir;
  auto db = open_or_die(dir.file("audit.db"));
  ASSERT_FALSE(migrate(db).error);
  Inspector look(dir.file("audit.db"));
  EXPECT_EQ(columns(look, "sync_sessions"),
            (std::vector<std::string>{
                "session_id", "sync_mode", "final_status", "time_per_cycle_ms", "increment_ms",
                "max_time_ms", "total_time_ms", "time_used_ms", "total_cycles",
                "total_participants", "created_at", "started_at", "completed_at", "deleted_at",
                "last_version", "last_updated_at", "metadata"}));
  EXPECT_EQ(
      columns(look, "sync_events"),
      (std::vector<std::string>{"id", "session_id", "version", "event_type", "participant_id",
                                "group_id", "time_remaining_ms", "time_elapsed_ms", "cycle_number",
                                "timestamp", "recorded_at", "state_snapshot", "metadata"}));
  EXPECT_EQ(columns(look, "sync_participants"),
            (std::vector<std::string>{"session_id", "participant_id", "participant_index",
                                      "group_id", "total_time_ms", "time_used_ms", "cycle_count",
                                      "is_active", "has_expired", "last_version", "updated_at"}));
  EXPECT_EQ(columns(look, "sync_schema_migrations"),
            (std::vector<std::string>{"version", "name", "applied_at"}));
  EXPECT_EQ(look.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%' "
                      "ORDER BY name"),
            (std::vector<Row>{{"idx_sync_events_recovery"},
                              {"idx_sync_events_session"},
                              {"idx_sync_events_timestamp"},
                              {"idx_sync_events_type"},
                              {"idx_sync_sessions_created"}}));
}

TEST(Migrations, AFailingMigrationIsRolledBackAndReported) {
  TempDir dir;
  const auto path = dir.file("audit.db");
  // A table of the same name but another shape: migration 1 keeps it (IF NOT
  // EXISTS, never destructive); migration 2 cannot index a column it lacks.
  auto db = open_or_die(path);
  ASSERT_FALSE(db.exec("CREATE TABLE sync_sessions (x INTEGER)"));
  const auto r = migrate(db);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("created_at"), std::string::npos) << r.error->message;
  EXPECT_EQ(r.applied, 1);
  EXPECT_FALSE(db.in_transaction());
  Inspector look(path);
  EXPECT_EQ(look.rows("SELECT version FROM sync_schema_migrations"), (std::vector<Row>{{"1"}}));
  EXPECT_EQ(look.count("sqlite_master WHERE name LIKE 'idx_%'"), 0);

  // The writer reports the same, naming the file.
  const auto w = open_sqlite_writer(path);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, domain::ErrorCode::unavailable);
  EXPECT_NE(w.error().message.find(path), std::string::npos) << w.error().message;
  EXPECT_NE(w.error().message.find("migrating the schema failed"), std::string::npos)
      << w.error().message;
}

}  // namespace
}  // namespace sk::audit::sqlite
