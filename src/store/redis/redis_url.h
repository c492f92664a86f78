// RedisUrl: where the Redis engine connects, parsed from a URL of the form
//   redis://[[user]:password@]host[:port][/db]
// or, for a Redis Cluster, its seed nodes (any masters or replicas; the client
// discovers the rest):
//   redis+cluster://[[user]:password@]host[:port][,host[:port]...]
// (host required; port 6379 and db 0 by default; user, password and host may be
// percent-encoded; an IPv6 host goes in brackets). `rediss://` is refused: this client
// has no TLS. Parsing only: no I/O, and the password never appears in a message or in
// redacted(), which is what logs may show.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"

namespace sk::store::redis {

// One node of a cluster: where to connect.
struct NodeAddress {
  std::string host;
  std::uint16_t port = 6379;

  std::string to_string() const;  // host:port ([v6]:port)
  friend bool operator==(const NodeAddress&, const NodeAddress&) = default;
};

struct RedisUrl {
  std::string host;  // a cluster's first seed
  std::uint16_t port = 6379;
  std::string username;  // empty: the default user (AUTH with the password only)
  std::string password;  // empty: no AUTH
  int db = 0;            // always 0 for a cluster
  bool cluster = false;
  std::vector<NodeAddress> seeds;  // cluster only: every seed node, in URL order

  // The same credentials at another node (a cluster's node; never a cluster URL).
  RedisUrl at(const NodeAddress& node) const;

  // The URL with the password replaced by "***", safe to log.
  std::string redacted() const;

  friend bool operator==(const RedisUrl&, const RedisUrl&) = default;
};

// A validation error (field "redis_url") names what is wrong, never the password.
domain::Result<RedisUrl> parse_redis_url(std::string_view url);

}  // namespace sk::store::redis
