// The create-request rules of SPEC §2 "Time controls" and "Warnings and scheduled
// starts": each type's bounds, the stage rules, and which modes and rosters a control
// fits. Checked on the decoded value, so a request built in code (engine::create's
// callers) meets the same rules as a body; the decoder adds what only the body shows
// (a field sent that its type does not have, a required one missing). `start_at` in
// the future and within 30 days needs `now`: engine::create checks it. Pure; no I/O.
#include <fmt/format.h>

#include "domain/limits.h"
#include "domain/validation_detail.h"

namespace sk::domain::detail {
namespace {

using limits::kMaxTime;
using limits::kMinTime;

std::string between(std::int64_t lo, std::int64_t hi) {
  return fmt::format("must be between {} and {}", lo, hi);
}

void check_range(std::int64_t value, std::int64_t lo, std::int64_t hi, std::string field,
                 std::vector<FieldViolation>& out) {
  if (value < lo || value > hi) out.push_back({std::move(field), between(lo, hi)});
}

bool has_banks(SyncMode mode) {
  return mode == SyncMode::per_participant || mode == SyncMode::per_group;
}

// Where the control may be used at all. In a mode without banks one complaint about
// the whole control says it (as for groups[] outside per_group), and what is inside
// it is not examined.
bool check_placement(const CreateSessionRequest& r, std::optional<SyncMode> mode,
                     std::vector<FieldViolation>& out) {
  if (!mode) return true;
  if (!has_banks(*mode)) {
    out.push_back({"time_control", "needs a mode with banks: per_participant or per_group"});
    return false;
  }
  // Time moves from the mover to the opponent: that needs exactly one of each.
  if (r.time_control->type == TimeControlType::hourglass &&
      (*mode != SyncMode::per_participant || r.participants.size() != 2)) {
    out.push_back(
        {"time_control.type", "hourglass needs per_participant with exactly 2 participants"});
  }
  return true;
}

// A field of another type set in code (a body naming it is refused by the decoder).
void check_foreign_fields(const TimeControl& tc, std::vector<FieldViolation>& out) {
  const auto foreign = [&](ControlField field, bool set, const char* name) {
    if (set && !has_field(tc.type, field)) {
      out.push_back({fmt::format("time_control.{}", name), not_a_field_of(tc.type)});
    }
  };
  foreign(ControlField::increment, tc.increment != Millis{0}, "increment_ms");
  foreign(ControlField::delay, tc.delay != Millis{0}, "delay_ms");
  foreign(ControlField::periods, tc.periods != 0, "periods");
  foreign(ControlField::period, tc.period != Millis{0}, "period_ms");
  foreign(ControlField::moves, tc.moves != 0, "moves");
  foreign(ControlField::stages, !tc.stages.empty(), "stages");
}

void check_settings(const TimeControl& tc, std::vector<FieldViolation>& out) {
  if (has_field(tc.type, ControlField::increment)) {
    check_range(tc.increment.count(), 0, limits::kMaxIncrement.count(), "time_control.increment_ms",
                out);
  }
  if (has_field(tc.type, ControlField::delay)) {
    check_range(tc.delay.count(), 1, limits::kMaxDelay.count(), "time_control.delay_ms", out);
  }
  if (has_field(tc.type, ControlField::periods)) {
    if (tc.periods < limits::kMinPeriods) {
      out.push_back({"time_control.periods", "needs at least one period"});
    } else {
      check_range(tc.periods, limits::kMinPeriods, limits::kMaxPeriods, "time_control.periods",
                  out);
    }
  }
  if (has_field(tc.type, ControlField::period)) {
    check_range(tc.period.count(), kMinTime.count(), kMaxTime.count(), "time_control.period_ms",
                out);
  }
  if (has_field(tc.type, ControlField::moves)) {
    check_range(tc.moves, 1, limits::kMaxMovesPerPeriod, "time_control.moves", out);
  }
}

void check_stage(const TimeControl& tc, std::size_t i, std::vector<FieldViolation>& out) {
  const Stage& stage = tc.stages[i];
  const auto field = [i](const char* name) {
    return fmt::format("time_control.stages.{}.{}", i, name);
  };
  const bool last = i + 1 == tc.stages.size();
  if (last && stage.moves) {
    out.push_back({field("moves"), "the last stage has no moves"});
  } else if (!last && !stage.moves) {
    out.push_back({field("moves"), "is required"});
  } else if (stage.moves) {
    check_range(*stage.moves, 1, limits::kMaxStageMoves, field("moves"), out);
  }
  // The first stage's addition is the starting bank, so it is a time like any other;
  // a later stage may add nothing (a change of increment only).
  check_range(stage.add.count(), i == 0 ? kMinTime.count() : 0, kMaxTime.count(), field("add_ms"),
              out);
  if (stage.increment && stage.delay) {
    out.push_back({field("delay_ms"), "cannot be combined with increment_ms in one stage"});
    return;
  }
  if (stage.increment) {
    if (tc.type != TimeControlType::fischer) {
      out.push_back({field("increment_ms"), "only allowed in a fischer time control"});
    } else {
      check_range(stage.increment->count(), 0, limits::kMaxIncrement.count(), field("increment_ms"),
                  out);
    }
  }
  if (stage.delay) {
    if (tc.type != TimeControlType::bronstein && tc.type != TimeControlType::delay) {
      out.push_back({field("delay_ms"), "only allowed in a bronstein or delay time control"});
    } else {
      check_range(stage.delay->count(), 0, limits::kMaxDelay.count(), field("delay_ms"), out);
    }
  }
}

void check_stages(const TimeControl& tc, std::vector<FieldViolation>& out) {
  if (!has_field(tc.type, ControlField::stages) || tc.stages.empty()) return;
  if (tc.stages.size() > limits::kMaxStages) {
    // One complaint: the entries of a list that long are not worth examining.
    out.push_back({"time_control.stages",
                   fmt::format("must have between 1 and {} stages", limits::kMaxStages)});
    return;
  }
  for (std::size_t i = 0; i < tc.stages.size(); ++i) check_stage(tc, i, out);
}

}  // namespace

std::string not_a_field_of(TimeControlType type) {
  return fmt::format("is not a field of a {} time control", to_string(type));
}

bool increment_conflicts(const CreateSessionRequest& r) {
  if (!r.time_control || r.increment == Millis{0}) return false;
  return r.time_control->type != TimeControlType::fischer ||
         r.increment != r.time_control->increment;
}

void validate_time_control(const CreateSessionRequest& r, std::optional<SyncMode> mode,
                           std::vector<FieldViolation>& out) {
  if (!r.time_control) return;
  if (!check_placement(r, mode, out)) return;
  const TimeControl& tc = *r.time_control;
  check_foreign_fields(tc, out);
  check_settings(tc, out);
  check_stages(tc, out);
}

void validate_warnings(const CreateSessionRequest& r, std::vector<FieldViolation>& out) {
  const auto& w = r.warnings;
  if (w.size() > limits::kMaxWarnings) {
    out.push_back({"warnings_ms", fmt::format("at most {} thresholds", limits::kMaxWarnings)});
    return;
  }
  for (std::size_t i = 0; i < w.size(); ++i) {
    const std::string field = fmt::format("warnings_ms.{}", i);
    if (w[i] < kMinTime || w[i] > kMaxTime) {
      out.push_back({field, between(kMinTime.count(), kMaxTime.count())});
      continue;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (w[j] == w[i]) {
        out.push_back({field, "duplicate threshold"});
        break;
      }
    }
  }
}

}  // namespace sk::domain::detail
