// The door every request to a session passes (SPEC §7), in this order:
//   1. the token, if auth is on: verified, or the reason it is not;
//   2. the per-client rate limit (the token's sub, else the client's address), so a
//      flood of bad tokens is throttled before it costs a verification each time;
//   3. 401 for a missing or bad token;
//   4. the role's permission for the action on the session (403);
//   5. the per-session switch limit, or the per-address WebSocket connect limit.
// The tightest limit taken gives the RateLimit-* headers. When the shared limiter
// cannot be reached, reads are let through and writes answer 503, like every other
// store call. Denials are counted and logged with their reason, never the token.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "domain/clock.h"
#include "domain/errors.h"
#include "domain/uuid.h"
#include "server/auth/access_policy.h"
#include "server/auth/token.h"
#include "server/http/client_address.h"
#include "server/limits/rate_limiter.h"
#include "server/metrics.h"

namespace sk::server::http {

// What a denial log line says. Never any part of the token.
struct Denial {
  std::string_view status;   // "unauthorized", "forbidden", "rate_limited", "limiter_unavailable"
  std::string_view reason;   // e.g. "expired", "the token does not cover this session", "switch"
  std::string_view client;   // the client's address
  std::string_view subject;  // the token's sub, when it verified
  std::string_view what;     // the route pattern, or "/ws"
};

struct GuardOptions {
  const auth::TokenVerifier* verifier = nullptr;  // null: auth off, every request allowed
  limits::RateLimiter* limiter = nullptr;         // null: no rate limits
  limits::RateLimit client_limit;                 // per client, every guarded request
  limits::RateLimit switch_limit;                 // per session, switch only
  limits::RateLimit ws_connect_limit;             // per address, WebSocket upgrades
  TrustedProxies trusted_proxies;
  std::int64_t token_leeway_s = 0;  // the verifier's, for a WebSocket's close at expiry
  std::function<void(const Denial&)> on_denied;  // for the log; may be empty
};

// One request, as the guard needs to see it.
struct Entry {
  std::string_view token;  // the bearer token as sent; empty: none sent
  std::string client;      // client_address() of the request
  auth::Action action = auth::Action::read;
  std::optional<domain::Uuid> session;
  bool writes = false;      // a state-changing request (decides fail-open or 503)
  bool ws_connect = false;  // a WebSocket upgrade (its own limit instead of the client one)
  std::string_view what;    // the route pattern, for logs
};

struct Admission {
  std::optional<domain::Error> refused;            // answer with this (401, 403, 429 or 503)
  std::optional<auth::Claims> claims;              // auth is on and the token verified
  std::optional<domain::Uuid> acting_participant;  // a participant's switch
  std::optional<limits::RateDecision> rate;        // for RateLimit-* and Retry-After
  // When the verified token stops being valid (exp + leeway, unix ms).
  std::optional<std::int64_t> token_expires_at_ms;
};

class RequestGuard {
 public:
  RequestGuard(GuardOptions options, Metrics& metrics, const domain::Clock& clock);

  bool auth_enabled() const { return options_.verifier != nullptr; }
  const TrustedProxies& trusted_proxies() const { return options_.trusted_proxies; }

  boost::asio::awaitable<Admission> admit(const Entry& entry) const;

  // A token sent on an open WebSocket (AUTH): its claims if it verifies and may still
  // read `session`, else the error to close with. Counted and logged like a request.
  struct TokenCheck {
    std::optional<domain::Error> refused;
    std::int64_t expires_at_ms = 0;  // exp + leeway, when not refused
  };
  TokenCheck check_token(std::string_view token, const domain::Uuid& session,
                         std::string_view client) const;

 private:
  // Takes one request from `key`'s bucket; folds the decision into `admission`.
  // false when the request must stop here (admission.refused is then set).
  boost::asio::awaitable<bool> take(std::string key, const limits::RateLimit& limit,
                                    std::string_view name, const Entry& entry,
                                    Admission& admission) const;
  std::int64_t expires_at_ms(const auth::Claims& claims) const;
  void deny(std::string_view status, std::string_view reason, const Entry& entry,
            std::string_view subject) const;

  GuardOptions options_;
  Metrics& metrics_;
  const domain::Clock& clock_;
};

// The token of `Authorization: Bearer <token>` (scheme case-insensitive); empty when
// the header is absent or another scheme.
std::string_view bearer_token(std::string_view authorization);

}  // namespace sk::server::http
