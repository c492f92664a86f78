// Live values of a session at one instant (`server_time`): what a response shows.
// Computed by the engine (engine/live_view.h) from a Session and `now`; the JSON
// encoder writes them next to the booked values. Never stored. No I/O here.
#pragma once

#include <optional>
#include <vector>

#include "domain/time.h"
#include "domain/time_control.h"

namespace sk::domain {

// One owner's time-control state at `server_time` (sessions with a time_control):
// its clock as if booked now. delay_remaining is set for the active owner only.
struct OwnerLive {
  OwnerClock clock;
  std::optional<Millis> delay_remaining;

  friend bool operator==(const OwnerLive&, const OwnerLive&) = default;
};

struct LiveView {
  TimePoint server_time{};
  std::optional<TimePoint> deadline_at;
  // Parallel to Session::participants. nullopt: not applicable (count_up without cap).
  std::vector<std::optional<Millis>> participant_remaining;
  std::vector<Millis> group_remaining;      // parallel to Session::groups
  std::optional<Millis> session_remaining;  // global, and count_up with a cap
  std::optional<Millis> session_elapsed;    // global and count_up
  // Sessions with a time_control: parallel to participants (per_participant) or to
  // groups (per_group); empty otherwise.
  std::vector<OwnerLive> participant_clocks;
  std::vector<OwnerLive> group_clocks;
};

}  // namespace sk::domain
