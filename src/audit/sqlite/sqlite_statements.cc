#include "audit/sqlite/sqlite_statements.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace sk::audit::sqlite {
namespace {

// ON CONFLICT (id) DO NOTHING rather than INSERT OR IGNORE: only a repeated event_id
// is skipped; any other constraint (version >= 1, NOT NULL) still fails the batch
// and is reported as rejected.
constexpr std::string_view kInsertEvent = R"sql(
INSERT INTO sync_events (id, session_id, version, event_type, participant_id, group_id,
  time_remaining_ms, time_elapsed_ms, cycle_number, timestamp, recorded_at,
  state_snapshot, metadata)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
ON CONFLICT (id) DO NOTHING
)sql";

// Forward only, by the rule of summary_fold.h's supersedes() (the same as
// PostgreSQL's), written against the stored row: the stored deleted_at is the time of
// the deletion it records. (SET expressions read the row's values from before the
// update.)
constexpr std::string_view kUpsertSession = R"sql(
INSERT INTO sync_sessions (session_id, sync_mode, final_status, time_per_cycle_ms,
  increment_ms, max_time_ms, total_time_ms, time_used_ms, total_cycles,
  total_participants, created_at, started_at, completed_at, deleted_at, last_version,
  last_updated_at, metadata)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
ON CONFLICT (session_id) DO UPDATE SET
  sync_mode = excluded.sync_mode,
  final_status = excluded.final_status,
  time_per_cycle_ms = excluded.time_per_cycle_ms,
  increment_ms = excluded.increment_ms,
  max_time_ms = excluded.max_time_ms,
  total_time_ms = excluded.total_time_ms,
  time_used_ms = excluded.time_used_ms,
  total_cycles = excluded.total_cycles,
  total_participants = excluded.total_participants,
  created_at = excluded.created_at,
  -- A re-created session starts afresh; otherwise a start or end time is never lost.
  started_at = CASE
    WHEN sync_sessions.deleted_at IS NOT NULL AND excluded.deleted_at IS NULL
      THEN excluded.started_at
    ELSE coalesce(excluded.started_at, sync_sessions.started_at) END,
  completed_at = CASE
    WHEN sync_sessions.deleted_at IS NOT NULL AND excluded.deleted_at IS NULL
      THEN excluded.completed_at
    ELSE coalesce(excluded.completed_at, sync_sessions.completed_at) END,
  deleted_at = excluded.deleted_at,
  last_version = excluded.last_version,
  last_updated_at = excluded.last_updated_at,
  metadata = excluded.metadata
WHERE CASE
  WHEN sync_sessions.deleted_at IS NOT NULL THEN
    CASE WHEN excluded.deleted_at IS NOT NULL
      THEN excluded.deleted_at > sync_sessions.deleted_at
    ELSE excluded.last_updated_at > sync_sessions.deleted_at
      OR (excluded.last_updated_at = sync_sessions.deleted_at AND excluded.last_version = 1)
    END
  WHEN excluded.deleted_at IS NOT NULL THEN
    excluded.deleted_at > sync_sessions.last_updated_at
    OR (excluded.deleted_at = sync_sessions.last_updated_at
        AND excluded.last_version >= sync_sessions.last_version)
  ELSE excluded.last_updated_at > sync_sessions.last_updated_at
    OR (excluded.last_updated_at = sync_sessions.last_updated_at
        AND excluded.last_version >= sync_sessions.last_version)
  END
)sql";

constexpr std::string_view kUpsertParticipant = R"sql(
INSERT INTO sync_participants (session_id, participant_id, participant_index, group_id,
  total_time_ms, time_used_ms, cycle_count, is_active, has_expired, last_version,
  updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
ON CONFLICT (session_id, participant_id) DO UPDATE SET
  participant_index = excluded.participant_index,
  group_id = excluded.group_id,
  total_time_ms = excluded.total_time_ms,
  time_used_ms = excluded.time_used_ms,
  cycle_count = excluded.cycle_count,
  is_active = excluded.is_active,
  has_expired = excluded.has_expired,
  last_version = excluded.last_version,
  updated_at = excluded.updated_at
WHERE excluded.updated_at > sync_participants.updated_at
   OR (excluded.updated_at = sync_participants.updated_at
       AND excluded.last_version >= sync_participants.last_version)
)sql";

