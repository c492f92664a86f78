// to_row: decodes an AuditRecord's event and state into the audit tables' columns.
// The state is decoded fully (not just the summary fields) because a record whose
// state the engine could not read back is no use to recovery either: better to
// reject it here than to store a snapshot that cannot be restored.
#include "audit/audit_row.h"

#include <string>
#include <tuple>

#include "domain/json.h"

namespace sk::audit {
namespace {

using domain::Error;

// An event id is "<36-char session>:<version>:<n>" (or ":deleted"); anything far
// longer than that is not something the store wrote.
constexpr std::size_t kMaxEventIdBytes = 200;

// "audit record <id>: <what>": the dead-letter entry must say which record and why.
// Built by hand rather than with Error::deserialization, whose "stored state is
// corrupt" wording is about the store's own value.
Error malformed(const domain::AuditRecord& record, std::string_view what) {
  Error e = Error::deserialization({});
  e.message = "audit record ";
  e.message.append(record.event_id.substr(0, kMaxEventIdBytes));
  e.message.append(": ");
  e.message.append(what);
  return e;
}

// The decoder's detail without Error::deserialization's prefix.
std::string_view detail_of(const Error& e) {
  constexpr std::string_view kPrefix = "stored state is corrupt: ";
  std::string_view m = e.message;
  if (m.starts_with(kPrefix)) m.remove_prefix(kPrefix.size());
  return m;
}

ParticipantRow participant_row(const domain::Participant& p) {
  ParticipantRow row;
  row.participant_id = p.participant_id;
  row.participant_index = p.participant_index;
  row.group_id = p.group_id;
  row.total_time_ms = p.total_time.count();
  row.time_used_ms = p.time_used.count();
  row.cycle_count = p.cycle_count;
  row.is_active = p.is_active;
  row.has_expired = p.has_expired;
  return row;
}

std::optional<std::int64_t> ms(const std::optional<domain::Millis>& v) {
  if (!v) return std::nullopt;
  return v->count();
}

std::optional<std::int64_t> unix_ms(const std::optional<domain::TimePoint>& t) {
  if (!t) return std::nullopt;
  return domain::to_unix_ms(*t);
}

}  // namespace

domain::Result<AuditRow> to_row(const domain::AuditRecord& record) {
  if (record.event_id.empty()) return malformed(record, "event_id is empty");
  if (record.event_id.size() > kMaxEventIdBytes) return malformed(record, "event_id is too long");
  if (record.version < 1) return malformed(record, "version must be at least 1");
  auto event = domain::decode_event(record.event);
  if (!event) return malformed(record, "event: " + std::string(detail_of(event.error())));
  auto state = domain::decode_session(record.state);
  if (!state) return malformed(record, "state: " + std::string(detail_of(state.error())));
  const domain::Session& s = *state;
  if (s.session_id != record.session_id) {
    return malformed(record, "state belongs to session " + s.session_id.to_string());
  }
  if (s.version != record.version) {
    return malformed(record, "state has version " + std::to_string(s.version) + ", record has " +
                                 std::to_string(record.version));
  }
  const domain::Event& e = *event;

  AuditRow row;
  row.event_id = record.event_id;
  row.session_id = record.session_id;
  row.version = record.version;
  row.event_type = std::string(domain::to_string(e.type));
  row.participant_id = e.participant_id;
  row.group_id = e.group_id;
  row.time_remaining_ms = ms(e.time_remaining);
  row.time_elapsed_ms = ms(e.time_elapsed);
  row.cycle_number = e.cycle_count;
  row.event_at_ms = domain::to_unix_ms(e.at);
  row.state_snapshot = record.state;
  row.event_json = record.event;

  row.sync_mode = std::string(domain::to_string(s.sync_mode));
  row.status = std::string(domain::to_string(s.status));
  row.created_at_ms = domain::to_unix_ms(s.created_at);
  row.updated_at_ms = domain::to_unix_ms(s.updated_at);
  row.started_at_ms = unix_ms(s.session_started_at);
  row.completed_at_ms = unix_ms(s.session_completed_at);
  row.total_time_ms = s.total_time.count();
  row.time_per_cycle_ms = ms(s.time_per_cycle);
  row.increment_ms = s.increment.count();
  row.max_time_ms = ms(s.max_time);
  row.time_used_ms = s.time_used.count();
  for (const auto& p : s.participants) row.total_cycles += p.cycle_count;
  row.metadata = s.metadata;
  row.deleted = e.type == domain::EventType::session_deleted;

  row.participants.reserve(s.participants.size());
  for (const auto& p : s.participants) row.participants.push_back(participant_row(p));
  return row;
}

domain::Result<std::vector<AuditRow>> to_rows(std::span<const domain::AuditRecord> batch) {
  std::vector<AuditRow> rows;
  rows.reserve(batch.size());
  for (const auto& record : batch) {
    auto row = to_row(record);
    if (!row) return row.error();
    rows.push_back(std::move(row).value());
  }
  return rows;
}

bool supersedes(const AuditRow& n, const AuditRow& c) {
  // A deletion's time is its event's (its state is the last one before it).
  const auto deleted_ms = [](const AuditRow& row) { return row.event_at_ms; };
  if (c.deleted) {
    if (n.deleted) return deleted_ms(n) > deleted_ms(c);
    return n.updated_at_ms > deleted_ms(c) || (n.updated_at_ms == deleted_ms(c) && n.version == 1);
  }
  if (n.deleted) {
    return deleted_ms(n) > c.updated_at_ms ||
           (deleted_ms(n) == c.updated_at_ms && n.version >= c.version);
  }
  return std::tie(n.updated_at_ms, n.version) >= std::tie(c.updated_at_ms, c.version);
}

}  // namespace sk::audit
