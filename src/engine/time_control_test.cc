// Time controls on whole sessions (SPEC §2 "Time controls"): the issue's worked
// examples played through create/start/switch, what the live view and deadline_at
// show on the way, the hourglass's two banks, Fischer through time_control against the
// old increment path, and team banks (per_group) with stages and byo-yomi.
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::EventType;
using domain::OwnerClock;

// One player's moves (player 1 answers each in 1 s); then player 0's booked bank and
// clock, and the deadline its next turn starts with.
struct GameCase {
  const char* name;
  domain::TimeControl control;
  Millis bank;
  std::vector<Millis> moves;  // player 0's turns
  Millis bank_after;
  OwnerClock clock_after;
  Millis deadline_after;  // player 0's next turn: deadline - its start
};

void PrintTo(const GameCase& c, std::ostream* os) { *os << c.name; }

class Controls : public ::testing::TestWithParam<GameCase> {};

TEST_P(Controls, PlayerZerosMoves) {
  const auto& c = GetParam();
  Game g(controlled(c.control, c.bank));
  for (const Millis used : c.moves) {
    g.move(used);
    ASSERT_EQ(g.s.active_participant_id, pid(1));
    g.move(1s);
  }
  EXPECT_EQ(part(g.s, 0).total_time, c.bank_after);
  EXPECT_EQ(part(g.s, 0).clock, c.clock_after);
  EXPECT_EQ(g.s.active_participant_id, pid(0));
  EXPECT_EQ(deadline(g.s), g.now + c.deadline_after);
  // What the live view shows at the turn's start is what is booked.
  EXPECT_EQ(remaining(g.s, 0, g.now), c.bank_after);
  EXPECT_EQ(live_clock(g.s, 0, g.now).clock, c.clock_after);
  EXPECT_EQ(to_flag(g.s, 0, g.now), c.deadline_after);
}

std::vector<Millis> times(int n, Millis used) { return std::vector<Millis>(std::size_t(n), used); }

domain::TimeControl fide_90_40() {
  return controls::with_stages(controls::fischer(30s),
                               {controls::stage(40, 90min), controls::stage(std::nullopt, 30min)});
}

std::vector<Millis> entering_then(Millis enter, int n, Millis each) {
  auto v = times(n, each);
  v.insert(v.begin(), enter);
  return v;
}

INSTANTIATE_TEST_SUITE_P(
    IssueExamples, Controls,
    ::testing::Values(
        GameCase{"Bronstein5s_A3sMoveGivesBack3s",
                 controls::bronstein(5s),
                 60s,
                 {3s},
                 60s,
                 {.moves = 1},
                 60s},
        GameCase{"Bronstein5s_A7sMoveGivesBack5s",
                 controls::bronstein(5s),
                 60s,
                 {7s},
                 58s,
                 {.moves = 1},
                 58s},
        GameCase{"Byoyomi3x30_AMove20sIntoAPeriodKeeps3Periods",
                 controls::byoyomi(3, 30s),
                 60s,
                 {80s},
                 0s,
                 {.in_overtime = true, .periods_left = 3, .period_left = 30s, .moves = 1},
                 90s},
        GameCase{"Byoyomi3x30_65sIntoOvertimeThenAMoveLeaves1Period",
                 controls::byoyomi(3, 30s),
                 60s,
                 {125s},
                 0s,
                 {.in_overtime = true, .periods_left = 1, .period_left = 30s, .moves = 1},
                 30s},
        GameCase{"Canadian25In10Min_The25thMoveRestores10MinAnd25Moves",
                 controls::canadian(25, 10min),
                 60s,
                 entering_then(70s, 24, 10s),
                 0s,
                 {.in_overtime = true, .period_left = 10min, .moves_left = 25, .moves = 25},
                 10min},
        GameCase{"FIDE40In90Then30Plus30s_After40MovesThe30MinIsAdded",
                 fide_90_40(),
                 1h,
                 times(40, 1min),
                 90min - 40min + 40 * 30s + 30min,
                 {.stage_index = 1, .moves = 40},
                 100min},
        GameCase{"FIDE40In90Then30Plus30s_39MovesAddNothing",
                 fide_90_40(),
                 1h,
                 times(39, 1min),
                 90min - 39min + 39 * 30s,
                 {.moves = 39},
                 90min - 39min + 39 * 30s},
        GameCase{"Delay5s_NoChargeWithinTheDelay",
                 controls::simple_delay(5s),
                 60s,
                 {3s, 5s},
                 60s,
                 {.moves = 2},
                 65s},
        GameCase{"Delay5s_BMinusUMinusDelayAfterIt",
                 controls::simple_delay(5s),
                 60s,
                 {8s},
                 57s,
                 {.moves = 1},
                 62s},
        GameCase{"Delay5s_UnusedDelayIsLost",
                 controls::simple_delay(5s),
                 60s,
                 {1s, 9s},
                 56s,
                 {.moves = 2},
                 61s},
        GameCase{"Byoyomi_IncrementInMainTimeOnly",
                 controls::byoyomi(3, 30s, 10s),
                 60s,
                 {20s, 60s, 5s},
                 0s,
                 {.in_overtime = true, .periods_left = 3, .period_left = 30s, .moves = 3},
                 90s},
        GameCase{"Fischer2s", controls::fischer(2s), 60s, {10s, 10s}, 44s, {.moves = 2}, 44s}),
    [](const auto& test_param) { return std::string{test_param.param.name}; });

