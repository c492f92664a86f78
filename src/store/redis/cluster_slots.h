// The pure part of Redis Cluster routing: which slot a key is in, which key of a
// command decides its node, the slot map a CLUSTER SLOTS reply describes, and the
// MOVED/ASK redirections a node answers with. No I/O (cluster_router.h does that).
//
// Slots: CRC16 (XMODEM) of the key's hash tag (the text between the first '{' and the
// next '}', when not empty), else of the whole key, mod 16384. Our keys all carry a
// shard tag (key_space.h), so every key one script touches is in one slot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"
#include "store/redis/redis_url.h"
#include "store/redis/reply.h"

namespace sk::store::redis {

inline constexpr int kClusterSlots = 16384;

int key_slot(std::string_view key);

// The argument that decides where `command` runs: its first key (EVALSHA's first
// KEYS entry, XREADGROUP's first stream, ...) or a shard channel (SPUBLISH,
// SSUBSCRIBE); nullopt for a command without one (PING, SCRIPT, CLUSTER, PUBLISH),
// which any master may run.
std::optional<std::string_view> routing_key(const std::vector<std::string>& command);

// For a script call (EVAL/EVALSHA/FCALL) whose KEYS are not all in one slot: the
// two slots that differ, as an error message; nullopt otherwise. A cluster refuses
// such a call anyway (CROSSSLOT), but the client refuses it first and names it: it is
// a bug of ours (key_space.h tags every key of a script with one shard).
std::optional<std::string> cross_slot(const std::vector<std::string>& command);

// Which master serves each slot.
struct SlotMap {
  std::vector<NodeAddress> masters;  // distinct
  std::vector<int> owner;            // kClusterSlots entries: index into masters, -1 if none

  int master_of(int slot) const {
    return owner.empty() ? -1 : owner[static_cast<std::size_t>(slot)];
  }
  // The slot ranges no master serves, e.g. "0-99, 16000-16383"; empty when all are.
  std::string uncovered() const;
  friend bool operator==(const SlotMap&, const SlotMap&) = default;
};

// The map of a CLUSTER SLOTS reply. A master listed with an empty host is the node
// that answered (`asked`). Validation error for a reply of another shape.
domain::Result<SlotMap> parse_cluster_slots(const Reply& reply, const NodeAddress& asked);

// A node's answer that the slot lives elsewhere: MOVED (for good: update the map) or
// ASK (this one command, during a resharding: send ASKING first).
struct Redirect {
  enum class Kind { moved, ask };
  Kind kind = Kind::moved;
  int slot = 0;
  NodeAddress node;
};
std::optional<Redirect> parse_redirect(const Reply& reply);

// Error replies after which the same command may be sent again, since the node did
// not run it: TRYAGAIN (a multi-key command while its slot migrates), CLUSTERDOWN
// (the cluster is failing over) and a master that has just become a replica.
bool is_retryable_cluster_error(const Reply& reply);

}  // namespace sk::store::redis
