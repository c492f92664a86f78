// An audit event (SPEC §6): one fact about a transition. The engine emits them; the
// store appends them atomically with the state; the audit writer persists them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/enums.h"
#include "domain/time.h"
#include "domain/uuid.h"

namespace sk::domain {

struct Event {
  EventType type = EventType::session_created;
  TimePoint at{};  // when it happened on the session clock (a deadline for time-outs)
  std::optional<Uuid> participant_id;
  std::optional<Uuid> group_id;
  std::optional<Millis> time_remaining;  // the owner's bank after the event
  std::optional<Millis> time_elapsed;    // time booked by the event
  std::optional<std::int64_t> cycle_count;
  std::optional<Millis> delta;  // time_adjusted
  std::optional<std::string> reason;
  std::optional<TimeoutAction> action;  // time-out events
  // store_rolled_back: the version the writer knew the session at, and the older one
  // the store held instead (writes in between were lost).
  std::optional<std::int64_t> expected_version;
  std::optional<std::int64_t> found_version;
  // Time controls (period_used, stage_reached, lag_credited, time_warning): the
  // owner's periods left, the stage it reached, its lag quota after a credit, the
  // warning threshold crossed. The amount (period time, stage time added, lag
  // credited) is in `delta`.
  std::optional<std::int64_t> periods_left;
  std::optional<std::int64_t> stage_index;
  std::optional<Millis> lag_quota;
  std::optional<Millis> threshold;

  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace sk::domain
