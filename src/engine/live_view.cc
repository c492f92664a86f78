#include "engine/live_view.h"

#include <algorithm>

#include "engine/clock.h"
#include "engine/engine.h"

namespace sk::engine {

using domain::Millis;
using domain::SyncMode;

domain::LiveView live_view(const domain::Session& s, domain::TimePoint now) {
  domain::LiveView v;
  v.server_time = now;
  v.deadline_at = deadline(s);

  const auto active = clock::active_index(s);
  Millis e = clock::elapsed(s, now);
  // Past the deadline the clock shows zero until the time-out is applied.
  if (active) {
    if (const auto bank = clock::owner_bank(s, *active))
      e = std::min(e, std::max(Millis{0}, *bank));
  }
  const auto* active_group = active ? clock::group_of(s, *active) : nullptr;
  const auto left = [](Millis bank, Millis used) { return std::max(Millis{0}, bank - used); };

  v.participant_remaining.reserve(s.participants.size());
  for (std::size_t i = 0; i < s.participants.size(); ++i) {
    const bool runs_this = active && (*active == i || s.sync_mode == SyncMode::global ||
                                      (active_group && clock::group_of(s, i) == active_group));
    const auto bank = clock::owner_bank(s, i);
    if (s.sync_mode == SyncMode::count_up) {
      v.participant_remaining.push_back(bank ? std::optional{left(*bank, e)} : std::nullopt);
    } else {
      v.participant_remaining.push_back(left(bank.value_or(Millis{0}), runs_this ? e : Millis{0}));
    }
  }
  for (const auto& g : s.groups) {
    v.group_remaining.push_back(left(g.total_time, &g == active_group ? e : Millis{0}));
  }
  if (s.sync_mode == SyncMode::global) {
    v.session_remaining = left(s.total_time, e);
    v.session_elapsed = s.time_used + e;
  } else if (s.sync_mode == SyncMode::count_up) {
    if (s.max_time) v.session_remaining = left(*s.max_time - s.time_used, e);
    v.session_elapsed = s.time_used + e;
  }
  return v;
}

}  // namespace sk::engine
