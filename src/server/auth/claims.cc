// Role names and session coverage. See claims.h.
#include "server/auth/claims.h"

namespace sk::server::auth {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::participant: return "participant";
    case Role::arbiter: return "arbiter";
    case Role::admin: return "admin";
  }
  return "participant";  // unreachable: every enumerator is handled above
}

std::optional<Role> parse_role(std::string_view text) {
  for (const Role role : {Role::participant, Role::arbiter, Role::admin}) {
    if (text == to_string(role)) return role;
  }
  return std::nullopt;
}

bool Claims::all_sessions() const { return sessions.size() == 1 && sessions[0] == kAllSessions; }

bool Claims::covers(const domain::Uuid& session_id) const {
  if (all_sessions()) return true;
  for (const std::string& listed : sessions) {
    const auto id = domain::Uuid::parse(listed);
    if (id && *id == session_id) return true;
  }
  return false;
}

bool Claims::covers(std::string_view session_id) const {
  if (all_sessions()) return true;
  if (const auto id = domain::Uuid::parse(session_id)) return covers(*id);
  // Not a UUID: only an exact entry matches (never the case for a verified token,
  // whose entries are all UUIDs, but Claims may be built by hand).
  for (const std::string& listed : sessions) {
    if (listed == session_id) return true;
  }
  return false;
}

}  // namespace sk::server::auth
