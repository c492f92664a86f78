// EventsSubscriber: what the Redis engine needs of its events subscription, on one
// Redis (RedisSubscriber: SUBSCRIBE on one connection) or on a cluster
// (ShardedSubscriber: SSUBSCRIBE on every master, to the shard channels it serves).
#pragma once

#include <functional>
#include <string_view>

namespace sk::store::redis {

class EventsSubscriber {
 public:
  using MessageHandler = std::function<void(std::string_view channel, std::string_view payload)>;

  virtual ~EventsSubscriber() = default;
  // Connects and subscribes in the background. Once only; no-op after close().
  virtual void start() = 0;
  // After it returns no callback runs or starts.
  virtual void close() = 0;
  // Subscribed to every channel. Thread-safe.
  virtual bool subscribed() const = 0;
};

}  // namespace sk::store::redis
