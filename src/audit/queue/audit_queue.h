// AuditQueue: moves audit records from the store to the audit database without the
// hot path ever waiting for it (SPEC §6, the seeds' DBWriteQueue). Two kinds:
// - RedisAuditQueue: the Redis engine's durable queue, the per-shard audit streams
//   the store scripts append to, consumed by a consumer group (any instance, any
//   number of them; a crashed instance's records are claimed by another).
// - LocalAuditQueue: the memory engine's in-process queue (one instance; what is
//   queued when the process dies is lost, as is the memory engine's state).
#pragma once

#include <chrono>
#include <cstdint>

#include <boost/asio/awaitable.hpp>

#include "domain/result.h"

namespace sk::audit {

// The seeds' getMetrics, plus dead-lettered and lag.
struct QueueStats {
  std::int64_t waiting = 0;        // queued, not yet taken by a worker
  std::int64_t active = 0;         // being written now (this instance)
  std::int64_t completed = 0;      // written (this instance, since start)
  std::int64_t failed = 0;         // failed attempts (this instance, since start)
  std::int64_t delayed = 0;        // waiting for a retry (this instance)
  std::int64_t dead_lettered = 0;  // in the dead-letter stream (all instances)
  std::int64_t oldest_lag_ms = 0;  // age of the oldest record not yet written; 0 if none
};

class AuditQueue {
 public:
  virtual ~AuditQueue() = default;

  virtual void start() = 0;
  // Waits until what this instance took is written (or `timeout`), then stops; what
  // is still queued stays queued (in Redis) for the next worker.
  virtual boost::asio::awaitable<void> stop(std::chrono::milliseconds timeout) = 0;
  virtual boost::asio::awaitable<domain::Result<QueueStats>> stats() = 0;
};

}  // namespace sk::audit
