// The audit schema for SQLite (SPEC §6): the same tables and column names as the
// PostgreSQL schema, so a query or a report reads either database alike. Versioned
// migrations compiled into the binary, recorded in sync_schema_migrations, applied
// in order, each at most once and in its own transaction; never destructive (no
// DROP, no DELETE, no column rewrites), so running them again is harmless.
//
// Type mapping (SQLite has no UUID, JSONB, TIMESTAMPTZ, BOOLEAN or enums):
//   UUID         -> TEXT, lowercase canonical 8-4-4-4-12 (domain::Uuid::to_string)
//   JSONB        -> TEXT, the JSON exactly as the store encoded it
//   TIMESTAMPTZ  -> INTEGER, unix milliseconds UTC (the engine's own resolution)
//   BOOLEAN      -> INTEGER 0/1
//   enum types   -> TEXT with the wire name ("per_participant", "running", ...)
//   BIGINT / INT -> INTEGER (64-bit in SQLite)
//
// Tables:
//   sync_sessions      one summary row per session, forward-only (last_updated_at,
//                      last_version); deleted_at set by session_deleted, cleared
//                      when the id is re-created.
//   sync_events        one row per audit event; id is the record's event_id, which
//                      is what makes writes idempotent. `timestamp` is when the event
//                      happened, `recorded_at` when the store recorded the state it
//                      produced (the state's updated_at: deterministic, so redelivery
//                      writes the same row), `state_snapshot` that state, `metadata`
//                      the whole event JSON (delta, reason, action, ...).
//   sync_participants  one row per (session, participant), forward-only.
//   sync_schema_migrations  version, name, applied_at of each applied migration.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "audit/sqlite/sqlite_connection.h"

namespace sk::audit::sqlite {

struct Migration {
  std::int64_t version;  // 1, 2, ...: applied in this order
  std::string_view name;
  std::string_view sql;
};

// Every migration this binary knows, ascending by version.
std::span<const Migration> migrations();

// Applies the migrations `db` has not recorded yet. Each runs in a BEGIN IMMEDIATE
// transaction that first re-checks the record, so two processes opening the same
// file at once apply each migration once. Returns how many were applied.
struct MigrateResult {
  int applied = 0;
  SqliteStatus error;
};
MigrateResult migrate(Connection& db);

}  // namespace sk::audit::sqlite