TEST(Byoyomi, SixtyFiveSecondsIntoOvertimeShowsOnePeriodWith25s) {
  const auto s = started(controlled(controls::byoyomi(3, 30s), 60s));
  EXPECT_EQ(deadline(s), kT0 + 60s + 3 * 30s);  // main bank plus every period
  const auto at = kT0 + 60s + 65s;
  const auto live = live_clock(s, 0, at);
  EXPECT_TRUE(live.clock.in_overtime);
  EXPECT_EQ(live.clock.periods_left, 1);
  EXPECT_EQ(live.clock.period_left, 25s);
  EXPECT_EQ(remaining(s, 0, at), 0s);
  EXPECT_EQ(live.delay_remaining, std::nullopt);
  // The periods used are booked with the move, as audit events at their instants.
  const auto t = step(s, domain::SwitchCommand{}, at);
  EXPECT_EQ(types(t), (std::vector{EventType::period_used, EventType::period_used,
                                   EventType::cycle_switched}));
  EXPECT_EQ(t.events[0].at, kT0 + 90s);
  EXPECT_EQ(t.events[0].periods_left, 2);
  EXPECT_EQ(t.events[0].delta, 30s);
  EXPECT_EQ(t.events[0].participant_id, pid(0));
  EXPECT_EQ(t.events[1].at, kT0 + 120s);
  EXPECT_EQ(t.events[1].periods_left, 1);
  EXPECT_EQ(t.events[2].time_elapsed, 125s);
  EXPECT_EQ(part(t.state, 0).clock.periods_left, 1);
  EXPECT_EQ(part(t.state, 0).clock.period_left, 30s);
  EXPECT_EQ(part(t.state, 0).time_used, 125s);
}

TEST(Delay, LiveViewShowsTheDelayLeftForTheOwnerOnTurnOnly) {
  const auto s = started(controlled(controls::simple_delay(5s), 60s));
  EXPECT_EQ(deadline(s), kT0 + 65s);  // the delay plus the bank
  EXPECT_EQ(live_clock(s, 0, kT0 + 3s).delay_remaining, 2s);
  EXPECT_EQ(remaining(s, 0, kT0 + 3s), 60s);
  EXPECT_EQ(live_clock(s, 0, kT0 + 8s).delay_remaining, 0s);
  EXPECT_EQ(remaining(s, 0, kT0 + 8s), 57s);
  EXPECT_EQ(live_clock(s, 1, kT0 + 3s).delay_remaining, std::nullopt);
}

