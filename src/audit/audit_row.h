// AuditRow: an AuditRecord decoded into the columns the audit tables hold (SPEC §6):
// the event's own fields for sync_events, the session summary for sync_sessions and
// one row per participant for sync_participants. Shared by every AuditWriter, so
// PostgreSQL and SQLite store the same thing. No I/O here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/audit_record.h"
#include "domain/result.h"
#include "domain/uuid.h"

namespace sk::audit {

struct ParticipantRow {
  domain::Uuid participant_id;
  std::int64_t participant_index = 0;
  std::optional<domain::Uuid> group_id;
  std::int64_t total_time_ms = 0;  // the booked bank
  std::int64_t time_used_ms = 0;   // running time booked to the participant
  std::int64_t cycle_count = 0;
  bool is_active = false;
  bool has_expired = false;
};

struct AuditRow {
  // sync_events
  std::string event_id;
  domain::Uuid session_id;
  std::int64_t version = 0;
  std::string event_type;  // "cycle_switched", ... (domain::to_string(EventType))
  std::optional<domain::Uuid> participant_id;
  std::optional<domain::Uuid> group_id;
  std::optional<std::int64_t> time_remaining_ms;
  std::optional<std::int64_t> time_elapsed_ms;
  std::optional<std::int64_t> cycle_number;  // the event's cycle_count
  std::int64_t event_at_ms = 0;              // unix ms of the event
  std::string state_snapshot;                // the stored state JSON, as recorded
  std::string event_json;                    // the whole event (delta, reason, action, ...)

  // sync_sessions (from the state after the event)
  std::string sync_mode;  // domain::to_string(SyncMode)
  std::string status;     // domain::to_string(Status)
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;  // orders summaries: a later write has a later one
  std::optional<std::int64_t> started_at_ms;
  std::optional<std::int64_t> completed_at_ms;
  std::int64_t total_time_ms = 0;
  std::optional<std::int64_t> time_per_cycle_ms;
  std::int64_t increment_ms = 0;
  std::optional<std::int64_t> max_time_ms;
  std::int64_t time_used_ms = 0;
  std::int64_t total_cycles = 0;        // sum of the participants' cycle counts
  std::optional<std::string> metadata;  // the session's metadata object, compact JSON
  bool deleted = false;                 // a session_deleted event

  // sync_participants
  std::vector<ParticipantRow> participants;
};

// Err(deserialization) naming what is wrong when the record is malformed (its event
// or state is not what the store writes, or they disagree on the session id or
// version): such a record is rejected, never retried.
domain::Result<AuditRow> to_row(const domain::AuditRecord& record);

// Every record of a batch decoded, or the first malformed one's error (it names the
// record): both writers decode the whole batch before touching the database, so a
// malformed record rejects the batch with nothing written and the queue dead-letters
// the record the error names.
domain::Result<std::vector<AuditRow>> to_rows(std::span<const domain::AuditRecord> batch);

// True when `candidate`'s summary (sync_sessions, sync_participants) replaces
// `current`'s: both writers keep the newest. States of one life order by
// (updated_at, version), a later one (or the same one again) winning. A deletion
// carries the state it deleted, so it is placed at its own time (the event's): it
// wins over every state up to that time, and after it only a state written later
// -- a re-created session -- or a session_created of the same millisecond takes
// over. Of two deletions the later one stands.
bool supersedes(const AuditRow& candidate, const AuditRow& current);

}  // namespace sk::audit
