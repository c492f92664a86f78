// WriteCache (see write_cache.h): the byte accounting and the events that drop
// entries.
#include "store/redis/write_cache.h"

#include <utility>

namespace sk::store::redis {

namespace {

// A std::string's heap block, if it left the small-string buffer.
std::size_t heap_of(const std::string& s) {
  return s.capacity() > std::string().capacity() ? s.capacity() + 1 : 0;
}

// Per map node besides the value: the next pointer, the cached hash and the
// allocator's header, plus one bucket pointer (load factor ~1).
constexpr std::size_t kNodeOverhead = 4 * sizeof(void*);

// Sessions whose last seen version is kept (~64 bytes each: ~16 MiB at most).
constexpr std::size_t kMaxLastSeen = 262'144;

}  // namespace

std::size_t WriteCache::entry_bytes(const Session& s) {
  std::size_t bytes = sizeof(Map::value_type) + kNodeOverhead;
  bytes += s.participants.capacity() * sizeof(domain::Participant);
  bytes += s.groups.capacity() * sizeof(domain::Group);
  if (s.metadata) bytes += heap_of(*s.metadata);
  return bytes;
}

void WriteCache::put(Session s, std::int64_t expires_ms) {
  if (max_bytes_ == 0) return;
  const std::size_t bytes = entry_bytes(s);
  const Uuid id = s.session_id;
  std::lock_guard lock(mu_);
  if (const auto it = entries_.find(id); it != entries_.end()) erase_locked(it);
  if (bytes > max_bytes_) return;
  if (bytes_ + bytes > max_bytes_) {
    entries_.clear();
    bytes_ = 0;
  }
  entries_.emplace(id, Entry{std::move(s), expires_ms, bytes});
  bytes_ += bytes;
}

std::optional<Session> WriteCache::find(const Uuid& id, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  const auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires_ms <= now_ms) {
    erase_locked(it);
    return std::nullopt;
  }
  return it->second.state;
}

void WriteCache::erase(const Uuid& id) {
  std::lock_guard lock(mu_);
  if (const auto it = entries_.find(id); it != entries_.end()) erase_locked(it);
}

void WriteCache::clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
  bytes_ = 0;
}

std::optional<WriteCache::Written> WriteCache::written_of(const Uuid& id) const {
  std::lock_guard lock(mu_);
  const auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return Written{it->second.state.version, domain::to_unix_ms(it->second.state.created_at)};
}

bool WriteCache::written(const Uuid& id, std::int64_t version) const {
  std::lock_guard lock(mu_);
  if (const auto it = entries_.find(id);
      it != entries_.end() && it->second.state.version >= version) {
    return true;
  }
  const auto last = last_seen_.find(id);
  return last != last_seen_.end() && last->second >= version;
}

std::optional<Rollback> WriteCache::seen(const StoreMessage& m) {
  std::optional<Rollback> rollback;
  std::lock_guard lock(mu_);
  switch (m.kind) {
    case MessageKind::update:
    case MessageKind::event: {  // a newer write's: the entry is stale
      const auto it = entries_.find(m.session_id);
      if (it != entries_.end() && it->second.state.version < m.version) erase_locked(it);
      if (m.kind != MessageKind::update) break;  // an event shares its update's version
      if (last_seen_.size() >= kMaxLastSeen) last_seen_.clear();
      const auto [last, fresh] = last_seen_.try_emplace(m.session_id, m.version);
      if (!fresh && m.version < last->second) {
        rollback = Rollback{m.session_id, last->second, m.version, "bus"};
        // What this instance holds of the session is from the lost branch.
        if (const auto e = entries_.find(m.session_id); e != entries_.end()) erase_locked(e);
      }
      last->second = m.version;  // the new branch counts from here
      break;
    }
    case MessageKind::deleted: {
      if (const auto it = entries_.find(m.session_id); it != entries_.end()) erase_locked(it);
      last_seen_.erase(m.session_id);
      break;
    }
    case MessageKind::resync:  // messages were lost; versions never go down: keep them
      entries_.clear();
      bytes_ = 0;
      break;
    case MessageKind::broadcast: break;
  }
  return rollback;
}

WriteCache::Size WriteCache::size() const {
  std::lock_guard lock(mu_);
  return Size{entries_.size(), bytes_};
}

void WriteCache::erase_locked(Map::iterator it) {
  bytes_ -= it->second.bytes;
  entries_.erase(it);
}

}  // namespace sk::store::redis
