#include "engine/rotation.h"

#include <algorithm>
#include <limits>

namespace sk::engine {
namespace {

using domain::Group;
using domain::Session;
using domain::SyncMode;
using domain::Uuid;

std::int64_t lowest_member_index(const Session& s, const Uuid& group_id) {
  std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
  for (const auto& p : s.participants) {
    if (p.group_id == group_id) lowest = std::min(lowest, p.participant_index);
  }
  return lowest;
}

std::optional<std::size_t> group_position(const Session& s, const Uuid& group_id) {
  for (std::size_t i = 0; i < s.groups.size(); ++i) {
    if (s.groups[i].group_id == group_id) return i;
  }
  return std::nullopt;
}

// The member who takes group `g`'s next turn: the one after the member who last
// played for it, round-robin in rotation order.
std::optional<std::size_t> next_member_of(const Session& s, const Group& g) {
  const std::size_t n = s.participants.size();
  std::size_t start = n - 1;  // so that the scan begins at position 0
  if (g.last_participant_id) {
    if (auto last = index_of(s, *g.last_participant_id)) start = *last;
  }
  for (std::size_t step = 1; step <= n; ++step) {
    const std::size_t i = (start + step) % n;
    const auto& p = s.participants[i];
    if (p.group_id == g.group_id && !p.has_expired) return i;
  }
  return std::nullopt;
}

// The next non-expired group strictly after group position `from`, wrapping.
std::optional<std::size_t> next_group_after(const Session& s, std::size_t from) {
  const std::size_t n = s.groups.size();
  for (std::size_t step = 1; step <= n; ++step) {
    const std::size_t i = (from + step) % n;
    if (!s.groups[i].has_expired) return i;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::size_t> index_of(const Session& s, const Uuid& id) {
  for (std::size_t i = 0; i < s.participants.size(); ++i) {
    if (s.participants[i].participant_id == id) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> next_playable_after(const Session& s, std::size_t from) {
  const std::size_t n = s.participants.size();
  for (std::size_t step = 1; step <= n; ++step) {
    const std::size_t i = (from + step) % n;
    if (!s.participants[i].has_expired) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> first_to_play(const Session& s) {
  if (s.participants.empty()) return std::nullopt;
  if (s.sync_mode == SyncMode::per_group) {
    if (s.groups.empty()) return std::nullopt;
    const auto g = next_group_after(s, s.groups.size() - 1);
    return g ? next_member_of(s, s.groups[*g]) : std::nullopt;
  }
  return next_playable_after(s, s.participants.size() - 1);
}

std::optional<std::size_t> next_to_play(const Session& s) {
  const auto active = s.active_participant_id ? index_of(s, *s.active_participant_id)
                                              : std::optional<std::size_t>{};
  if (!active) return first_to_play(s);
  if (s.sync_mode != SyncMode::per_group) return next_playable_after(s, *active);

  const auto& group_id = s.participants[*active].group_id;
  const auto current_group = group_id ? group_position(s, *group_id) : std::nullopt;
  if (!current_group) return first_to_play(s);
  const auto g = next_group_after(s, *current_group);
  return g ? next_member_of(s, s.groups[*g]) : std::nullopt;
}

void sort_groups(Session& s) {
  std::erase_if(s.groups, [&](const Group& g) {
    return std::none_of(s.participants.begin(), s.participants.end(),
                        [&](const auto& p) { return p.group_id == g.group_id; });
  });
  std::stable_sort(s.groups.begin(), s.groups.end(), [&](const Group& a, const Group& b) {
    return lowest_member_index(s, a.group_id) < lowest_member_index(s, b.group_id);
  });
}

std::size_t insert_in_rotation(Session& s, domain::Participant p) {
  const auto it = std::upper_bound(
      s.participants.begin(), s.participants.end(), p.participant_index,
      [](std::int64_t index, const domain::Participant& q) { return index < q.participant_index; });
  const auto pos = static_cast<std::size_t>(it - s.participants.begin());
  s.participants.insert(it, std::move(p));
  return pos;
}

}  // namespace sk::engine
