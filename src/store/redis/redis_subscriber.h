// RedisSubscriber: a dedicated Pub/Sub connection (a subscribed connection can run
// nothing else). It SUBSCRIBEs to fixed channels, delivers each message in arrival
// order on one strand, and when the connection breaks reconnects with backoff and
// subscribes again by itself. Messages published while it was disconnected are lost
// (Pub/Sub keeps nothing): on_resubscribed, called after every successful
// subscription except the first, lets the owner re-read what it may have missed;
// on_lost, called when a subscribed connection breaks, lets it say so.
//
// Thread-safe. Callbacks run on the subscriber's strand, one at a time, and must not
// block. After close() returns no callback runs or starts.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "store/redis/events_subscriber.h"
#include "store/redis/redis_options.h"
#include "store/redis/redis_url.h"

namespace sk::store::redis {

namespace asio = boost::asio;

class SupervisedConnection;

class RedisSubscriber final : public EventsSubscriber {
 public:
  // `channels` must not be empty. pool_size in `options` is ignored.
  RedisSubscriber(asio::any_io_executor executor, RedisUrl url, RedisClientOptions options,
                  std::vector<std::string> channels, MessageHandler on_message,
                  std::function<void()> on_resubscribed, std::function<void()> on_lost = {});
  ~RedisSubscriber() override;
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  // Connects and subscribes in the background. Once only; no-op after close().
  void start() override;
  void close() override;

  // Connected and subscribed to every channel. Thread-safe.
  bool subscribed() const override;

  struct Callbacks;  // shared with the connection's hooks

 private:
  asio::any_io_executor executor_;
  RedisUrl url_;
  RedisClientOptions options_;
  std::shared_ptr<Callbacks> callbacks_;
  std::shared_ptr<SupervisedConnection> conn_;  // set by start()
  mutable std::mutex mu_;                       // guards conn_ and the start/close order
  bool closed_ = false;
};

}  // namespace sk::store::redis
