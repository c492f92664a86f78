// Time-outs. A clock that reaches zero is handled at its deadline, never at the
// moment somebody notices: the deadline timer, a late switch and any other late
// request all call settle(), which books exactly the time that was left. With
// `skip` or `auto_advance` the next owner's clock starts at that same deadline, so
// several time-outs can be due at once; they are applied in order.
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
  clock::book(s, used);
  auto& p = s.participants[*owner];
  const TimeoutAction action = s.action_on_timeout;
  t.expiries.push_back(Expiry{p.participant_id, p.group_id, action, at});

  if (s.sync_mode == SyncMode::global || s.sync_mode == SyncMode::count_up) {
    clock::end_turn(s, false);
    auto e = clock::participant_event(s, EventType::session_expired, *owner, at);
    e.time_elapsed = used;
    e.action = action;
    clock::finish(s, Status::expired, at);
    t.events.push_back(std::move(e));
    return;
  }

  if (action == TimeoutAction::auto_advance) {  // per_cycle: the turn simply ends
    clock::end_turn(s, false);
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
  clock::end_turn(s, false);
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

}  // namespace

std::size_t settle(Transition& t, TimePoint now) {
  std::size_t applied = 0;
  while (t.state.status == Status::running) {
    const auto due = deadline(t.state);
    if (!due || *due > now) break;
    apply_timeout(t, *due);
    ++applied;
  }
  return applied;
}

}  // namespace sk::engine::transitions
