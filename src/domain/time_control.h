// The time control of a session (SPEC §2 "Time controls"): how a bank is charged
// and refilled, kept apart from each owner's live state the way scalachess keeps
// Clock.Config apart from a player's clock. Plain values; the rules that use them
// live in engine/time_control_rules.h. No I/O here.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/time.h"

namespace sk::domain {

enum class TimeControlType { fischer, bronstein, delay, byoyomi, canadian, hourglass };

std::string_view to_string(TimeControlType type);
std::optional<TimeControlType> parse_time_control_type(std::string_view text);

// One stage of a multi-stage (FIDE style) control. Stage i ends when its owner has
// made moves[0] + ... + moves[i] moves since the game's start; the next stage's
// `add` is then added to the bank. The first stage's `add` is the starting bank.
struct Stage {
  std::optional<std::int64_t> moves;  // absent on the last stage only
  Millis add{0};
  std::optional<Millis> increment;  // fischer: this stage's increment (default: the control's)
  std::optional<Millis> delay;      // bronstein/delay: this stage's delay (default: the control's)

  friend bool operator==(const Stage&, const Stage&) = default;
};

struct TimeControl {
  TimeControlType type = TimeControlType::fischer;
  Millis increment{0};        // fischer; byoyomi (during main time only)
  Millis delay{0};            // bronstein, delay
  std::int64_t periods = 0;   // byoyomi
  Millis period{0};           // byoyomi, canadian
  std::int64_t moves = 0;     // canadian: moves to make within each period
  std::vector<Stage> stages;  // fischer, bronstein, delay
  bool lag_compensation = false;

  friend bool operator==(const TimeControl&, const TimeControl&) = default;
};

// What one owner (a participant, or a team in per_group) carries besides its main
// bank, booked at the last transition like the bank itself. All zero/false for a
// session without a time control, and then never encoded.
struct OwnerClock {
  // Time run on the turn in progress (across pauses): what delay and bronstein
  // measure the delay against. 0 between turns.
  Millis turn_used{0};
  // byoyomi, canadian: the main bank has run out once; the periods run now.
  bool in_overtime = false;
  std::int64_t periods_left = 0;  // byoyomi: counts the period in progress
  Millis period_left{0};          // byoyomi, canadian: booked time left in the period
  std::int64_t moves_left = 0;    // canadian: moves still due in this period
  std::int64_t stage_index = 0;   // stages: the stage the owner plays in
  std::int64_t moves = 0;         // moves made since the game's start (stages)
  Millis lag_quota{0};            // lag compensation: what may still be credited
  Millis lag_gain{0};             // lag compensation: the quota's refill per move

  friend bool operator==(const OwnerClock&, const OwnerClock&) = default;
};

}  // namespace sk::domain
