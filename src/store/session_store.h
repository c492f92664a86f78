// SessionStore: where sessions live, how changes fan out, and when deadlines fire
// (SPEC §5, the seeds' RedisStateManager). One interface, two engines: memory/ (one
// process) and redis/ (a fleet). Both must pass store_contract_test.h unchanged.
//
// Contract:
// - create() stores a new session (version as given, normally 1) or fails with
//   session_exists. update() replaces it atomically: with `expected_version`, only if
//   the stored version equals it (else conflict with expected/actual); without, only
//   if it exists (else not_found). The caller has already set the new version and
//   updated_at (the engine does). Every write refreshes the TTL.
// - A write is one atomic step: the state, its audit events, its deadline-index entry
//   and its messages. Subscribers (on every instance) receive the messages of one
//   session in write order, after the write is visible to get(): in full while some
//   instance watch()es the session, else possibly as one bare update (see watch()).
// - remove() deletes and publishes a `deleted` message; it is idempotent (false when
//   nothing was there).
// - The deadline handler is called (on some thread of the executor) at or shortly
//   after each stored deadline, with the session id; it must apply the time-out
//   through update() with the version it read, so a time-out fires exactly once even
//   if a request races it. A deadline removed or moved by a later write does not fire.
// - Sessions not written for `ttl` disappear (a `deleted` message with an empty
//   payload is published by engines that can observe it).
// - Errors are values: not_found, session_exists, conflict, deserialization (a
//   corrupt stored value), unavailable (the store cannot be reached). Nothing throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "domain/errors.h"
#include "domain/event.h"
#include "domain/result.h"
#include "domain/session.h"

namespace sk::store {

namespace asio = boost::asio;
using domain::Error;
using domain::Result;
using domain::Session;
using domain::Uuid;

// An operation with nothing to return but an error.
using Status = std::optional<Error>;

enum class MessageKind {
  // A write's state (STATE_UPDATE): ordered by version; one not newer than what a
  // watcher holds is never sent to it. Empty payload: a bare version (see watch()).
  update,
  // Another message of a write (TIME_EXPIRED): it shares the write's version and is
  // never dropped as a duplicate of the state.
  event,
  deleted,    // the session is gone (payload: SESSION_DELETED, or empty after TTL expiry)
  broadcast,  // an ad-hoc message from broadcast()
  // Not about one session (no id): messages may have been lost (the Redis engine's
  // subscription broke and came back), so whoever shows sessions re-reads them.
  resync,
};

struct StoreMessage {
  Uuid session_id;
  MessageKind kind = MessageKind::update;
  std::int64_t version = 0;  // the version written (0 for deleted/broadcast)
  std::string payload;       // a complete WebSocket text frame, formatted by server/
};

using MessageHandler = std::function<void(const StoreMessage&)>;
using DeadlineHandler = std::function<void(const Uuid&)>;

// One message of a write, typed: subscribers never guess a message's kind from its
// text. `kind` is update or event.
struct WriteMessage {
  MessageKind kind = MessageKind::update;
  std::string payload;  // a complete WebSocket text frame, formatted by server/
};

// What one atomic write carries.
struct Write {
  Session state;
  std::vector<domain::Event> events;          // audit events, appended with the state
  std::optional<domain::TimePoint> deadline;  // none: the session has no running clock
  std::vector<WriteMessage> messages;         // published in order after the write
};

// What get_for_update() read: the session, and whether it came from a per-instance
// cache (so it may be stale).
struct ReadForUpdate {
  Session state;
  bool cached = false;
};

// Cancels its subscription when destroyed.
class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  Subscription(Subscription&& other) noexcept : cancel_(std::exchange(other.cancel_, {})) {}
  Subscription& operator=(Subscription&& other) noexcept {
    reset();
    cancel_ = std::exchange(other.cancel_, {});
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { reset(); }
  void reset() {
    if (cancel_) std::exchange(cancel_, {})();
  }

 private:
  std::function<void()> cancel_;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  virtual asio::awaitable<Result<Session>> get(Uuid id) = 0;
  // The read of a read-modify-write (a command, written back with update() and the
  // version read). An engine may answer it from a per-instance cache of its own recent
  // writes, saving a round trip: such a read (`cached`) may be stale, which the
  // version check of update() catches; a caller whose write does not go through on a
  // cached read (conflict, not_found, a transition refused) reads again with get().
  // Reads that answer a client (GET) use get(). Default: get(), never cached.
  virtual asio::awaitable<Result<ReadForUpdate>> get_for_update(Uuid id) {
    auto s = co_await get(id);
    if (!s) co_return s.error();
    co_return ReadForUpdate{std::move(*s), false};
  }
  virtual asio::awaitable<Status> create(Write write) = 0;
  virtual asio::awaitable<Status> update(Write write,
                                         std::optional<std::int64_t> expected_version) = 0;
  virtual asio::awaitable<Result<bool>> remove(Uuid id, domain::Event deleted,
                                               std::string message) = 0;
  virtual asio::awaitable<Status> broadcast(Uuid id, std::string message) = 0;

  // Every message of every session, on this instance. The handler must not block.
  virtual Subscription subscribe(MessageHandler handler) = 0;
  // This instance shows `id` to watchers (WebSocket clients) until the returned
  // handle is dropped: its writes' messages must reach subscribers in full. For a
  // session nobody watches an engine may deliver instead one bare update per write
  // (kind update, the version, an empty payload): enough for caches and long polls.
  // Call it BEFORE reading the state a watcher starts from; a watcher that still gets
  // a bare update (its registration failed or lapsed) re-reads the session. Default:
  // nothing to do, every message goes out in full.
  virtual asio::awaitable<Subscription> watch(Uuid /*id*/) { co_return Subscription{}; }
  // Set once, before the first write.
  virtual void set_deadline_handler(DeadlineHandler handler) = 0;

  // For /ready and the sessions gauge.
  virtual asio::awaitable<bool> healthy() = 0;
  virtual asio::awaitable<Result<std::int64_t>> count() = 0;

  // Stops timers and background work; pending operations finish or fail unavailable.
  virtual void close() = 0;
};

}  // namespace sk::store
