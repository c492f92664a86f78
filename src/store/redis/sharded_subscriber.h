// ShardedSubscriber: the events subscription on a Redis Cluster (SPEC §5). Each write
// SPUBLISHes on its shard's channel (key_space.h), which lives on the master of that
// slot only, so a message crosses no other node. This subscriber groups the shard
// channels by their master (the router's slot map) and keeps one SSUBSCRIBE
// connection per master.
//
// When the map changes (a failover, a resharding: the router tells), or a master
// pushes `sunsubscribe` (it no longer serves the slot), or a connection breaks, it
// resubscribes every channel where the map now says, and once all are subscribed
// again calls on_resubscribed: messages may have been lost meanwhile, so the owner's
// watchers re-read (as after a reconnect on one Redis). on_lost is called when a
// subscribed connection breaks.
//
// Thread-safe; callbacks run one at a time and must not block. After close() returns
// no callback runs or starts.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "store/redis/events_subscriber.h"
#include "store/redis/redis_options.h"
#include "store/redis/redis_url.h"

namespace sk::store::redis {

class ClusterRouter;

class ShardedSubscriber final : public EventsSubscriber {
 public:
  ShardedSubscriber(boost::asio::any_io_executor executor, RedisUrl url, RedisClientOptions options,
                    std::shared_ptr<ClusterRouter> router, std::vector<std::string> channels,
                    MessageHandler on_message, std::function<void()> on_resubscribed,
                    std::function<void()> on_lost = {});
  ~ShardedSubscriber() override;
  ShardedSubscriber(const ShardedSubscriber&) = delete;
  ShardedSubscriber& operator=(const ShardedSubscriber&) = delete;

  void start() override;
  void close() override;
  bool subscribed() const override;

  struct State;  // shared with the connections' hooks

 private:
  std::shared_ptr<State> state_;
};

}  // namespace sk::store::redis
