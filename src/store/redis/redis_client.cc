// RedisClient: see redis_client.h. Pool selection and the public error boundary only;
// reconnecting is SupervisedConnection's, the wire RedisConnection's.
#include "store/redis/redis_client.h"

#include <algorithm>
#include <exception>

#include "store/redis/cluster_router.h"
#include "store/redis/redis_errors.h"
#include "store/redis/supervised_connection.h"

namespace sk::store::redis {

RedisClient::RedisClient(asio::any_io_executor executor, RedisUrl url, RedisClientOptions options) {
  if (url.cluster) {
    router_ = ClusterRouter::start(std::move(executor), std::move(url), options);
    return;
  }
  const std::size_t size = options.pool_size == 0 ? 1 : options.pool_size;
  pool_.reserve(size);
  for (std::size_t i = 0; i < size; ++i) {
    pool_.push_back(SupervisedConnection::start(executor, url, options));
  }
}

RedisClient::~RedisClient() { close(); }

void RedisClient::close() {
  if (closed_.exchange(true)) return;
  if (router_) router_->close();
  for (const auto& conn : pool_) conn->close();
}

bool RedisClient::connected() const {
  if (closed_.load()) return false;
  if (router_) return router_->connected();
  return std::ranges::any_of(pool_, [](const auto& conn) { return conn->ready(); });
}

std::shared_ptr<SupervisedConnection> RedisClient::pick() {
  const std::size_t start = next_.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < pool_.size(); ++i) {
    const auto& conn = pool_[(start + i) % pool_.size()];
    if (conn->ready()) return conn;
  }
  // None ready: this one fails fast, or waits for its connect attempt in progress.
  return pool_[start % pool_.size()];
}

asio::awaitable<domain::Result<Reply>> RedisClient::command(std::vector<std::string> args) {
  std::vector<std::vector<std::string>> commands;
  commands.push_back(std::move(args));
  auto replies = co_await pipeline(std::move(commands));
  if (!replies.ok()) co_return replies.error();
  if (replies->size() != 1) co_return unavailable("protocol error: reply count mismatch");
  co_return std::move(replies->front());
}

asio::awaitable<domain::Result<std::vector<Reply>>> RedisClient::pipeline(
    std::vector<std::vector<std::string>> commands) {
  if (closed_.load()) co_return unavailable("the client is closed");
  if (commands.empty()) co_return std::vector<Reply>{};
  if (router_) {
    auto router = router_;
    co_return co_await router->pipeline(std::move(commands));
  }
  // `this` is not touched after the first suspension: the connection is held here.
  auto conn = pick();
  try {
    auto replies = co_await conn->execute(std::move(commands));
    co_return replies;
  } catch (const std::exception&) {
    // Only allocation failures can get here; nothing throws out of the client.
    co_return domain::Error::internal();
  }
}

}  // namespace sk::store::redis
