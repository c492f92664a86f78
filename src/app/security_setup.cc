#include "app/security_setup.h"

#include <cstdio>
#include <stdexcept>

#include "app/logging.h"
#include "server/auth/token_minter.h"
#include "server/limits/memory_rate_limiter.h"
#include "server/limits/redis_rate_limiter.h"
#include "store/redis/redis_url.h"

namespace sk::app {

namespace {

server::auth::VerifierOptions verifier_options(const Config& c) {
  server::auth::VerifierOptions o;
  o.leeway_s = c.jwt_leeway_s;
  if (!c.jwt_issuer.empty()) o.issuer = c.jwt_issuer;
  if (!c.jwt_audience.empty()) o.audience = c.jwt_audience;
  return o;
}

std::optional<server::auth::TokenVerifier> make_verifier(const Config& c) {
  if (!c.jwt_secret.empty() && !c.jwt_public_key_file.empty()) {
    throw std::invalid_argument(
        "JWT_SECRET and JWT_PUBLIC_KEY_FILE are both set: configure one key");
  }
  if (!c.jwt_secret.empty()) {
    auto v = server::auth::TokenVerifier::from_secret(c.jwt_secret, verifier_options(c));
    if (!v) throw std::invalid_argument("JWT_SECRET: " + v.error().violations.at(0).message);
    return std::move(*v);
  }
  if (!c.jwt_public_key_file.empty()) {
    auto v = server::auth::TokenVerifier::from_public_key_file(c.jwt_public_key_file,
                                                               verifier_options(c));
    if (!v) {
      const auto& e = v.error();
      throw std::invalid_argument("JWT_PUBLIC_KEY_FILE: " +
                                  (e.violations.empty() ? e.message : e.violations[0].message));
    }
    return std::move(*v);
  }
  return std::nullopt;
}

bool any_limit(const Config& c) {
  return c.rate_limit_client_max > 0 || c.rate_limit_switch_max > 0 ||
         c.rate_limit_ws_connect_max > 0;
}

}  // namespace

SecurityParts make_security(const Config& config, boost::asio::any_io_executor executor,
                            const domain::Clock& clock, spdlog::logger& log) {
  SecurityParts parts;
  parts.verifier = make_verifier(config);
  if (parts.verifier) {
    log.info(R"("msg":"auth on","algorithm":"{}")", parts.verifier->algorithm());
  } else if (!config.redis_url.empty()) {
    log.warn(
        R"("msg":"auth off: any client may act on any session; set JWT_SECRET or JWT_PUBLIC_KEY_FILE")");
  }
  if (parts.verifier && !config.jwt_secret.empty()) {
    server::auth::ShareTokenSettings share;
    share.secret = config.jwt_secret;
    share.ttl = std::chrono::seconds{config.share_token_ttl_s};
    if (!config.jwt_issuer.empty()) share.issuer = config.jwt_issuer;
    if (!config.jwt_audience.empty()) share.audience = config.jwt_audience;
    parts.share_issuer.emplace(std::move(share));
  }
  if (auto proxies = server::http::TrustedProxies::parse(config.trusted_proxies); !proxies) {
    throw std::invalid_argument("TRUSTED_PROXIES: " + proxies.error().violations.at(0).message);
  }
  if (!any_limit(config)) return parts;
  if (config.redis_url.empty()) {
    parts.limiter = std::make_unique<server::limits::MemoryRateLimiter>(clock);
    return parts;
  }
  auto url = store::redis::parse_redis_url(config.redis_url);
  if (!url) throw std::invalid_argument("REDIS_URL: " + url.error().message);
  store::redis::RedisClientOptions options;
  options.pool_size = 2;  // one EVALSHA per request; pipelined, so two go a long way
  parts.redis = std::make_unique<store::redis::RedisClient>(executor, *url, options);
  parts.limiter =
      std::make_unique<server::limits::RedisRateLimiter>(*parts.redis, config.key_prefix);
  return parts;
}

server::http::GuardOptions SecurityParts::guard_options(const Config& config,
                                                        spdlog::logger& log) const {
  server::http::GuardOptions g;
  g.verifier = verifier ? &*verifier : nullptr;
  g.limiter = limiter.get();
  const std::chrono::milliseconds window{config.rate_limit_window_ms};
  g.client_limit = {config.rate_limit_client_max, window};
  g.switch_limit = {config.rate_limit_switch_max, window};
  g.ws_connect_limit = {config.rate_limit_ws_connect_max, window};
  g.trusted_proxies = *server::http::TrustedProxies::parse(config.trusted_proxies);
  g.token_leeway_s = config.jwt_leeway_s;
  g.on_denied = [&log](const server::http::Denial& d) {
    // Never the token: only why, who (address, and sub once verified) and where.
    log.warn(R"("msg":"denied","status":"{}","reason":"{}","client":"{}","sub":"{}","route":"{}")",
             d.status, json_escape(d.reason), json_escape(d.client), json_escape(d.subject),
             json_escape(d.what));
  };
  return g;
}

int run_token(const Config& config, const domain::Clock& clock, spdlog::logger& log) {
  if (config.jwt_secret.size() < 32) {
    log.error(R"("msg":"token: JWT_SECRET must be set and at least 32 bytes")");
    return 2;
  }
  server::auth::Claims claims;
  claims.sub = config.token.sub;
  claims.role = *server::auth::parse_role(config.token.role);
  claims.sessions = config.token.sessions;
  const auto now_s = domain::to_unix_ms(clock.wall_now()) / 1000;
  claims.iat = now_s;
  claims.exp = now_s + config.token.ttl_s;
  if (!config.jwt_issuer.empty()) claims.iss = config.jwt_issuer;
  if (!config.jwt_audience.empty()) claims.aud = {config.jwt_audience};
  const auto token = server::auth::mint_hs256(claims, config.jwt_secret);
  // Checked with the server's own verifier, so a token this prints is one it accepts.
  const auto verifier = make_verifier(config);
  const auto verified = verifier->verify(token, now_s);
  if (!verified.claims) {
    log.error(R"("msg":"token: refused by the verifier","reason":"{}")",
              server::auth::to_string(verified.problem));
    return 2;
  }
  std::fputs((token + "\n").c_str(), stdout);
  return 0;
}

}  // namespace sk::app
