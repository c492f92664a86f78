// The commands of SPEC §2, one function each. Guards that depend only on the
// request (expected_version, current_participant_id) are checked in engine.cc
// before any time-out is settled; everything here sees the settled state.
#include "engine/transitions.h"

#include <fmt/format.h>

#include "domain/limits.h"
#include "domain/validation.h"
#include "engine/clock.h"
#include "engine/rotation.h"
#include "engine/time_control_rules.h"

namespace sk::engine::transitions {
namespace {

using domain::Error;
using domain::EventType;
using domain::Status;
using domain::SyncMode;

using MaybeError = std::optional<Error>;

MaybeError require_status(const Session& s, std::string_view action,
                          std::initializer_list<Status> allowed) {
  for (Status ok : allowed) {
    if (s.status == ok) return std::nullopt;
  }
  return Error::invalid_transition(action, s.status);
}

domain::Event session_event(EventType type, TimePoint at) {
  domain::Event e;
  e.type = type;
  e.at = at;
  return e;
}

// Books the running cycle (if any) and stops the clock, as pause, complete and
// cancel all do. Returns the time booked.
Millis stop_clock(Transition& t, TimePoint now) {
  Session& s = t.state;
  const Millis e = clock::elapsed(s, now);
  clock::book(s, e, t.events);
  s.cycle_started_at.reset();
  return e;
}

MaybeError finish_with(Transition& t, Status status, EventType type, TimePoint now) {
  Session& s = t.state;
  const auto active = clock::active_index(s);
  const Millis e = stop_clock(t, now);
  auto event = active ? clock::participant_event(s, type, *active, now) : session_event(type, now);
  event.time_elapsed = e;
  clock::finish(s, status, now);
  s.start_at.reset();
  t.events.push_back(std::move(event));
  return std::nullopt;
}

}  // namespace

MaybeError start(Transition& t, TimePoint now) {
  Session& s = t.state;
  if (auto err = require_status(s, "start", {Status::pending})) return err;
  const auto first = first_to_play(s);
  if (!first) return Error::invalid_transition("start", s.status);
  s.status = Status::running;
  s.session_started_at = now;
  s.start_at.reset();
  clock::activate(s, *first, now);
  t.events.push_back(clock::participant_event(s, EventType::session_started, *first, now));
  return std::nullopt;
}

MaybeError switch_turn(Transition& t, const domain::SwitchCommand& cmd, TimePoint now) {
  Session& s = t.state;
  if (auto err = require_status(s, "switch", {Status::running})) return err;
  const auto from = clock::active_index(s);
  if (!from) return Error::internal();

  // next_participant_id was checked (known, not expired) with the other guards.
  std::optional<std::size_t> to;
  if (cmd.next_participant_id) to = index_of(s, *cmd.next_participant_id);
  const bool handover = to && s.sync_mode == SyncMode::per_group &&
                        s.participants[*to].group_id == s.participants[*from].group_id;

  Millis e = clock::elapsed(s, now);
  if (!handover) {
    // Every move refills the lag quota; the lag credited is running time the move
    // is not charged (never more than it ran), booked to nobody.
    e -= clock::credit_lag(s, cmd.client_lag.value_or(Millis{0}), e, now, t.events);
  }
  clock::book(s, e, t.events);
  if (handover) {
    // Within a team the group clock keeps running: no increment, the group's turn
    // goes on; only the member's own turn is counted.
    s.participants[*from].cycle_count += 1;
  } else {
    clock::end_turn(s, true, now, t.events);
  }
  auto event = clock::participant_event(s, EventType::cycle_switched, *from, now);
  event.time_elapsed = e;
  if (!to) to = next_to_play(s);
  if (!to) return Error::internal();  // a running session always has someone to play
  clock::activate(s, *to, now);
  t.events.push_back(std::move(event));
  return std::nullopt;
}

MaybeError pause(Transition& t, TimePoint now) {
  Session& s = t.state;
  if (auto err = require_status(s, "pause", {Status::running})) return err;
  const auto active = clock::active_index(s);
  const Millis e = stop_clock(t, now);
  s.status = Status::paused;
  auto event = active ? clock::participant_event(s, EventType::session_paused, *active, now)
                      : session_event(EventType::session_paused, now);
  event.time_elapsed = e;
  t.events.push_back(std::move(event));
  return std::nullopt;
}

MaybeError resume(Transition& t, TimePoint now) {
  Session& s = t.state;
  if (auto err = require_status(s, "resume", {Status::paused})) return err;
  const auto active = clock::active_index(s);
  if (!active) return Error::internal();
  s.status = Status::running;
  s.cycle_started_at = now;
  t.events.push_back(clock::participant_event(s, EventType::session_resumed, *active, now));
  return std::nullopt;
}

MaybeError complete(Transition& t, TimePoint now) {
  if (t.state.status == Status::completed) {  // idempotent (SPEC §3)
    t.changed = false;
    return std::nullopt;
  }
  if (auto err =
          require_status(t.state, "complete", {Status::pending, Status::running, Status::paused})) {
    return err;
  }
  return finish_with(t, Status::completed, EventType::session_completed, now);
}

MaybeError cancel(Transition& t, TimePoint now) {
  if (auto err =
          require_status(t.state, "cancel", {Status::pending, Status::running, Status::paused})) {
    return err;
  }
  return finish_with(t, Status::cancelled, EventType::session_cancelled, now);
}

MaybeError add_participant(Transition& t, const domain::AddParticipantCommand& cmd, TimePoint now) {
  Session& s = t.state;
  if (auto err = require_status(s, "add a participant to",
                                {Status::pending, Status::running, Status::paused})) {
    return err;
  }
  const auto& np = cmd.participant;
  std::vector<domain::FieldViolation> violations;
  domain::validate_new_participant(np, s.sync_mode, "", violations);
  if (s.find_participant(np.participant_id)) {
    violations.push_back({"participant_id", "is already in the session"});
  }
  if (s.participants.size() >= domain::limits::kMaxParticipants) {
    violations.push_back({"participants", fmt::format("a session has at most {} participants",
                                                      domain::limits::kMaxParticipants)});
  }
  domain::Participant p;
  p.participant_id = np.participant_id;
  p.group_id = np.group_id;
  p.participant_index = np.participant_index.value_or(
      s.participants.empty() ? 0 : s.participants.back().participant_index + 1);
  // With stages the first stage's add_ms is every owner's starting bank (SPEC §2).
  const bool staged = s.time_control && !s.time_control->stages.empty();
  switch (s.sync_mode) {
    case SyncMode::per_participant:
      p.total_time = np.total_time.value_or(s.total_time);
      if (p.total_time <= Millis{0} && !staged) {
        violations.push_back({"total_time_ms", "is required: the session has no default bank"});
      }
      break;
    case SyncMode::per_cycle: p.total_time = s.time_per_cycle.value_or(Millis{0}); break;
    case SyncMode::per_group:
      if (np.group_id && !s.find_group(*np.group_id) && s.total_time <= Millis{0} && !staged) {
        violations.push_back(
            {"group_id", "is a new group, and the session has no default total_time_ms"});
      }
      break;
    case SyncMode::global:
    case SyncMode::count_up: break;
  }
  if (s.time_control && s.time_control->type == domain::TimeControlType::hourglass) {
    violations.push_back({"participant_id", "an hourglass is played by exactly 2 participants"});
  }
  if (!violations.empty()) return Error::validation(std::move(violations));

  if (s.time_control && s.sync_mode == SyncMode::per_participant) {
    p.total_time = rules::starting_bank(*s.time_control, p.total_time);
    p.clock = rules::initial_clock(*s.time_control, p.total_time);
  }
  if (s.sync_mode == SyncMode::per_group && !s.find_group(*np.group_id)) {
    domain::Group g;
    g.group_id = *np.group_id;
    g.total_time = s.total_time;
    if (s.time_control) {
      g.total_time = rules::starting_bank(*s.time_control, g.total_time);
      g.clock = rules::initial_clock(*s.time_control, g.total_time);
    }
    s.groups.push_back(g);
  }
  const std::size_t pos = insert_in_rotation(s, std::move(p));
  sort_groups(s);
  clock::refresh_mirrors(s);
  t.events.push_back(clock::participant_event(s, EventType::participant_added, pos, now));
  return std::nullopt;
}

MaybeError remove_participant(Transition& t, const domain::RemoveParticipantCommand& cmd,
                              TimePoint now) {
  Session& s = t.state;
  if (auto err = require_status(s, "remove a participant from",
                                {Status::pending, Status::running, Status::paused})) {
    return err;
  }
  const auto pos = index_of(s, cmd.participant_id);
  if (!pos) return Error::validation("participant_id", "is not a participant of this session");
  if (s.participants.size() == 1) {
    return Error::validation("participant_id",
                             "is the last participant; cancel the session instead");
  }
  const bool is_active = s.active_participant_id == cmd.participant_id;
  std::optional<std::size_t> successor;
  if (is_active) {
    successor = next_to_play(s);
    if (!successor || *successor == *pos) {
      return Error::validation(
          "participant_id", "is the last participant still in play; complete the session instead");
    }
  }

  auto event = clock::participant_event(s, EventType::participant_removed, *pos, now);
  if (is_active) {
    // Its time is booked (no increment, no cycle) and the turn passes on.
    const bool running = s.status == Status::running;
    const Millis e = clock::elapsed(s, now);
    clock::book(s, e, t.events);
    event.time_elapsed = e;
    event.time_remaining = clock::owner_bank(s, *pos);
    // The turn passes to the next team without a move: a team bank's clock must not
    // carry this turn's time into its next turn (less delay, a larger Bronstein refund).
    if (auto* g = clock::group_of(s, *pos); g && s.time_control) {
      rules::end_turn_without_move(g->clock);
    }
    // activate() before erasing, while positions are still valid.
    clock::activate(s, *successor, now);
    if (!running) s.cycle_started_at.reset();  // paused: the successor waits for resume
  }
  if (auto* g = clock::group_of(s, *pos); g && g->last_participant_id == cmd.participant_id) {
    // Keep the round-robin position: the member before the removed one played last.
    g->last_participant_id.reset();
    const std::size_t n = s.participants.size();
    for (std::size_t step = 1; step < n; ++step) {
      const auto& q = s.participants[(*pos + n - step) % n];
      if (q.group_id == g->group_id) {
        g->last_participant_id = q.participant_id;
        break;
      }
    }
  }
  s.participants.erase(s.participants.begin() + static_cast<std::ptrdiff_t>(*pos));
  sort_groups(s);
  t.events.push_back(std::move(event));
  return std::nullopt;
}

MaybeError adjust_time(Transition& t, const domain::AdjustTimeCommand& cmd, TimePoint now) {
  Session& s = t.state;
  if (auto err =
          require_status(s, "adjust time in", {Status::pending, Status::running, Status::paused})) {
    return err;
  }
  const auto pos = index_of(s, cmd.participant_id);
  if (!pos) return Error::validation("participant_id", "is not a participant of this session");
  if (s.sync_mode == SyncMode::count_up) {
    return Error::validation("delta_ms", "count_up has no bank to adjust");
  }
  const auto& p = s.participants[*pos];
  if (p.has_expired) return Error::validation("participant_id", "has expired");
  const bool on_turn = s.active_participant_id == p.participant_id;
  if (s.sync_mode == SyncMode::per_cycle && !on_turn) {
    return Error::validation("participant_id",
                             "is not on turn; per_cycle budgets start fresh each turn");
  }
  // What the bank holds right now (its running time charged); with a time control
  // the adjustment moves the main bank, never the delay or the periods.
  const Millis bank = clock::owner_bank(s, *pos).value_or(Millis{0});
  const Millis left = clock::live_bank(s, *pos, now);
  if (left + cmd.delta < Millis{0}) {
    return Error::validation("delta_ms", fmt::format("would leave {} ms; the bank has {} ms left",
                                                     (left + cmd.delta).count(), left.count()));
  }
  if (bank + cmd.delta > domain::limits::kMaxBank) {
    return Error::validation("delta_ms", fmt::format("would take the bank past {} ms",
                                                     domain::limits::kMaxBank.count()));
  }
  switch (s.sync_mode) {
    case SyncMode::per_participant:
    case SyncMode::per_cycle: s.participants[*pos].total_time += cmd.delta; break;
    case SyncMode::per_group: clock::group_of(s, *pos)->total_time += cmd.delta; break;
    case SyncMode::global: s.total_time += cmd.delta; break;
    case SyncMode::count_up: break;
  }
  clock::refresh_mirrors(s);
  auto event = clock::participant_event(s, EventType::time_adjusted, *pos, now);
  event.time_remaining = left + cmd.delta;
  event.delta = cmd.delta;
  event.reason = cmd.reason;
  t.events.push_back(std::move(event));
  return std::nullopt;
}

}  // namespace sk::engine::transitions
