// The shared rate limiter (redis_rate_limiter.h): builds the script's KEYS and ARGV
// from gcra.h's interval and limit (so both engines use the same T), and turns the
// script's microseconds into the wire's decision with gcra.h's rounding.
#include "server/limits/redis_rate_limiter.h"

#include <optional>
#include <utility>
#include <vector>

#include "server/limits/gcra.h"
#include "server/limits/rate_limit_lua.h"
#include "store/redis/redis_errors.h"
#include "store/redis/scripts.h"

namespace sk::server::limits {

namespace {

using store::redis::LuaScript;
using store::redis::Reply;
using store::redis::ReplyKind;

const LuaScript& rate_limit_script() {
  static const LuaScript script(lua::kRateLimit);
  return script;
}

// {allowed, remaining, reset µs, retry µs}, all integers; anything else is nullopt.
std::optional<GcraStep> step_of(const Reply& reply) {
  if (reply.kind != ReplyKind::array || reply.elements.size() != 4) return std::nullopt;
  for (const auto& e : reply.elements) {
    if (e.kind != ReplyKind::integer) return std::nullopt;
  }
  GcraStep step;
  step.allowed = reply.elements[0].integer == 1;
  step.remaining = reply.elements[1].integer;
  step.reset_in = Micros{reply.elements[2].integer};
  step.retry_in = Micros{reply.elements[3].integer};
  return step;
}

}  // namespace

RedisRateLimiter::RedisRateLimiter(store::redis::RedisClient& client, std::string key_prefix)
    : client_(client), prefix_(std::move(key_prefix)) {}

std::string RedisRateLimiter::redis_key(std::string_view key) const {
  std::string out;
  out.reserve(prefix_.size() + key.size() + 5);
  out.append(prefix_).append("rl:{").append(key).append("}");
  return out;
}

boost::asio::awaitable<domain::Result<RateDecision>> RedisRateLimiter::take(std::string_view key,
                                                                            RateLimit limit) {
  if (limit.unlimited()) co_return unlimited_decision();
  const Gcra gcra(limit);
  std::vector<std::string> keys;
  keys.push_back(redis_key(key));  // before the first suspension: `key` may not outlive it
  std::vector<std::string> args;
  args.push_back(std::to_string(gcra.interval().count()));
  args.push_back(std::to_string(gcra.limit()));

  const auto reply = co_await store::redis::run_script(client_, rate_limit_script(),
                                                       std::move(keys), std::move(args));
  if (!reply) co_return reply.error();
  if (reply->is_error()) co_return store::redis::unavailable("rate limit script: " + reply->str);
  const auto step = step_of(*reply);
  if (!step) {
    co_return store::redis::unavailable("unexpected rate limit reply " + reply->debug_string());
  }
  co_return to_decision(gcra.limit(), *step);
}

}  // namespace sk::server::limits
