// Tokens for the web page's share links (POST /v1/sessions/:id/share): one for the
// host (an arbiter of that session), one read-only for viewers, one per player, each
// covering that session only and expiring together. Only a server that holds an HS256
// secret can issue them; one that only verifies (RS256/ES256 public key) cannot, and
// says so in the answer. No I/O here.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "domain/uuid.h"
#include "server/auth/claims.h"

namespace sk::server::auth {

struct ShareTokens {
  std::string host;  // role arbiter, sub "host"
  // Role participant, with a fresh random UUID as sub that names no participant: it
  // reads, and can never switch (a participant token's sub must be a UUID).
  std::string viewer;
  std::vector<std::pair<domain::Uuid, std::string>> participants;  // sub = participant_id
  std::int64_t expires_at_s = 0;
};

struct ShareTokenSettings {
  std::string secret;  // HS256 key, >= 32 bytes
  std::chrono::seconds ttl{24 * 3600};
  std::optional<std::string> issuer;    // the `iss` the verifier requires, if any
  std::optional<std::string> audience;  // the `aud` the verifier requires, if any
};

class ShareTokenIssuer {
 public:
  explicit ShareTokenIssuer(ShareTokenSettings settings);

  // `viewer`: the viewers' sub, a UUID no participant has (a random one).
  ShareTokens issue(const domain::Uuid& session, const std::vector<domain::Uuid>& participants,
                    const domain::Uuid& viewer, std::int64_t now_s) const;

 private:
  std::string mint(Role role, std::string sub, const domain::Uuid& session,
                   std::int64_t now_s) const;

  ShareTokenSettings settings_;
};

}  // namespace sk::server::auth
