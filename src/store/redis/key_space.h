// KeySpace: the names of everything the Redis engine keeps, under one prefix.
//
// Redis Cluster runs a script only if every key it touches is in one slot, and a
// write touches the session, the deadline index, the expiry index, the watch leases
// and the audit stream. Those indexes and the stream are therefore sharded: a session belongs to
// shard hash(id) % shards, and every key of a shard carries the hash tag {n}:
//
//   <prefix>{n}:session:<id>   hash: s (state JSON), v (version), x (expires, unix ms),
//                              d (deadline, unix ms; absent when no clock runs),
//                              c (created_at, unix ms: the life in audit ids),
//                              r (the expiry the backstop TTL and the expiry index
//                              were last set to: lua/write.lua)
//   <prefix>{n}:deadlines      sorted set: session id by deadline (or claim lease)
//   <prefix>{n}:expiries       sorted set: session id by expiry
//   <prefix>{n}:watched        sorted set: session id by the end of its watch lease, for
//                              sessions some instance's WebSocket clients watch
//                              (watch_registry.h)
//   <prefix>{n}:audit          stream: the audit events of the shard's writes (consumer
//                              group "audit"; audit/queue/redis_audit_queue.h)
//   <prefix>audit:dead         stream: dead-lettered audit events, with their error
//   <prefix>audit:stats        hash: fleet-wide audit counters
//   <prefix>events             the Pub/Sub channel every instance subscribes to
//
// (Pub/Sub channels are cluster-wide, not keys.) Pure naming, no I/O.
#pragma once

#include <cstdint>
#include <string>

#include "domain/uuid.h"

namespace sk::store::redis {

class KeySpace {
 public:
  KeySpace(std::string prefix, int shards) : prefix_(std::move(prefix)), shards_(shards) {}

  int shards() const { return shards_; }
  const std::string& prefix() const { return prefix_; }

  // FNV-1a over the id's bytes: stable across instances, builds and restarts.
  int shard_of(const domain::Uuid& id) const {
    std::uint32_t h = 2166136261u;
    for (const auto byte : id.bytes()) {
      h ^= byte;
      h *= 16777619u;
    }
    return static_cast<int>(h % static_cast<std::uint32_t>(shards_));
  }

  std::string session(const domain::Uuid& id) const {
    return tag(shard_of(id)) + ":session:" + id.to_string();
  }
  std::string deadlines(int shard) const { return tag(shard) + ":deadlines"; }
  std::string expiries(int shard) const { return tag(shard) + ":expiries"; }
  std::string watched(int shard) const { return tag(shard) + ":watched"; }
  std::string audit(int shard) const { return tag(shard) + ":audit"; }
  std::string channel() const { return prefix_ + "events"; }

 private:
  std::string tag(int shard) const { return prefix_ + "{" + std::to_string(shard) + "}"; }

  std::string prefix_;
  int shards_;
};

}  // namespace sk::store::redis
