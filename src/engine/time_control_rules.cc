#include "engine/time_control_rules.h"

#include <algorithm>

namespace sk::engine::rules {

using domain::TimeControlType;

namespace {

constexpr Millis kZero{0};

// The moves after which the owner's stage `index` ends (counted from the game's
// start), or nullopt for the last stage.
std::optional<std::int64_t> stage_end(const TimeControl& tc, std::int64_t index) {
  std::int64_t total = 0;
  for (std::int64_t i = 0; i <= index && i < static_cast<std::int64_t>(tc.stages.size()); ++i) {
    const auto& moves = tc.stages[static_cast<std::size_t>(i)].moves;
    if (!moves) return std::nullopt;
    total += *moves;
  }
  return total;
}

const domain::Stage* current_stage(const TimeControl& tc, const OwnerClock& c) {
  if (tc.stages.empty()) return nullptr;
  const auto i =
      std::clamp<std::int64_t>(c.stage_index, 0, static_cast<std::int64_t>(tc.stages.size()) - 1);
  return &tc.stages[static_cast<std::size_t>(i)];
}

}  // namespace

Millis starting_bank(const TimeControl& tc, Millis given) {
  return tc.stages.empty() ? given : tc.stages.front().add;
}

Millis lag_gain(Millis starting, Millis increment) {
  const std::int64_t scaled = 4 * (starting.count() + 40 * increment.count()) / 1000;
  return Millis{std::min<std::int64_t>(1000, 150 + scaled)};
}

OwnerClock initial_clock(const TimeControl& tc, Millis starting) {
  OwnerClock c;
  if (tc.type == TimeControlType::byoyomi) c.periods_left = tc.periods;
  if (tc.type == TimeControlType::byoyomi || tc.type == TimeControlType::canadian) {
    c.period_left = tc.period;
  }
  if (tc.type == TimeControlType::canadian) c.moves_left = tc.moves;
  if (tc.lag_compensation) {
    c.lag_gain = lag_gain(starting, current_increment(tc, c));
    c.lag_quota = 3 * c.lag_gain;
  }
  return c;
}

Millis current_increment(const TimeControl& tc, const OwnerClock& c) {
  const auto* stage = current_stage(tc, c);
  return stage && stage->increment ? *stage->increment : tc.increment;
}

Millis current_delay(const TimeControl& tc, const OwnerClock& c) {
  const auto* stage = current_stage(tc, c);
  return stage && stage->delay ? *stage->delay : tc.delay;
}

Millis delay_left(const TimeControl& tc, const OwnerClock& c) {
  return std::max(kZero, current_delay(tc, c) - c.turn_used);
}

Millis time_to_flag(const TimeControl& tc, Millis bank, const OwnerClock& c) {
  const Millis main = std::max(kZero, bank);
  switch (tc.type) {
    case TimeControlType::delay: return delay_left(tc, c) + main;
    case TimeControlType::byoyomi:
      if (c.periods_left <= 0) return kZero;
      return main + c.period_left + (c.periods_left - 1) * tc.period;
    case TimeControlType::canadian: return main + std::max(kZero, c.period_left);
    case TimeControlType::fischer:
    case TimeControlType::bronstein:
    case TimeControlType::hourglass: break;
  }
  return main;
}

void run(const TimeControl& tc, Millis& bank, OwnerClock& c, Millis e,
         std::vector<PeriodUsed>* periods_used) {
  e = std::clamp(e, kZero, time_to_flag(tc, bank, c));
  if (e == kZero) return;
  Millis rest = e;
  if (tc.type == TimeControlType::delay) rest -= std::min(rest, delay_left(tc, c));
  c.turn_used += e;

  const Millis from_bank = std::min(rest, std::max(kZero, bank));
  bank -= from_bank;
  rest -= from_bank;
  const bool has_overtime =
      tc.type == TimeControlType::byoyomi || tc.type == TimeControlType::canadian;
  if (!has_overtime) return;
  if (bank <= kZero) c.in_overtime = true;

  if (tc.type == TimeControlType::canadian) {
    c.period_left -= std::min(rest, c.period_left);
    return;
  }
  // byo-yomi: each period that runs out to its end is used up.
  Millis offset = e - rest;
  while (rest > kZero && c.periods_left > 0) {
    if (rest < c.period_left) {
      c.period_left -= rest;
      return;
    }
    rest -= c.period_left;
    offset += c.period_left;
    c.periods_left -= 1;
    c.period_left = c.periods_left > 0 ? tc.period : kZero;
    if (periods_used) periods_used->push_back({offset, c.periods_left});
  }
}

std::optional<StageReached> move(const TimeControl& tc, Millis& bank, OwnerClock& c) {
  switch (tc.type) {
    case TimeControlType::fischer: bank += current_increment(tc, c); break;
    case TimeControlType::bronstein: bank += std::min(c.turn_used, current_delay(tc, c)); break;
    case TimeControlType::byoyomi:
      if (c.in_overtime) {
        c.period_left = tc.period;
      } else {
        bank += tc.increment;
      }
      break;
    case TimeControlType::canadian:
      if (c.in_overtime && --c.moves_left <= 0) {
        c.moves_left = tc.moves;
        c.period_left = tc.period;
      }
      break;
    case TimeControlType::delay:
    case TimeControlType::hourglass: break;
  }
  c.turn_used = kZero;
  c.moves += 1;
  const auto end = stage_end(tc, c.stage_index);
  if (!end || c.moves != *end) return std::nullopt;
  c.stage_index += 1;
  const Millis added = tc.stages[static_cast<std::size_t>(c.stage_index)].add;
  bank += added;
  return StageReached{c.stage_index, added};
}

void end_turn_without_move(OwnerClock& c) { c.turn_used = kZero; }

Millis credit_lag(const TimeControl& tc, OwnerClock& c, Millis claimed, Millis used) {
  if (!tc.lag_compensation) return kZero;
  const Millis credit = std::max(kZero, std::min({claimed, c.lag_quota, used}));
  c.lag_quota = std::min(c.lag_quota + c.lag_gain - credit, 7 * c.lag_gain);
  return credit;
}

}  // namespace sk::engine::rules
