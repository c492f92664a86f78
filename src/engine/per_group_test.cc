// per_group (team clock): group banks, group rotation by lowest member index,
// round-robin within a team, in-team hand-over, skip of an expired team.
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::EventType;

// Two teams: A = {0, 2}, B = {1, 3}; A plays first (lowest index 0).
CreateSessionRequest teams(Millis bank, Millis increment = 0ms) {
  auto r = request(SyncMode::per_group, 4);
  r.total_time = bank;
  r.increment = increment;
  for (int i = 0; i < 4; ++i) r.participants[static_cast<std::size_t>(i)].group_id = gid(i % 2);
  return r;
}

const domain::Group& group(const Session& s, int n) { return *s.find_group(gid(n)); }

TEST(PerGroup, GroupsAreBuiltInRotationOrderWithTheirBanks) {
  auto r = teams(60s);
  r.groups.push_back({gid(1), 30s});
  r.groups.push_back({gid(0), std::nullopt});  // listed, with the session's default bank
  const auto s = created(r);
  ASSERT_EQ(s.groups.size(), 2u);
  EXPECT_EQ(s.groups[0].group_id, gid(0));
  EXPECT_EQ(s.groups[0].total_time, 60s);
  EXPECT_EQ(s.groups[1].total_time, 30s);
  // Every member shows its team's bank.
  EXPECT_EQ(part(s, 3).total_time, 30s);
}

TEST(PerGroup, SwitchAlternatesTeamsAndRoundRobinsMembers) {
  auto s = started(teams(60s, 1s));
  std::vector<int> order{0};
  for (int i = 1; i <= 6; ++i) {
    s = step(s, domain::SwitchCommand{}, kT0 + Millis{i * 1000}).state;
    for (int n = 0; n < 4; ++n) {
      if (s.active_participant_id == pid(n)) order.push_back(n);
    }
  }
  EXPECT_EQ(order, (std::vector{0, 1, 2, 3, 0, 1, 2}));
  // Team A played 3 turns of 1 s each (+1 s increment each): 60 - 3 + 3.
  EXPECT_EQ(group(s, 0).total_time, 60s);
  EXPECT_EQ(group(s, 0).cycle_count, 3);
  EXPECT_EQ(group(s, 0).time_used, 3s);
}

TEST(PerGroup, HandOverWithinTheTeamKeepsTheGroupClockRunning) {
  const auto s = started(teams(60s, 5s));
  const auto t = step(s, to(pid(2)), kT0 + 4s);
  EXPECT_EQ(t.state.active_participant_id, pid(2));
  EXPECT_EQ(group(t.state, 0).total_time, 56s);  // booked, no increment
  EXPECT_EQ(group(t.state, 0).cycle_count, 0);   // the team's turn goes on
  EXPECT_EQ(part(t.state, 0).cycle_count, 1);
  EXPECT_EQ(deadline(t.state), kT0 + 60s);  // same deadline as before the hand-over
  EXPECT_EQ(remaining(t.state, 2, kT0 + 10s), 50s);
  EXPECT_EQ(remaining(t.state, 0, kT0 + 10s), 50s);  // the whole team sees it run
  EXPECT_EQ(remaining(t.state, 1, kT0 + 10s), 60s);
  // The team's turn ends with member 2 having played last: next A turn goes to 0.
  auto u = step(t.state, domain::SwitchCommand{}, kT0 + 12s).state;
  EXPECT_EQ(u.active_participant_id, pid(1));
  EXPECT_EQ(group(u, 0).total_time, 48s + 5s);
  u = step(u, domain::SwitchCommand{}, kT0 + 13s).state;
  EXPECT_EQ(u.active_participant_id, pid(0));
}

TEST(PerGroup, ExplicitNextInAnotherTeamEndsTheTurn) {
  const auto s = started(teams(60s, 5s));
  const auto t = step(s, to(pid(3)), kT0 + 4s).state;
  EXPECT_EQ(t.active_participant_id, pid(3));
  EXPECT_EQ(group(t, 0).total_time, 61s);
  EXPECT_EQ(group(t, 1).last_participant_id, pid(3));
}

TEST(PerGroup, EndSessionWhenATeamRunsOut) {
  const auto s = started(teams(10s));
  const auto t = step(s, domain::TimeoutCommand{}, kT0 + 10s);
  EXPECT_EQ(t.state.status, Status::expired);
  EXPECT_TRUE(group(t.state, 0).has_expired);
  EXPECT_TRUE(part(t.state, 0).has_expired);
  EXPECT_TRUE(part(t.state, 2).has_expired);  // the whole team is out
  EXPECT_FALSE(part(t.state, 1).has_expired);
  ASSERT_EQ(t.expiries.size(), 1u);
  EXPECT_EQ(t.expiries[0].group_id, gid(0));
}

TEST(PerGroup, SkipContinuesWithTheRemainingTeams) {
  auto r = request(SyncMode::per_group, 3);
  r.total_time = 10s;
  r.action_on_timeout = TimeoutAction::skip;
  for (int i = 0; i < 3; ++i) r.participants[static_cast<std::size_t>(i)].group_id = gid(i);
  const auto t = step(started(r), domain::TimeoutCommand{}, kT0 + 10s);
  EXPECT_EQ(t.state.status, Status::running);
  EXPECT_EQ(t.state.active_participant_id, pid(1));
  const auto u = step(t.state, domain::SwitchCommand{}, kT0 + 11s).state;
  EXPECT_EQ(u.active_participant_id, pid(2));
  const auto v = step(u, domain::SwitchCommand{}, kT0 + 12s).state;
  EXPECT_EQ(v.active_participant_id, pid(1));  // team 0 is skipped
  // Nobody moves again: both remaining teams run out in turn.
  const auto w = step(v, domain::TimeoutCommand{}, kT0 + 60s);
  EXPECT_EQ(w.state.status, Status::expired);
  EXPECT_EQ(w.expiries.size(), 2u);
}

TEST(PerGroup, GroupOrderFollowsLowestMemberIndex) {
  auto r = teams(60s);
  // Member 3 of team B gets the lowest index, so team B plays first, led by 3.
  r.participants[3].participant_index = 0;
  r.participants[0].participant_index = 5;
  const auto s = started(r);
  EXPECT_EQ(s.groups[0].group_id, gid(1));
  EXPECT_EQ(s.active_participant_id, pid(3));
  EXPECT_EQ(s.participants.front().participant_id, pid(3));
}

}  // namespace
}  // namespace sk::engine::testing
