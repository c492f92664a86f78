#include "audit/postgres/write_statement.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "audit/postgres/pg_array.h"

namespace sk::audit::postgres {
namespace {

// Unix milliseconds to timestamptz, exactly (no floating-point seconds).
#define SK_TS(ms) "(TIMESTAMPTZ 'epoch' + " ms " * INTERVAL '1 millisecond')"

constexpr const char* kWriteSql =
    // Events: the key is the record's event_id with the event's time (the partition
    // key, which a redelivered event carries unchanged), so a redelivered one is
    // skipped in whichever day's partition it is. json: stored as sent, no jsonb
    // conversion (docs/design.md, "Audit trail at scale").
    "WITH ev AS ("
    " INSERT INTO sync_events (id, session_id, version, event_type, participant_id, group_id,"
    "  time_remaining_ms, time_elapsed_ms, cycle_number, \"timestamp\", recorded_at,"
    "  state_snapshot, metadata)"
    " SELECT u.id, u.sid, u.ver, u.typ, u.pid, u.gid, u.rem, u.ela, u.cyc, " SK_TS("u.at_ms")
    ", " SK_TS("u.rec_ms") ", u.snap, u.ev"
    " FROM unnest($1::text[], $2::uuid[], $3::bigint[], $4::text[], $5::uuid[], $6::uuid[],"
    "  $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::json[],"
    "  $13::json[])"
    "  AS u(id, sid, ver, typ, pid, gid, rem, ela, cyc, at_ms, rec_ms, snap, ev)"
    " ON CONFLICT (id, \"timestamp\") DO NOTHING"
    " RETURNING 1"
    "), ss AS ("
    // Session summaries, one per session (deduplicated by the caller), forward only.
    " INSERT INTO sync_sessions AS s (session_id, sync_mode, final_status, time_per_cycle_ms,"
    "  increment_ms, max_time_ms, total_time_ms, time_used_ms, total_cycles,"
    "  total_participants, created_at, started_at, completed_at, deleted_at, last_version,"
    "  last_updated_at, metadata)"
    " SELECT u.sid, u.mode, u.status, u.per_cycle, u.inc, u.max, u.total, u.used, u.cycles,"
    "  u.n, " SK_TS("u.created_ms") ", " SK_TS("u.started_ms") ", " SK_TS("u.completed_ms")
    ", " SK_TS("u.deleted_ms") ", u.ver, " SK_TS("u.updated_ms") ", u.meta"
    // The enums come as text[] and are cast here: binary arrays carry their element
    // type's OID, and an enum's is not fixed (see kParamTypes).
    " FROM unnest($14::uuid[], $15::text[]::sync_mode[], $16::text[]::sync_status[],"
    "  $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[],"
    "  $22::bigint[], $23::int[],"
    "  $24::bigint[], $25::bigint[], $26::bigint[], $27::bigint[], $28::bigint[],"
    "  $29::bigint[], $30::jsonb[])"
    "  AS u(sid, mode, status, per_cycle, inc, max, total, used, cycles, n, created_ms,"
    "  started_ms, completed_ms, deleted_ms, ver, updated_ms, meta)"
    " ON CONFLICT (session_id) DO UPDATE SET"
    "  sync_mode = EXCLUDED.sync_mode, final_status = EXCLUDED.final_status,"
    "  time_per_cycle_ms = EXCLUDED.time_per_cycle_ms, increment_ms = EXCLUDED.increment_ms,"
    "  max_time_ms = EXCLUDED.max_time_ms, total_time_ms = EXCLUDED.total_time_ms,"
    "  time_used_ms = EXCLUDED.time_used_ms, total_cycles = EXCLUDED.total_cycles,"
    "  total_participants = EXCLUDED.total_participants, created_at = EXCLUDED.created_at,"
    // A re-created session starts afresh; otherwise a start time is never lost.
    "  started_at = CASE WHEN s.deleted_at IS NOT NULL AND EXCLUDED.deleted_at IS NULL"
    "   THEN EXCLUDED.started_at ELSE COALESCE(EXCLUDED.started_at, s.started_at) END,"
    "  completed_at = CASE WHEN s.deleted_at IS NOT NULL AND EXCLUDED.deleted_at IS NULL"
    "   THEN EXCLUDED.completed_at ELSE COALESCE(EXCLUDED.completed_at, s.completed_at) END,"
    "  deleted_at = EXCLUDED.deleted_at, last_version = EXCLUDED.last_version,"
    "  last_updated_at = EXCLUDED.last_updated_at, metadata = EXCLUDED.metadata"
    // supersedes(), in SQL.
    " WHERE CASE"
    "  WHEN s.deleted_at IS NOT NULL THEN"
    "   CASE WHEN EXCLUDED.deleted_at IS NOT NULL THEN EXCLUDED.deleted_at > s.deleted_at"
    "   ELSE EXCLUDED.last_updated_at > s.deleted_at OR"
    "    (EXCLUDED.last_updated_at = s.deleted_at AND EXCLUDED.last_version = 1) END"
    "  WHEN EXCLUDED.deleted_at IS NOT NULL THEN"
    "   EXCLUDED.deleted_at > s.last_updated_at OR"
    "   (EXCLUDED.deleted_at = s.last_updated_at AND EXCLUDED.last_version >= s.last_version)"
    "  ELSE (EXCLUDED.last_updated_at, EXCLUDED.last_version) >="
    "   (s.last_updated_at, s.last_version) END"
    " RETURNING 1"
    ")"
    // Participants, each from the newest record of the batch listing it; forward only.
    " INSERT INTO sync_participants AS p (session_id, participant_id, participant_index,"
    "  group_id, total_time_ms, time_used_ms, cycle_count, is_active, has_expired,"
    "  last_version, updated_at)"
    " SELECT u.sid, u.pid, u.idx, u.gid, u.total, u.used, u.cycles, u.active, u.expired,"
    "  u.ver, " SK_TS("u.updated_ms")
    " FROM unnest($31::uuid[], $32::uuid[], $33::bigint[], $34::uuid[], $35::bigint[],"
    "  $36::bigint[], $37::bigint[], $38::boolean[], $39::boolean[], $40::bigint[],"
    "  $41::bigint[])"
    "  AS u(sid, pid, idx, gid, total, used, cycles, active, expired, ver, updated_ms)"
    " ON CONFLICT (session_id, participant_id) DO UPDATE SET"
    "  participant_index = EXCLUDED.participant_index, group_id = EXCLUDED.group_id,"
    "  total_time_ms = EXCLUDED.total_time_ms, time_used_ms = EXCLUDED.time_used_ms,"
    "  cycle_count = EXCLUDED.cycle_count, is_active = EXCLUDED.is_active,"
    "  has_expired = EXCLUDED.has_expired, last_version = EXCLUDED.last_version,"
    "  updated_at = EXCLUDED.updated_at"
    " WHERE (EXCLUDED.updated_at, EXCLUDED.last_version) >= (p.updated_at, p.last_version)";

#undef SK_TS

// The element type of each parameter's array, as the statement casts it ($1 first).
//
// sync_mode and sync_status go as text[], cast to the enum by the statement. A binary
// array names its element type's OID, and an enum's is whatever CREATE TYPE gave it in
// this database; array_recv checks it against the parameter's type (older minor
// releases always; newer ones, e.g. 15.18, only when both types are built in -- not
// something to rely on). The cast is the simplest robust way: no per-connection OID
// lookup (to redo after a reconnect or a re-created type) and no text-format
// parameter among the binary ones. It costs one enum input per session of the batch.
constexpr std::array<ElementType, kWriteParamCount> kParamTypes = [] {
  using enum ElementType;
  return std::array<ElementType, kWriteParamCount>{
      // $1..$13, sync_events
      text, uuid, int8, text, uuid, uuid, int8, int8, int8, int8, int8, json, json,
      // $14..$30, sync_sessions
      uuid, text, text, int8, int8, int8, int8, int8, int8, int4, int8, int8, int8, int8, int8,
      int8, jsonb,
      // $31..$41, sync_participants
      uuid, uuid, int8, uuid, int8, int8, int8, boolean, boolean, int8, int8};
}();

template <std::size_t... I>
std::array<BinaryArray, kWriteParamCount> make_arrays(std::index_sequence<I...>) {
  return {BinaryArray(kParamTypes[I])...};
}

}  // namespace

const char* write_sql() { return kWriteSql; }

std::vector<std::size_t> newest_per_session(std::span<const AuditRow> rows) {
  std::vector<std::size_t> newest;
  std::unordered_map<domain::Uuid, std::size_t, domain::UuidHash> slot;  // session -> newest[i]
  slot.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto [it, inserted] = slot.try_emplace(rows[i].session_id, newest.size());
    if (inserted) {
      newest.push_back(i);
    } else if (supersedes(rows[i], rows[newest[it->second]])) {
      newest[it->second] = i;
    }
  }
  // In session order: every transaction locks summary rows in the same order, so two
  // batches touching the same sessions wait for each other but never deadlock.
  std::sort(newest.begin(), newest.end(),
            [&](std::size_t a, std::size_t b) { return rows[a].session_id < rows[b].session_id; });
  return newest;
}

