// WriteCache: the states this instance of the Redis engine wrote last, for the read
// of the next command on the same session (RedisStore::get_for_update): one round
// trip per command instead of two. No I/O here; the store feeds it.
//
// Never trusted for correctness: the write script's version check rejects a write
// based on a stale entry, and the service then reads Redis. Kept fresh enough by the
// events channel: an update with a newer version (another instance wrote) or a
// deletion drops the entry, a resync (messages may have been lost) drops them all.
//
// Bounded by bytes, not entries: a 1,000-participant session costs ~70 KB here and a
// 2-participant one ~1 KB, so 16,384 entries could be 16 MB or 1.1 GB. Each entry's
// size is estimated once, when it is put (entry_bytes()). When a put would pass the
// budget the cache is emptied, then refilled by the next writes: the commands in
// flight pay one read each, and no per-entry order has to be kept. An entry larger
// than the whole budget is not kept. Thread-safe.
//
// It also remembers, per session, the last version it saw on the events channel
// (issue 16): frames come in write order and versions never go down, so an update
// frame whose version is below the last one means Redis lost writes and versions are
// being reused (a write may publish several update frames of one version, so an equal
// one proves nothing: that needs the write's nonce in the frame) (a failover to a replica that
// missed them, an AOF restart). Kept across a resync on purpose: a failover is exactly when the
// subscription breaks. Forgotten on a deletion; bounded by entries (emptied when full: detection
// pauses, nothing is wrong).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "store/session_store.h"

namespace sk::store::redis {

// Redis was found holding an older version of a session than one already written
// (issue 16): the writes in between are lost and their versions will be reused.
struct Rollback {
  Uuid session_id;
  std::int64_t expected = 0;  // the version known to have been written
  std::int64_t found = 0;     // the older (or reused) version Redis holds or published
  const char* how = "";       // "conflict", "cache" or "bus": what noticed it
};

class WriteCache {
 public:
  // At most `max_bytes` of estimated entries; 0 keeps nothing.
  explicit WriteCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  void put(Session s, std::int64_t expires_ms);
  // The entry of `id` unless it expired by `now_ms` (then it is dropped).
  std::optional<Session> find(const Uuid& id, std::int64_t now_ms);
  void erase(const Uuid& id);
  void clear();
  // The version of the entry of `id` and its life's created_at (unix ms), if any.
  struct Written {
    std::int64_t version = 0;
    std::int64_t created_ms = 0;
  };
  std::optional<Written> written_of(const Uuid& id) const;
  // Whether this instance knows `version` of `id` was written: its entry is at least
  // that version, or a frame of it came by on the channel.
  bool written(const Uuid& id, std::int64_t version) const;
  // A message of the events channel (from any instance, this one included); a
  // rollback when its version is not above the last one seen for its session.
  std::optional<Rollback> seen(const StoreMessage& m);

  struct Size {
    std::size_t entries = 0;
    std::size_t bytes = 0;  // the sum of the entries' estimates
  };
  Size size() const;

  // The estimated memory of one entry holding `s`: the map node and the heap the
  // session owns (its participants and groups vectors, its metadata text).
  static std::size_t entry_bytes(const Session& s);

 private:
  struct Entry {
    Session state;
    std::int64_t expires_ms;
    std::size_t bytes;
  };
  using Map = std::unordered_map<Uuid, Entry, domain::UuidHash>;
  void erase_locked(Map::iterator it);

  const std::size_t max_bytes_;
  mutable std::mutex mu_;
  Map entries_;            // guarded by mu_
  std::size_t bytes_ = 0;  // guarded by mu_: the sum of entries_' estimates
  // The last update version seen on the channel per session; guarded by mu_.
  std::unordered_map<Uuid, std::int64_t, domain::UuidHash> last_seen_;
};

}  // namespace sk::store::redis
