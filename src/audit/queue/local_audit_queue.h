// LocalAuditQueue: the memory engine's audit queue. The store hands it each write's
// records (push, under the store's lock: it only appends); a coroutine takes them in
// batches and writes them through a WriterPool (SQLite with AUDIT_DB, PostgreSQL with
// DATABASE_URL), with the same retry and dead-letter policy as the Redis queue
// (BatchWriter). In-process, so what is still queued when the process dies is lost,
// like the memory engine's sessions; stop() flushes what it can within its timeout.
// A dead-lettered record is logged in full through `on_alert` and counted.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "audit/queue/audit_queue.h"
#include "audit/queue/batch_writer.h"

namespace sk::audit {

namespace asio = boost::asio;

struct LocalAuditQueueOptions {
  std::size_t batch_size = 500;
  std::size_t concurrency = 1;  // batches in flight (SQLite has one writer)
  std::chrono::milliseconds poll_interval{50};
  RetryPolicy retry;
  // The database probe's answer (may be empty): ends an outage pause once the
  // database is back (BatchWriter).
  std::function<bool()> database_up;
};

class LocalAuditQueue final : public AuditQueue,
                              public std::enable_shared_from_this<LocalAuditQueue> {
 public:
  using Alert = std::function<void(const std::string&)>;

  static std::shared_ptr<LocalAuditQueue> make(asio::any_io_executor executor,
                                               std::shared_ptr<WriterPool> writers,
                                               LocalAuditQueueOptions options, Alert on_alert = {});

  // Thread-safe and non-blocking.
  void push(std::vector<domain::AuditRecord> records);

  void start() override;
  asio::awaitable<void> stop(std::chrono::milliseconds timeout) override;
  asio::awaitable<domain::Result<QueueStats>> stats() override;

 private:
  using Batch = BatchWriter::Batch;

  LocalAuditQueue(asio::any_io_executor executor, std::shared_ptr<WriterPool> writers,
                  LocalAuditQueueOptions options, Alert on_alert);
  BatchWriter::Outcomes outcomes();
  Batch take(std::size_t n);
  void dispatch(Batch batch);

  static asio::awaitable<void> run(std::shared_ptr<LocalAuditQueue> self);
  static asio::awaitable<void> process(std::shared_ptr<LocalAuditQueue> self, Batch batch);
  static asio::awaitable<void> stop_here(std::shared_ptr<LocalAuditQueue> self,
                                         std::chrono::milliseconds timeout);
  static asio::awaitable<std::optional<domain::Result<QueueStats>>> stats_here(
      std::shared_ptr<LocalAuditQueue> self);

  const asio::strand<asio::any_io_executor> strand_;
  const LocalAuditQueueOptions options_;
  const Alert on_alert_;

  std::mutex mu_;
  std::deque<QueuedRecord> queue_;  // guarded by mu_; its keys are a sequence number
  std::uint64_t next_key_ = 0;      // guarded by mu_

  // On strand_ only.
  BatchWriter writer_;
  asio::steady_timer wake_;  // the reader's sleep; cancelled by stop() and while records wait
  bool backlog_ = false;     // the last take filled a batch
  bool stopping_ = false;
  bool running_ = false;
  std::size_t in_flight_ = 0;
  std::int64_t active_records_ = 0;
  std::int64_t dead_lettered_ = 0;
};

}  // namespace sk::audit
