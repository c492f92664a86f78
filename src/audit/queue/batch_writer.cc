// See batch_writer.h.
#include "audit/queue/batch_writer.h"

#include <algorithm>
#include <iterator>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sk::audit {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

BatchWriter::BatchWriter(std::shared_ptr<WriterPool> writers, RetryPolicy policy, Outcomes outcomes,
                         std::function<bool()> database_up)
    : writers_(std::move(writers)),
      policy_(policy),
      outcomes_(std::move(outcomes)),
      database_up_(std::move(database_up)) {}

asio::awaitable<void> BatchWriter::write(Batch batch) {
  AuditStatus status;
  for (;;) {
    std::vector<domain::AuditRecord> records;
    records.reserve(batch.size());
    for (const auto& e : batch) records.push_back(e.record);
    status = co_await writers_->write(std::move(records));
    if (!status) {
      outages_ = 0;
      completed_ += static_cast<std::int64_t>(batch.size());
      co_await outcomes_.written(batch);
      co_return;
    }
    if (status->kind != AuditFailure::unavailable) break;
    // Not the records' fault: they wait, counted nowhere, for as long as it takes.
    if (!stopping_) co_await pause(policy_.pause(++outages_));
    if (stopping_) {
      outcomes_.abandoned(batch);
      co_return;
    }
  }
  outages_ = 0;
  if (batch.size() > 1) {
    // Find the bad records: each half on its own, until single records remain.
    const auto middle = batch.begin() + static_cast<std::ptrdiff_t>(batch.size() / 2);
    Batch second(std::make_move_iterator(middle), std::make_move_iterator(batch.end()));
    batch.erase(middle, batch.end());
    co_await write(std::move(batch));
    co_await write(std::move(second));
    co_return;
  }
  QueuedRecord e = std::move(batch.front());
  ++e.failures;
  ++failed_;
  outcomes_.failed(e);
  if (status->kind == AuditFailure::rejected || policy_.exhausted(e.failures)) {
    co_await outcomes_.dead_lettered(e, status->message);
    co_return;
  }
  const auto due = Clock::now() + policy_.delay(e.failures);
  retries_.emplace(due, std::move(e));
}

BatchWriter::Batch BatchWriter::due_retries() {
  Batch out;
  const auto now = Clock::now();
  while (!retries_.empty() && retries_.begin()->first <= now) {
    out.push_back(std::move(retries_.begin()->second));
    retries_.erase(retries_.begin());
  }
  return out;
}

asio::awaitable<void> BatchWriter::pause(std::chrono::milliseconds d) {
  // In short steps, so that stop() is not kept waiting by a long pause, and so that
  // the database's return (the probe saw it away, then back) ends it within 50 ms.
  const auto until = Clock::now() + d;
  bool seen_away = false;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stopping_ && Clock::now() < until) {
    if (database_up_) {
      const bool up = database_up_();
      if (seen_away && up) break;
      seen_away = seen_away || !up;
    }
    timer.expires_after(
        std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds{50}));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace sk::audit
