#include "engine/clock.h"

#include <algorithm>

#include "engine/rotation.h"

namespace sk::engine::clock {

using domain::Status;
using domain::SyncMode;

Millis elapsed(const Session& s, TimePoint now) {
  if (s.status != Status::running || !s.cycle_started_at) return Millis{0};
  return std::max(Millis{0}, now - *s.cycle_started_at);
}

std::optional<std::size_t> active_index(const Session& s) {
  return s.active_participant_id ? index_of(s, *s.active_participant_id) : std::nullopt;
}

domain::Group* group_of(Session& s, std::size_t i) {
  const auto& gid = s.participants[i].group_id;
  return gid ? s.find_group(*gid) : nullptr;
}

const domain::Group* group_of(const Session& s, std::size_t i) {
  const auto& gid = s.participants[i].group_id;
  return gid ? s.find_group(*gid) : nullptr;
}

std::optional<Millis> owner_bank(const Session& s, std::size_t i) {
  switch (s.sync_mode) {
    case SyncMode::per_participant:
    case SyncMode::per_cycle: return s.participants[i].total_time;
    case SyncMode::per_group: {
      const auto* g = group_of(s, i);
      return g ? g->total_time : Millis{0};
    }
    case SyncMode::global: return s.total_time;
    case SyncMode::count_up:
      if (!s.max_time) return std::nullopt;
      return std::max(Millis{0}, *s.max_time - s.time_used);
  }
  return std::nullopt;
}

void book(Session& s, Millis e) {
  const auto i = active_index(s);
  if (!i || e <= Millis{0}) return;
  auto& p = s.participants[*i];
  p.time_used += e;
  s.time_used += e;
  switch (s.sync_mode) {
    case SyncMode::per_participant:
    case SyncMode::per_cycle: p.total_time -= e; break;
    case SyncMode::per_group:
      if (auto* g = group_of(s, *i)) {
        g->total_time -= e;
        g->time_used += e;
      }
      break;
    case SyncMode::global: s.total_time -= e; break;
    case SyncMode::count_up: break;
  }
  refresh_mirrors(s);
}

void end_turn(Session& s, bool with_increment) {
  const auto i = active_index(s);
  if (!i) return;
  auto& p = s.participants[*i];
  p.cycle_count += 1;
  switch (s.sync_mode) {
    case SyncMode::per_participant:
      // Fischer: never to a participant who ran out (their bank is 0 and they are out).
      if (with_increment && !p.has_expired) p.total_time += s.increment;
      break;
    case SyncMode::per_cycle: p.total_time = s.time_per_cycle.value_or(Millis{0}); break;
    case SyncMode::per_group:
      if (auto* g = group_of(s, *i)) {
        g->cycle_count += 1;
        if (with_increment && !g->has_expired) g->total_time += s.increment;
      }
      break;
    case SyncMode::global:
    case SyncMode::count_up: break;
  }
  refresh_mirrors(s);
}

void activate(Session& s, std::size_t i, TimePoint at) {
  for (auto& p : s.participants) p.is_active = false;
  auto& next = s.participants[i];
  next.is_active = true;
  s.active_participant_id = next.participant_id;
  s.cycle_started_at = at;
  if (s.sync_mode == SyncMode::per_cycle) next.total_time = s.time_per_cycle.value_or(Millis{0});
  if (auto* g = group_of(s, i)) g->last_participant_id = next.participant_id;
}

void finish(Session& s, Status status, TimePoint at) {
  for (auto& p : s.participants) p.is_active = false;
  s.active_participant_id.reset();
  s.cycle_started_at.reset();
  s.status = status;
  s.session_completed_at = at;
}

void refresh_mirrors(Session& s) {
  if (s.sync_mode == SyncMode::global) {
    for (auto& p : s.participants) p.total_time = s.total_time;
  } else if (s.sync_mode == SyncMode::per_group) {
    for (std::size_t i = 0; i < s.participants.size(); ++i) {
      if (const auto* g = group_of(s, i)) s.participants[i].total_time = g->total_time;
    }
  }
}

domain::Event participant_event(const Session& s, domain::EventType type, std::size_t i,
                                TimePoint at) {
  const auto& p = s.participants[i];
  domain::Event e;
  e.type = type;
  e.at = at;
  e.participant_id = p.participant_id;
  e.group_id = p.group_id;
  e.time_remaining = owner_bank(s, i);
  e.cycle_count = p.cycle_count;
  return e;
}

}  // namespace sk::engine::clock
