// WatchRegistry: see watch_registry.h.
#include "store/redis/watch_registry.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "store/redis/scripts.h"

namespace sk::store::redis {

namespace {

// ZADD GT: a lease is only ever extended, whichever instance renews it.
std::vector<std::string> register_leases(std::string key, const std::string& until,
                                         const std::vector<std::string>& ids) {
  std::vector<std::string> command{"ZADD", std::move(key), "GT"};
  command.reserve(3 + 2 * ids.size());
  for (const auto& id : ids) {
    command.push_back(until);
    command.push_back(id);
  }
  return command;
}

// A lease ending at `now` or before has lapsed (the write script wants one after now).
std::vector<std::string> drop_lapsed(std::string key, std::string now) {
  return {"ZREMRANGEBYSCORE", std::move(key), "-inf", std::move(now)};
}

}  // namespace

std::shared_ptr<WatchRegistry> WatchRegistry::start(asio::any_io_executor executor,
                                                    std::shared_ptr<RedisClient> client,
                                                    KeySpace keys, const domain::Clock& clock,
                                                    std::chrono::milliseconds lease) {
  auto self = std::shared_ptr<WatchRegistry>(
      new WatchRegistry(std::move(executor), std::move(client), std::move(keys), clock, lease));
  asio::co_spawn(self->strand_, renew_loop(self), asio::detached);
  return self;
}

WatchRegistry::WatchRegistry(asio::any_io_executor executor, std::shared_ptr<RedisClient> client,
                             KeySpace keys, const domain::Clock& clock,
                             std::chrono::milliseconds lease)
    : strand_(asio::make_strand(executor)),
      client_(std::move(client)),
      keys_(std::move(keys)),
      clock_(clock),
      lease_(lease),
      timer_(strand_) {}

asio::awaitable<Subscription> WatchRegistry::watch(domain::Uuid id) {
  {
    std::lock_guard lock(mu_);
    ++counts_[id];
  }
  auto handle = Subscription([weak = weak_from_this(), id] {
    if (auto self = weak.lock()) self->release(id);
  });
  // Every watch registers, not only the first: a second watcher must not start
  // reading before the first one's registration has reached Redis.
  const auto until = unix_ms_arg(clock_.wall_now() + lease_);
  const std::vector<std::string> ids(1, id.to_string());
  auto reply =
      co_await client_->command(register_leases(keys_.watched(keys_.shard_of(id)), until, ids));
  (void)reply;  // a failure is covered by the bare versions (see the header)
  co_return handle;
}

void WatchRegistry::release(const domain::Uuid& id) {
  std::lock_guard lock(mu_);
  auto it = counts_.find(id);
  if (it != counts_.end() && --it->second <= 0) counts_.erase(it);
}

asio::awaitable<bool> WatchRegistry::renew_all() {
  const auto now = clock_.wall_now();
  const auto until = unix_ms_arg(now + lease_);
  std::map<int, std::vector<std::string>> by_shard;  // the ids watched here, by shard
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, _] : counts_) {
      by_shard[keys_.shard_of(id)].push_back(id.to_string());
    }
  }
  std::vector<std::vector<std::string>> commands;
  for (int shard = 0; shard < keys_.shards(); ++shard) {
    commands.push_back(drop_lapsed(keys_.watched(shard), unix_ms_arg(now)));
  }
  for (const auto& [shard, ids] : by_shard) {
    commands.push_back(register_leases(keys_.watched(shard), until, ids));
  }
  const auto replies = co_await client_->pipeline(std::move(commands));
  if (!replies) co_return false;
  for (const auto& r : *replies) {
    if (r.is_error()) co_return false;
  }
  co_return true;
}

asio::awaitable<void> WatchRegistry::renew_loop(std::shared_ptr<WatchRegistry> self) {
  for (;;) {
    self->timer_.expires_after(self->lease_ / 3);
    co_await self->timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    {
      std::lock_guard lock(self->mu_);
      if (self->closed_) co_return;
    }
    co_await self->renew_all();
  }
}

void WatchRegistry::close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
  }
  asio::post(strand_, [self = shared_from_this()] { self->timer_.cancel(); });
}

}  // namespace sk::store::redis
