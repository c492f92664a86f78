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
#include <vector>

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

// How long the clock participant `i` plays on can still run, as booked: its bank, or
// with a time_control everything up to its flag (delay, periods; rules::time_to_flag).
// nullopt for count_up without a cap.
std::optional<Millis> time_left(const Session& s, std::size_t i);

// The main bank participant `i` plays on as it stands at `now` (its running time
// charged as far as it goes into that bank).
Millis live_bank(const Session& s, std::size_t i, TimePoint now);

// Moves `e` of running time (counted from cycle_started_at) to the active owner's time
// used and charges its bank (and, with a time_control, its delay and periods; events
// such as a byo-yomi period used go to `events`).
void book(Session& s, Millis e, std::vector<domain::Event>& events);

// The active participant's turn is over: cycle counted; on a move
// (`with_increment`) the bank is refilled as the mode and time control say (Fischer
// increment, Bronstein refund, periods, stages: events to `events`), per_cycle
// budget refilled.
void end_turn(Session& s, bool with_increment, TimePoint at, std::vector<domain::Event>& events);

// Lag compensation on a move (SPEC §2): how much of the `e` about to be booked the
// active owner is credited for the `claimed` lag; updates its quota and reports the
// credit in `events`. 0 unless the session's time control compensates lag.
Millis credit_lag(Session& s, Millis claimed, Millis e, TimePoint at,
                  std::vector<domain::Event>& events);

// Hands the clock to participant `i`, its cycle starting at `at` (per_cycle: with a
// fresh budget; per_group: remembered as its group's last player). The warnings_ms
// thresholds already at or above what its clock has left are passed for this turn.
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
