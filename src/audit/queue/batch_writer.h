// BatchWriter: what both audit queues do with a batch they took (RetryPolicy):
// write it in one transaction; while the database is unreachable, pause and try
// again (nothing is dead-lettered for an outage); when the batch is refused, split
// it in halves until the bad records stand alone; a rejected record is
// dead-lettered at once, a failed one waits for its retry and is dead-lettered
// after the last attempt. The queue says what "written", "dead-lettered" and
// "abandoned" (stopping during an outage) mean for its storage.
//
// Not thread-safe: its owner calls it from one strand.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "audit/queue/retry_policy.h"
#include "audit/queue/writer_pool.h"
#include "domain/audit_record.h"

namespace sk::audit {

struct QueuedRecord {
  std::string key;  // where the queue keeps it (a stream entry id, a sequence number)
  int shard = 0;
  domain::AuditRecord record;
  int failures = 0;
  std::chrono::steady_clock::time_point queued_at{};  // the local queue's lag
};

class BatchWriter {
 public:
  using Batch = std::vector<QueuedRecord>;
  struct Outcomes {
    std::function<boost::asio::awaitable<void>(const Batch&)> written;
    std::function<boost::asio::awaitable<void>(const QueuedRecord&, const std::string& error)>
        dead_lettered;
    std::function<void(const QueuedRecord&)> failed;  // each failed attempt
    std::function<void(const Batch&)> abandoned;      // stop() during an outage
  };

  // `database_up` (may be empty): the probe's cached answer. An outage pause ends
  // as soon as it has seen the database away and then back, instead of waiting out
  // the backoff (up to 32 s); a database that answers but fails keeps the backoff.
  BatchWriter(std::shared_ptr<WriterPool> writers, RetryPolicy policy, Outcomes outcomes,
              std::function<bool()> database_up = {});

  boost::asio::awaitable<void> write(Batch batch);

  // Failed records whose retry is due.
  Batch due_retries();

  // Ends pauses; a batch in an outage is abandoned.
  void stop() { stopping_ = true; }

  std::int64_t completed() const { return completed_; }
  std::int64_t failed() const { return failed_; }
  std::int64_t delayed() const { return static_cast<std::int64_t>(retries_.size()); }

 private:
  boost::asio::awaitable<void> pause(std::chrono::milliseconds d);

  const std::shared_ptr<WriterPool> writers_;
  const RetryPolicy policy_;
  const Outcomes outcomes_;
  const std::function<bool()> database_up_;
  bool stopping_ = false;
  int outages_ = 0;  // consecutive "database unreachable"
  std::multimap<std::chrono::steady_clock::time_point, QueuedRecord> retries_;
  std::int64_t completed_ = 0;
  std::int64_t failed_ = 0;
};

}  // namespace sk::audit
