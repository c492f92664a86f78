// per_cycle (turn timer): a fresh budget every turn, auto_advance on time-out.
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::EventType;

CreateSessionRequest turns(Millis budget, int players = 3) {
  auto r = request(SyncMode::per_cycle, players);
  r.time_per_cycle = budget;
  return r;
}

TEST(PerCycle, EveryTurnStartsWithAFreshBudget) {
  const auto s = started(turns(10s));
  EXPECT_EQ(s.action_on_timeout, TimeoutAction::auto_advance);
  EXPECT_EQ(deadline(s), kT0 + 10s);
  const auto t = step(s, domain::SwitchCommand{}, kT0 + 4s).state;
  EXPECT_EQ(part(t, 0).time_used, 4s);
  EXPECT_EQ(part(t, 0).total_time, 10s);  // refilled for its next turn
  EXPECT_EQ(part(t, 0).cycle_count, 1);
  EXPECT_EQ(t.active_participant_id, pid(1));
  EXPECT_EQ(deadline(t), kT0 + 14s);
  EXPECT_EQ(remaining(t, 1, kT0 + 5s), 9s);
  EXPECT_EQ(remaining(t, 0, kT0 + 5s), 10s);  // not on turn: the full budget
}

TEST(PerCycle, TimeoutAdvancesAtTheDeadlineAndCountsTheTurn) {
  const auto s = started(turns(10s));
  const auto t = step(s, domain::TimeoutCommand{}, kT0 + 10'003ms);
  EXPECT_EQ(t.state.status, Status::running);
  EXPECT_EQ(t.state.active_participant_id, pid(1));
  EXPECT_EQ(t.state.cycle_started_at, kT0 + 10s);  // the deadline, not the timer's lateness
  EXPECT_EQ(part(t.state, 0).cycle_count, 1);
  EXPECT_EQ(part(t.state, 0).time_used, 10s);
  EXPECT_FALSE(part(t.state, 0).has_expired);
  EXPECT_EQ(types(t), (std::vector{EventType::cycle_expired}));
  ASSERT_EQ(t.expiries.size(), 1u);
  EXPECT_EQ(t.expiries[0].action, TimeoutAction::auto_advance);
}

TEST(PerCycle, SeveralMissedTurnsAreAllApplied) {
  const auto s = started(turns(2s, 2));
  const auto t = step(s, domain::TimeoutCommand{}, kT0 + 7s);
  // Turns ended at 2, 4 and 6 s; participant 1 has held the clock since 6 s.
  EXPECT_EQ(t.expiries.size(), 3u);
  EXPECT_EQ(t.state.active_participant_id, pid(1));
  EXPECT_EQ(t.state.cycle_started_at, kT0 + 6s);
  EXPECT_EQ(part(t.state, 0).cycle_count, 2);
  EXPECT_EQ(part(t.state, 1).cycle_count, 1);
  EXPECT_EQ(remaining(t.state, 1, kT0 + 7s), 1s);
}

TEST(PerCycle, LateSwitchEqualsTheTimeout) {
  const auto s = started(turns(10s));
  auto late = step(s, domain::SwitchCommand{}, kT0 + 10'400ms).state;
  const auto timer = step(s, domain::TimeoutCommand{}, kT0 + 10s).state;
  late.updated_at = timer.updated_at;
  EXPECT_EQ(late, timer);
}

TEST(PerCycle, PauseKeepsWhatIsLeftOfTheTurn) {
  const auto s = started(turns(10s));
  const auto p = step(s, domain::PauseCommand{}, kT0 + 3s).state;
  EXPECT_EQ(part(p, 0).total_time, 7s);
  EXPECT_EQ(deadline(p), std::nullopt);
  const auto r = step(p, domain::ResumeCommand{}, kT0 + 60s).state;
  EXPECT_EQ(deadline(r), kT0 + 67s);
  EXPECT_EQ(r.active_participant_id, pid(0));
}

TEST(PerCycle, EndSessionActionExpiresTheSession) {
  auto r = turns(10s);
  r.action_on_timeout = TimeoutAction::end_session;
  const auto t = step(started(r), domain::TimeoutCommand{}, kT0 + 10s);
  EXPECT_EQ(t.state.status, Status::expired);
  EXPECT_TRUE(part(t.state, 0).has_expired);
  EXPECT_EQ(types(t), (std::vector{EventType::participant_expired, EventType::session_expired}));
}

TEST(PerCycle, NoIncrementEver) {
  const auto s = started(turns(10s));
  const auto t = step(s, domain::SwitchCommand{}, kT0 + 1s).state;
  EXPECT_EQ(part(t, 0).total_time, 10s);
}

}  // namespace
}  // namespace sk::engine::testing
