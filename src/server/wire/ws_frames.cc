#include "server/wire/ws_frames.h"

#include <fmt/format.h>

#include "domain/json.h"
#include "server/wire/error_codes.h"

namespace sk::server::wire {
namespace {

void open(std::string& out, std::string_view type, std::int64_t timestamp) {
  out += R"({"type":")";
  out += type;
  out += R"(","timestamp":)";
  out += std::to_string(timestamp);
}

void append_session_id(std::string& out, const domain::Uuid& id) {
  out += R"(,"sessionId":")";
  id.append_to(out);
  out += '"';
}

std::string with_state(std::string_view type, const domain::Session& s,
                       const domain::LiveView& live) {
  std::string out;
  out.reserve(1024);
  open(out, type, domain::to_unix_ms(live.server_time));
  append_session_id(out, s.session_id);
  out += R"(,"state":)";
  domain::append_session_json(out, s, live);
  out += '}';
  return out;
}

// The clock owner of a TIME_EXPIRED or TIME_WARNING: participant_id?, group_id?.
void append_owner(std::string& out, const std::optional<domain::Uuid>& participant_id,
                  const std::optional<domain::Uuid>& group_id) {
  if (participant_id) {
    out += R"(,"participant_id":")";
    participant_id->append_to(out);
    out += '"';
  }
  if (group_id) {
    out += R"(,"group_id":")";
    group_id->append_to(out);
    out += '"';
  }
}

}  // namespace

std::string connected_message(const domain::Uuid& session_id, domain::TimePoint now) {
  std::string out;
  open(out, "CONNECTED", domain::to_unix_ms(now));
  append_session_id(out, session_id);
  out += '}';
  return out;
}

std::string state_sync_message(const domain::Session& s, const domain::LiveView& live) {
  return with_state("STATE_SYNC", s, live);
}

std::string state_update_message(const domain::Session& s, const domain::LiveView& live) {
  return with_state("STATE_UPDATE", s, live);
}

std::string time_expired_message(const domain::Uuid& session_id, const engine::Expiry& expiry,
                                 domain::TimePoint now) {
  std::string out;
  open(out, "TIME_EXPIRED", domain::to_unix_ms(now));
  append_session_id(out, session_id);
  append_owner(out, expiry.participant_id, expiry.group_id);
  out += R"(,"action":")";
  out += domain::to_string(expiry.action);
  out += R"(","deadline_ms":)";
  out += std::to_string(domain::to_unix_ms(expiry.at));
  out += '}';
  return out;
}

std::string time_warning_message(const domain::Uuid& session_id, const engine::Warning& warning,
                                 domain::TimePoint now) {
  std::string out;
  open(out, "TIME_WARNING", domain::to_unix_ms(now));
  append_session_id(out, session_id);
  append_owner(out, warning.participant_id, warning.group_id);
  out += R"(,"time_remaining_ms":)";
  out += std::to_string(warning.time_remaining.count());
  out += R"(,"threshold_ms":)";
  out += std::to_string(warning.threshold.count());
  out += R"(,"level":")";
  out += warning.critical ? "critical" : "low";
  out += R"(","crossed_ms":)";
  out += std::to_string(domain::to_unix_ms(warning.at));
  out += '}';
  return out;
}

std::string session_deleted_message(const domain::Uuid& session_id, domain::TimePoint now) {
  std::string out;
  open(out, "SESSION_DELETED", domain::to_unix_ms(now));
  append_session_id(out, session_id);
  out += '}';
  return out;
}

std::string pong_message(domain::TimePoint now, std::optional<std::int64_t> client_timestamp) {
  std::string out;
  open(out, "PONG", domain::to_unix_ms(now));
  if (client_timestamp) out += fmt::format(R"(,"client_timestamp":{})", *client_timestamp);
  out += '}';
  return out;
}

std::string authenticated_message(std::optional<std::int64_t> expires_at_ms,
                                  domain::TimePoint now) {
  std::string out;
  open(out, "AUTHENTICATED", domain::to_unix_ms(now));
  if (expires_at_ms) out += fmt::format(R"(,"expires_at_ms":{})", *expires_at_ms);
  out += '}';
  return out;
}

std::string error_message(std::string_view code, std::string_view message, domain::TimePoint now) {
  std::string out;
  open(out, "ERROR", domain::to_unix_ms(now));
  out += R"(,"code":)";
  domain::append_json_string(out, code);
  out += R"(,"message":)";
  domain::append_json_string(out, message);
  out += '}';
  return out;
}

std::string error_message(const domain::Error& e, domain::TimePoint now) {
  return error_message(error_code_name(e), public_message(e), now);
}

}  // namespace sk::server::wire
