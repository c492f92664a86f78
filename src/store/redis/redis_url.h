// RedisUrl: where the Redis engine connects, parsed from a URL of the form
//   redis://[[user]:password@]host[:port][/db]
// (host required; port 6379 and db 0 by default; user, password and host may be
// percent-encoded; an IPv6 host goes in brackets). `rediss://` is refused: this client
// has no TLS. Parsing only: no I/O, and the password never appears in a message or in
// redacted(), which is what logs may show.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace sk::store::redis {

struct RedisUrl {
  std::string host;
  std::uint16_t port = 6379;
  std::string username;  // empty: the default user (AUTH with the password only)
  std::string password;  // empty: no AUTH
  int db = 0;

  // The URL with the password replaced by "***", safe to log.
  std::string redacted() const;

  friend bool operator==(const RedisUrl&, const RedisUrl&) = default;
};

// A validation error (field "redis_url") names what is wrong, never the password.
domain::Result<RedisUrl> parse_redis_url(std::string_view url);

}  // namespace sk::store::redis