std::vector<std::pair<std::size_t, std::size_t>> newest_per_participant(
    std::span<const AuditRow> rows) {
  struct Key {
    domain::Uuid session;
    domain::Uuid participant;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      const domain::UuidHash h;
      return h(k.session) * 31 + h(k.participant);
    }
  };
  std::vector<std::pair<std::size_t, std::size_t>> newest;
  std::unordered_map<Key, std::size_t, KeyHash> slot;  // -> newest[i]
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t j = 0; j < rows[i].participants.size(); ++j) {
      const Key key{rows[i].session_id, rows[i].participants[j].participant_id};
      const auto [it, inserted] = slot.try_emplace(key, newest.size());
      if (inserted) {
        newest.emplace_back(i, j);
        continue;
      }
      const AuditRow& current = rows[newest[it->second].first];
      if (std::tie(rows[i].updated_at_ms, rows[i].version) >=
          std::tie(current.updated_at_ms, current.version)) {
        newest[it->second] = {i, j};
      }
    }
  }
  // In (session, participant) order, for the same reason as the sessions.
  std::sort(newest.begin(), newest.end(), [&](const auto& a, const auto& b) {
    const auto& x = rows[a.first];
    const auto& y = rows[b.first];
    return std::tie(x.session_id, x.participants[a.second].participant_id) <
           std::tie(y.session_id, y.participants[b.second].participant_id);
  });
  return newest;
}

