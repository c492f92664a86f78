// Auth and rate limits as the configuration asks for them (SPEC §7), built here so
// that main stays a list of components:
//   JWT_SECRET            HS256 (refused under 32 bytes)
//   JWT_PUBLIC_KEY_FILE   RS256 or ES256, by the key's type
//   neither               auth off (warned about on the Redis engine: a fleet is
//                         usually on a network)
//   RATE_LIMIT_*          in memory on the embedded engine, in Redis on the Redis one
// Also `synckairos token`, which mints an HS256 token with JWT_SECRET.
#pragma once

#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <spdlog/logger.h>

#include "app/config.h"
#include "domain/clock.h"
#include "server/auth/share_tokens.h"
#include "server/auth/token.h"
#include "server/http/request_guard.h"
#include "server/limits/rate_limiter.h"
#include "store/redis/redis_client.h"

namespace sk::app {

struct SecurityParts {
  std::optional<server::auth::TokenVerifier> verifier;
  std::unique_ptr<store::redis::RedisClient> redis;  // the Redis limiter's connection
  std::unique_ptr<server::limits::RateLimiter> limiter;
  // The web page's share-link tokens: only with an HS256 secret to sign them.
  std::optional<server::auth::ShareTokenIssuer> share_issuer;

  // For ServerOptions::guard; points into this, which must outlive the server.
  server::http::GuardOptions guard_options(const Config& config, spdlog::logger& log) const;
};

// Throws std::invalid_argument for unusable settings (a short secret, an unreadable
// key file, both a secret and a key file, bad trusted proxies).
SecurityParts make_security(const Config& config, boost::asio::any_io_executor executor,
                            const domain::Clock& clock, spdlog::logger& log);

// `synckairos token`: prints the token on stdout; the process exit code.
int run_token(const Config& config, const domain::Clock& clock, spdlog::logger& log);

}  // namespace sk::app
