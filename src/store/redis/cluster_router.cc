// ClusterRouter: see cluster_router.h.
#include "store/redis/cluster_router.h"

#include <algorithm>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "store/redis/redis_client.h"
#include "store/redis/redis_errors.h"

namespace sk::store::redis {

namespace asio = boost::asio;
using Command = std::vector<std::string>;

namespace {

// What a command of a pipeline gets when its node could not be reached but others
// could (a whole-pipeline failure is an Error instead).
constexpr std::string_view kUnreachable = "UNAVAILABLE ";

Reply unreachable(const domain::Error& why) {
  return Reply::error(std::string(kUnreachable) + why.message);
}
bool is_unreachable(const Reply& r) { return r.is_error() && r.str.starts_with(kUnreachable); }

Command cluster_slots() { return {"CLUSTER", "SLOTS"}; }
Command asking() { return {"ASKING"}; }

}  // namespace

ClusterRouter::ClusterRouter(asio::any_io_executor executor, RedisUrl url,
                             RedisClientOptions options)
    : executor_(std::move(executor)),
      url_(std::move(url)),
      options_(options),
      strand_(asio::make_strand(executor_)),
      wake_(strand_) {}

std::shared_ptr<ClusterRouter> ClusterRouter::start(asio::any_io_executor executor, RedisUrl url,
                                                    RedisClientOptions options) {
  auto router = std::make_shared<ClusterRouter>(std::move(executor), std::move(url), options);
  asio::co_spawn(router->strand_, refresh_loop(router), asio::detached);
  return router;
}

ClusterRouter::~ClusterRouter() { close(); }

void ClusterRouter::close() {
  if (closed_.exchange(true)) return;
  std::map<std::string, std::shared_ptr<RedisClient>> nodes;
  {
    std::lock_guard lock(mu_);
    nodes.swap(nodes_);
    listeners_.clear();
  }
  for (auto& [_, client] : nodes) client->close();
  asio::post(strand_, [this, keep = weak_from_this()] {
    if (auto self = keep.lock()) wake_.cancel();
  });
}

std::shared_ptr<RedisClient> ClusterRouter::node(const NodeAddress& address) {
  std::lock_guard lock(mu_);
  return node_locked(address);
}

std::shared_ptr<RedisClient> ClusterRouter::node_locked(const NodeAddress& address) {
  auto& client = nodes_[address.to_string()];
  if (!client) {
    client = std::make_shared<RedisClient>(executor_, url_.at(address), options_);
    if (closed_) client->close();
  }
  return client;
}

bool ClusterRouter::connected() const {
  std::lock_guard lock(mu_);
  if (!map_ || closed_) return false;
  return std::ranges::all_of(map_->masters, [this](const NodeAddress& m) {
    const auto it = nodes_.find(m.to_string());
    return it != nodes_.end() && it->second->connected();
  });
}

std::shared_ptr<const SlotMap> ClusterRouter::slot_map() const {
  std::lock_guard lock(mu_);
  return map_;
}

void ClusterRouter::on_change(std::function<void()> listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

void ClusterRouter::install(std::shared_ptr<const SlotMap> map) {
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard lock(mu_);
    if (map_ && *map_ == *map) return;
    auto masters = std::make_shared<std::vector<std::shared_ptr<RedisClient>>>();
    for (const auto& m : map->masters) masters->push_back(node_locked(m));
    masters_ = std::move(masters);
    map_ = std::move(map);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener();
}

void ClusterRouter::moved(int slot, const NodeAddress& to) {
  std::shared_ptr<SlotMap> next;
  {
    std::lock_guard lock(mu_);
    next = map_ ? std::make_shared<SlotMap>(*map_) : std::make_shared<SlotMap>();
  }
  if (next->owner.empty()) next->owner.assign(kClusterSlots, -1);
  auto it = std::ranges::find(next->masters, to);
  if (it == next->masters.end()) it = next->masters.insert(next->masters.end(), to);
  next->owner[static_cast<std::size_t>(slot)] = static_cast<int>(it - next->masters.begin());
  install(std::move(next));
  refresh_soon();
}

void ClusterRouter::refresh_soon() {
  if (closed_ || refresh_wanted_.exchange(true)) return;
  asio::post(strand_, [keep = weak_from_this()] {
    if (auto self = keep.lock()) self->wake_.cancel();
  });
}

asio::awaitable<void> ClusterRouter::refresh_loop(std::shared_ptr<ClusterRouter> self) {
  // Until the first map: retry at the reconnect backoff; then every kRefreshPeriod, or
  // sooner when asked, but never more often than every kMinRefreshInterval.
  while (!self->closed_) {
    self->refresh_wanted_ = false;
    auto found = co_await self->discover();
    if (self->closed_) co_return;
    if (found) self->install(std::move(*found));
    const bool have_map = self->slot_map() != nullptr;
    self->wake_.expires_after(have_map ? kMinRefreshInterval
                                       : self->options_.reconnect_backoff_min);
    (void)co_await self->wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (self->closed_) co_return;
    if (!have_map || self->refresh_wanted_) continue;
    // A refresh_soon() from now on cancels this sleep.
    self->wake_.expires_after(kRefreshPeriod - kMinRefreshInterval);
    if (self->refresh_wanted_) continue;
    (void)co_await self->wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<domain::Result<std::shared_ptr<const SlotMap>>> ClusterRouter::discover() {
  std::vector<NodeAddress> candidates;
  if (auto map = slot_map()) candidates = map->masters;
  for (const auto& seed : url_.seeds) {
    if (std::ranges::find(candidates, seed) == candidates.end()) candidates.push_back(seed);
  }
  std::string why;
  for (const auto& candidate : candidates) {
    if (closed_) break;
    auto reply = co_await node(candidate)->command(cluster_slots());
    if (!reply) {
      why += "; " + candidate.to_string() + ": " + reply.error().message;
      continue;
    }
    auto map = parse_cluster_slots(*reply, candidate);
    if (!map) {
      why += "; " + candidate.to_string() + ": " +
             (reply->is_error() ? reply->str : map.error().violations.at(0).message);
      continue;
    }
    if (map->masters.empty()) {
      why += "; " + candidate.to_string() + ": serves no slots";
      continue;
    }
    co_return std::make_shared<const SlotMap>(std::move(*map));
  }
  co_return unavailable("no cluster node answered CLUSTER SLOTS" + why);
}

asio::awaitable<domain::Result<std::shared_ptr<const SlotMap>>> ClusterRouter::current_map() {
  if (auto map = slot_map()) co_return map;
  auto found = co_await discover();
  if (!found) co_return found.error();
  install(*found);
  co_return std::move(*found);
}

struct ClusterRouter::Part {
  int master = 0;
  std::vector<std::size_t> indexes;  // into the caller's commands
};

asio::awaitable<domain::Result<std::vector<Reply>>> ClusterRouter::pipeline(
    std::vector<Command> commands) {
  auto self = shared_from_this();
  if (closed_) co_return unavailable("the client is closed");
  if (commands.empty()) co_return std::vector<Reply>{};
  auto map = co_await current_map();
  if (!map) co_return map.error();
  const SlotMap& slots = **map;
  std::shared_ptr<const std::vector<std::shared_ptr<RedisClient>>> masters;
  {
    std::lock_guard lock(mu_);
    if (map_ == *map) masters = masters_;
  }

  std::vector<Reply> replies(commands.size());
  std::vector<Part> parts;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (auto crossing = cross_slot(commands[i])) {
      replies[i] = Reply::error(std::move(*crossing));
      continue;
    }
    const auto key = routing_key(commands[i]);
    const int master = key ? slots.master_of(key_slot(*key)) : 0;
    if (master < 0) {
      replies[i] = Reply::error("CLUSTERDOWN no master serves the slot of " + std::string(*key));
      continue;
    }
    auto part = std::ranges::find(parts, master, &Part::master);
    if (part == parts.end()) part = parts.insert(parts.end(), Part{master, {}});
    part->indexes.push_back(i);
  }

  std::optional<domain::Error> failure;
  for (const auto& part : parts) {
    std::vector<Command> sent;
    sent.reserve(part.indexes.size());
    for (const auto i : part.indexes) sent.push_back(commands[i]);
    const auto index = static_cast<std::size_t>(part.master);
    auto client = masters ? (*masters)[index] : node(slots.masters[index]);
    auto got = co_await client->pipeline(std::move(sent));
    if (!got || got->size() != part.indexes.size()) {
      const auto error = got ? unavailable("reply count mismatch") : got.error();
      failure = error;
      for (const auto i : part.indexes) replies[i] = unreachable(error);
      refresh_soon();
      continue;
    }
    for (std::size_t k = 0; k < part.indexes.size(); ++k) {
      replies[part.indexes[k]] = std::move((*got)[k]);
    }
  }

  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (parse_redirect(replies[i]) || is_retryable_cluster_error(replies[i])) {
      replies[i] = co_await resend(std::move(commands[i]), std::move(replies[i]), *map);
    }
  }
  // Nothing answered at all: the call failed, as on one Redis.
  if (std::ranges::all_of(replies, is_unreachable)) {
    co_return failure ? *failure : unavailable(replies.front().str);
  }
  co_return replies;
}

asio::awaitable<Reply> ClusterRouter::resend(Command command, Reply reply,
                                             std::shared_ptr<const SlotMap> map) {
  for (int attempt = 1; attempt <= kMaxRedirects && !closed_; ++attempt) {
    ++redirects_;
    domain::Result<std::vector<Reply>> got = std::vector<Reply>{};
    if (const auto redirect = parse_redirect(reply)) {
      NodeAddress target = redirect->node;
      if (target.host.empty()) target.host = "127.0.0.1";
      if (redirect->kind == Redirect::Kind::moved) {
        moved(redirect->slot, target);
        std::vector<Command> one;
        one.push_back(command);
        got = co_await node(target)->pipeline(std::move(one));
      } else {
        std::vector<Command> two;
        two.push_back(asking());
        two.push_back(command);
        got = co_await node(target)->pipeline(std::move(two));
        if (got && got->size() == 2) got->erase(got->begin());
      }
    } else if (is_retryable_cluster_error(reply)) {
      // The slot is migrating (TRYAGAIN) or the cluster is failing over: wait a little.
      asio::steady_timer pause(executor_,
                               std::chrono::milliseconds{std::min(200, 10 * attempt * attempt)});
      (void)co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      if (reply.str.starts_with("CLUSTERDOWN")) refresh_soon();
      map = slot_map();
      const auto key = routing_key(command);
      const int master = key && map ? map->master_of(key_slot(*key)) : 0;
      if (!map || master < 0) continue;
      std::vector<Command> one;
      one.push_back(command);
      got = co_await node(map->masters[static_cast<std::size_t>(master)])->pipeline(std::move(one));
    } else {
      co_return reply;
    }
    if (!got || got->size() != 1) {
      refresh_soon();
      co_return unreachable(got ? unavailable("reply count mismatch") : got.error());
    }
    reply = std::move(got->front());
  }
  co_return reply;
}

}  // namespace sk::store::redis
