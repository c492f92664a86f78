// The clock arithmetic shared by every transition: whose bank runs, how much time
// has elapsed, booking it, handing the clock to someone, ending a turn. Internal to
// the engine. Pure; no I/O.
//
// Invariant kept by these helpers: while a session runs, exactly one participant is
// active and `cycle_started_at` is set; booked time moves from a bank to
// `time_used` and is never created or destroyed (only increments and arbiter
// adjustments add time).
#pragma once

#include <cstddef>
#include <optional>

#include "domain/event.h"
#include "domain/session.h"

namespace sk::engine::clock {

using domain::Millis;
using domain::Session;
using domain::TimePoint;

// Time since the current cycle started (0 unless running; never negative, even if
// another instance's clock was a little ahead).
Millis elapsed(const Session& s, TimePoint now);

// The booked bank of whatever runs while participant `i` holds the clock. nullopt
// for count_up without a cap (nothing runs out).
std::optional<Millis> owner_bank(const Session& s, std::size_t i);

// Moves `e` from the active owner's bank to its time used (and the session's).
void book(Session& s, Millis e);

// The active participant's turn is over: cycle counted, Fischer increment added
// where the mode has one (`with_increment`), per_cycle budget refilled.
void end_turn(Session& s, bool with_increment);

// Hands the clock to participant `i`, its cycle starting at `at` (per_cycle: with a
// fresh budget; per_group: remembered as its group's last player).
void activate(Session& s, std::size_t i, TimePoint at);

// Ends the session in terminal `status` at `at`: no active participant, no cycle.
void finish(Session& s, domain::Status status, TimePoint at);

// per_group and global keep each participant's total_time equal to the bank it
// plays on, so every participant shows the clock it runs.
void refresh_mirrors(Session& s);

std::optional<std::size_t> active_index(const Session& s);

// The group of participant `i` (per_group), or nullptr.
domain::Group* group_of(Session& s, std::size_t i);
const domain::Group* group_of(const Session& s, std::size_t i);

// An event about participant `i` with its current bank and cycle count.
domain::Event participant_event(const Session& s, domain::EventType type, std::size_t i,
                                TimePoint at);

}  // namespace sk::engine::clock
