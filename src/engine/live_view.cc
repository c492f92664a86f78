#include "engine/live_view.h"

#include <algorithm>

#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/time_control_rules.h"

namespace sk::engine {

using domain::Millis;
using domain::SyncMode;
using domain::TimeControlType;

namespace {

Millis left(Millis bank, Millis used) { return std::max(Millis{0}, bank - used); }

// One owner's bank and clock as if booked at `now`: the running one charged `e`.
struct LiveOwner {
  Millis bank{0};
  domain::OwnerLive live;
};

LiveOwner live_owner(const domain::TimeControl& tc, Millis bank, const domain::OwnerClock& c,
                     bool runs, bool on_turn, Millis e) {
  LiveOwner o{bank, {c, std::nullopt}};
  if (runs) rules::run(tc, o.bank, o.live.clock, e, nullptr);
  if (on_turn && (tc.type == TimeControlType::delay || tc.type == TimeControlType::bronstein)) {
    o.live.delay_remaining = rules::delay_left(tc, o.live.clock);
  }
  o.bank = std::max(Millis{0}, o.bank);
  return o;
}

// Sessions with a time control (per_participant or per_group): every owner's clock
// is run forward like a booking would, so periods, delay and stages show as at `now`.
void fill_controlled(const domain::Session& s, Millis e, domain::LiveView& v) {
  const auto& tc = *s.time_control;
  const auto active = clock::active_index(s);
  const bool running = s.status == domain::Status::running;
  if (s.sync_mode == SyncMode::per_participant) {
    // hourglass: what the mover loses, the opponent gains, live as well.
    const Millis gain = tc.type == TimeControlType::hourglass && running ? e : Millis{0};
    for (std::size_t i = 0; i < s.participants.size(); ++i) {
      const auto& p = s.participants[i];
      const bool on_turn = active == i;
      auto o = live_owner(tc, p.total_time, p.clock, on_turn && running, on_turn, e);
      if (!on_turn && active) o.bank += gain;
      v.participant_remaining.emplace_back(o.bank);
      v.participant_clocks.push_back(std::move(o.live));
    }
    return;
  }
  const auto* active_group = active ? clock::group_of(s, *active) : nullptr;
  for (const auto& g : s.groups) {
    const bool on_turn = &g == active_group;
    auto o = live_owner(tc, g.total_time, g.clock, on_turn && running, on_turn, e);
    v.group_remaining.push_back(o.bank);
    v.group_clocks.push_back(std::move(o.live));
  }
  for (std::size_t i = 0; i < s.participants.size(); ++i) {
    const auto* g = clock::group_of(s, i);
    const auto pos = g ? static_cast<std::size_t>(g - s.groups.data()) : s.groups.size();
    v.participant_remaining.emplace_back(pos < s.groups.size() ? v.group_remaining[pos]
                                                               : Millis{0});
  }
}

}  // namespace

domain::LiveView live_view(const domain::Session& s, domain::TimePoint now) {
  domain::LiveView v;
  v.server_time = now;
  v.deadline_at = deadline(s);

  const auto active = clock::active_index(s);
  Millis e = clock::elapsed(s, now);
  // Past the deadline the clock shows zero until the time-out is applied.
  if (active) {
    if (const auto bank = clock::time_left(s, *active)) {
      e = std::min(e, std::max(Millis{0}, *bank));
    }
  }
  v.participant_remaining.reserve(s.participants.size());
  if (s.time_control &&
      (s.sync_mode == SyncMode::per_participant || s.sync_mode == SyncMode::per_group)) {
    fill_controlled(s, e, v);
    return v;
  }

  const auto* active_group = active ? clock::group_of(s, *active) : nullptr;
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
