// The rate limiter's interface (issue 14): GCRA buckets keyed by client, session or
// address; in memory on the embedded engine, in Redis across a fleet.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "domain/result.h"

namespace sk::server::limits {

struct RateLimit {         // `limit` requests per `window`, burst up to `limit`
  std::int64_t limit = 0;  // 0 = unlimited (take() always allows, no I/O)
  std::chrono::milliseconds window{1000};
};

struct RateDecision {
  bool allowed = true;
  std::int64_t limit = 0;          // RateLimit-Limit
  std::int64_t remaining = 0;      // RateLimit-Remaining (after this request)
  std::int64_t reset_s = 0;        // RateLimit-Reset: seconds until the bucket is full again
  std::int64_t retry_after_s = 0;  // Retry-After when !allowed (>= 1)
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  virtual boost::asio::awaitable<domain::Result<RateDecision>> take(std::string_view key,
                                                                    RateLimit limit) = 0;
};

}  // namespace sk::server::limits
