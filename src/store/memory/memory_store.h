// MemoryStore: the embedded SessionStore engine, for a single instance (no Redis).
// Sessions live in a hash map in this process; writes fan out to in-process
// subscribers; one timer fires deadlines; a sweep expires idle sessions. It must not
// know about HTTP, WebSocket or the clock engine: it stores what it is given.
//
// Locking: one mutex guards the table. A write validates, stores, hands its audit
// events to `audit`, schedules its deadline and publishes its messages, all under that
// mutex, so every subscriber sees the writes of a session (indeed of the whole store)
// in the order they were made, each after it is visible to get(). Handlers therefore
// must be cheap and non-blocking (post to a queue) and must not call the store, not
// even through co_spawn (which may start the coroutine inline): post instead.
//
// Durable writes (DURABILITY=sync, `durable_audit` set): create, update and remove are
// first checked (under the lock, changing nothing but the TTL), then their audit
// events are committed through `durable_audit`, and only once that succeeded is the
// write applied (under the lock, checked again) and its messages published. So a
// write is visible to get() and to subscribers only once its audit record is durable,
// and a write whose commit failed returns that error with nothing changed: no state,
// deadline or message of it remains to be rolled back. The writes of one session take
// turns meanwhile (write_turns.h), so none is checked against a state another is
// about to replace.
//
// Expiry, as in Redis (expire.c): lazily, when an operation touches an expired
// session, plus an active sweep every `sweep_interval` for sessions nobody touches;
// either way a `deleted` message with an empty payload is published. TTLs run on the
// injected Clock's steady time, so tests move them with a ManualClock.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "domain/clock.h"
#include "store/session_store.h"

namespace sk::store {

struct MemoryStoreOptions {
  std::chrono::seconds ttl{3600};                  // refreshed on every write
  std::chrono::milliseconds sweep_interval{1000};  // active expiry cycle
  // Receives each write's audit events in the same step as the write (the app plugs
  // the local audit queue in here); may be empty. Called under the store's lock: it
  // must not block and must not call the store. A deletion, including an expiry for
  // idleness (reason "expired"), is a session_deleted event with the last state.
  std::function<void(const domain::Session&, const std::vector<domain::Event>&)> audit;
  // When set (DURABILITY=sync): commits a write's audit events durably, returning once
  // committed (nullopt) or with the error the write then fails with (unavailable).
  // It replaces `audit` for create, update and remove, which wait for it (see the top
  // of this file); an expiry, which nobody waits for, still goes to `audit`. Not
  // called under the store's lock, and not for a write without events (a recovery).
  std::function<asio::awaitable<Status>(const domain::Session&, const std::vector<domain::Event>&)>
      durable_audit;
};

class MemoryStore final : public SessionStore {
 public:
  // `clock` must outlive the store. Background work runs on `executor` until close()
  // (the destructor closes).
  MemoryStore(asio::any_io_executor executor, const domain::Clock& clock,
              MemoryStoreOptions options = {});
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  asio::awaitable<Result<Session>> get(Uuid id) override;
  asio::awaitable<Status> create(Write write) override;
  asio::awaitable<Status> update(Write write,
                                 std::optional<std::int64_t> expected_version) override;
  asio::awaitable<Result<bool>> remove(Uuid id, domain::Event deleted,
                                       std::string message) override;
  asio::awaitable<Status> broadcast(Uuid id, std::string message) override;

  Subscription subscribe(MessageHandler handler) override;
  void set_deadline_handler(DeadlineHandler handler) override;

  asio::awaitable<bool> healthy() override;
  asio::awaitable<Result<std::int64_t>> count() override;

  void close() override;

  // Deadlines waiting to fire (for tests and metrics).
  std::size_t pending_deadlines() const;
  // Sessions with a durable write in flight or waiting for one (tests).
  std::size_t durable_writes_in_flight() const;

 private:
  struct Core;  // shared with the background loops, which may outlive this object
  static asio::awaitable<Status> create_durably(std::shared_ptr<Core> core, Write write);
  static asio::awaitable<Status> update_durably(std::shared_ptr<Core> core, Write write,
                                                std::optional<std::int64_t> expected_version);
  static asio::awaitable<Result<bool>> remove_durably(std::shared_ptr<Core> core, Uuid id,
                                                      domain::Event deleted, std::string message);
  std::shared_ptr<Core> core_;
};

}  // namespace sk::store
