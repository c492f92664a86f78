// RedisRateLimiter: the rate limiter shared by a fleet: each take() is ONE EVALSHA of
// lua/rate_limit.lua (GCRA on Redis's clock, atomic), so every instance counts against
// the same buckets. The script is called by SHA-1 and loaded again on NOSCRIPT (Redis
// restarted or flushed its scripts), as the store's scripts are (store/redis/scripts.h).
//
// Keys: <prefix>rl:{<key>}, one string per bucket, expiring when the bucket is full
// again. The braces are a hash tag: the script touches one key, so it runs on any
// Redis Cluster node holding that slot.
//
// Failure: an Error (unavailable) when Redis cannot be reached, times out (the
// client's command timeout bounds every call) or answers something else than the
// script's reply; the caller decides whether to fail open or closed.
#pragma once

#include <string>
#include <string_view>

#include "server/limits/rate_limiter.h"
#include "store/redis/redis_client.h"

namespace sk::server::limits {

class RedisRateLimiter final : public RateLimiter {
 public:
  // `client` must outlive the limiter. `key_prefix` as the store's (e.g. "sk:").
  RedisRateLimiter(store::redis::RedisClient& client, std::string key_prefix);

  boost::asio::awaitable<domain::Result<RateDecision>> take(std::string_view key,
                                                            RateLimit limit) override;

  // The Redis key of `key`'s bucket (tests look at its TTL).
  std::string redis_key(std::string_view key) const;

 private:
  store::redis::RedisClient& client_;
  std::string prefix_;
};

}  // namespace sk::server::limits
