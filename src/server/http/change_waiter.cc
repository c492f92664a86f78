#include "server/http/change_waiter.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sk::server::http {

namespace asio = boost::asio;

struct ChangeWaiter::Waiter {
  explicit Waiter(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;  // touched on its executor only
  bool changed = false;      // likewise: set by the wake-up posted there
};

// Who listens to which session. Thread-safe.
struct ChangeWaiter::Registry {
  void add(const domain::Uuid& id, std::shared_ptr<Waiter> waiter) {
    {
      std::lock_guard lock(mutex);
      if (!released) {
        waiters[id].push_back(std::move(waiter));
        return;
      }
    }
    signal(waiter);
  }

  void wake(const domain::Uuid& id) {
    std::vector<std::shared_ptr<Waiter>> woken;
    {
      std::lock_guard lock(mutex);
      auto it = waiters.find(id);
      if (it == waiters.end()) return;
      woken.swap(it->second);
      waiters.erase(it);
    }
    for (auto& w : woken) signal(w);
  }

  void wake_all_from_now_on() {
    decltype(waiters) woken;
    {
      std::lock_guard lock(mutex);
      released = true;
      woken.swap(waiters);
    }
    for (auto& [_, list] : woken) {
      for (auto& w : list) signal(w);
    }
  }

  // Timers are not thread-safe: flag and cancel on the waiter's own executor.
  static void signal(const std::shared_ptr<Waiter>& w) {
    asio::post(w->timer.get_executor(), [w] {
      w->changed = true;
      w->timer.cancel();
    });
  }

  void forget(const domain::Uuid& id, const Waiter* waiter) {
    std::lock_guard lock(mutex);
    auto it = waiters.find(id);
    if (it == waiters.end()) return;  // woken: wake() took the list
    std::erase_if(it->second, [waiter](const auto& w) { return w.get() == waiter; });
    if (it->second.empty()) waiters.erase(it);
  }

  std::size_t size() {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const auto& [_, list] : waiters) n += list.size();
    return n;
  }

  std::mutex mutex;
  bool released = false;  // release_all() was called: nobody waits any more
  std::unordered_map<domain::Uuid, std::vector<std::shared_ptr<Waiter>>, domain::UuidHash> waiters;
};

ChangeWaiter::ChangeWaiter(SessionApi& sessions) : registry_(std::make_shared<Registry>()) {
  // No further call once reset() (in the destructor) returns: a plain pointer will do.
  subscription_ = sessions.subscribe(
      [registry = registry_.get()](const store::StoreMessage& m) { registry->wake(m.session_id); });
}

ChangeWaiter::~ChangeWaiter() { subscription_.reset(); }

ChangeWaiter::Ticket ChangeWaiter::listen(domain::Uuid id, const asio::any_io_executor& executor) {
  auto waiter = std::make_shared<Waiter>(executor);
  registry_->add(id, waiter);
  return Ticket{registry_, id, std::move(waiter)};
}

void ChangeWaiter::release_all() { registry_->wake_all_from_now_on(); }

std::size_t ChangeWaiter::listening() const { return registry_->size(); }

ChangeWaiter::Ticket::~Ticket() {
  if (!waiter_) return;  // moved from
  if (auto registry = registry_.lock()) registry->forget(id_, waiter_.get());
}

asio::awaitable<void> ChangeWaiter::Ticket::wait(std::chrono::milliseconds timeout) {
  // Runs on the waiter's executor, as the wake-up does: no change can slip in between
  // this check and the wait starting.
  if (waiter_->changed) co_return;
  waiter_->timer.expires_after(timeout);
  co_await waiter_->timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace sk::server::http
