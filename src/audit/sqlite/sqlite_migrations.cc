#include "audit/sqlite/sqlite_migrations.h"

#include <array>

namespace sk::audit::sqlite {
namespace {

// 1: the tables. Column names and meanings follow the PostgreSQL schema; the types
// follow the mapping in the header.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE IF NOT EXISTS sync_sessions (
  session_id          TEXT    PRIMARY KEY NOT NULL,
  sync_mode           TEXT    NOT NULL,
  final_status        TEXT    NOT NULL,
  time_per_cycle_ms   INTEGER,
  increment_ms        INTEGER NOT NULL DEFAULT 0,
  max_time_ms         INTEGER,
  total_time_ms       INTEGER NOT NULL DEFAULT 0,
  time_used_ms        INTEGER NOT NULL DEFAULT 0,
  total_cycles        INTEGER NOT NULL DEFAULT 0,
  total_participants  INTEGER NOT NULL DEFAULT 0,
  created_at          INTEGER NOT NULL,
  started_at          INTEGER,
  completed_at        INTEGER,
  deleted_at          INTEGER,
  last_version        INTEGER NOT NULL CHECK (last_version >= 1),
  last_updated_at     INTEGER NOT NULL,
  metadata            TEXT
);

CREATE TABLE IF NOT EXISTS sync_events (
  id                  TEXT    PRIMARY KEY NOT NULL,
  session_id          TEXT    NOT NULL,
  version             INTEGER NOT NULL CHECK (version >= 1),
  event_type          TEXT    NOT NULL,
  participant_id      TEXT,
  group_id            TEXT,
  time_remaining_ms   INTEGER,
  time_elapsed_ms     INTEGER,
  cycle_number        INTEGER,
  timestamp           INTEGER NOT NULL,
  recorded_at         INTEGER NOT NULL,
  state_snapshot      TEXT    NOT NULL,
  metadata            TEXT    NOT NULL
);

CREATE TABLE IF NOT EXISTS sync_participants (
  session_id          TEXT    NOT NULL,
  participant_id      TEXT    NOT NULL,
  participant_index   INTEGER NOT NULL,
  group_id            TEXT,
  total_time_ms       INTEGER NOT NULL DEFAULT 0,
  time_used_ms        INTEGER NOT NULL DEFAULT 0,
  cycle_count         INTEGER NOT NULL DEFAULT 0,
  is_active           INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1)),
  has_expired         INTEGER NOT NULL DEFAULT 0 CHECK (has_expired IN (0, 1)),
  last_version        INTEGER NOT NULL CHECK (last_version >= 1),
  updated_at          INTEGER NOT NULL,
  PRIMARY KEY (session_id, participant_id)
);
)sql";

// 2: the seeds' indexes (recent sessions, a session's timeline, events by type and
// by time) and recovery's: latest_state() reads a session's newest event by
// (recorded_at, version). The same indexes as PostgreSQL's migration 2.
constexpr std::string_view kIndexes = R"sql(
CREATE INDEX IF NOT EXISTS idx_sync_sessions_created ON sync_sessions (created_at DESC);
CREATE INDEX IF NOT EXISTS idx_sync_events_session ON sync_events (session_id, timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_sync_events_type ON sync_events (event_type);
CREATE INDEX IF NOT EXISTS idx_sync_events_timestamp ON sync_events (timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_sync_events_recovery
  ON sync_events (session_id, recorded_at DESC, version DESC);
)sql";

// Versions and names as PostgreSQL's, so sync_schema_migrations reads alike.
constexpr std::array kMigrations{
    Migration{1, "initial_schema", kInitialSchema},
    Migration{2, "indexes", kIndexes},
};

// The record of applied migrations exists before any migration can be recorded.
constexpr std::string_view kMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS sync_schema_migrations (
  version     INTEGER PRIMARY KEY NOT NULL,
  name        TEXT    NOT NULL,
  applied_at  INTEGER NOT NULL
);
)sql";

// applied_at in unix ms, taken by SQLite (like PostgreSQL's now()): the schema's
// history is the database's business, not the caller's clock.
constexpr std::string_view kRecord =
    "INSERT INTO sync_schema_migrations (version, name, applied_at) VALUES (?1, ?2, "
    "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))";

constexpr std::string_view kIsApplied = "SELECT 1 FROM sync_schema_migrations WHERE version = ?1";

// Applies one migration unless recorded; true when it ran.
struct StepOutcome {
  bool applied = false;
  SqliteStatus error;
};

StepOutcome apply_one(Connection& db, const Migration& m, Statement& is_applied,
                      Statement& record) {
  if (auto e = db.exec("BEGIN IMMEDIATE")) return {false, e};
  auto rollback = [&](SqliteError e) {
    if (db.in_transaction()) (void)db.exec("ROLLBACK");
    return StepOutcome{false, std::move(e)};
  };
  is_applied.bind(1, m.version);
  auto seen = is_applied.step();
  is_applied.reset();
  if (seen.error) return rollback(std::move(*seen.error));
  if (seen.row) {
    // Nothing was written: the commit only releases the lock.
    if (auto e = db.exec("COMMIT")) return rollback(std::move(*e));
    return {false, std::nullopt};
  }
  if (auto e = db.exec(m.sql)) return rollback(std::move(*e));
  record.bind(1, m.version);
  record.bind(2, m.name);
  auto recorded = record.run();
  record.reset();
  if (recorded) return rollback(std::move(*recorded));
  if (auto e = db.exec("COMMIT")) return rollback(std::move(*e));
  return {true, std::nullopt};
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

MigrateResult migrate(Connection& db) {
  MigrateResult result;
  if ((result.error = db.exec(kMigrationsTable))) return result;
  SqliteError error;
  auto is_applied = db.prepare(kIsApplied, error);
  if (!is_applied) return {0, std::move(error)};
  auto record = db.prepare(kRecord, error);
  if (!record) return {0, std::move(error)};
  for (const auto& m : kMigrations) {
    auto step = apply_one(db, m, *is_applied, *record);
    if (step.error) {
      result.error = std::move(step.error);
      return result;
    }
    if (step.applied) ++result.applied;
  }
  return result;
}

}  // namespace sk::audit::sqlite
