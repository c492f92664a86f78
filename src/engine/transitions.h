// The individual transitions, each mutating a working copy of the session and
// appending the events it implies. Internal to the engine: engine.cc checks
// guards, orders time-outs before commands and bumps the version once. Pure.
#pragma once

#include <optional>

#include "domain/commands.h"
#include "domain/errors.h"
#include "engine/engine.h"

namespace sk::engine::transitions {

// What settle() applied.
struct Settled {
  bool started = false;      // a scheduled start (start_at)
  std::size_t warnings = 0;  // warnings_ms thresholds crossed
  std::size_t timeouts = 0;  // clocks that ran out
  bool any() const { return started || warnings > 0 || timeouts > 0; }
};

// Applies everything the deadline machinery has due at `now`, each at its own
// instant and in time order: a scheduled start, warnings, time-outs. A warning is
// never dated before `not_before`: when a command at that instant made it due (an
// adjustment that takes the clock below a threshold), it was crossed then.
Settled settle(Transition& t, TimePoint now, std::optional<TimePoint> not_before = std::nullopt);

// Only the scheduled start, if due: a session whose start_at has passed is running
// before any command looks at it.
bool settle_scheduled_start(Transition& t, TimePoint now);

// When the running turn crosses its next warnings_ms threshold (never before the
// cycle started), or nullopt when none is left for this turn. `due` is the state's
// deadline(), which every caller already holds.
std::optional<TimePoint> next_warning_at(const Session& s, std::optional<TimePoint> due);

// Each returns an error (and leaves `t` unusable) or nullopt on success.
std::optional<domain::Error> start(Transition& t, TimePoint now);
std::optional<domain::Error> switch_turn(Transition& t, const domain::SwitchCommand& cmd,
                                         TimePoint now);
std::optional<domain::Error> pause(Transition& t, TimePoint now);
std::optional<domain::Error> resume(Transition& t, TimePoint now);
std::optional<domain::Error> complete(Transition& t, TimePoint now);
std::optional<domain::Error> cancel(Transition& t, TimePoint now);
std::optional<domain::Error> add_participant(Transition& t,
                                             const domain::AddParticipantCommand& cmd,
                                             TimePoint now);
std::optional<domain::Error> remove_participant(Transition& t,
                                                const domain::RemoveParticipantCommand& cmd,
                                                TimePoint now);
std::optional<domain::Error> adjust_time(Transition& t, const domain::AdjustTimeCommand& cmd,
                                         TimePoint now);

}  // namespace sk::engine::transitions
