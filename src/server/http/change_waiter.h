// Long-poll support (GET /v1/sessions/:id?since_version=N&wait_ms=M): requests wait
// here until the store publishes a change of their session or their time runs out.
// Fed by one store subscription; waking a waiter only cancels its timer.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "store/session_store.h"

namespace sk::server::http {

class ChangeWaiter {
 public:
  explicit ChangeWaiter(store::SessionStore& store);
  ~ChangeWaiter();

  // Returns when `id` changes after this call, or after `timeout`.
  boost::asio::awaitable<void> wait(domain::Uuid id, std::chrono::milliseconds timeout);

 private:
  struct Waiter;
  void wake(const domain::Uuid& id);

  std::mutex mutex_;
  std::unordered_map<domain::Uuid, std::vector<std::weak_ptr<Waiter>>, domain::UuidHash> waiters_;
  store::Subscription subscription_;
};

}  // namespace sk::server::http
