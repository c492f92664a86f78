// StreamStats: the Redis audit queue as the whole fleet sees it, read from Redis
// alone: for RedisAuditQueue::stats() (with the instance's own figures added) and
// for `synckairos audit status`.
#pragma once

#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "domain/result.h"
#include "domain/time.h"
#include "store/redis/key_space.h"
#include "store/redis/redis_client.h"

namespace sk::audit {

struct StreamStats {
  std::int64_t waiting = 0;        // in the streams, not yet taken by any worker
  std::int64_t pending = 0;        // taken by a worker, not yet written (all instances)
  std::int64_t dead_lettered = 0;  // entries in the dead-letter stream
  std::int64_t oldest_lag_ms = 0;  // age of the oldest entry not yet written; 0 if none
  // Since the counters were created (all instances).
  std::int64_t completed_total = 0;
  std::int64_t failed_total = 0;
  std::int64_t dead_lettered_total = 0;
};

// Names of the queue's own keys, besides the store's audit streams.
std::string dead_letter_key(const store::redis::KeySpace& keys);
std::string audit_stats_key(const store::redis::KeySpace& keys);

// One pipelined round trip.
boost::asio::awaitable<domain::Result<StreamStats>> read_stream_stats(
    store::redis::RedisClient& client, const store::redis::KeySpace& keys, const std::string& group,
    domain::TimePoint now);

// For a terminal: one "name value" line per figure.
std::string format_stream_stats(const StreamStats& s);

}  // namespace sk::audit
