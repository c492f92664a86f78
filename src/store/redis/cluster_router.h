// ClusterRouter: RedisClient's Redis Cluster mode (SPEC §5). Knows which master serves
// each slot (CLUSTER SLOTS, from any seed or known master), keeps one pool of
// connections per master (a plain RedisClient each), and sends every command to the
// master of its routing key's slot (cluster_slots.h):
//
// - A pipeline is split by node; each node's part goes back to back on one of its
//   connections, and the replies are put back in the caller's order.
// - MOVED: the slot is recorded as moved at once and the command resent there; a
//   full refresh of the map follows in the background. ASK (a slot being migrated):
//   ASKING + the command at the target, map unchanged. TRYAGAIN, CLUSTERDOWN: resent
//   after a short pause. At most kMaxRedirects per command, then its error reply
//   stands. These are safe to repeat: the node did not run the command.
// - A node that cannot be reached fails its commands unavailable (never resent: they
//   may have run) and triggers a refresh, so after a failover the promoted replica is
//   found within one refresh. In a pipeline over several nodes, only that node's
//   commands fail (as error replies "UNAVAILABLE ..."), the others are answered: a
//   lost master costs its slots only.
// - The map is refreshed at most every kMinRefreshInterval on demand, and every
//   kRefreshPeriod regardless (a failover nobody has hit yet); listeners are told when
//   it changes (the sharded subscriber resubscribes).
//
// Thread-safe; close() ends every connection and background task.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "domain/result.h"
#include "store/redis/cluster_slots.h"
#include "store/redis/redis_options.h"
#include "store/redis/redis_url.h"
#include "store/redis/reply.h"

namespace sk::store::redis {

class RedisClient;

class ClusterRouter : public std::enable_shared_from_this<ClusterRouter> {
 public:
  static constexpr int kMaxRedirects = 8;
  static constexpr std::chrono::milliseconds kMinRefreshInterval{100};
  static constexpr std::chrono::milliseconds kRefreshPeriod{2000};

  // Starts discovering the slots in the background.
  static std::shared_ptr<ClusterRouter> start(boost::asio::any_io_executor executor, RedisUrl url,
                                              RedisClientOptions options);
  ~ClusterRouter();
  ClusterRouter(const ClusterRouter&) = delete;
  ClusterRouter& operator=(const ClusterRouter&) = delete;

  boost::asio::awaitable<domain::Result<std::vector<Reply>>> pipeline(
      std::vector<std::vector<std::string>> commands);

  // Every master of the map has a ready connection.
  bool connected() const;

  // The current map; nullptr until the first discovery has succeeded.
  std::shared_ptr<const SlotMap> slot_map() const;

  // Called (from the router's threads) after each change of the map.
  void on_change(std::function<void()> listener);

  // Asks for a refresh soon (at most one runs at a time, throttled).
  void refresh_soon();

  // How many commands were resent after MOVED/ASK/TRYAGAIN since the start (for the
  // benchmarks and tests).
  std::int64_t redirects() const { return redirects_.load(); }

  void close();

  ClusterRouter(boost::asio::any_io_executor executor, RedisUrl url, RedisClientOptions options);

 private:
  struct Part;  // the commands of one pipeline for one node

  std::shared_ptr<RedisClient> node(const NodeAddress& address);
  std::shared_ptr<RedisClient> node_locked(const NodeAddress& address);  // mu_ held
  boost::asio::awaitable<domain::Result<std::shared_ptr<const SlotMap>>> current_map();
  boost::asio::awaitable<domain::Result<std::shared_ptr<const SlotMap>>> discover();
  boost::asio::awaitable<Reply> resend(std::vector<std::string> command, Reply first,
                                       std::shared_ptr<const SlotMap> map);
  void moved(int slot, const NodeAddress& to);
  void install(std::shared_ptr<const SlotMap> map);
  static boost::asio::awaitable<void> refresh_loop(std::shared_ptr<ClusterRouter> self);

  const boost::asio::any_io_executor executor_;
  const RedisUrl url_;
  const RedisClientOptions options_;

  mutable std::mutex mu_;
  std::shared_ptr<const SlotMap> map_;  // guarded by mu_
  // map_->masters' clients, in the same order (no lookup by address per command).
  std::shared_ptr<const std::vector<std::shared_ptr<RedisClient>>> masters_;  // mu_
  std::map<std::string, std::shared_ptr<RedisClient>> nodes_;                 // by host:port; mu_
  std::vector<std::function<void()>> listeners_;                              // mu_
  std::atomic<bool> refresh_wanted_{false};
  std::atomic<bool> closed_{false};
  std::atomic<std::int64_t> redirects_{0};
  boost::asio::strand<boost::asio::any_io_executor> strand_;  // the refresh loop's
  boost::asio::steady_timer wake_;  // on strand_: the refresh loop's sleep
};

}  // namespace sk::store::redis
