#include "server/auth/access_policy.h"

namespace sk::server::auth {

namespace {

Verdict refuse(std::string_view reason) { return Verdict{false, std::nullopt, reason}; }
Verdict allow() { return Verdict{true, std::nullopt, {}}; }

}  // namespace

Verdict authorize(const Claims& claims, Action action, const std::optional<domain::Uuid>& session) {
  if (claims.role == Role::admin) return allow();
  if (action == Action::create) {
    if (claims.role == Role::arbiter && claims.all_sessions()) return allow();
    return refuse("only an admin or an arbiter of all sessions may create sessions");
  }
  if (!session || !claims.covers(*session)) return refuse("the token does not cover this session");
  if (claims.role == Role::arbiter) return allow();

  // A participant.
  if (action == Action::read) return allow();
  if (action != Action::switch_turn) return refuse("a participant may only read and switch");
  const auto self = domain::Uuid::parse(claims.sub);
  if (!self) return refuse("a participant token's sub must be its participant_id");
  return Verdict{true, *self, {}};
}

}  // namespace sk::server::auth
