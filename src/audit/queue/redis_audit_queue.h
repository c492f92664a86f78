// RedisAuditQueue: the audit workers of the Redis engine (SPEC §6). The store's
// scripts append every event to the audit stream of its shard in the same atomic
// step as the write; this consumes those streams with a consumer group and writes
// them to the audit database.
//
// - Every instance runs one; the consumer group shares the records among them. A
//   record is acknowledged (XACK) and deleted (XDEL) only after the transaction that
//   holds it committed, so a crash at any point loses nothing: what a dead instance
//   took stays pending and is claimed (XAUTOCLAIM) by another once idle for
//   `reclaim_min_idle`. Writes are idempotent (event ids), so a record written twice
//   is stored once.
// - Up to `concurrency` batches of up to `batch_size` records are in flight, each
//   written in one transaction on a pool thread. A shard's records go to one batch
//   (small shards share one), and no two batches in flight hold the same shard: a
//   session lives in one shard, so concurrent transactions never lock the same rows.
// - Failures (RetryPolicy): database unreachable → pause and retry the batch, never
//   dead-letter; a batch refused → split in halves to isolate the bad records; a
//   record rejected (malformed, constraint violation) → dead-letter at once; a record
//   that failed → retried with backoff, dead-lettered after max_attempts. A
//   dead-lettered record goes to `<prefix>audit:dead` with its error, is counted, and
//   `on_alert` is called.
// - A Redis that lost its data (restart without persistence, FLUSHALL) answers
//   NOGROUP: the group is recreated (with MKSTREAM) and work goes on.
// - Fleet-wide counters live in the hash `<prefix>audit:stats` (completed, failed,
//   dead_lettered), for `synckairos audit status`.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "audit/queue/audit_queue.h"
#include "audit/queue/batch_writer.h"
#include "domain/clock.h"
#include "store/redis/key_space.h"
#include "store/redis/redis_client.h"

namespace sk::audit {

namespace asio = boost::asio;

struct RedisAuditQueueOptions {
  std::string group = "audit";
  std::string consumer;  // unique per instance; empty: a random one
  std::size_t batch_size = 500;
  std::size_t concurrency = 10;                       // batches in flight
  std::chrono::milliseconds poll_interval{50};        // between reads when idle
  std::chrono::milliseconds reclaim_interval{5000};   // how often to look for orphans
  std::chrono::milliseconds reclaim_min_idle{60000};  // pending this long: orphaned
  RetryPolicy retry;
  // The database probe's answer (may be empty): ends an outage pause once the
  // database is back (BatchWriter).
  std::function<bool()> database_up;
};

class RedisAuditQueue final : public AuditQueue,
                              public std::enable_shared_from_this<RedisAuditQueue> {
 public:
  using Alert = std::function<void(const std::string&)>;

  static std::shared_ptr<RedisAuditQueue> make(asio::any_io_executor executor,
                                               std::shared_ptr<store::redis::RedisClient> client,
                                               store::redis::KeySpace keys,
                                               std::shared_ptr<WriterPool> writers,
                                               const domain::Clock& clock,
                                               RedisAuditQueueOptions options, Alert on_alert = {});

  void start() override;
  asio::awaitable<void> stop(std::chrono::milliseconds timeout) override;
  asio::awaitable<domain::Result<QueueStats>> stats() override;

 private:
  using Batch = BatchWriter::Batch;

  RedisAuditQueue(asio::any_io_executor executor, std::shared_ptr<store::redis::RedisClient> client,
                  store::redis::KeySpace keys, std::shared_ptr<WriterPool> writers,
                  const domain::Clock& clock, RedisAuditQueueOptions options, Alert on_alert);
  BatchWriter::Outcomes outcomes();

  static asio::awaitable<void> run(std::shared_ptr<RedisAuditQueue> self);
  static asio::awaitable<void> process(std::shared_ptr<RedisAuditQueue> self, Batch batch);
  static asio::awaitable<void> stop_here(std::shared_ptr<RedisAuditQueue> self,
                                         std::chrono::milliseconds timeout);
  static asio::awaitable<std::optional<domain::Result<QueueStats>>> stats_here(
      std::shared_ptr<RedisAuditQueue> self);

  asio::awaitable<void> ensure_groups();
  asio::awaitable<std::vector<Batch>> read_new();
  asio::awaitable<Batch> reclaim();
  // Takes the entries' fields out of `entries`.
  void entries_of(store::redis::Reply& entries, int shard, Batch& out);
  void dispatch(Batch batch);
  asio::awaitable<void> acknowledge(const Batch& batch, const char* counter);
  asio::awaitable<void> dead_letter(const QueuedRecord& entry, const std::string& error);
  asio::awaitable<domain::Result<QueueStats>> read_stats();

  const asio::strand<asio::any_io_executor> strand_;
  const std::shared_ptr<store::redis::RedisClient> client_;
  const store::redis::KeySpace keys_;
  const domain::Clock& clock_;
  const RedisAuditQueueOptions options_;
  const Alert on_alert_;

  // On strand_ only.
  BatchWriter writer_;
  asio::steady_timer wake_;  // the reader's sleep; cancelled by stop() and by a batch's end
                             // while records wait (see process())
  bool backlog_ = false;     // the last read filled a batch
  bool stopping_ = false;
  bool running_ = false;
  bool groups_ready_ = false;
  std::size_t in_flight_ = 0;        // batches
  std::int64_t active_records_ = 0;  // records in those batches
  // (shard, stream id) taken and not yet settled: ids are unique per stream only.
  std::set<std::pair<int, std::string>> owned_;
  std::chrono::steady_clock::time_point next_reclaim_{};
  std::multiset<int> busy_;  // shards of the batches in flight (once per batch)
  int next_shard_ = 0;       // where the next read starts looking
};

}  // namespace sk::audit
