// RedisClient: the async Redis client of the Redis engine: a small pool of pipelined
// connections (SupervisedConnection), used round-robin, each reconnecting by itself
// with backoff. Client layer only: it knows commands and replies, not sessions.
// With a redis+cluster:// URL it routes every command to its slot's master instead
// (ClusterRouter: one such pool per master, MOVED/ASK followed).
//
// Contract:
// - command() and pipeline() return the Redis replies. A Redis error reply (NOSCRIPT,
//   WRONGTYPE, ...) is a Reply of kind error, so the caller can react (e.g. load the
//   script); an Error means no answer: unavailable when Redis cannot be reached, does
//   not answer within the command timeout, refuses the credentials, or the client is
//   closed; validation for an empty command. Nothing throws.
// - A pipeline's commands go back to back on one connection; replies in order. It is
//   not a transaction: wrap it in MULTI/EXEC for that.
// - Fail fast: with Redis down a call fails at once (or, while a connection is being
//   re-established, after at most the connect timeout); a call never waits longer
//   than connect timeout + command timeout. Calls are never retried (they may have run).
// - Thread-safe: call from any thread of a multi-threaded io_context.
// - close() (also the destructor) fails pending calls unavailable and ends all
//   background work: once the strands have run the close, no timer or coroutine of the
//   client remains.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "domain/result.h"
#include "store/redis/redis_options.h"
#include "store/redis/redis_url.h"
#include "store/redis/reply.h"

namespace sk::store::redis {

namespace asio = boost::asio;

class SupervisedConnection;
class ClusterRouter;

class RedisClient {
 public:
  // Starts connecting at once, in the background.
  RedisClient(asio::any_io_executor executor, RedisUrl url, RedisClientOptions options = {});
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // One command, e.g. {"SET", key, value}. Arguments are binary-safe.
  asio::awaitable<domain::Result<Reply>> command(std::vector<std::string> args);

  // Several commands on one connection, one round trip; one reply per command.
  asio::awaitable<domain::Result<std::vector<Reply>>> pipeline(
      std::vector<std::vector<std::string>> commands);

  // At least one connection is up (for /ready). Thread-safe.
  bool connected() const;

  void close();

  // A cluster URL's router (cluster_router.h); nullptr for one Redis.
  const std::shared_ptr<ClusterRouter>& router() const { return router_; }

 private:
  // A ready connection, starting from the next in turn; the next in turn if none is.
  std::shared_ptr<SupervisedConnection> pick();

  std::shared_ptr<ClusterRouter> router_;  // a cluster: everything goes through it
  std::vector<std::shared_ptr<SupervisedConnection>> pool_;
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> closed_{false};
};

}  // namespace sk::store::redis
