// Live values of a session at one instant (`server_time`): what a response shows.
// Computed by the engine (engine/live_view.h) from a Session and `now`; the JSON
// encoder writes them next to the booked values. Never stored. No I/O here.
#pragma once

#include <optional>
#include <vector>

#include "domain/time.h"

namespace sk::domain {

struct LiveView {
  TimePoint server_time{};
  std::optional<TimePoint> deadline_at;
  // Parallel to Session::participants. nullopt: not applicable (count_up without cap).
  std::vector<std::optional<Millis>> participant_remaining;
  std::vector<Millis> group_remaining;      // parallel to Session::groups
  std::optional<Millis> session_remaining;  // global, and count_up with a cap
  std::optional<Millis> session_elapsed;    // global and count_up
};

}  // namespace sk::domain
