// GroupCommit: the memory engine's audit path under DURABILITY=sync. A write's
// records are acknowledged only once the transaction holding them has committed,
// and writers waiting at the same time share that transaction:
//
//   commit(records) appends the records and a waiter; if no committer runs, this
//   call starts one. The committer takes everything queued, writes it in ONE
//   transaction (`write`, normally WriterPool::write on the SQLite writer's thread),
//   wakes every waiter of that batch with the outcome, and goes again while more
//   arrived during the write. So one fsync carries every request that arrived while
//   the previous one ran: N concurrent writers need far fewer than N transactions.
//
// No retry here: a failed transaction fails every waiter of its batch with its error
// (the store answers 503 and keeps nothing of those writes, memory_store.h). Records
// pushed without a waiter (push(): an idle session's expiry, which nobody waits for)
// ride along in the next transaction; if it fails they are dropped (recovery ignores
// a session idle past its TTL anyway, session_recovery.h).
//
// Thread-safe: commit() and push() may be called from any thread; waiters resume on
// their own executor, never inline.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "audit/audit_writer.h"
#include "domain/audit_record.h"

namespace sk::audit {

class GroupCommit : public std::enable_shared_from_this<GroupCommit> {
 public:
  // Writes one batch in one transaction (all or nothing).
  using WriteBatch =
      std::function<boost::asio::awaitable<AuditStatus>(std::vector<domain::AuditRecord>)>;

  struct Stats {
    std::int64_t commits = 0;         // transactions attempted
    std::int64_t records = 0;         // records in them
    std::int64_t failed_commits = 0;  // transactions that failed
  };

  // The committer runs on `executor`.
  static std::shared_ptr<GroupCommit> make(boost::asio::any_io_executor executor, WriteBatch write);

  // Resumes once the transaction holding `records` has committed (nullopt), or with
  // that transaction's error. Empty `records`: nullopt at once.
  boost::asio::awaitable<AuditStatus> commit(std::vector<domain::AuditRecord> records);
  // The same path without waiting (nothing to acknowledge). Non-blocking.
  void push(std::vector<domain::AuditRecord> records);

  Stats stats() const;

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;  // the parked caller's
    boost::asio::any_completion_handler<void(AuditStatus)> handler;
  };

  GroupCommit(boost::asio::any_io_executor executor, WriteBatch write);
  // Under mu_: appends; true when the caller must start the committer.
  bool append(std::vector<domain::AuditRecord>& records);
  static boost::asio::awaitable<void> run(std::shared_ptr<GroupCommit> self);

  const boost::asio::any_io_executor executor_;
  const WriteBatch write_;

  mutable std::mutex mu_;
  std::vector<domain::AuditRecord> records_;  // guarded by mu_: the next batch
  // guarded by mu_; a deque: Boost 1.81's any_completion_handler must never be
  // move-assigned.
  std::deque<Waiter> waiters_;
  bool committing_ = false;  // guarded by mu_: a committer runs
  Stats stats_;              // guarded by mu_
};

}  // namespace sk::audit
