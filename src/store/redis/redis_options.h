// RedisClientOptions: the knobs of the Redis client and subscriber, defaults in one
// place. Plain values, no I/O. Every wait of the client is bounded by one of these.
#pragma once

#include <chrono>
#include <cstddef>

namespace sk::domain {
class Clock;
}

namespace sk::store::redis {

struct RedisClientOptions {
  // Connections of a RedisClient (the subscriber always uses one of its own).
  std::size_t pool_size = 4;
  // TCP connect plus AUTH/SELECT/PING; a caller waits at most this for a connection
  // that is being (re)established.
  std::chrono::milliseconds connect_timeout{1000};
  // From sending a command (or a pipeline) to its last reply. On expiry the
  // connection is considered broken: everything pending on it fails unavailable.
  std::chrono::milliseconds command_timeout{2000};
  // Reconnect delays: min, doubling up to max, back to min after a success.
  std::chrono::milliseconds reconnect_backoff_min{50};
  std::chrono::milliseconds reconnect_backoff_max{2000};
  // An idle connection sends PING this often, so a peer that vanished without a TCP
  // reset (a dead host, a paused server) is noticed within interval + command_timeout.
  std::chrono::milliseconds health_check_interval{1000};
  // Whose steady time the command timeouts are measured in (RedisStore passes its
  // own); it must outlive the client's connections. nullptr: the system's.
  const domain::Clock* clock = nullptr;
};

}  // namespace sk::store::redis
