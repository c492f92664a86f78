// check_deployment: is REDIS_URL what it says? Run once at start-up, so that a
// misconfiguration is a clear error instead of MOVED replies (or silently lost
// messages) later:
// - redis://     at a Redis Cluster node: refused, with the redis+cluster:// hint;
// - redis+cluster:// at a node without cluster mode: refused;
// - a cluster whose slots are not all served by a master: refused, naming them;
// - seed nodes that disagree about which master serves a slot (two clusters in one
//   URL): refused, naming the two seeds.
// A node that cannot be reached now is not an error (the engine reconnects by
// itself): the result says what could not be checked.
#pragma once

#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "store/redis/redis_errors.h"
#include "store/redis/redis_options.h"
#include "store/redis/redis_url.h"

namespace sk::store::redis {

struct DeploymentCheck {
  Status error;             // a validation error (field redis_url) saying what is wrong
  std::string unreachable;  // the nodes that could not be asked, and why; empty if none
};

boost::asio::awaitable<DeploymentCheck> check_deployment(boost::asio::any_io_executor executor,
                                                         RedisUrl url,
                                                         RedisClientOptions options = {});

}  // namespace sk::store::redis
