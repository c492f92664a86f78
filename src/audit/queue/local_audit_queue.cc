// LocalAuditQueue: see local_audit_queue.h.
#include "audit/queue/local_audit_queue.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "audit/queue/wait_while.h"

namespace sk::audit {

namespace {
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

std::shared_ptr<LocalAuditQueue> LocalAuditQueue::make(asio::any_io_executor executor,
                                                       std::shared_ptr<WriterPool> writers,
                                                       LocalAuditQueueOptions options,
                                                       Alert on_alert) {
  if (options.batch_size == 0) options.batch_size = 1;
  if (options.concurrency == 0) options.concurrency = 1;
  return std::shared_ptr<LocalAuditQueue>(
      new LocalAuditQueue(std::move(executor), std::move(writers), options, std::move(on_alert)));
}

LocalAuditQueue::LocalAuditQueue(asio::any_io_executor executor,
                                 std::shared_ptr<WriterPool> writers,
                                 LocalAuditQueueOptions options, Alert on_alert)
    : strand_(asio::make_strand(executor)),
      options_(options),
      on_alert_(std::move(on_alert)),
      writer_(std::move(writers), options_.retry, outcomes(), options_.database_up),
      wake_(strand_) {}

BatchWriter::Outcomes LocalAuditQueue::outcomes() {
  // The queue outlives its batches (each holds a shared_ptr to it), so `this` is safe.
  BatchWriter::Outcomes o;
  o.written = [](const Batch&) -> asio::awaitable<void> { co_return; };
  o.dead_lettered = [this](const QueuedRecord& e,
                           const std::string& error) -> asio::awaitable<void> {
    ++dead_lettered_;
    if (on_alert_) {
      on_alert_(fmt::format(
          "audit event {} dead-lettered after {} attempt(s): {}; record: session {} version {} "
          "event {} state {}",
          e.record.event_id, e.failures, error, e.record.session_id.to_string(), e.record.version,
          e.record.event, e.record.state));
    }
    co_return;
  };
  o.failed = [](const QueuedRecord&) {};
  o.abandoned = [this](const Batch& batch) {
    // Stopping while the database is away: back to the queue (lost with the process).
    std::lock_guard lock(mu_);
    queue_.insert(queue_.begin(), batch.begin(), batch.end());
  };
  return o;
}

void LocalAuditQueue::push(std::vector<domain::AuditRecord> records) {
  std::lock_guard lock(mu_);
  for (auto& r : records) {
    QueuedRecord e;
    e.key = std::to_string(next_key_++);
    e.record = std::move(r);
    e.queued_at = Clock::now();
    queue_.push_back(std::move(e));
  }
}

LocalAuditQueue::Batch LocalAuditQueue::take(std::size_t n) {
  Batch out;
  std::lock_guard lock(mu_);
  while (!queue_.empty() && out.size() < n) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return out;
}

void LocalAuditQueue::start() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->running_ || self->stopping_) return;
    self->running_ = true;
    asio::co_spawn(self->strand_, run(self), asio::detached);
  });
}

void LocalAuditQueue::dispatch(Batch batch) {
  ++in_flight_;
  active_records_ += static_cast<std::int64_t>(batch.size());
  asio::co_spawn(strand_, process(shared_from_this(), std::move(batch)), asio::detached);
}

asio::awaitable<void> LocalAuditQueue::run(std::shared_ptr<LocalAuditQueue> self) {
  while (!self->stopping_) {
    auto retries = self->writer_.due_retries();
    if (!retries.empty()) self->dispatch(std::move(retries));
    bool more = false;
    if (self->in_flight_ < self->options_.concurrency) {
      auto batch = self->take(self->options_.batch_size);
      more = batch.size() >= self->options_.batch_size;
      if (!batch.empty()) self->dispatch(std::move(batch));
    }
    self->backlog_ = more;
    if (more && self->in_flight_ < self->options_.concurrency) continue;
    self->wake_.expires_after(self->options_.poll_interval);
    co_await self->wake_.async_wait(kTuple);
  }
  self->running_ = false;
}

asio::awaitable<void> LocalAuditQueue::process(std::shared_ptr<LocalAuditQueue> self, Batch batch) {
  const auto n = static_cast<std::int64_t>(batch.size());
  co_await self->writer_.write(std::move(batch));
  --self->in_flight_;
  self->active_records_ -= n;
  // Read again at once only while records wait (the last take filled a batch), as
  // RedisAuditQueue::process does; otherwise the reader keeps to its poll interval.
  if (self->backlog_) self->wake_.cancel();
}

asio::awaitable<void> LocalAuditQueue::stop(std::chrono::milliseconds timeout) {
  co_await asio::co_spawn(strand_, stop_here(shared_from_this(), timeout), asio::use_awaitable);
}

asio::awaitable<void> LocalAuditQueue::stop_here(std::shared_ptr<LocalAuditQueue> self,
                                                 std::chrono::milliseconds timeout) {
  // Flush: the reader keeps going until the queue is empty or time is up.
  const auto until = Clock::now() + timeout;
  std::function<bool()> flushing = [&] {
    std::lock_guard lock(self->mu_);
    return !self->queue_.empty() || self->in_flight_ > 0;
  };
  co_await wait_while(std::move(flushing), until);
  self->stopping_ = true;
  self->writer_.stop();
  self->wake_.cancel();
  std::function<bool()> busy = [&] { return self->in_flight_ > 0 || self->running_; };
  co_await wait_while(std::move(busy), until);
}

asio::awaitable<domain::Result<QueueStats>> LocalAuditQueue::stats() {
  auto result =
      co_await asio::co_spawn(strand_, stats_here(shared_from_this()), asio::use_awaitable);
  co_return std::move(*result);
}

asio::awaitable<std::optional<domain::Result<QueueStats>>> LocalAuditQueue::stats_here(
    std::shared_ptr<LocalAuditQueue> self) {
  QueueStats s;
  {
    std::lock_guard lock(self->mu_);
    s.waiting = static_cast<std::int64_t>(self->queue_.size());
    if (!self->queue_.empty()) {
      s.oldest_lag_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            Clock::now() - self->queue_.front().queued_at)
                            .count();
    }
  }
  s.active = self->active_records_;
  s.completed = self->writer_.completed();
  s.failed = self->writer_.failed();
  s.delayed = self->writer_.delayed();
  s.dead_lettered = self->dead_lettered_;
  co_return domain::Result<QueueStats>(s);
}

}  // namespace sk::audit
