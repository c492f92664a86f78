// The deadline machinery: scheduled starts, warnings_ms thresholds and time-outs.
// Each is handled at its own instant, never at the moment somebody notices: the
// deadline timer, a late switch and any other late request all call settle(), which
// books exactly the time that was left. With `skip` or `auto_advance` the next
// owner's clock starts at that same deadline, so several can be due at once; they
// are applied in time order.
#include <algorithm>
#include <cassert>

#include "engine/clock.h"
#include "engine/rotation.h"
#include "engine/transitions.h"

namespace sk::engine::transitions {
namespace {

using domain::EventType;
using domain::Status;
using domain::SyncMode;
using domain::TimeoutAction;

void expire_session(Transition& t, std::size_t owner, TimePoint at) {
  clock::finish(t.state, Status::expired, at);
  auto e = clock::participant_event(t.state, EventType::session_expired, owner, at);
  t.events.push_back(std::move(e));
}

// The owner of the running clock is out of time at `at`.
void apply_timeout(Transition& t, TimePoint at) {
  Session& s = t.state;
  const auto owner = clock::active_index(s);
  assert(owner);
  const Millis used = at - *s.cycle_started_at;
  clock::book(s, used, t.events);
  auto& p = s.participants[*owner];
  const TimeoutAction action = s.action_on_timeout;
  t.expiries.push_back(Expiry{p.participant_id, p.group_id, action, at});

  if (s.sync_mode == SyncMode::global || s.sync_mode == SyncMode::count_up) {
    clock::end_turn(s, false, at, t.events);
    auto e = clock::participant_event(s, EventType::session_expired, *owner, at);
    e.time_elapsed = used;
    e.action = action;
    clock::finish(s, Status::expired, at);
    t.events.push_back(std::move(e));
    return;
  }

  if (action == TimeoutAction::auto_advance) {  // per_cycle: the turn simply ends
    clock::end_turn(s, false, at, t.events);
    auto e = clock::participant_event(s, EventType::cycle_expired, *owner, at);
    e.time_elapsed = used;
    e.time_remaining = Millis{0};
    e.action = action;
    t.events.push_back(std::move(e));
    if (const auto next = next_to_play(s)) clock::activate(s, *next, at);
    return;
  }

  // The owner (participant, or in per_group the whole team) is out.
  p.has_expired = true;
  if (auto* g = clock::group_of(s, *owner)) {
    g->has_expired = true;
    for (auto& member : s.participants) {
      if (member.group_id == g->group_id) member.has_expired = true;
    }
  }
  clock::end_turn(s, false, at, t.events);
  auto e = clock::participant_event(s, EventType::participant_expired, *owner, at);
  e.time_elapsed = used;
  e.action = action;
  t.events.push_back(std::move(e));

  if (action == TimeoutAction::skip) {
    if (const auto next = next_to_play(s)) {
      clock::activate(s, *next, at);
      return;
    }
  }
  expire_session(t, *owner, at);
}

// The running turn crossed warnings_ms threshold number warnings_passed at `at`;
// `due` is the deadline.
void apply_warning(Transition& t, TimePoint at, TimePoint due) {
  Session& s = t.state;
  const auto owner = clock::active_index(s);
  assert(owner);
  const Millis threshold = s.warnings[s.warnings_passed];
  const bool critical = s.warnings_passed + 1 == s.warnings.size();  // the smallest
  const auto& p = s.participants[*owner];
  t.warnings.push_back(Warning{p.participant_id, p.group_id, threshold, due - at, critical, at});
  auto e = clock::participant_event(s, EventType::time_warning, *owner, at);
  e.time_remaining = due - at;
  e.threshold = threshold;
  t.events.push_back(std::move(e));
  ++s.warnings_passed;
}

}  // namespace

std::optional<TimePoint> next_warning_at(const Session& s, std::optional<TimePoint> due) {
  if (s.status != Status::running || s.warnings_passed >= s.warnings.size()) return std::nullopt;
  if (!due) return std::nullopt;
  return std::max(*due - s.warnings[s.warnings_passed], *s.cycle_started_at);
}

bool settle_scheduled_start(Transition& t, TimePoint now) {
  const Session& s = t.state;
  if (s.status != Status::pending || !s.start_at || *s.start_at > now) return false;
  // Exactly as a start call at that instant (start() clears the schedule).
  return !start(t, *s.start_at).has_value();
}

Settled settle(Transition& t, TimePoint now, std::optional<TimePoint> not_before) {
  Settled done;
  done.started = settle_scheduled_start(t, now);
  while (t.state.status == Status::running) {
    const auto due = deadline(t.state);
    const auto warn = next_warning_at(t.state, due);
    if (warn && *warn <= now && (!due || *warn < *due)) {
      apply_warning(t, not_before ? std::max(*warn, *not_before) : *warn, *due);
      ++done.warnings;
      continue;
    }
    if (!due || *due > now) break;
    apply_timeout(t, *due);
    ++done.timeouts;
  }
  return done;
}

}  // namespace sk::engine::transitions
