// See group_commit.h.
#include "audit/queue/group_commit.h"

#include <exception>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sk::audit {

namespace asio = boost::asio;

std::shared_ptr<GroupCommit> GroupCommit::make(asio::any_io_executor executor, WriteBatch write) {
  return std::shared_ptr<GroupCommit>(new GroupCommit(std::move(executor), std::move(write)));
}

GroupCommit::GroupCommit(asio::any_io_executor executor, WriteBatch write)
    : executor_(std::move(executor)), write_(std::move(write)) {}

bool GroupCommit::append(std::vector<domain::AuditRecord>& records) {
  for (auto& r : records) records_.push_back(std::move(r));
  return !std::exchange(committing_, true);
}

asio::awaitable<AuditStatus> GroupCommit::commit(std::vector<domain::AuditRecord> records) {
  if (records.empty()) co_return std::nullopt;
  // `self` keeps this alive in the frame; the initiation captures plain pointers
  // (GCC 12 destroys a coroutine's temporaries twice when they own a shared_ptr).
  const auto self = shared_from_this();
  GroupCommit* me = self.get();
  auto* queued = &records;
  AuditStatus status =
      co_await asio::async_initiate<decltype(asio::use_awaitable), void(AuditStatus)>(
          [me, queued](auto handler) {
            bool start = false;
            {
              std::lock_guard lock(me->mu_);
              start = me->append(*queued);
              auto executor = asio::get_associated_executor(handler);
              me->waiters_.push_back(Waiter{std::move(executor), std::move(handler)});
            }
            // Spawned, not run inline: the caller's initiation returns at once, and the
            // requests arriving while the committer starts join its first batch.
            if (start) asio::co_spawn(me->executor_, run(me->shared_from_this()), asio::detached);
          },
          asio::use_awaitable);
  co_return status;
}

void GroupCommit::push(std::vector<domain::AuditRecord> records) {
  if (records.empty()) return;
  bool start = false;
  {
    std::lock_guard lock(mu_);
    start = append(records);
  }
  if (start) asio::co_spawn(executor_, run(shared_from_this()), asio::detached);
}

asio::awaitable<void> GroupCommit::run(std::shared_ptr<GroupCommit> self) {
  for (;;) {
    std::vector<domain::AuditRecord> batch;
    std::deque<Waiter> waiters;
    {
      std::lock_guard lock(self->mu_);
      if (self->records_.empty() && self->waiters_.empty()) {
        self->committing_ = false;  // under the lock: the next commit() starts another
        co_return;
      }
      batch.swap(self->records_);
      waiters.swap(self->waiters_);
      ++self->stats_.commits;
      self->stats_.records += static_cast<std::int64_t>(batch.size());
    }
    AuditStatus status;
    try {
      status = co_await self->write_(std::move(batch));
    } catch (const std::exception& e) {  // a writer's bug must not leave waiters parked
      status = AuditError{AuditFailure::failed, e.what()};
    }
    if (status) {
      std::lock_guard lock(self->mu_);
      ++self->stats_.failed_commits;
    }
    for (auto& w : waiters) {
      asio::post(w.executor, [handler = std::move(w.handler), status]() mutable {
        std::move(handler)(status);
      });
    }
  }
}

GroupCommit::Stats GroupCommit::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace sk::audit
