// The rules of SPEC §2 "Time controls" for one owner (a participant's bank, or a
// team's): how running time charges its bank and periods, what a move gives back,
// when stages advance, how much time is left before its flag falls, and the lag
// quota. Each is a pure function of (control, the owner's bank and clock, amount);
// clock.cc applies them to a session. No I/O.
//
// Notation as in the spec: a "move" is a turn ended by `switch`; u is the time the
// owner used on this turn (OwnerClock::turn_used).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "domain/time_control.h"

namespace sk::engine::rules {

using domain::Millis;
using domain::OwnerClock;
using domain::TimeControl;

// Every owner's bank at the start: the first stage's add_ms when there are stages,
// otherwise the bank the session gave it.
Millis starting_bank(const TimeControl& tc, Millis given);

// The clock an owner starts the game with: all periods, a full period, the first
// stage, a lag quota of 3 × gain.
OwnerClock initial_clock(const TimeControl& tc, Millis starting_bank);

// Lichess' lag gain: min(1000, 150 + 4 × (B₀ + 40 × increment) / 1000) ms.
Millis lag_gain(Millis starting_bank, Millis increment);

// The increment and delay of the owner's current stage (the control's own when the
// stage sets none, or without stages).
Millis current_increment(const TimeControl& tc, const OwnerClock& c);
Millis current_delay(const TimeControl& tc, const OwnerClock& c);

// What is left of this turn's delay (delay, bronstein): for `delay` the time that
// runs before the bank does, for `bronstein` what a move would still give back
// beyond the time used so far.
Millis delay_left(const TimeControl& tc, const OwnerClock& c);

// How long the owner can still run before its flag falls: the bank, plus for
// `delay` what is left of the delay, for `byoyomi` every remaining period, for
// `canadian` what is left of the period. Never negative.
Millis time_to_flag(const TimeControl& tc, Millis bank, const OwnerClock& c);

// A byo-yomi period that ran out `offset` after the run began, leaving `periods_left`.
struct PeriodUsed {
  Millis offset{0};
  std::int64_t periods_left = 0;
};

// Runs `e` ms of the owner's turn: the delay first (delay), then the main bank,
// then overtime (byoyomi, canadian). `e` never exceeds time_to_flag (callers book at
// most to the deadline); anything beyond is ignored, so no bank goes negative.
// Byo-yomi periods used up are appended to `periods_used` when given.
void run(const TimeControl& tc, Millis& bank, OwnerClock& c, Millis e,
         std::vector<PeriodUsed>* periods_used);

// A stage the owner reached by a move, and the time that added to its bank.
struct StageReached {
  std::int64_t stage_index = 0;
  Millis added{0};
};

// The owner made a move (its flag has not fallen): the increment (fischer, byo-yomi
// main time), the refund (bronstein), a fresh period (byo-yomi overtime), the
// period's move count (canadian), the next stage. The turn's time resets.
std::optional<StageReached> move(const TimeControl& tc, Millis& bank, OwnerClock& c);

// The turn ended without a move (time-out): only the turn's time resets.
void end_turn_without_move(OwnerClock& c);

// Lag compensation on a move: credits min(claimed, quota, used) and refills the quota
// to min(quota + gain − credit, 7 × gain). Returns the credit (what the move is not
// charged). 0 without lag compensation.
Millis credit_lag(const TimeControl& tc, OwnerClock& c, Millis claimed, Millis used);

}  // namespace sk::engine::rules
