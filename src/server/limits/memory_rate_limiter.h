// MemoryRateLimiter: the rate limiter of the embedded engine (one instance, no Redis):
// a GCRA TAT per key (gcra.h) in an in-process map. Time is the injected clock's
// steady time (a local duration, SPEC: steady time is for local durations).
//
// Concurrency: the keys are spread over kShards maps, each behind its own mutex, so
// threads taking different keys rarely wait for one another; a take() holds one lock
// for a lookup and a few sums (no I/O, no allocation for a known key).
//
// Memory is bounded:
// - A key whose bucket is full again (TAT <= now) means the same as no entry, so it is
//   pruned: a shard sweeps its map when a new key would take it past a threshold
//   (twice its size after the last sweep), which costs O(1) amortised per new key.
// - A hard cap: the limiter never tracks more than max_keys keys (max_keys /
//   kShards per shard, at least 1). When a sweep leaves a shard more than 3/4 full,
//   it forgets the entries nearest to full (smallest TAT) until it is half full:
//   those keys get their burst back early. A flood of distinct keys (e.g. spoofed
//   addresses) therefore never refuses a newcomer because the table is full, and the
//   keys deepest in debt, the ones actually being limited, are the last forgotten.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/clock.h"
#include "server/limits/gcra.h"
#include "server/limits/rate_limiter.h"

namespace sk::server::limits {

class MemoryRateLimiter final : public RateLimiter {
 public:
  static constexpr std::size_t kShards = 16;

  // `clock` must outlive the limiter.
  explicit MemoryRateLimiter(const domain::Clock& clock, std::size_t max_keys = 100'000);

  // Never an Error; never suspends.
  boost::asio::awaitable<domain::Result<RateDecision>> take(std::string_view key,
                                                            RateLimit limit) override;

  // The same, synchronously (for callers outside a coroutine).
  RateDecision take_now(std::string_view key, RateLimit limit);

  // Keys tracked now, over all shards (tests and metrics).
  std::size_t size() const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using TatMap = std::unordered_map<std::string, Micros, StringHash, std::equal_to<>>;

  struct Shard {
    mutable std::mutex mu;
    TatMap tats;
    std::size_t sweep_at = 0;  // sweep when a new key finds this many entries
  };

  Shard& shard_of(std::string_view key);
  // Makes room for one new key in `shard` (its lock held).
  void make_room(Shard& shard, Micros now) const;

  const domain::Clock& clock_;
  std::size_t shard_cap_;
  std::array<Shard, kShards> shards_;
};

}  // namespace sk::server::limits