TEST(Bronstein, LiveViewChargesTheTurnAndShowsWhatAMoveWouldGiveBack) {
  const auto s = started(controlled(controls::bronstein(5s), 60s));
  EXPECT_EQ(deadline(s), kT0 + 60s);  // nothing is given back during the turn
  EXPECT_EQ(remaining(s, 0, kT0 + 3s), 57s);
  EXPECT_EQ(live_clock(s, 0, kT0 + 3s).delay_remaining, 2s);
  EXPECT_EQ(live_clock(s, 1, kT0 + 3s).delay_remaining, std::nullopt);
}

TEST(Canadian, LiveViewCountsThePeriodDown) {
  Game g(controlled(controls::canadian(25, 10min), 60s));
  g.move(70s);  // enters overtime, 24 moves left in 9:50
  g.move(1s);
  EXPECT_EQ(deadline(g.s), g.now + 9min + 50s);
  const auto live = live_clock(g.s, 0, g.now + 50s);
  EXPECT_TRUE(live.clock.in_overtime);
  EXPECT_EQ(live.clock.period_left, 9min);
  EXPECT_EQ(live.clock.moves_left, 24);
}

TEST(Hourglass, A90sMoveFrom10And10Gives830And1130) {
  const auto s = started(controlled(controls::hourglass(), 10min));
  // Live, the opponent's sand runs up as the mover's runs down.
  EXPECT_EQ(remaining(s, 0, kT0 + 30s), 9min + 30s);
  EXPECT_EQ(remaining(s, 1, kT0 + 30s), 10min + 30s);
  const auto t = step(s, domain::SwitchCommand{}, kT0 + 90s);
  EXPECT_EQ(part(t.state, 0).total_time, 8min + 30s);
  EXPECT_EQ(part(t.state, 1).total_time, 11min + 30s);
  EXPECT_EQ(deadline(t.state), kT0 + 90s + 11min + 30s);
  // And back: a 2 min answer gives 10:30 / 9:30.
  const auto u = step(t.state, domain::SwitchCommand{}, kT0 + 90s + 2min);
  EXPECT_EQ(part(u.state, 0).total_time, 10min + 30s);
  EXPECT_EQ(part(u.state, 1).total_time, 9min + 30s);
}

TEST(Hourglass, RunsOutWhenTheMoversSandDoes) {
  const auto s = started(controlled(controls::hourglass(), 1min));
  EXPECT_EQ(deadline(s), kT0 + 1min);
  const auto t = step(s, domain::TimeoutCommand{}, kT0 + 1min);
  EXPECT_EQ(t.state.status, Status::expired);
  EXPECT_EQ(part(t.state, 0).total_time, 0s);
  EXPECT_EQ(part(t.state, 1).total_time, 2min);  // all the sand is on the other side
  // The live view past the deadline keeps the sum too.
  EXPECT_EQ(remaining(s, 0, kT0 + 5min), 0s);
  EXPECT_EQ(remaining(s, 1, kT0 + 5min), 2min);
}

// Strips what only a time_control adds, so the two paths can be compared whole.
Session without_control(Session s) {
  s.time_control.reset();
  for (auto& p : s.participants) p.clock = {};
  for (auto& g : s.groups) g.clock = {};
  return s;
}

TEST(Fischer, ThroughTimeControlEqualsTheOldIncrementPath) {
  for (const auto mode : {SyncMode::per_participant, SyncMode::per_group}) {
    SCOPED_TRACE(std::string{domain::to_string(mode)});
    auto old_request = mode == SyncMode::per_group ? controlled_teams(controls::fischer(0s), 20s)
                                                   : chess(20s, 0ms, 3);
    old_request.time_control.reset();
    old_request.increment = 2s;
    old_request.action_on_timeout = TimeoutAction::skip;
    auto new_request = old_request;
    new_request.time_control = controls::fischer(2s);

    Game old_game(old_request);
    Game new_game(new_request);
    const std::vector<Millis> turns{3s, 7s, 1s, 0s, 12s, 5s, 30s, 2s, 4s, 40s, 9s};
    for (const Millis used : turns) {
      if (domain::is_terminal(new_game.s.status)) break;
      const auto& a = old_game.move(used);
      const auto& b = new_game.move(used);
      EXPECT_EQ(without_control(b.state), a.state);
      EXPECT_EQ(b.events, a.events);
      EXPECT_EQ(b.expiries, a.expiries);
      EXPECT_EQ(deadline(b.state), deadline(a.state));
      EXPECT_EQ(live_view(b.state, new_game.now + 1s).participant_remaining,
                live_view(a.state, old_game.now + 1s).participant_remaining);
    }
    // Turns ran past banks: time-outs, then the end, came the same way on both.
    EXPECT_EQ(new_game.s.status, Status::expired);
    EXPECT_EQ(old_game.s.status, Status::expired);
  }
}

