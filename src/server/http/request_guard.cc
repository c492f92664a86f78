#include "server/http/request_guard.h"

#include <cctype>

namespace sk::server::http {

namespace asio = boost::asio;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::int64_t unix_seconds(const domain::Clock& clock) {
  return domain::to_unix_ms(clock.wall_now()) / 1000;
}

// Of two decisions, the one the client is closest to exhausting: its headers are the
// ones that tell the client when to slow down.
void keep_tightest(std::optional<limits::RateDecision>& kept, const limits::RateDecision& d) {
  if (!kept || !d.allowed || (kept->allowed && d.remaining < kept->remaining)) kept = d;
}

}  // namespace

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size() ||
      !iequals(authorization.substr(0, kScheme.size()), kScheme) ||
      authorization[kScheme.size()] != ' ') {
    return {};
  }
  auto token = authorization.substr(kScheme.size() + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

RequestGuard::RequestGuard(GuardOptions options, Metrics& metrics, const domain::Clock& clock)
    : options_(std::move(options)), metrics_(metrics), clock_(clock) {
  if (!options_.limiter) return;
  metrics_.set_rate_limit("client", options_.client_limit.limit, options_.client_limit.window);
  metrics_.set_rate_limit("switch", options_.switch_limit.limit, options_.switch_limit.window);
  metrics_.set_rate_limit("ws_connect", options_.ws_connect_limit.limit,
                          options_.ws_connect_limit.window);
}

void RequestGuard::deny(std::string_view status, std::string_view reason, const Entry& entry,
                        std::string_view subject) const {
  if (status == "unauthorized" || status == "forbidden") {
    metrics_.auth_denied(status == "forbidden" ? std::string_view{"forbidden"} : reason);
  }
  if (options_.on_denied)
    options_.on_denied(Denial{status, reason, entry.client, subject, entry.what});
}

asio::awaitable<bool> RequestGuard::take(std::string key, const limits::RateLimit& limit,
                                         std::string_view name, const Entry& entry,
                                         Admission& admission) const {
  if (!options_.limiter || limit.limit <= 0) co_return true;
  auto decision = co_await options_.limiter->take(key, limit);
  if (!decision) {
    metrics_.rate_limiter_unavailable();
    if (!entry.writes) co_return true;  // fail open for reads
    deny("limiter_unavailable", name, entry, {});
    admission.refused = domain::Error::unavailable("the rate limiter");
    co_return false;
  }
  keep_tightest(admission.rate, *decision);
  if (decision->allowed) co_return true;
  metrics_.rate_limited(name);
  deny("rate_limited", name, entry, admission.claims ? admission.claims->sub : std::string_view{});
  admission.refused = domain::Error::rate_limited(name);
  co_return false;
}

asio::awaitable<Admission> RequestGuard::admit(const Entry& entry) const {
  Admission admission;
  std::optional<auth::TokenProblem> problem;
  bool missing = false;
  if (options_.verifier) {
    if (entry.token.empty()) {
      missing = true;
    } else {
      auto verified = options_.verifier->verify(entry.token, unix_seconds(clock_));
      if (verified.claims) {
        admission.claims = std::move(verified.claims);
      } else {
        problem = verified.problem;
      }
    }
  }

  // Rate limits first: the key is the token's sub only once the token has verified,
  // so a forged token cannot pick someone else's bucket (or a fresh one).
  if (entry.ws_connect) {
    const bool ok = co_await take("ws:ip:" + entry.client, options_.ws_connect_limit, "ws_connect",
                                  entry, admission);
    if (!ok) co_return admission;
  } else {
    std::string key =
        admission.claims ? "client:sub:" + admission.claims->sub : "client:ip:" + entry.client;
    const bool ok =
        co_await take(std::move(key), options_.client_limit, "client", entry, admission);
    if (!ok) co_return admission;
  }

  if (missing || problem) {
    const std::string_view reason = missing ? "missing_token" : auth::to_string(*problem);
    deny("unauthorized", reason, entry, {});
    admission.refused = domain::Error::unauthorized(reason);
    co_return admission;
  }
  if (admission.claims) {
    const auto verdict = auth::authorize(*admission.claims, entry.action, entry.session);
    if (!verdict.allowed) {
      deny("forbidden", verdict.reason, entry, admission.claims->sub);
      admission.refused = domain::Error::forbidden(verdict.reason);
      co_return admission;
    }
    admission.acting_participant = verdict.acting_participant;
    admission.token_expires_at_ms = expires_at_ms(*admission.claims);
  }

  if (entry.action == auth::Action::switch_turn && entry.session) {
    const bool ok = co_await take("switch:" + entry.session->to_string(), options_.switch_limit,
                                  "switch", entry, admission);
    if (!ok) co_return admission;
  }
  co_return admission;
}

RequestGuard::TokenCheck RequestGuard::check_token(std::string_view token,
                                                   const domain::Uuid& session,
                                                   std::string_view client) const {
  if (!options_.verifier) return {};
  const Entry entry{{}, std::string{client}, auth::Action::read, session, false, false, "/ws"};
  if (token.empty()) {
    deny("unauthorized", "missing_token", entry, {});
    return {domain::Error::unauthorized("missing_token")};
  }
  auto verified = options_.verifier->verify(token, unix_seconds(clock_));
  if (!verified.claims) {
    const auto reason = auth::to_string(verified.problem);
    deny("unauthorized", reason, entry, {});
    return {domain::Error::unauthorized(reason)};
  }
  const auto verdict = auth::authorize(*verified.claims, auth::Action::read, session);
  if (!verdict.allowed) {
    deny("forbidden", verdict.reason, entry, verified.claims->sub);
    return {domain::Error::forbidden(verdict.reason)};
  }
  return {std::nullopt, expires_at_ms(*verified.claims)};
}

std::int64_t RequestGuard::expires_at_ms(const auth::Claims& claims) const {
  return (claims.exp + options_.token_leeway_s) * 1000;
}

}  // namespace sk::server::http
