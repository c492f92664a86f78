// See audit_records.h.
#include "audit/queue/audit_records.h"

#include <charconv>

#include "domain/json.h"
#include "domain/time.h"

namespace sk::audit {

std::vector<domain::AuditRecord> make_records(const domain::Session& state,
                                              const std::vector<domain::Event>& events) {
  std::vector<domain::AuditRecord> records;
  records.reserve(events.size());
  const std::string id = state.session_id.to_string();
  const std::string snapshot = domain::encode_stored_session(state);
  // The session's creation time tells its lives apart: a session id may be created
  // again after a deletion, and its versions start over.
  const std::string prefix = id + ":" + std::to_string(domain::to_unix_ms(state.created_at)) + ":" +
                             std::to_string(state.version) + ":";
  for (std::size_t n = 0; n < events.size(); ++n) {
    const auto& e = events[n];
    domain::AuditRecord r;
    r.event_id = prefix;
    r.event_id.append(e.type == domain::EventType::session_deleted ? std::string("deleted")
                                                                   : std::to_string(n + 1));
    r.session_id = state.session_id;
    r.version = state.version;
    r.event = domain::encode_event(e);
    r.state = snapshot;
    records.push_back(std::move(r));
  }
  return records;
}

domain::Result<domain::AuditRecord> record_from_fields(
    const std::vector<std::pair<std::string, std::string>>& fields) {
  const auto field = [&](std::string_view name) -> const std::string* {
    for (const auto& [k, v] : fields) {
      if (k == name) return &v;
    }
    return nullptr;
  };
  const auto* id = field("id");
  const auto* session = field("session");
  const auto* version = field("version");
  const auto* event = field("event");
  const auto* state = field("state");
  if (!id || !session || !version || !event || !state) {
    return domain::Error::deserialization("audit entry lacks id, session, version, event or state");
  }
  domain::AuditRecord r;
  r.event_id = *id;
  const auto uuid = domain::Uuid::parse(*session);
  if (!uuid) return domain::Error::deserialization("audit entry: session is not a UUID");
  r.session_id = *uuid;
  const auto* end = version->data() + version->size();
  const auto [ptr, ec] = std::from_chars(version->data(), end, r.version);
  if (ec != std::errc() || ptr != end) {
    return domain::Error::deserialization("audit entry: version is not a number");
  }
  r.event = *event;
  r.state = *state;
  return r;
}

}  // namespace sk::audit