// per_group: the team bank runs the control; a hand-over within the team is no move.
TEST(TeamBanks, StagesCountTheTeamsMoves) {
  const auto tc = controls::with_stages(
      controls::fischer(1s), {controls::stage(2, 1min), controls::stage(std::nullopt, 30s)});
  Game g(controlled_teams(tc, 5min));
  EXPECT_EQ(g.s.find_group(gid(0))->total_time, 1min);  // stage 0 replaces total_time
  EXPECT_EQ(part(g.s, 2).total_time, 1min);             // every member shows its team's bank
  g.act(2s, to(pid(2)));                                // hand-over: no move, no increment
  EXPECT_EQ(clock_of(g.s, 0).moves, 0);
  g.move(3s);                  // team A's first move: 5 s used, + 1 s
  g.move(1s);                  // team B
  const auto& t = g.move(4s);  // team A's second move (player 0): stage 1 reached
  EXPECT_EQ(clock_of(g.s, 0).moves, 2);
  EXPECT_EQ(clock_of(g.s, 0).stage_index, 1);
  EXPECT_EQ(bank_of(g.s, 0), 1min - 9s + 2s + 30s);
  EXPECT_EQ(part(g.s, 2).total_time, bank_of(g.s, 0));
  EXPECT_EQ(clock_of(g.s, 1).moves, 1);
  EXPECT_EQ(types(t), (std::vector{EventType::stage_reached, EventType::cycle_switched}));
  EXPECT_EQ(t.events[0].stage_index, 1);
  EXPECT_EQ(t.events[0].delta, 30s);
  EXPECT_EQ(t.events[0].group_id, gid(0));
  EXPECT_EQ(t.events[0].time_remaining, 1min - 9s + 2s + 30s);
}

TEST(TeamBanks, ByoyomiPeriodsBelongToTheTeam) {
  Game g(controlled_teams(controls::byoyomi(2, 10s), 20s));
  g.act(15s, to(pid(2)));  // hand-over within team A
  EXPECT_EQ(deadline(g.s), kT0 + 20s + 2 * 10s);
  const auto live = live_view(g.s, kT0 + 25s);
  ASSERT_EQ(live.group_clocks.size(), 2u);
  EXPECT_TRUE(live.participant_clocks.empty());
  EXPECT_TRUE(live.group_clocks[0].clock.in_overtime);
  EXPECT_EQ(live.group_clocks[0].clock.period_left, 5s);
  EXPECT_FALSE(live.group_clocks[1].clock.in_overtime);
  g.move(12s);  // 27 s: main bank and 7 s of a period; the period resets
  EXPECT_EQ(bank_of(g.s, 0), 0s);
  EXPECT_EQ(clock_of(g.s, 0).periods_left, 2);
  EXPECT_EQ(clock_of(g.s, 0).period_left, 10s);
  g.move(1s);  // team B
  EXPECT_EQ(g.s.active_participant_id, pid(0));
  EXPECT_EQ(deadline(g.s), g.now + 20s);
  // Team A runs out with both periods: every member is out.
  const auto& t = g.act(20s, domain::TimeoutCommand{});
  EXPECT_EQ(t.state.status, Status::expired);
  EXPECT_TRUE(part(t.state, 0).has_expired);
  EXPECT_TRUE(part(t.state, 2).has_expired);
  EXPECT_EQ(types(t), (std::vector{EventType::period_used, EventType::period_used,
                                   EventType::participant_expired, EventType::session_expired}));
  EXPECT_EQ(t.events[1].periods_left, 0);
  EXPECT_EQ(t.events[1].group_id, gid(0));
}

}  // namespace
}  // namespace sk::engine::testing
