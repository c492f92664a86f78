// The rate limiter's interface (issue 14, SPEC §7): GCRA buckets keyed by client,
// session or address; in memory on the embedded engine (memory_rate_limiter.h), in
// Redis across a fleet (redis_rate_limiter.h). The arithmetic is gcra.h, shared by
// both (the Redis script does the same sums in Lua).
//
// Contract of take():
// - Counts one request against `key` under `limit` and says whether it may proceed.
//   A refused request is not counted (it does not push the key further into debt).
// - `limit` <= 0, or a window <= 0, is unlimited: allowed at once, no I/O, and the
//   decision's `limit` is 0 (the caller sends no RateLimit-* headers).
// - The same key should always be used with the same RateLimit (distinct uses get
//   distinct key prefixes, e.g. "client:..." and "switch:...").
// - An Error (code unavailable) only when the shared store cannot be reached or
//   answers nonsense; the caller decides whether to fail open or closed. The memory
//   engine never fails.
// - Thread-safe: call from any thread of a multi-threaded io_context.
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

  bool unlimited() const { return limit <= 0 || window <= std::chrono::milliseconds::zero(); }
};

struct RateDecision {
  bool allowed = true;
  std::int64_t limit = 0;          // RateLimit-Limit (0: unlimited, no headers)
  std::int64_t remaining = 0;      // RateLimit-Remaining (after this request)
  std::int64_t reset_s = 0;        // RateLimit-Reset: seconds (ceil) until the bucket is full
  std::int64_t retry_after_s = 0;  // Retry-After when !allowed (ceil, >= 1); 0 when allowed

  friend bool operator==(const RateDecision&, const RateDecision&) = default;
};

// What take() answers for an unlimited RateLimit.
inline RateDecision unlimited_decision() { return RateDecision{}; }

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // `key` is read before the first suspension; it need not outlive the call.
  virtual boost::asio::awaitable<domain::Result<RateDecision>> take(std::string_view key,
                                                                    RateLimit limit) = 0;
};

}  // namespace sk::server::limits
