// WatchRegistry: the sessions this instance's WebSocket clients watch, registered in
// Redis as leases (key_space.h: <prefix>{n}:watched, session id by lease end), so that
// the write script publishes a write's messages in full only for sessions somebody
// watches. For the others it publishes a bare version: instances' write caches and
// long polls only need to know that a session changed, and every instance receiving
// every full state (the one events channel) was most of the fan-out's cost.
//
// - watch(id) counts a local watcher and registers the lease before it returns, so
//   every write Redis runs after that publishes in full.
// - A timer renews the leases of everything watched here every lease / 3, and drops
//   lapsed entries of every shard (a stopped instance's leases lapse by themselves).
// - renew_all() also runs when the events subscription comes back after a break
//   (Redis may have restarted without the set), before watchers re-read.
// - A failed registration is not an error: until a renewal succeeds the session's
//   writes publish bare versions, and a watcher that receives one re-reads the
//   session (server/ws/hub.cc), so no watcher stays stale.
//
// Thread-safe. Lease ends are the injected clock's wall time, as everything the
// scripts compare.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "domain/clock.h"
#include "domain/uuid.h"
#include "store/redis/key_space.h"
#include "store/redis/redis_client.h"
#include "store/session_store.h"

namespace sk::store::redis {

class WatchRegistry : public std::enable_shared_from_this<WatchRegistry> {
 public:
  // `clock` and `client` must outlive close(). Starts the renewal timer.
  static std::shared_ptr<WatchRegistry> start(asio::any_io_executor executor,
                                              std::shared_ptr<RedisClient> client, KeySpace keys,
                                              const domain::Clock& clock,
                                              std::chrono::milliseconds lease);

  // One more local watcher of `id` until the returned handle is dropped.
  asio::awaitable<Subscription> watch(domain::Uuid id);

  // Renews every lease held here and drops lapsed ones; false if Redis did not take it.
  asio::awaitable<bool> renew_all();

  // Ends the renewals (idempotent). Leases lapse by themselves.
  void close();

 private:
  WatchRegistry(asio::any_io_executor executor, std::shared_ptr<RedisClient> client, KeySpace keys,
                const domain::Clock& clock, std::chrono::milliseconds lease);
  void release(const domain::Uuid& id);
  static asio::awaitable<void> renew_loop(std::shared_ptr<WatchRegistry> self);

  asio::strand<asio::any_io_executor> strand_;
  const std::shared_ptr<RedisClient> client_;
  const KeySpace keys_;
  const domain::Clock& clock_;
  const std::chrono::milliseconds lease_;
  asio::steady_timer timer_;  // on strand_

  std::mutex mu_;
  std::unordered_map<domain::Uuid, int, domain::UuidHash> counts_;  // guarded by mu_
  bool closed_ = false;                                             // guarded by mu_
};

}  // namespace sk::store::redis
