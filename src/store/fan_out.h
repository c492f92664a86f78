// FanOut: a store engine's list of local subscribers (both engines use it). It calls
// every subscriber's handler with a message, and nothing else: no queues, no threads,
// no I/O. Ordering is the caller's job (MemoryStore publishes under its write lock,
// RedisStore from its one subscriber strand: one thread at a time, in write order).
//
// Subscribing and unsubscribing are safe while another thread publishes. The list is
// copy-on-write (a publish walks a snapshot without holding the list lock), and every
// subscriber has its own lock held while its handler runs, so once
// Subscription::reset() returns that handler is never called again. The lock is
// recursive: a handler may reset its own subscription (e.g. by dropping the last
// reference to the connection that owns it). It must not reset it while holding a
// lock its own handler takes, and it must not call the store.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "store/session_store.h"

namespace sk::store {

class FanOut : public std::enable_shared_from_this<FanOut> {
 public:
  // Always held by a shared_ptr: a Subscription may outlive the FanOut.
  static std::shared_ptr<FanOut> make() { return std::shared_ptr<FanOut>(new FanOut()); }

  Subscription subscribe(MessageHandler handler);

  // Calls every active subscriber with `message`, in subscription order. A handler
  // that throws is a bug in the handler; it is contained so the other subscribers
  // still receive the message and the store's write stays whole.
  void publish(const StoreMessage& message) const;

  std::size_t size() const;

 private:
  struct Subscriber {
    explicit Subscriber(MessageHandler h) : handler(std::move(h)) {}
    MessageHandler handler;
    std::recursive_mutex mu;  // held while `handler` runs
    bool active = true;       // guarded by mu
  };
  using List = std::vector<std::shared_ptr<Subscriber>>;

  FanOut() : list_(std::make_shared<const List>()) {}
  void remove(const std::shared_ptr<Subscriber>& subscriber);

  mutable std::mutex mu_;             // guards list_ (the pointer, not the list)
  std::shared_ptr<const List> list_;  // never mutated in place
};

}  // namespace sk::store
