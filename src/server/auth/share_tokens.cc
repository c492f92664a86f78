#include "server/auth/share_tokens.h"

#include "server/auth/token_minter.h"

namespace sk::server::auth {

ShareTokenIssuer::ShareTokenIssuer(ShareTokenSettings settings) : settings_(std::move(settings)) {}

ShareTokens ShareTokenIssuer::issue(const domain::Uuid& session,
                                    const std::vector<domain::Uuid>& participants,
                                    const domain::Uuid& viewer, std::int64_t now_s) const {
  ShareTokens tokens;
  tokens.host = mint(Role::arbiter, "host", session, now_s);
  tokens.viewer = mint(Role::participant, viewer.to_string(), session, now_s);
  for (const auto& id : participants) {
    tokens.participants.emplace_back(id, mint(Role::participant, id.to_string(), session, now_s));
  }
  tokens.expires_at_s = now_s + settings_.ttl.count();
  return tokens;
}

std::string ShareTokenIssuer::mint(Role role, std::string sub, const domain::Uuid& session,
                                   std::int64_t now_s) const {
  Claims claims;
  claims.sub = std::move(sub);
  claims.role = role;
  claims.sessions = {session.to_string()};
  claims.iat = now_s;
  claims.exp = now_s + settings_.ttl.count();
  claims.iss = settings_.issuer;
  if (settings_.audience) claims.aud = {*settings_.audience};
  return mint_hs256(claims, settings_.secret);
}

}  // namespace sk::server::auth
