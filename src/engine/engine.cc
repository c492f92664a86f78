// create() and apply(): the engine's two entry points. apply() orders the work so
// that every command sees the truth at `now`:
//   1. guards that only depend on the request (expected_version, and for a switch
//      the current participant) against the state as the client last saw it;
//   2. time-outs already due, each at its own deadline (settle);
//   3. the command itself, unless it was a switch that a time-out has already
//      answered (a late switch IS the time-out);
//   4. time-outs and warnings the command made due at once (e.g. resuming an empty
//      bank, an adjustment below a warnings_ms threshold: that warning is dated `now`);
//   5. one version step and the update stamp, if anything changed.
#include "engine/engine.h"

#include <algorithm>
#include <functional>

#include "domain/limits.h"
#include "domain/validation.h"
#include "engine/clock.h"
#include "engine/rotation.h"
#include "engine/time_control_rules.h"
#include "engine/transitions.h"

namespace sk::engine {
namespace {

using domain::Error;
using domain::EventType;
using domain::Status;
using domain::SyncMode;

std::optional<Error> check_switch_guards(const Session& s, const domain::SwitchCommand& cmd) {
  if (cmd.expected_version && *cmd.expected_version != s.version) {
    return Error::version_conflict(*cmd.expected_version, s.version);
  }
  if (s.status != Status::running) return Error::invalid_transition("switch", s.status);
  if (cmd.acting_participant_id && cmd.acting_participant_id != s.active_participant_id) {
    return Error::forbidden("a participant may switch only on its own turn");
  }
  if (cmd.current_participant_id && cmd.current_participant_id != s.active_participant_id) {
    return Error::participant_conflict(
        cmd.current_participant_id->to_string(),
        s.active_participant_id ? s.active_participant_id->to_string() : "none");
  }
  if (cmd.next_participant_id) {
    const auto* next = s.find_participant(*cmd.next_participant_id);
    if (!next)
      return Error::validation("next_participant_id", "is not a participant of this session");
    if (next->has_expired) return Error::validation("next_participant_id", "has expired");
  }
  return std::nullopt;
}

// start_at (SPEC §2): in the future, at most 30 days ahead.
void check_start_at(TimePoint start_at, TimePoint now,
                    std::vector<domain::FieldViolation>& violations) {
  if (start_at <= now) {
    violations.push_back({"start_at", "must be in the future"});
  } else if (start_at - now > domain::limits::kMaxStartAhead) {
    violations.push_back({"start_at", "must be at most 30 days ahead"});
  }
}

}  // namespace

std::optional<TimePoint> deadline(const Session& s) {
  if (s.status == Status::pending) return s.start_at;
  if (s.status != Status::running || !s.cycle_started_at) return std::nullopt;
  const auto active = clock::active_index(s);
  if (!active) return std::nullopt;
  const auto left = clock::time_left(s, *active);
  if (!left) return std::nullopt;
  return *s.cycle_started_at + std::max(Millis{0}, *left);
}

std::optional<TimePoint> next_wakeup(const Session& s) {
  const auto due = deadline(s);
  const auto warning = transitions::next_warning_at(s, due);
  if (due && warning) return std::min(*due, *warning);
  return due;
}

Result<Transition> create(const domain::CreateSessionRequest& request, const Uuid& session_id,
                          TimePoint now) {
  auto violations = domain::validate_create(request);
  if (request.start_at) check_start_at(*request.start_at, now, violations);
  if (!violations.empty()) return Error::validation(std::move(violations));
  Transition t;
  Session& s = t.state;
  s.session_id = session_id;
  s.sync_mode = request.sync_mode;
  s.status = Status::pending;
  s.version = 1;
  s.epoch = domain::first_epoch(now);
  // per_cycle and count_up have no session bank: a total_time_ms sent anyway (the
  // original's clients always send one) is ignored, and the session shows 0.
  const bool has_session_bank =
      s.sync_mode != SyncMode::per_cycle && s.sync_mode != SyncMode::count_up;
  s.total_time = has_session_bank ? request.total_time.value_or(Millis{0}) : Millis{0};
  s.time_per_cycle = request.time_per_cycle;
  s.increment = request.increment;
  s.max_time = request.max_time;
  s.action_on_timeout =
      request.action_on_timeout.value_or(domain::default_timeout_action(request.sync_mode));
  s.created_at = now;
  s.updated_at = now;
  s.metadata = request.metadata;
  s.time_control = request.time_control;
  s.warnings = request.warnings;
  std::sort(s.warnings.begin(), s.warnings.end(), std::greater<>{});
  s.start_at = request.start_at;

  for (std::size_t i = 0; i < request.participants.size(); ++i) {
    const auto& np = request.participants[i];
    domain::Participant p;
    p.participant_id = np.participant_id;
    p.participant_index = np.participant_index.value_or(static_cast<std::int64_t>(i));
    p.group_id = np.group_id;
    if (s.sync_mode == SyncMode::per_participant)
      p.total_time = np.total_time.value_or(s.total_time);
    if (s.sync_mode == SyncMode::per_cycle) p.total_time = s.time_per_cycle.value_or(Millis{0});
    if (s.time_control && s.sync_mode == SyncMode::per_participant) {
      p.total_time = rules::starting_bank(*s.time_control, p.total_time);
      p.clock = rules::initial_clock(*s.time_control, p.total_time);
    }
    s.participants.push_back(p);
  }
  std::stable_sort(s.participants.begin(), s.participants.end(), [](const auto& a, const auto& b) {
    return a.participant_index < b.participant_index;
  });

  if (s.sync_mode == SyncMode::per_group) {
    for (const auto& p : s.participants) {
      if (s.find_group(*p.group_id)) continue;
      domain::Group g;
      g.group_id = *p.group_id;
      g.total_time = s.total_time;
      for (const auto& ng : request.groups) {
        if (ng.group_id == g.group_id && ng.total_time) g.total_time = *ng.total_time;
      }
      if (s.time_control) {
        g.total_time = rules::starting_bank(*s.time_control, g.total_time);
        g.clock = rules::initial_clock(*s.time_control, g.total_time);
      }
      s.groups.push_back(g);
    }
    sort_groups(s);
  }
  clock::refresh_mirrors(s);

  domain::Event e;
  e.type = EventType::session_created;
  e.at = now;
  t.events.push_back(e);
  return t;
}

Result<Transition> apply(const Session& state, const Command& command, TimePoint now) {
  Transition t{state, {}, {}, {}, true};
  // A session whose start_at has passed is running before any guard looks at it.
  const bool started = transitions::settle_scheduled_start(t, now);
  if (const auto* sw = std::get_if<domain::SwitchCommand>(&command)) {
    if (auto err = check_switch_guards(t.state, *sw)) return *err;
  }
  const auto settled = transitions::settle(t, now);
  const std::size_t timed_out = settled.timeouts;

  std::optional<Error> err = std::visit(
      [&](const auto& cmd) -> std::optional<Error> {
        using T = std::decay_t<decltype(cmd)>;
        namespace tr = transitions;
        if constexpr (std::is_same_v<T, domain::StartCommand>) return tr::start(t, now);
        if constexpr (std::is_same_v<T, domain::SwitchCommand>) {
          // The turn this switch meant to end has already ended by time-out.
          return timed_out > 0 ? std::nullopt : tr::switch_turn(t, cmd, now);
        }
        if constexpr (std::is_same_v<T, domain::PauseCommand>) return tr::pause(t, now);
        if constexpr (std::is_same_v<T, domain::ResumeCommand>) return tr::resume(t, now);
        if constexpr (std::is_same_v<T, domain::CompleteCommand>) return tr::complete(t, now);
        if constexpr (std::is_same_v<T, domain::CancelCommand>) return tr::cancel(t, now);
        if constexpr (std::is_same_v<T, domain::AddParticipantCommand>) {
          return tr::add_participant(t, cmd, now);
        }
        if constexpr (std::is_same_v<T, domain::RemoveParticipantCommand>) {
          return tr::remove_participant(t, cmd, now);
        }
        if constexpr (std::is_same_v<T, domain::AdjustTimeCommand>) {
          return tr::adjust_time(t, cmd, now);
        }
        if constexpr (std::is_same_v<T, domain::TimeoutCommand>) {
          // nothing was due: a stale timer
          if (!started && !settled.any()) t.changed = false;
          return std::nullopt;
        }
      },
      command);
  if (err) return *std::move(err);
  if (!t.changed) return t;

  // Anything due now was made due by the command itself, at `now`.
  transitions::settle(t, now, now);
  t.state.version = state.version + 1;
  t.state.updated_at = now;
  return t;
}

}  // namespace sk::engine
