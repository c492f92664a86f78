// SupervisedConnection: keeps one RedisConnection alive. A coroutine on the strand
// connects, and whenever the connection breaks (or a connect fails) waits a backoff
// (50 ms doubling to 2 s by default) and makes a new one, until close(). While
// connected it sends a PING every health_check_interval, so a silent peer is noticed.
//
// Fail-fast contract of execute(): on an open connection it runs; while a connect
// attempt is in progress it waits for that attempt (bounded by the connect timeout);
// while down (between attempts) or closed it fails unavailable AT ONCE, with the
// reason of the last failure. It never retries a command: a command whose connection
// broke may or may not have run, and only the caller knows if repeating it is safe.
//
// Thread-safe. Used by RedisClient (one per pool slot) and RedisSubscriber (with a
// push handler, an on_connected hook that subscribes and an on_lost hook that tells
// its owner the subscription broke).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "store/redis/redis_connection.h"
#include "store/redis/redis_options.h"

namespace sk::store::redis {

class SupervisedConnection : public std::enable_shared_from_this<SupervisedConnection> {
 public:
  // Runs on the strand after each successful handshake, before the connection counts
  // as ready; an error closes that connection and a later attempt tries again.
  using OnConnected = std::function<asio::awaitable<Status>(RedisConnection&)>;

  // Starts the supervising coroutine on a new strand of `executor`.
  static std::shared_ptr<SupervisedConnection> start(asio::any_io_executor executor, RedisUrl url,
                                                     const RedisClientOptions& options,
                                                     RedisConnection::PushHandler on_push = {},
                                                     OnConnected on_connected = {},
                                                     std::function<void()> on_lost = {});

  // Connected (and, with a hook, past it). Thread-safe.
  bool ready() const { return ready_.load(std::memory_order_acquire); }

  asio::awaitable<domain::Result<Replies>> execute(std::vector<Command> commands);

  // Ends the supervision and closes the connection: pending calls fail unavailable,
  // no timer or coroutine of this object remains once the strand has run the close.
  void close();

 private:
  enum class State { connecting, ready, down, closed };

  SupervisedConnection(const asio::any_io_executor& executor, RedisUrl url,
                       RedisClientOptions options, RedisConnection::PushHandler on_push,
                       OnConnected on_connected, std::function<void()> on_lost);
  static asio::awaitable<void> run(std::shared_ptr<SupervisedConnection> self);
  // execute() on the strand: straight to the connection when ready (no coroutine);
  // a coroutine only to wait for a connect attempt in progress.
  void submit_here(std::string bytes, std::size_t replies, RedisConnection::ReplyHandler handler,
                   bool waited = false);
  static asio::awaitable<void> submit_after_attempt(std::shared_ptr<SupervisedConnection> self,
                                                    std::string bytes, std::size_t replies,
                                                    RedisConnection::ReplyHandler handler);
  asio::awaitable<Status> attempt(const std::shared_ptr<RedisConnection>& conn);
  void close_here();

  Strand strand_;
  const RedisUrl url_;
  const RedisClientOptions options_;
  const RedisConnection::PushHandler on_push_;
  const OnConnected on_connected_;
  const std::function<void()> on_lost_;  // on the strand, when a ready connection breaks

  // On strand_ only.
  State state_ = State::connecting;
  std::shared_ptr<RedisConnection> conn_;
  Status last_error_;
  asio::steady_timer backoff_timer_;  // sleeps between attempts
  asio::steady_timer attempt_done_;   // callers waiting for a connect attempt

  std::atomic<bool> ready_{false};
};

}  // namespace sk::store::redis
