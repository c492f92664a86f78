// The in-process rate limiter (memory_rate_limiter.h): sharded maps of GCRA TATs,
// pruned as they fill. No I/O.
#include "server/limits/memory_rate_limiter.h"

#include <algorithm>
#include <vector>

namespace sk::server::limits {

namespace {

// A shard sweeps no more often than once per this many new keys while it is small.
constexpr std::size_t kMinSweepAt = 64;

}  // namespace

MemoryRateLimiter::MemoryRateLimiter(const domain::Clock& clock, std::size_t max_keys)
    : clock_(clock), shard_cap_(std::max<std::size_t>(1, max_keys / kShards)) {
  for (auto& shard : shards_) shard.sweep_at = std::min(kMinSweepAt, shard_cap_);
}

boost::asio::awaitable<domain::Result<RateDecision>> MemoryRateLimiter::take(std::string_view key,
                                                                             RateLimit limit) {
  co_return take_now(key, limit);
}

RateDecision MemoryRateLimiter::take_now(std::string_view key, RateLimit limit) {
  if (limit.unlimited()) return unlimited_decision();
  const Gcra gcra(limit);
  const auto now = std::chrono::duration_cast<Micros>(clock_.steady_now().time_since_epoch());
  Shard& shard = shard_of(key);

  std::lock_guard lock(shard.mu);
  auto it = shard.tats.find(key);
  const Micros tat = it == shard.tats.end() ? Micros::min() : it->second;
  const auto step = gcra.take(tat, now);
  if (step.allowed) {
    if (it != shard.tats.end()) {
      it->second = step.tat;
    } else {
      make_room(shard, now);
      shard.tats.emplace(std::string(key), step.tat);
    }
  }
  return to_decision(gcra.limit(), step);
}

std::size_t MemoryRateLimiter::size() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.tats.size();
  }
  return total;
}

MemoryRateLimiter::Shard& MemoryRateLimiter::shard_of(std::string_view key) {
  return shards_[StringHash{}(key) % kShards];
}

void MemoryRateLimiter::make_room(Shard& shard, Micros now) const {
  auto& tats = shard.tats;
  if (tats.size() < shard.sweep_at) return;
  std::erase_if(tats, [now](const auto& entry) { return entry.second <= now; });

  // Still crowded: forget the buckets nearest to full, down to half the cap. Leaving
  // a quarter of the cap free keeps the next sweep at least cap / 4 new keys away.
  if (tats.size() > shard_cap_ * 3 / 4) {
    std::vector<TatMap::iterator> entries;
    entries.reserve(tats.size());
    for (auto it = tats.begin(); it != tats.end(); ++it) entries.push_back(it);
    const std::size_t forget = tats.size() - shard_cap_ / 2;
    std::nth_element(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(forget),
                     entries.end(),
                     [](const auto& a, const auto& b) { return a->second < b->second; });
    for (std::size_t i = 0; i < forget; ++i) tats.erase(entries[i]);
  }
  shard.sweep_at = std::min(std::max(2 * tats.size(), kMinSweepAt), shard_cap_);
}

}  // namespace sk::server::limits
