// Long-poll support (GET /v1/sessions/:id?since_version=N&wait_ms=M): requests wait
// here until the store publishes a change of their session or their time runs out.
// Fed by one store subscription; waking a waiter only sets its flag and cancels its
// timer.
//
// A request listens BEFORE it reads the version it compares against: a change
// published between that read and the wait is then not missed (the wait returns at
// once), where listening only at the wait would sleep through it until the timeout.
#pragma once

#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "server/session_api.h"

namespace sk::server::http {

class ChangeWaiter {
  struct Waiter;
  struct Registry;

 public:
  // One request's interest in one session's changes, from listen() until destroyed.
  class Ticket {
   public:
    Ticket(Ticket&&) noexcept = default;
    Ticket& operator=(Ticket&&) = delete;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket();

    // Returns when the session has changed since listen() (at once if it already
    // has), or after `timeout`. Call on the executor given to listen(), once.
    boost::asio::awaitable<void> wait(std::chrono::milliseconds timeout);

   private:
    friend class ChangeWaiter;
    Ticket(std::weak_ptr<Registry> registry, domain::Uuid id, std::shared_ptr<Waiter> waiter)
        : registry_(std::move(registry)), id_(id), waiter_(std::move(waiter)) {}
    std::weak_ptr<Registry> registry_;  // a ticket may outlive the ChangeWaiter
    domain::Uuid id_;
    std::shared_ptr<Waiter> waiter_;
  };

  // Subscribes to `sessions`' changes once.
  explicit ChangeWaiter(SessionApi& sessions);
  ~ChangeWaiter();
  ChangeWaiter(const ChangeWaiter&) = delete;
  ChangeWaiter& operator=(const ChangeWaiter&) = delete;

  // Starts listening for changes of `id`; `executor` is the one the request runs on
  // (a strand: the wake-up reaches the ticket's timer through it).
  Ticket listen(domain::Uuid id, const boost::asio::any_io_executor& executor);

  // A drain begins: every wait ends now, and every later one at once, so that long
  // polls answer (304, or the change) instead of holding the shutdown for up to
  // 30 s; their clients poll again, on an instance that stays.
  void release_all();

  // Requests listening now, over all sessions (for tests).
  std::size_t listening() const;

 private:
  std::shared_ptr<Registry> registry_;
  store::Subscription subscription_;
};

}  // namespace sk::server::http
