// ShardedSubscriber: see sharded_subscriber.h.
#include "store/redis/sharded_subscriber.h"

#include <map>
#include <mutex>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "store/redis/cluster_router.h"
#include "store/redis/cluster_slots.h"
#include "store/redis/redis_errors.h"
#include "store/redis/supervised_connection.h"

namespace sk::store::redis {

namespace asio = boost::asio;

struct ShardedSubscriber::State : std::enable_shared_from_this<State> {
  asio::any_io_executor executor;
  RedisUrl url;
  RedisClientOptions options;
  std::shared_ptr<ClusterRouter> router;
  std::vector<std::string> channels;
  MessageHandler on_message;
  std::function<void()> on_resubscribed;
  std::function<void()> on_lost;

  // Held while a callback runs (recursive: a callback may call close()).
  std::recursive_mutex callback_mu;
  bool callbacks_closed = false;

  std::mutex mu;  // guards everything below
  bool started = false;
  bool closed = false;
  int generation = 0;            // of `connections`: one per rebuild
  bool ever_subscribed = false;  // a whole generation was subscribed once
  std::vector<std::shared_ptr<SupervisedConnection>> connections;
  std::vector<NodeAddress> assignment;  // per channel: the master `connections` use
  int ready_in_generation = 0;
  std::unique_ptr<asio::steady_timer> retry;

  template <typename F>
  void call(F&& f) {
    std::lock_guard lock(callback_mu);
    if (callbacks_closed) return;
    try {
      f();
    } catch (...) {  // NOLINT(bugprone-empty-catch): a throwing handler must not end delivery
    }
  }

  void rebuild();
  void subscribed_one(int of_generation);
};

namespace {

std::vector<Command> ssubscribe_commands(const std::vector<std::string>& channels) {
  // One command per channel: a cluster refuses SSUBSCRIBE of channels in two slots.
  std::vector<Command> commands;
  for (const auto& channel : channels)
    commands.push_back(Command{std::string("SSUBSCRIBE"), channel});
  return commands;
}

asio::awaitable<Status> ssubscribe(std::shared_ptr<ShardedSubscriber::State> state, int generation,
                                   std::vector<std::string> channels, RedisConnection& conn) {
  if (!state) co_return unavailable("the subscriber is closed");
  auto replies = co_await conn.execute_here(ssubscribe_commands(channels), channels.size());
  if (!replies.ok()) co_return replies.error();
  for (const auto& r : *replies) {
    if (r.kind != ReplyKind::array || r.elements.size() != 3 || r.elements[0].str != "ssubscribe") {
      // MOVED: our map is behind; the router refreshes and tells us.
      state->router->refresh_soon();
      co_return unavailable("SSUBSCRIBE failed (" + r.debug_string() + ")");
    }
  }
  state->subscribed_one(generation);
  co_return std::nullopt;
}

}  // namespace

void ShardedSubscriber::State::subscribed_one(int of_generation) {
  {
    std::lock_guard lock(mu);
    if (closed || of_generation != generation) return;
    const bool complete = ++ready_in_generation >= static_cast<int>(connections.size());
    if (!ever_subscribed) {
      // The first subscription of all: nothing was missed.
      ever_subscribed = complete;
      return;
    }
    // A rebuild or a reconnect: messages may have been lost. Tell once all channels
    // are subscribed again.
    if (!complete) return;
  }
  call([&] { on_resubscribed(); });
}

void ShardedSubscriber::State::rebuild() {
  std::vector<std::shared_ptr<SupervisedConnection>> old;
  {
    std::lock_guard lock(mu);
    if (closed || !started) return;
    const auto map = router->slot_map();
    if (!map) {
      // No map yet: try again soon (the router discovers in the background).
      if (!retry) retry = std::make_unique<asio::steady_timer>(executor);
      retry->expires_after(options.reconnect_backoff_min);
      retry->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        if (auto self = weak.lock(); self && !ec) self->rebuild();
      });
      return;
    }
    std::map<int, std::vector<std::string>> by_master;
    std::vector<NodeAddress> where;
    for (const auto& channel : channels) {
      const int master = map->master_of(key_slot(channel));
      if (master >= 0) by_master[master].push_back(channel);
      where.push_back(master >= 0 ? map->masters[static_cast<std::size_t>(master)] : NodeAddress{});
    }
    // A change elsewhere in the map (another slot moved): nothing to do here.
    if (!connections.empty() && where == assignment) return;
    assignment = std::move(where);
    old.swap(connections);
    ++generation;
    ready_in_generation = 0;
    for (auto& [master, mine] : by_master) {
      auto on_push = [weak = weak_from_this()](const Reply& push) {
        auto self = weak.lock();
        if (!self) return;
        const auto& e = push.elements;
        if (e[0].str == "smessage") {
          self->call([&] { self->on_message(e[1].str, e[2].str); });
        } else if (e[0].str == "sunsubscribe") {
          // The slot moved: the map is stale. The router's refresh calls rebuild().
          self->router->refresh_soon();
        }
      };
      auto on_connected = [weak = weak_from_this(), gen = generation,
                           mine = mine](RedisConnection& conn) {
        return ssubscribe(weak.lock(), gen, mine, conn);
      };
      auto when_lost = [weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self) return;
        self->router->refresh_soon();
        self->call([&] { self->on_lost(); });
      };
      connections.push_back(SupervisedConnection::start(
          executor, url.at(map->masters[static_cast<std::size_t>(master)]), options,
          std::move(on_push), std::move(on_connected), std::move(when_lost)));
    }
  }
  for (const auto& conn : old) conn->close();
}

