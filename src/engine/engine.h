// The clock engine: every rule of SPEC §2 as pure functions of (state, command, now).
//
// Nothing here reads a clock, logs, allocates threads or touches globals: the caller
// hands in `now` (wall-clock UTC ms, taken once per operation) and gets back a new
// state plus the audit events it implies. The same inputs always give the same
// output, which is what makes time-outs replayable and the store's compare-and-set
// retry safe.
#pragma once

#include <optional>
#include <vector>

#include "domain/commands.h"
#include "domain/event.h"
#include "domain/result.h"
#include "domain/session.h"

namespace sk::engine {

using domain::Command;
using domain::Event;
using domain::Millis;
using domain::Result;
using domain::Session;
using domain::TimePoint;
using domain::Uuid;

// One clock that ran out: what a TIME_EXPIRED message reports.
struct Expiry {
  std::optional<Uuid> participant_id;  // the owner on turn when time ran out
  std::optional<Uuid> group_id;        // per_group
  domain::TimeoutAction action = domain::TimeoutAction::end_session;
  TimePoint at{};  // the deadline

  friend bool operator==(const Expiry&, const Expiry&) = default;
};

// A warnings_ms threshold crossed: what a TIME_WARNING message reports.
struct Warning {
  std::optional<Uuid> participant_id;  // the owner on turn
  std::optional<Uuid> group_id;        // per_group
  Millis threshold{0};
  Millis time_remaining{0};  // to the deadline at `at` (the threshold, unless late)
  bool critical = false;     // the session's smallest threshold
  TimePoint at{};            // the instant the threshold was crossed

  friend bool operator==(const Warning&, const Warning&) = default;
};

struct Transition {
  Session state;
  std::vector<Event> events;
  std::vector<Expiry> expiries;   // time-outs applied, oldest first
  std::vector<Warning> warnings;  // thresholds crossed, oldest first
  // false: nothing to store (an idempotent complete, a timer that found nothing due).
  bool changed = true;
};

// A new session at version 1, status pending. Validates `request` (SPEC §2 bounds);
// `session_id` wins over request.session_id.
Result<Transition> create(const domain::CreateSessionRequest& request, const Uuid& session_id,
                          TimePoint now);

// Applies one command at `now`. Time-outs whose deadlines have passed are applied
// first, each at its own deadline, so a late request sees exactly the state the
// timer would have produced. A switch that arrives at or after the deadline IS that
// time-out: it books the deadline, never `now`. On success the version goes up by
// exactly one (when changed); on error nothing changes.
Result<Transition> apply(const Session& state, const Command& command, TimePoint now);

// When the running clock runs out if nobody acts (nullopt unless running, and for
// count_up without max_time_ms); for a pending session with a start_at, that
// instant. This is the state's `deadline_at`.
std::optional<TimePoint> deadline(const Session& state);

// When the deadline timer must next apply TimeoutCommand: the deadline, or the next
// warnings_ms threshold of the turn in progress if that comes first.
std::optional<TimePoint> next_wakeup(const Session& state);

}  // namespace sk::engine
