// RedisStore: the distributed SessionStore engine (SPEC §5, the seeds'
// RedisStateManager). Any number of stateless instances share one Redis:
//
// - Every change is one Lua script (scripts.h): version check, state + TTL, deadline
//   and expiry indexes, audit stream append and Pub/Sub publish, atomically.
// - Every instance subscribes once to the events channel (RedisSubscriber) and hands
//   each message to its local subscribers in arrival order, which is write order.
//   A write's messages go out in full only for sessions some instance watches
//   (watch(), WatchRegistry); for the others the channel carries a bare version.
//   When the subscription comes back after a break it also hands them one `resync`
//   message: what was published meanwhile is lost, so they re-read what they watch.
// - Every instance polls the deadline index (DeadlinePoller) and claims due
//   time-outs, so each fires once across the fleet; it also expires idle sessions
//   (publishing `deleted`), while reads check the stored expiry themselves.
// - The state each write of this instance stored is kept (a per-instance cache
//   bounded by bytes, write_cache.h) for the read of the next command on that session, so a command
//   costs one round trip (the write script) instead of two; the script's version check makes a
//   stale entry harmless (the service then reads Redis). get() always reads Redis.
// - TTLs and deadlines are wall time from the injected Clock (instances must agree
//   on it; NTP is assumed), passed to the scripts, never Redis's own clock. A
//   PEXPIRE of the TTL plus a minute reclaims memory even if no instance is running
//   (later than ours, so that the poller's expiry, which is audited, comes first).
//   Its steady time measures the connections' command timeouts.
// - Every write carries a random nonce of this instance (field w, the end of its audit
//   ids), so a version reused after Redis lost writes still gets audit ids of its
//   own. A rollback is noticed by an update whose expected version is above Redis's,
//   by a get() finding Redis behind this instance's write cache, or by an update frame
//   on the channel below the last one seen (write_cache.h); the session is then
//   written once more with a new epoch, a version above every one known to have been
//   written and a store_rolled_back event, and a bare update makes watchers re-read it
//   (docs/design.md, "When the store rolls back").
//
// Errors: a Redis that cannot be reached (or a closed store) is `unavailable`; a
// stored value that is not a session is `deserialization`.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "domain/clock.h"
#include "store/redis/deadline_poller.h"
#include "store/redis/redis_options.h"
#include "store/redis/redis_url.h"
#include "store/redis/write_cache.h"
#include "store/session_store.h"

namespace sk::store::redis {

struct RedisStoreOptions {
  std::chrono::seconds ttl{3600};  // refreshed on every write
  std::string key_prefix = "synckairos:";
  int shards = 16;  // of the deadline/expiry indexes and audit streams (key_space.h)
  // Audit stream entries kept per shard at most (approximate trimming): a bound on
  // Redis memory while no audit worker consumes the stream. 0: never trim (an audit
  // writer consumes the streams and deletes what it has written).
  std::int64_t audit_max_length = 1'000'000;
  // Estimated bytes of the sessions whose last write by this instance is kept for the
  // read of the next command (get_for_update, write_cache.h); 0 turns the cache off.
  // Full: emptied, then refilled. 64 MiB holds ~900 sessions of 1,000 participants
  // (~70 KB each) or ~60,000 of two (~1 KB).
  std::size_t write_cache_bytes = std::size_t{64} << 20;
  // How long a watch registration lasts unless renewed (every third of it): after an
  // instance stops, its watchers' sessions publish in full for at most this long.
  std::chrono::milliseconds watch_lease{30'000};
  RedisClientOptions client;
  DeadlinePollerOptions poller;
  // Told when this instance's events subscription (its view of Redis) breaks (false),
  // and when it is back and its watchers have been told to re-sync (true). Called from
  // the store's threads; must not block. Empty: nobody is told.
  std::function<void(bool up)> on_connection_change;
  // Told once per rollback this instance stamped (issue 16): Redis held an older
  // version than one written (expected vs found), the session got a new epoch and a
  // store_rolled_back audit event. For a metric and a warning; must not block.
  std::function<void(const Rollback&)> on_rollback;
};

class RedisStore final : public SessionStore {
 public:
  // Connects in the background; `clock` must outlive the store.
  RedisStore(asio::any_io_executor executor, const domain::Clock& clock, RedisUrl url,
             RedisStoreOptions options = {});
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  asio::awaitable<Result<Session>> get(Uuid id) override;
  // From the write cache when this instance wrote the session last (and no newer
  // version or deletion came by on the events channel since), else get().
  asio::awaitable<Result<ReadForUpdate>> get_for_update(Uuid id) override;
  asio::awaitable<Status> create(Write write) override;
  asio::awaitable<Status> update(Write write,
                                 std::optional<std::int64_t> expected_version) override;
  asio::awaitable<Result<bool>> remove(Uuid id, domain::Event deleted,
                                       std::string message) override;
  asio::awaitable<Status> broadcast(Uuid id, std::string message) override;

  // Registers a watch lease (watch_registry.h); the write script publishes in full
  // only for sessions with one.
  asio::awaitable<Subscription> watch(Uuid id) override;
  Subscription subscribe(MessageHandler handler) override;
  void set_deadline_handler(DeadlineHandler handler) override;

  asio::awaitable<bool> healthy() override;
  asio::awaitable<Result<std::int64_t>> count() override;

  void close() override;

  // The events channel is subscribed: messages of writes made from now on arrive.
  bool subscribed() const;

  // What the write cache holds now (for tests and metrics): entries and their
  // estimated bytes, which stay within options.write_cache_bytes.
  struct WriteCacheSize {
    std::size_t entries = 0;
    std::size_t bytes = 0;
  };
  WriteCacheSize write_cache_size() const;

 private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace sk::store::redis
