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
//   <prefix>events             the Pub/Sub channel every instance subscribes to (one Redis)
//   <prefix>{n}:events         the shard's sharded Pub/Sub channel (Redis Cluster:
//                              SSUBSCRIBE/SPUBLISH on the shard's master only)
//
// A prefix must not contain braces: its own would become the hash tag. Pure naming,
// no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/uuid.h"

namespace sk::store::redis {

class KeySpace {
 public:
  // `sharded_pubsub` (a Redis Cluster): writes publish on their shard's channel.
  KeySpace(std::string prefix, int shards, bool sharded_pubsub = false)
      : prefix_(std::move(prefix)), shards_(shards), sharded_pubsub_(sharded_pubsub) {}

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
  // A shard's sharded Pub/Sub channel (Redis Cluster: SPUBLISH keeps a write's
  // messages on the master of its session's slot).
  std::string channel(int shard) const { return tag(shard) + ":events"; }
  bool sharded_pubsub() const { return sharded_pubsub_; }
  // Where a write of `shard` publishes: its shard channel, or the one channel.
  std::string publish_channel(int shard) const {
    return sharded_pubsub_ ? channel(shard) : channel();
  }
  // What an instance subscribes to: every shard channel, or the one channel.
  std::vector<std::string> subscribe_channels() const {
    if (!sharded_pubsub_) return {channel()};
    std::vector<std::string> all;
    for (int shard = 0; shard < shards_; ++shard) all.push_back(channel(shard));
    return all;
  }

 private:
  std::string tag(int shard) const { return prefix_ + "{" + std::to_string(shard) + "}"; }

  std::string prefix_;
  int shards_;
  bool sharded_pubsub_;
};

}  // namespace sk::store::redis
