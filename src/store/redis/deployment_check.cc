// check_deployment: see deployment_check.h.
#include "store/redis/deployment_check.h"

#include <optional>
#include <vector>

#include "store/redis/cluster_slots.h"
#include "store/redis/redis_client.h"

namespace sk::store::redis {

namespace asio = boost::asio;

namespace {

domain::Error misconfigured(const std::string& why) {
  return domain::Error::validation("redis_url", why);
}

std::vector<std::string> info_cluster() { return {"INFO", "cluster"}; }
std::vector<std::string> cluster_slots() { return {"CLUSTER", "SLOTS"}; }

// What one node says: cluster mode on or off, and its slot map when on; nullopt
// (and `why`) if it could not be asked.
struct NodeView {
  bool cluster = false;
  std::optional<SlotMap> map;
};

asio::awaitable<std::optional<NodeView>> ask(asio::any_io_executor executor, RedisUrl url,
                                             RedisClientOptions options, std::string& why) {
  options.pool_size = 1;
  RedisClient client(executor, url, options);
  auto info = co_await client.command(info_cluster());
  if (!info || info->is_error()) {
    why += (why.empty() ? "" : "; ") + url.redacted() + ": " +
           (info ? info->str : info.error().message);
    client.close();
    co_return std::nullopt;
  }
  NodeView view;
  view.cluster = info->str.find("cluster_enabled:1") != std::string::npos;
  if (view.cluster) {
    auto slots = co_await client.command(cluster_slots());
    if (slots) {
      auto map = parse_cluster_slots(*slots, NodeAddress{url.host, url.port});
      if (map) view.map = std::move(*map);
    }
  }
  client.close();
  co_return view;
}

// The first slot two maps give to different masters; -1 if none.
int first_disagreement(const SlotMap& a, const SlotMap& b) {
  for (int slot = 0; slot < kClusterSlots; ++slot) {
    const int ma = a.master_of(slot);
    const int mb = b.master_of(slot);
    if ((ma < 0) != (mb < 0)) return slot;
    if (ma >= 0 &&
        a.masters[static_cast<std::size_t>(ma)] != b.masters[static_cast<std::size_t>(mb)]) {
      return slot;
    }
  }
  return -1;
}

}  // namespace

asio::awaitable<DeploymentCheck> check_deployment(asio::any_io_executor executor, RedisUrl url,
                                                  RedisClientOptions options) {
  DeploymentCheck out;
  if (!url.cluster) {
    auto view = co_await ask(executor, url, options, out.unreachable);
    if (view && view->cluster) {
      out.error = misconfigured(url.redacted() +
                                " is a Redis Cluster node: use REDIS_URL=redis+cluster://" +
                                url.host + ":" + std::to_string(url.port) +
                                "[,host:port...] (or REDIS_CLUSTER=true), so that "
                                "every command goes to the master of its slot");
    }
    co_return out;
  }
  std::optional<SlotMap> first;
  NodeAddress first_seed;
  for (const auto& seed : url.seeds) {
    auto view = co_await ask(executor, url.at(seed), options, out.unreachable);
    if (!view) continue;
    if (!view->cluster) {
      out.error = misconfigured(seed.to_string() +
                                " is not in cluster mode (cluster_enabled:0): for a single Redis "
                                "use REDIS_URL=redis://" +
                                seed.to_string());
      co_return out;
    }
    if (!view->map) continue;
    if (const auto gaps = view->map->uncovered(); !gaps.empty()) {
      out.error = misconfigured("the cluster (as " + seed.to_string() +
                                " sees it) has slots no master serves: " + gaps +
                                " (assign them, e.g. redis-cli --cluster fix)");
      co_return out;
    }
    if (!first) {
      first = std::move(view->map);
      first_seed = seed;
    } else if (const int slot = first_disagreement(*first, *view->map); slot >= 0) {
      out.error = misconfigured("the seed nodes disagree: " + first_seed.to_string() + " and " +
                                seed.to_string() + " name different masters for slot " +
                                std::to_string(slot) + " (seeds of two clusters in one URL?)");
      co_return out;
    }
  }
  co_return out;
}

}  // namespace sk::store::redis
