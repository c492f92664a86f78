#include "server/http/change_waiter.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sk::server::http {

namespace asio = boost::asio;

struct ChangeWaiter::Waiter {
  explicit Waiter(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;
};

ChangeWaiter::ChangeWaiter(store::SessionStore& store) {
  subscription_ = store.subscribe([this](const store::StoreMessage& m) { wake(m.session_id); });
}

ChangeWaiter::~ChangeWaiter() { subscription_.reset(); }

void ChangeWaiter::wake(const domain::Uuid& id) {
  std::vector<std::weak_ptr<Waiter>> woken;
  {
    std::lock_guard lock(mutex_);
    auto it = waiters_.find(id);
    if (it == waiters_.end()) return;
    woken.swap(it->second);
    waiters_.erase(it);
  }
  for (auto& weak : woken) {
    if (auto w = weak.lock()) {
      // Timers are not thread-safe: cancel on the waiter's own executor.
      asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
    }
  }
}

asio::awaitable<void> ChangeWaiter::wait(domain::Uuid id, std::chrono::milliseconds timeout) {
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiter->timer.expires_after(timeout);
  {
    std::lock_guard lock(mutex_);
    auto& list = waiters_[id];
    std::erase_if(list, [](const auto& w) { return w.expired(); });
    list.push_back(waiter);
  }
  co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace sk::server::http
