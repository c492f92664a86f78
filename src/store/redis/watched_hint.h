// WatchedHint: the sessions this instance's writes found watched lately, so that the
// next writes send their messages in full at once. A write of any other session
// leaves its messages' payloads out of the script call (lua/write.lua): most
// sessions are not watched, and the STATE_UPDATE is as big as the state itself. A
// write that finds its session watched after all is told so by the script, before it
// changes anything, and sends them again in full: a hint that is wrong costs a round
// trip, never a message.
//
// Bounded: past max_entries it is emptied (the writes after it pay one round trip
// each). Thread-safe. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "domain/uuid.h"

namespace sk::store::redis {

class WatchedHint {
 public:
  explicit WatchedHint(std::size_t max_entries = 65'536) : max_entries_(max_entries) {}

  // Whether a write of `id` at `now_ms` should send its messages in full.
  bool expects(const domain::Uuid& id, std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    const auto it = until_.find(id);
    if (it == until_.end()) return false;
    if (it->second > now_ms) return true;
    until_.erase(it);
    return false;
  }
  // `id` was found watched: expect it to be until `until_ms`.
  void watched(const domain::Uuid& id, std::int64_t until_ms) {
    std::lock_guard lock(mu_);
    if (until_.size() >= max_entries_) until_.clear();
    until_[id] = until_ms;
  }

 private:
  const std::size_t max_entries_;
  std::mutex mu_;
  std::unordered_map<domain::Uuid, std::int64_t, domain::UuidHash> until_;  // guarded by mu_
};

}  // namespace sk::store::redis
