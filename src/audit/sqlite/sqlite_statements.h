// The writer's SQL, compiled once per connection and reused by every batch, and how
// an AuditRow binds to it. The forward-only rules of the summaries live here, in the
// upserts' WHERE clauses, so a late (older) record can never move a summary back no
// matter which batch it arrives in. Knows the tables, not the transaction or retry
// policy (sqlite_audit_writer.cc).
#pragma once

#include <optional>

#include "audit/audit_row.h"
#include "audit/sqlite/sqlite_connection.h"

namespace sk::audit::sqlite {

struct Statements {
  Statement begin;  // BEGIN IMMEDIATE: take the write lock up front, so a busy
                    // file fails at the start, not at the commit
  Statement commit;
  Statement rollback;
  Statement insert_event;        // no-op when the event_id is already stored
  Statement upsert_session;      // forward only
  Statement upsert_participant;  // forward only
  Statement latest_state;
  Statement ping;

  static std::optional<Statements> prepare(Connection& db, SqliteError& error);
};

// Bind one row's values; the caller runs and resets the statement.
void bind_event(Statement& s, const AuditRow& row);
void bind_session(Statement& s, const AuditRow& row);
void bind_participant(Statement& s, const AuditRow& row, const ParticipantRow& p);

}  // namespace sk::audit::sqlite
