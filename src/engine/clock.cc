#include "engine/clock.h"

#include <algorithm>

#include "engine/rotation.h"
#include "engine/time_control_rules.h"

namespace sk::engine::clock {

using domain::EventType;
using domain::Status;
using domain::SyncMode;
using domain::TimeControlType;

namespace {

// The bank a time control runs on for participant `i`: its own (per_participant) or
// its team's (per_group). Null without a time control.
struct ControlledBank {
  Millis* bank = nullptr;
  domain::OwnerClock* clock = nullptr;
};

ControlledBank controlled_bank(Session& s, std::size_t i) {
  if (!s.time_control) return {};
  if (s.sync_mode == SyncMode::per_participant) {
    auto& p = s.participants[i];
    return {&p.total_time, &p.clock};
  }
  if (s.sync_mode == SyncMode::per_group) {
    if (auto* g = group_of(s, i)) return {&g->total_time, &g->clock};
  }
  return {};
}

const domain::OwnerClock* controlled_clock(const Session& s, std::size_t i) {
  if (!s.time_control) return nullptr;
  if (s.sync_mode == SyncMode::per_participant) return &s.participants[i].clock;
  const auto* g = s.sync_mode == SyncMode::per_group ? group_of(s, i) : nullptr;
  return g ? &g->clock : nullptr;
}

// Booking with a time control: the rules charge delay, bank and periods; hourglass
// hands what the mover lost to the opponent.
void book_controlled(Session& s, std::size_t i, ControlledBank owner, Millis e,
                     std::vector<domain::Event>& events) {
  const auto& tc = *s.time_control;
  const Millis before = *owner.bank;
  std::vector<rules::PeriodUsed> periods;
  rules::run(tc, *owner.bank, *owner.clock, e,
             tc.type == TimeControlType::byoyomi ? &periods : nullptr);
  if (auto* g = group_of(s, i)) g->time_used += e;
  if (tc.type == TimeControlType::hourglass) {
    for (std::size_t j = 0; j < s.participants.size(); ++j) {
      if (j != i) s.participants[j].total_time += before - *owner.bank;
    }
  }
  const TimePoint start = s.cycle_started_at.value_or(s.updated_at);
  for (const auto& used : periods) {
    auto event = participant_event(s, EventType::period_used, i, start + used.offset);
    event.periods_left = used.periods_left;
    event.delta = tc.period;
    events.push_back(std::move(event));
  }
}

}  // namespace

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

std::optional<Millis> time_left(const Session& s, std::size_t i) {
  const auto bank = owner_bank(s, i);
  const auto* c = controlled_clock(s, i);
  if (!bank || !c) return bank;
  return rules::time_to_flag(*s.time_control, *bank, *c);
}

Millis live_bank(const Session& s, std::size_t i, TimePoint now) {
  Millis bank = owner_bank(s, i).value_or(Millis{0});
  const auto active = active_index(s);
  const bool runs = active && (*active == i || s.sync_mode == SyncMode::global ||
                               (s.sync_mode == SyncMode::per_group &&
                                group_of(s, *active) == group_of(s, i) && group_of(s, i)));
  if (!runs) return bank;
  const Millis e = elapsed(s, now);
  if (const auto* c = controlled_clock(s, i)) {
    domain::OwnerClock copy = *c;
    rules::run(*s.time_control, bank, copy, e, nullptr);
    return bank;
  }
  return std::max(Millis{0}, bank - e);
}

void book(Session& s, Millis e, std::vector<domain::Event>& events) {
  const auto i = active_index(s);
  if (!i || e <= Millis{0}) return;
  auto& p = s.participants[*i];
  p.time_used += e;
  s.time_used += e;
  if (const auto owner = controlled_bank(s, *i); owner.bank) {
    book_controlled(s, *i, owner, e, events);
    refresh_mirrors(s);
    return;
  }
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

void end_turn(Session& s, bool with_increment, TimePoint at, std::vector<domain::Event>& events) {
  const auto i = active_index(s);
  if (!i) return;
  auto& p = s.participants[*i];
  p.cycle_count += 1;
  if (const auto owner = controlled_bank(s, *i); owner.bank) {
    auto* g = group_of(s, *i);
    if (g) g->cycle_count += 1;
    const bool flagged = g ? g->has_expired : p.has_expired;
    if (with_increment && !flagged) {
      if (const auto stage = rules::move(*s.time_control, *owner.bank, *owner.clock)) {
        refresh_mirrors(s);
        auto event = participant_event(s, EventType::stage_reached, *i, at);
        event.stage_index = stage->stage_index;
        event.delta = stage->added;
        events.push_back(std::move(event));
      }
    } else {
      rules::end_turn_without_move(*owner.clock);
    }
    refresh_mirrors(s);
    return;
  }
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

Millis credit_lag(Session& s, Millis claimed, Millis e, TimePoint at,
                  std::vector<domain::Event>& events) {
  if (!s.time_control || !s.time_control->lag_compensation) return Millis{0};
  const auto i = active_index(s);
  if (!i) return Millis{0};
  const auto owner = controlled_bank(s, *i);
  if (!owner.clock) return Millis{0};
  const Millis credit = rules::credit_lag(*s.time_control, *owner.clock, claimed, e);
  if (credit > Millis{0}) {
    auto event = participant_event(s, EventType::lag_credited, *i, at);
    event.delta = credit;
    event.lag_quota = owner.clock->lag_quota;
    events.push_back(std::move(event));
  }
  return credit;
}

void activate(Session& s, std::size_t i, TimePoint at) {
  for (auto& p : s.participants) p.is_active = false;
  auto& next = s.participants[i];
  next.is_active = true;
  s.active_participant_id = next.participant_id;
  s.cycle_started_at = at;
  if (s.sync_mode == SyncMode::per_cycle) next.total_time = s.time_per_cycle.value_or(Millis{0});
  if (auto* g = group_of(s, i)) g->last_participant_id = next.participant_id;
  // Thresholds the new turn starts at or below are not crossed in it. (A hand-over
  // within a team keeps the turn: every threshold already crossed is still above.)
  s.warnings_passed = 0;
  if (const auto left = time_left(s, i)) {
    while (s.warnings_passed < s.warnings.size() && s.warnings[s.warnings_passed] >= *left) {
      ++s.warnings_passed;
    }
  }
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
