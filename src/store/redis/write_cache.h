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
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "store/session_store.h"

namespace sk::store::redis {

class WriteCache {
 public:
  // At most `max_bytes` of estimated entries; 0 keeps nothing.
  explicit WriteCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  void put(Session s, std::int64_t expires_ms);
  // The entry of `id` unless it expired by `now_ms` (then it is dropped).
  std::optional<Session> find(const Uuid& id, std::int64_t now_ms);
  void erase(const Uuid& id);
  void clear();
  // A message of the events channel (from any instance, this one included).
  void seen(const StoreMessage& m);

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
};

}  // namespace sk::store::redis
