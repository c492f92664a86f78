// DeadlineTimer: see deadline_timer.h. No session logic and no store calls here.
#include "store/memory/deadline_timer.h"

#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sk::store::memory {

DeadlineTimer::DeadlineTimer(asio::any_io_executor executor, const domain::Clock& clock)
    : executor_(executor), strand_(asio::make_strand(executor)), clock_(clock), timer_(strand_) {}

std::shared_ptr<DeadlineTimer> DeadlineTimer::start(asio::any_io_executor executor,
                                                    const domain::Clock& clock) {
  auto self = std::shared_ptr<DeadlineTimer>(new DeadlineTimer(std::move(executor), clock));
  // The loop holds its own reference, so the timer lives until the loop ends
  // (close()) or the io_context is destroyed with the loop still suspended.
  asio::co_spawn(self->strand_, loop(self), asio::detached);
  return self;
}

void DeadlineTimer::set_handler(DeadlineHandler handler) {
  std::lock_guard lock(mu_);
  handler_ = std::make_shared<const DeadlineHandler>(std::move(handler));
}

void DeadlineTimer::set(const Uuid& id, std::optional<domain::TimePoint> deadline) {
  std::lock_guard lock(mu_);
  if (closed_) return;
  const auto it = by_id_.find(id);
  if (it != by_id_.end()) {
    if (deadline == it->second) return;  // unchanged: the common case of a switch in global
    queue_.erase({it->second, id});
    if (!deadline) {
      by_id_.erase(it);
      return;
    }
    it->second = *deadline;
  } else {
    if (!deadline) return;
    by_id_.emplace(id, *deadline);
  }
  queue_.emplace(*deadline, id);
  if (wakes_at_ && *deadline < *wakes_at_) {
    wakes_at_ = *deadline;  // one wake() per earlier deadline, not one per write
    wake();
  }
}

std::size_t DeadlineTimer::size() const {
  std::lock_guard lock(mu_);
  return by_id_.size();
}

void DeadlineTimer::close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    by_id_.clear();
    queue_.clear();
  }
  wake();
}

bool DeadlineTimer::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

void DeadlineTimer::wake() {
  // steady_timer is not thread-safe: cancel on the strand the loop runs on. The loop
  // computes its wake-up time and starts its wait within one strand step, so this
  // cancel cannot slip in between and be lost.
  asio::post(strand_, [self = shared_from_this()] { self->timer_.cancel(); });
}

asio::awaitable<void> DeadlineTimer::loop(std::shared_ptr<DeadlineTimer> self) {
  std::vector<Uuid> due;
  for (;;) {
    std::shared_ptr<const DeadlineHandler> handler;
    std::chrono::milliseconds sleep{0};
    {
      std::lock_guard lock(self->mu_);
      if (self->closed_) co_return;
      const auto now = self->clock_.wall_now();
      while (!self->queue_.empty() && self->queue_.begin()->first <= now) {
        const auto& [at, id] = *self->queue_.begin();
        due.push_back(id);
        self->by_id_.erase(id);
        self->queue_.erase(self->queue_.begin());
      }
      auto next = now + kMaxSleep;
      if (!self->queue_.empty() && self->queue_.begin()->first < next) {
        next = self->queue_.begin()->first;
      }
      self->wakes_at_ = next;
      // `now` is truncated to whole milliseconds, so this never wakes early.
      sleep = next - now;
      handler = self->handler_;
    }
    for (const auto& id : due) {
      if (!handler) break;  // no handler yet: nothing can act on a time-out
      asio::post(self->executor_, [self, handler, id] {
        if (!self->closed()) (*handler)(id);
      });
    }
    due.clear();
    self->timer_.expires_after(sleep);
    boost::system::error_code ec;  // operation_aborted: wake() or close()
    co_await self->timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace sk::store::memory