std::array<const char*, kWriteParamCount> WriteParams::values() const {
  std::array<const char*, kWriteParamCount> out{};
  for (std::size_t i = 0; i < kWriteParamCount; ++i) out[i] = bytes[i].data();
  return out;
}

std::array<int, kWriteParamCount> WriteParams::lengths() const {
  std::array<int, kWriteParamCount> out{};
  for (std::size_t i = 0; i < kWriteParamCount; ++i) out[i] = static_cast<int>(bytes[i].size());
  return out;
}

const std::array<int, kWriteParamCount>& WriteParams::formats() {
  static constexpr auto kBinary = [] {
    std::array<int, kWriteParamCount> f{};
    f.fill(1);
    return f;
  }();
  return kBinary;
}

WriteParams write_params(std::span<const AuditRow> rows) {
  auto a = make_arrays(std::make_index_sequence<kWriteParamCount>{});
  const std::vector<std::size_t> sessions = newest_per_session(rows);
  const auto participants = newest_per_participant(rows);

  // One allocation per array: a batch of 2000 records carries ~2 MB of snapshots.
  std::array<std::size_t, kWriteParamCount> text_bytes{};
  for (const auto& r : rows) {
    text_bytes[0] += r.event_id.size();
    text_bytes[3] += r.event_type.size();
    text_bytes[11] += r.state_snapshot.size();
    text_bytes[12] += r.event_json.size();
  }
  for (const std::size_t i : sessions) {
    text_bytes[14] += rows[i].sync_mode.size();
    text_bytes[15] += rows[i].status.size();
    if (rows[i].metadata) text_bytes[29] += rows[i].metadata->size();
  }
  for (std::size_t i = 0; i < kWriteParamCount; ++i) {
    const std::size_t n = i < 13 ? rows.size() : i < 30 ? sessions.size() : participants.size();
    a[i].reserve(n, text_bytes[i]);
  }

  for (const auto& r : rows) {
    a[0].add(r.event_id);
    a[1].add(r.session_id);
    a[2].add(r.version);
    a[3].add(r.event_type);
    a[4].add(r.participant_id);
    a[5].add(r.group_id);
    a[6].add(r.time_remaining_ms);
    a[7].add(r.time_elapsed_ms);
    a[8].add(r.cycle_number);
    a[9].add(r.event_at_ms);
    a[10].add(r.updated_at_ms);
    a[11].add(r.state_snapshot);
    a[12].add(r.event_json);
  }
  for (const std::size_t i : sessions) {
    const AuditRow& r = rows[i];
    a[13].add(r.session_id);
    a[14].add(r.sync_mode);
    a[15].add(r.status);
    a[16].add(r.time_per_cycle_ms);
    a[17].add(r.increment_ms);
    a[18].add(r.max_time_ms);
    a[19].add(r.total_time_ms);
    a[20].add(r.time_used_ms);
    a[21].add(r.total_cycles);
    a[22].add(static_cast<std::int64_t>(r.participants.size()));
    a[23].add(r.created_at_ms);
    a[24].add(r.started_at_ms);
    a[25].add(r.completed_at_ms);
    if (r.deleted) {
      a[26].add(r.event_at_ms);  // a deletion happened at its event's time
    } else {
      a[26].add_null();
    }
    a[27].add(r.version);
    a[28].add(r.updated_at_ms);
    a[29].add(r.metadata);
  }
  // Every participant any record of the batch lists, from the newest record listing it:
  // a participant removed in the middle of the batch keeps its last row, exactly as if
  // the records had come one by one.
  for (const auto& [row_index, participant_index] : participants) {
    const AuditRow& r = rows[row_index];
    const ParticipantRow& p = r.participants[participant_index];
    a[30].add(r.session_id);
    a[31].add(p.participant_id);
    a[32].add(p.participant_index);
    a[33].add(p.group_id);
    a[34].add(p.total_time_ms);
    a[35].add(p.time_used_ms);
    a[36].add(p.cycle_count);
    a[37].add_bool(p.is_active);
    a[38].add_bool(p.has_expired);
    a[39].add(r.version);
    a[40].add(r.updated_at_ms);
  }
  WriteParams out;
  for (std::size_t i = 0; i < kWriteParamCount; ++i) out.bytes[i] = a[i].finish();
  return out;
}

}  // namespace sk::audit::postgres
