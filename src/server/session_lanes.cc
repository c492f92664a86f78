#include "server/session_lanes.h"

#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sk::server {

namespace asio = boost::asio;

SessionLanes::Turn::~Turn() {
  if (lanes_) lanes_->leave(id_);
}

asio::awaitable<SessionLanes::Turn> SessionLanes::enter(domain::Uuid id) {
  bool taken = false;
  {
    std::lock_guard lock(mutex_);
    taken = lanes_.try_emplace(id).second;  // a free lane is ours without suspending
  }
  if (!taken) {
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [this, id](auto handler) {
          std::unique_lock lock(mutex_);
          auto [it, created] = lanes_.try_emplace(id);
          if (!created) {
            // Parked in arrival order; leave() hands the lane over. Constructed in
            // place: Boost 1.81's any_completion_handler must never be move-assigned
            // (its move assignment recurses without end).
            auto executor = asio::get_associated_executor(handler);
            it->second.waiters.push_back(Waiter{std::move(executor), std::move(handler)});
            return;
          }
          lock.unlock();  // freed since the first look: ours now
          const auto executor = asio::get_associated_executor(handler);
          asio::post(executor, std::move(handler));
        },
        asio::use_awaitable);
  }
  co_return Turn{this, id};
}

void SessionLanes::leave(const domain::Uuid& id) {
  std::unique_lock lock(mutex_);
  auto it = lanes_.find(id);
  if (it == lanes_.end()) return;
  auto& waiters = it->second.waiters;
  if (waiters.empty()) {
    lanes_.erase(it);
    return;
  }
  Waiter next(std::move(waiters.front()));
  waiters.pop_front();
  lock.unlock();
  // The lane passes to `next` as it is: resumed on its own executor, never inline.
  asio::post(next.executor,
             [handler = std::move(next.handler)]() mutable { std::move(handler)(); });
}

std::size_t SessionLanes::busy() const {
  std::lock_guard lock(mutex_);
  return lanes_.size();
}

}  // namespace sk::server