// What recovery needs: the state after the session's newest event, unless the
// summary says the session is deleted. session_deleted rows carry the state they
// deleted and never count as the latest state.
constexpr std::string_view kLatestState = R"sql(
SELECT e.state_snapshot
FROM sync_sessions s JOIN sync_events e ON e.session_id = s.session_id
WHERE s.session_id = ?1 AND s.deleted_at IS NULL AND e.event_type <> 'session_deleted'
ORDER BY e.recorded_at DESC, e.version DESC
LIMIT 1
)sql";

// Reads a page of the file (unlike SELECT 1), so a vanished or unreadable database
// fails the ping.
constexpr std::string_view kPing = "SELECT count(*) FROM sync_schema_migrations";

std::optional<std::string> opt(const std::optional<domain::Uuid>& id) {
  if (!id) return std::nullopt;
  return id->to_string();
}

}  // namespace

std::optional<Statements> Statements::prepare(Connection& db, SqliteError& error) {
  auto begin = db.prepare("BEGIN IMMEDIATE", error);
  if (!begin) return std::nullopt;
  auto commit = db.prepare("COMMIT", error);
  if (!commit) return std::nullopt;
  auto rollback = db.prepare("ROLLBACK", error);
  if (!rollback) return std::nullopt;
  auto insert_event = db.prepare(kInsertEvent, error);
  if (!insert_event) return std::nullopt;
  auto upsert_session = db.prepare(kUpsertSession, error);
  if (!upsert_session) return std::nullopt;
  auto upsert_participant = db.prepare(kUpsertParticipant, error);
  if (!upsert_participant) return std::nullopt;
  auto latest_state = db.prepare(kLatestState, error);
  if (!latest_state) return std::nullopt;
  auto ping = db.prepare(kPing, error);
  if (!ping) return std::nullopt;
  return Statements{std::move(*begin),          std::move(*commit),
                    std::move(*rollback),       std::move(*insert_event),
                    std::move(*upsert_session), std::move(*upsert_participant),
                    std::move(*latest_state),   std::move(*ping)};
}

void bind_event(Statement& s, const AuditRow& row) {
  s.bind(1, std::string_view{row.event_id});
  s.bind(2, std::string_view{row.session_id.to_string()});
  s.bind(3, row.version);
  s.bind(4, std::string_view{row.event_type});
  s.bind(5, opt(row.participant_id));
  s.bind(6, opt(row.group_id));
  s.bind(7, row.time_remaining_ms);
  s.bind(8, row.time_elapsed_ms);
  s.bind(9, row.cycle_number);
  s.bind(10, row.event_at_ms);
  s.bind(11, row.updated_at_ms);  // recorded_at: when the store recorded this state
  s.bind(12, std::string_view{row.state_snapshot});
  s.bind(13, std::string_view{row.event_json});
}

void bind_session(Statement& s, const AuditRow& row) {
  s.bind(1, std::string_view{row.session_id.to_string()});
  s.bind(2, std::string_view{row.sync_mode});
  s.bind(3, std::string_view{row.status});
  s.bind(4, row.time_per_cycle_ms);
  s.bind(5, row.increment_ms);
  s.bind(6, row.max_time_ms);
  s.bind(7, row.total_time_ms);
  s.bind(8, row.time_used_ms);
  s.bind(9, row.total_cycles);
  s.bind(10, static_cast<std::int64_t>(row.participants.size()));
  s.bind(11, row.created_at_ms);
  s.bind(12, row.started_at_ms);
  s.bind(13, row.completed_at_ms);
  if (row.deleted) {
    s.bind(14, row.event_at_ms);  // when session_deleted happened
  } else {
    s.bind_null(14);
  }
  s.bind(15, row.version);
  s.bind(16, row.updated_at_ms);
  s.bind(17, row.metadata);
}

void bind_participant(Statement& s, const AuditRow& row, const ParticipantRow& p) {
  s.bind(1, std::string_view{row.session_id.to_string()});
  s.bind(2, std::string_view{p.participant_id.to_string()});
  s.bind(3, p.participant_index);
  s.bind(4, opt(p.group_id));
  s.bind(5, p.total_time_ms);
  s.bind(6, p.time_used_ms);
  s.bind(7, p.cycle_count);
  s.bind(8, std::int64_t{p.is_active ? 1 : 0});
  s.bind(9, std::int64_t{p.has_expired ? 1 : 0});
  s.bind(10, row.version);
  s.bind(11, row.updated_at_ms);
}

}  // namespace sk::audit::sqlite
