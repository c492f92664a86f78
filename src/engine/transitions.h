// The individual transitions, each mutating a working copy of the session and
// appending the events it implies. Internal to the engine: engine.cc checks
// guards, orders time-outs before commands and bumps the version once. Pure.
#pragma once

#include <optional>

#include "domain/commands.h"
#include "domain/errors.h"
#include "engine/engine.h"

namespace sk::engine::transitions {

// Applies every time-out due at `now`, each at its own deadline. Returns how many.
std::size_t settle(Transition& t, TimePoint now);

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