ShardedSubscriber::ShardedSubscriber(asio::any_io_executor executor, RedisUrl url,
                                     RedisClientOptions options,
                                     std::shared_ptr<ClusterRouter> router,
                                     std::vector<std::string> channels, MessageHandler on_message,
                                     std::function<void()> on_resubscribed,
                                     std::function<void()> on_lost)
    : state_(std::make_shared<State>()) {
  state_->executor = std::move(executor);
  state_->url = std::move(url);
  state_->options = options;
  state_->router = std::move(router);
  state_->channels = std::move(channels);
  state_->on_message =
      on_message ? std::move(on_message) : [](std::string_view, std::string_view) {};
  state_->on_resubscribed = on_resubscribed ? std::move(on_resubscribed) : [] {};
  state_->on_lost = on_lost ? std::move(on_lost) : [] {};
}

ShardedSubscriber::~ShardedSubscriber() { close(); }

void ShardedSubscriber::start() {
  {
    std::lock_guard lock(state_->mu);
    if (state_->closed || state_->started) return;
    state_->started = true;
  }
  state_->router->on_change([weak = std::weak_ptr<State>(state_)] {
    if (auto self = weak.lock()) {
      asio::post(self->executor, [self] { self->rebuild(); });
    }
  });
  state_->rebuild();
}

void ShardedSubscriber::close() {
  std::vector<std::shared_ptr<SupervisedConnection>> connections;
  std::vector<NodeAddress> assignment;  // per channel: the master `connections` use
  {
    std::lock_guard lock(state_->mu);
    if (state_->closed) return;
    state_->closed = true;
    connections.swap(state_->connections);
    if (state_->retry) state_->retry->cancel();
  }
  for (const auto& conn : connections) conn->close();
  std::lock_guard lock(state_->callback_mu);  // waits for a callback in progress
  state_->callbacks_closed = true;
}

bool ShardedSubscriber::subscribed() const {
  std::lock_guard lock(state_->mu);
  if (state_->closed || state_->connections.empty()) return false;
  for (const auto& conn : state_->connections) {
    if (!conn->ready()) return false;
  }
  return state_->ready_in_generation >= static_cast<int>(state_->connections.size());
}

}  // namespace sk::store::redis
