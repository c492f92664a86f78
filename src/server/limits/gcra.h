// GCRA (the generic cell rate algorithm): a token bucket kept as ONE number per key,
// its theoretical arrival time (TAT). Pure arithmetic: no clock, no I/O, no locks;
// the caller hands in `now` and stores the new TAT (memory_rate_limiter.h in a map,
// lua/rate_limit.lua in Redis, LocalRateLimit below in a connection).
//
// With `limit` requests per `window`:
//   T (emission interval) = window / limit, in whole microseconds (at least 1 µs);
//   capacity              = limit * T (the window, less the rounding of T, so that
//                           exactly `limit` requests pass from a full bucket; with the
//                           window itself, 1500 per second would let 1501 through);
//   a request at `now`:     tat' = max(tat, now) + T; allowed iff tat' - now <= capacity,
//                           and then the stored TAT becomes tat' (a refusal keeps tat);
//   remaining             = floor((capacity - (tat' - now)) / T), in [0, limit];
//   reset                 = tat' - now: when the bucket is full again (tat <= now);
//   retry after           = max(tat, now) + T - capacity - now: the first instant the
//                           next request passes.
// So `limit` back-to-back requests pass from a full bucket, then one every T. A TAT
// at or before `now` is a full bucket: the same as no entry at all, so it may be
// forgotten. Microseconds keep the rounding of T small (1000 ms / 3 = 333,333 µs) and
// unix microseconds (~1.8e15) exact in Lua's doubles (< 2^53). To keep every sum
// far from overflow (and below 2^53 in Lua), a limit above kMaxLimit counts as
// kMaxLimit and a window above kMaxWindow as kMaxWindow; no real limit is near them.
#pragma once

#include <chrono>
#include <cstdint>

#include "server/limits/rate_limiter.h"

namespace sk::server::limits {

using Micros = std::chrono::microseconds;

// One request's outcome in microseconds, before rounding to the wire's seconds.
struct GcraStep {
  bool allowed = true;
  std::int64_t remaining = 0;
  Micros tat{0};       // the TAT to store (unchanged when refused)
  Micros reset_in{0};  // until the bucket is full again
  Micros retry_in{0};  // until the next request would pass; 0 when allowed
};

// Seconds, rounded up: what RateLimit-Reset and Retry-After carry.
std::int64_t ceil_seconds(Micros d);

// The wire's decision for a step of a `limit`-request bucket: seconds rounded up,
// Retry-After at least 1 when refused. The Redis limiter converts its script's reply
// with this too, so both engines round alike.
RateDecision to_decision(std::int64_t limit, const GcraStep& step);

class Gcra {
 public:
  static constexpr std::int64_t kMaxLimit = 1'000'000'000;
  static constexpr std::chrono::milliseconds kMaxWindow = std::chrono::hours(24 * 366);

  // `limit` must not be unlimited() (check first: there is nothing to compute).
  // Clamped to kMaxLimit and kMaxWindow.
  explicit Gcra(RateLimit limit);

  std::int64_t limit() const { return limit_; }
  Micros interval() const { return interval_; }
  Micros capacity() const { return interval_ * limit_; }

  // One request at `now` against a key whose stored TAT is `tat` (any value at or
  // before `now`, e.g. Micros::min(), for a key never seen). Same epoch for both.
  GcraStep take(Micros tat, Micros now) const;

 private:
  std::int64_t limit_;
  Micros interval_;
};

// One bucket of its own, for a limit that belongs to one connection (e.g. messages
// per WebSocket connection): no map, no lock. Not thread-safe: one owner.
class LocalRateLimit {
 public:
  explicit LocalRateLimit(RateLimit limit) : limit_(limit) {}

  RateDecision take(std::chrono::steady_clock::time_point now);

 private:
  RateLimit limit_;
  Micros tat_ = Micros::min();
};

}  // namespace sk::server::limits
