// See write_turns.h.
#include "store/memory/write_turns.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sk::store::memory {

namespace asio = boost::asio;

WriteTurns::Turn::~Turn() {
  if (turns_) turns_->leave(id_);
}

asio::awaitable<WriteTurns::Turn> WriteTurns::enter(domain::Uuid id) {
  bool taken = false;
  {
    std::lock_guard lock(mutex_);
    taken = turns_.try_emplace(id).second;  // a free turn is ours without suspending
  }
  if (!taken) {
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [this, id](auto handler) {
          std::unique_lock lock(mutex_);
          auto [it, created] = turns_.try_emplace(id);
          if (!created) {  // parked in arrival order; leave() hands the turn over
            auto executor = asio::get_associated_executor(handler);
            it->second.push_back(Waiter{std::move(executor), std::move(handler)});
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

void WriteTurns::leave(const domain::Uuid& id) {
  std::unique_lock lock(mutex_);
  auto it = turns_.find(id);
  if (it == turns_.end()) return;
  auto& waiters = it->second;
  if (waiters.empty()) {
    turns_.erase(it);
    return;
  }
  Waiter next(std::move(waiters.front()));
  waiters.pop_front();
  lock.unlock();
  // The turn passes to `next` as it is: resumed on its own executor, never inline.
  asio::post(next.executor,
             [handler = std::move(next.handler)]() mutable { std::move(handler)(); });
}

std::size_t WriteTurns::busy() const {
  std::lock_guard lock(mutex_);
  return turns_.size();
}

}  // namespace sk::store::memory
