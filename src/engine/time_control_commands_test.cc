// Every command with every time control (SPEC §2): pause and resume keep the turn
// whole (what is left of a delay or a period included), add-time moves the main bank
// only, removing the player on turn hands on without a move, a late switch is the
// time-out, skip and end_session, a joining participant's initial clock, team banks.
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::ErrorCode;
using domain::EventType;
using domain::TimeControlType;

struct NamedControl {
  const char* name;
  domain::TimeControl control;
};

// Failure messages name the control, not its bytes.
void PrintTo(const NamedControl& c, std::ostream* os) { *os << c.name; }

const std::vector<NamedControl>& every_control() {
  static const std::vector<NamedControl> all{
      {"Fischer", controls::fischer(2s)},
      {"Bronstein", controls::bronstein(3s)},
      {"SimpleDelay", controls::simple_delay(3s)},
      {"Byoyomi", controls::byoyomi(3, 5s, 1s)},
      {"Canadian", controls::canadian(3, 10s)},
      {"Hourglass", controls::hourglass()},
      {"FischerStages",
       controls::with_stages(controls::fischer(1s),
                             {controls::stage(2, 20s), controls::stage(std::nullopt, 10s, 3s)})},
      {"DelayStages", controls::with_stages(controls::simple_delay(2s),
                                            {controls::stage(1, 20s),
                                             controls::stage(std::nullopt, 5s, std::nullopt, 4s)})},
      {"LagFischer", controls::with_lag(controls::fischer(1s))},
      {"LagByoyomi", controls::with_lag(controls::byoyomi(2, 5s))},
  };
  return all;
}

constexpr Millis kBank = 20s;

bool is_hourglass(const domain::TimeControl& tc) { return tc.type == TimeControlType::hourglass; }

// Hourglass is played by exactly two; every other control by three (so that one can
// leave or run out while play goes on).
CreateSessionRequest game_for(const domain::TimeControl& tc,
                              TimeoutAction action = TimeoutAction::end_session) {
  auto r = controlled(tc, kBank, is_hourglass(tc) ? 2 : 3);
  r.action_on_timeout = action;
  return r;
}

class EveryControl : public ::testing::TestWithParam<NamedControl> {};

// A turn split by a pause is charged like the same turn in one piece.
TEST_P(EveryControl, PauseAndResumeKeepTheTurnWhole) {
  const auto& tc = GetParam().control;
  const Millis flag = deadline(started(game_for(tc))).value() - kT0;
  for (const auto& [before, after] :
       std::vector<std::pair<Millis, Millis>>{{3s, 4s}, {flag * 2 / 3, flag / 4}}) {
    SCOPED_TRACE(std::to_string(before.count()) + " ms + " + std::to_string(after.count()));
    Game split(game_for(tc));
    split.act(before, domain::PauseCommand{});
    const auto left_at_pause = to_flag(split.s, 0, split.now);
    // Nothing runs while paused: not the bank, not the delay, not a period.
    EXPECT_EQ(to_flag(split.s, 0, split.now + 1h), left_at_pause);
    EXPECT_EQ(live_clock(split.s, 0, split.now + 1h), live_clock(split.s, 0, split.now));
    EXPECT_EQ(deadline(split.s), std::nullopt);
    split.act(100s, domain::ResumeCommand{});
    EXPECT_EQ(deadline(split.s), split.now + left_at_pause);
    split.move(after);

    Game whole(game_for(tc));
    whole.move(before + after);
    for (int n : {0, 1}) {
      EXPECT_EQ(part(split.s, n).total_time, part(whole.s, n).total_time) << n;
      EXPECT_EQ(part(split.s, n).time_used, part(whole.s, n).time_used) << n;
      EXPECT_EQ(part(split.s, n).clock, part(whole.s, n).clock) << n;
    }
  }
}

TEST_P(EveryControl, AddTimeMovesTheMainBankAndTheDeadlineByDelta) {
  const auto& tc = GetParam().control;
  Game g(game_for(tc));
  const auto due = deadline(g.s).value();
  g.act(2s, domain::AdjustTimeCommand{pid(0), 10s, std::string{"arbiter"}});
  EXPECT_EQ(deadline(g.s), due + 10s);
  EXPECT_EQ(g.last.events.back().type, EventType::time_adjusted);
  EXPECT_EQ(g.last.events.back().delta, 10s);
  // The waiting player's bank, not the running one's, nor its delay or periods.
  const auto clock_before = part(g.s, 1).clock;
  g.act(1s, domain::AdjustTimeCommand{pid(1), -5s, std::nullopt});
  EXPECT_EQ(part(g.s, 1).total_time, kBank - 5s);
  EXPECT_EQ(remaining(g.s, 1, g.now), kBank - 5s + (is_hourglass(tc) ? 3s : 0s));
  EXPECT_EQ(part(g.s, 1).clock, clock_before);
  EXPECT_EQ(deadline(g.s), due + 10s);
  // No more than the main bank has left right now can be taken.
  const Millis live = remaining(g.s, 0, g.now);
  const auto e = fails(g.s, domain::AdjustTimeCommand{pid(0), -(live + 1ms), std::nullopt}, g.now);
  EXPECT_EQ(e.code, ErrorCode::validation);
  EXPECT_EQ(e.violations.at(0).field, "delta_ms");
  const Millis extras = to_flag(g.s, 0, g.now) - live;  // delay, periods
  g.act(0s, domain::AdjustTimeCommand{pid(0), -(live - 1s), std::nullopt});
  EXPECT_EQ(remaining(g.s, 0, g.now), 1s);
  EXPECT_EQ(deadline(g.s), g.now + 1s + extras);
}

TEST_P(EveryControl, RemovingThePlayerOnTurnHandsOnWithoutAMove) {
  const auto& tc = GetParam().control;
  Game g(game_for(tc));
  const auto initial = part(g.s, 1).clock;
  const auto& t = g.act(3s, domain::RemoveParticipantCommand{pid(0)});
  EXPECT_EQ(t.state.active_participant_id, pid(1));
  EXPECT_EQ(t.state.cycle_started_at, g.now);
  EXPECT_EQ(part(t.state, 1).clock, initial);
  // Hourglass: the 3 s the leaver ran went to the other side first.
  const Millis bank1 = part(g.s, 1).total_time;
  EXPECT_EQ(bank1, rules::starting_bank(tc, kBank) + (is_hourglass(tc) ? 3s : 0s));
  EXPECT_EQ(deadline(t.state), g.now + rules::time_to_flag(tc, bank1, initial));
  EXPECT_EQ(t.events.back().type, EventType::participant_removed);
  EXPECT_EQ(t.events.back().time_elapsed, 3s);
}

TEST_P(EveryControl, ALateSwitchIsTheTimeout) {
  const auto& tc = GetParam().control;
  for (auto action : {TimeoutAction::end_session, TimeoutAction::skip}) {
    SCOPED_TRACE(std::string{domain::to_string(action)});
    Game g(game_for(tc, action));
    g.move(1s);
    g.move(2s);  // player 0 again (with three: player 2)
    const auto due = deadline(g.s).value();
    const auto early = step(g.s, domain::TimeoutCommand{}, due - 1ms);
    EXPECT_FALSE(early.changed);
    EXPECT_EQ(early.state, g.s);
    for (const Millis late : {0ms, 1ms, 750ms}) {
      domain::SwitchCommand sw;
      sw.client_lag = 5s;  // no lag is credited on a switch the time-out answered
      const auto by_switch = step(g.s, sw, due + late);
      const auto by_timer = step(g.s, domain::TimeoutCommand{}, due + late);
      EXPECT_EQ(by_switch.state, by_timer.state) << late.count();
      EXPECT_EQ(by_switch.events, by_timer.events) << late.count();
      EXPECT_EQ(by_switch.expiries, by_timer.expiries) << late.count();
      ASSERT_EQ(by_switch.expiries.size(), 1u);
      EXPECT_EQ(by_switch.expiries[0].at, due);
    }
    // One ms before the deadline a switch is a move.
    const auto in_time = step(g.s, domain::SwitchCommand{}, due - 1ms);
    EXPECT_TRUE(in_time.expiries.empty());
    EXPECT_EQ(in_time.state.status, Status::running);
  }
}

TEST_P(EveryControl, EndSessionAndSkipOnTimeout) {
  const auto& tc = GetParam().control;
  {
    Game g(game_for(tc, TimeoutAction::end_session));
    const auto due = deadline(g.s).value();
    const auto& t = g.act(due - g.now, domain::TimeoutCommand{});
    EXPECT_EQ(t.state.status, Status::expired);
    EXPECT_TRUE(part(t.state, 0).has_expired);
    EXPECT_EQ(part(t.state, 0).total_time, 0s);
    EXPECT_EQ(part(t.state, 0).time_used, due - kT0);
    EXPECT_EQ(t.state.session_completed_at, due);
    const auto all = types(t);
    ASSERT_GE(all.size(), 2u);
    EXPECT_EQ(all[all.size() - 2], EventType::participant_expired);
    EXPECT_EQ(all.back(), EventType::session_expired);
  }
  {
    Game g(game_for(tc, TimeoutAction::skip));
    const auto next_clock = part(g.s, 1).clock;
    const auto due = deadline(g.s).value();
    const auto& t = g.act(due - g.now, domain::TimeoutCommand{});
    EXPECT_EQ(t.state.status, Status::running);
    EXPECT_TRUE(part(t.state, 0).has_expired);
    EXPECT_EQ(t.state.active_participant_id, pid(1));
    EXPECT_EQ(t.state.cycle_started_at, due);
    EXPECT_EQ(part(t.state, 1).clock, next_clock);
    EXPECT_EQ(types(t).back(), EventType::participant_expired);
    // No increment, refund or fresh period for the flagged clock.
    EXPECT_EQ(part(t.state, 0).total_time, 0s);
    EXPECT_EQ(part(t.state, 0).clock.moves, 0);
  }
}

TEST_P(EveryControl, AJoiningParticipantGetsTheInitialClock) {
  const auto& tc = GetParam().control;
  Game g(game_for(tc));
  g.move(3s);
  domain::AddParticipantCommand add;
  add.participant.participant_id = pid(7);
  add.participant.total_time = 15s;
  if (is_hourglass(tc)) {
    const auto e = fails(g.s, add, g.now + 1s);
    EXPECT_EQ(e.code, ErrorCode::validation);
    ASSERT_EQ(e.violations.size(), 1u);
    EXPECT_EQ(e.violations[0].field, "participant_id");
    EXPECT_EQ(e.violations[0].message, "an hourglass is played by exactly 2 participants");
    return;
  }
  const auto& t = g.act(1s, add);
  const Millis bank = rules::starting_bank(tc, 15s);
  EXPECT_EQ(part(t.state, 7).total_time, bank);
  EXPECT_EQ(part(t.state, 7).clock, rules::initial_clock(tc, bank));
  g.move(0s);
  g.move(0s);  // 1 -> 2 -> 7
  ASSERT_EQ(g.s.active_participant_id, pid(7));
  EXPECT_EQ(deadline(g.s), g.now + rules::time_to_flag(tc, bank, rules::initial_clock(tc, bank)));
}

TEST_P(EveryControl, CompleteAndCancelBookTheTurn) {
  const auto& tc = GetParam().control;
  for (const domain::Command& end :
       {domain::Command{domain::CompleteCommand{}}, domain::Command{domain::CancelCommand{}}}) {
    Game paused(game_for(tc));
    paused.act(5s, domain::PauseCommand{});
    Game ended(game_for(tc));
    ended.act(5s, end);
    EXPECT_TRUE(domain::is_terminal(ended.s.status));
    EXPECT_EQ(deadline(ended.s), std::nullopt);
    EXPECT_EQ(part(ended.s, 0).time_used, 5s);
    EXPECT_EQ(part(ended.s, 0).total_time, part(paused.s, 0).total_time);
    EXPECT_EQ(part(ended.s, 0).clock, part(paused.s, 0).clock);
  }
}

INSTANTIATE_TEST_SUITE_P(Controls, EveryControl, ::testing::ValuesIn(every_control()),
                         [](const auto& test_param) { return std::string{test_param.param.name}; });

// per_group (no hourglass: it is two players' own banks).
class EveryTeamControl : public ::testing::TestWithParam<NamedControl> {};

// A hand-over within the team keeps the team's turn: 3 s + 4 s is one 7 s move.
TEST_P(EveryTeamControl, AHandOverWithinTheTeamIsNoMove) {
  const auto& tc = GetParam().control;
  Game split(controlled_teams(tc, kBank));
  split.act(3s, to(pid(2)));
  split.move(4s);
  Game whole(controlled_teams(tc, kBank));
  whole.move(7s);
  EXPECT_EQ(bank_of(split.s, 0), bank_of(whole.s, 0));
  EXPECT_EQ(clock_of(split.s, 0), clock_of(whole.s, 0));
  EXPECT_EQ(split.s.find_group(gid(0))->cycle_count, 1);
  EXPECT_EQ(clock_of(split.s, 0).moves, 1);
  // Both members show the team's bank.
  EXPECT_EQ(part(split.s, 0).total_time, bank_of(split.s, 0));
  EXPECT_EQ(part(split.s, 2).total_time, bank_of(split.s, 0));
}

// The member on turn leaves: the team's turn ends without a move, so its next turn
// starts afresh (a whole delay, no time of the old turn counted).
TEST_P(EveryTeamControl, RemovingTheMemberOnTurnEndsTheTeamsTurn) {
  const auto& tc = GetParam().control;
  Game g(controlled_teams(tc, kBank));
  g.act(1s, domain::RemoveParticipantCommand{pid(0)});
  ASSERT_EQ(g.s.active_participant_id, pid(1));
  EXPECT_EQ(clock_of(g.s, 2).turn_used, 0s);
  EXPECT_EQ(clock_of(g.s, 2).moves, 0);
  g.move(0s);
  ASSERT_EQ(g.s.active_participant_id, pid(2));
  EXPECT_EQ(deadline(g.s), g.now + rules::time_to_flag(tc, bank_of(g.s, 2), clock_of(g.s, 2)));
  EXPECT_EQ(rules::delay_left(tc, clock_of(g.s, 2)), rules::current_delay(tc, clock_of(g.s, 2)));
}

TEST_P(EveryTeamControl, TheTeamRunsOutTogether) {
  const auto& tc = GetParam().control;
  auto r = controlled_teams(tc, kBank);
  r.action_on_timeout = TimeoutAction::skip;
  Game g(r);
  const auto due = deadline(g.s).value();
  const auto& t = g.act(due - g.now, domain::TimeoutCommand{});
  ASSERT_EQ(t.expiries.size(), 1u);
  EXPECT_EQ(t.expiries[0].group_id, gid(0));
  EXPECT_TRUE(part(t.state, 0).has_expired);
  EXPECT_TRUE(part(t.state, 2).has_expired);
  EXPECT_TRUE(t.state.find_group(gid(0))->has_expired);
  EXPECT_EQ(bank_of(t.state, 0), 0s);
  EXPECT_EQ(t.state.active_participant_id, pid(1));
  EXPECT_EQ(deadline(t.state),
            due + rules::time_to_flag(tc, bank_of(t.state, 1), clock_of(t.state, 1)));
}

std::vector<NamedControl> team_controls() {
  std::vector<NamedControl> out;
  for (const auto& c : every_control()) {
    if (!is_hourglass(c.control)) out.push_back(c);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Controls, EveryTeamControl, ::testing::ValuesIn(team_controls()),
                         [](const auto& test_param) { return std::string{test_param.param.name}; });

}  // namespace
}  // namespace sk::engine::testing

namespace sk::engine::testing {
namespace {

// With stages the first stage's add_ms is every owner's starting bank (SPEC §2), so a
// joining participant or team needs no total_time_ms of its own, nor a session default.
TEST(StagedControls, AJoinerNeedsNoBankOfItsOwn) {
  const auto tc = controls::with_stages(
      controls::fischer(1s), {controls::stage(2, 90s), controls::stage(std::nullopt, 30s)});
  auto r = controlled(tc, 20s);
  r.total_time.reset();
  for (auto& p : r.participants) p.total_time = 20s;
  Game g(r);
  domain::AddParticipantCommand add;
  add.participant.participant_id = pid(7);
  const auto& t = g.act(1s, add);
  EXPECT_EQ(part(t.state, 7).total_time, 90s);
  EXPECT_EQ(part(t.state, 7).clock, rules::initial_clock(tc, 90s));

  auto teams = controlled_teams(tc, 20s);
  teams.total_time.reset();
  teams.groups = {{gid(0), 20s}, {gid(1), 20s}};
  Game h(teams);
  add.participant.group_id = gid(5);  // a new team
  const auto& u = h.act(1s, add);
  ASSERT_NE(u.state.find_group(gid(5)), nullptr);
  EXPECT_EQ(u.state.find_group(gid(5))->total_time, 90s);
  EXPECT_EQ(part(u.state, 7).total_time, 90s);

  // Without stages a bank is still required.
  auto plain = controlled(controls::fischer(1s), 20s);
  plain.total_time.reset();
  for (auto& p : plain.participants) p.total_time = 20s;
  add.participant.group_id.reset();
  const auto e = fails(started(plain), add, kT0 + 1s);
  EXPECT_EQ(e.violations.at(0).field, "total_time_ms");
}

}  // namespace
}  // namespace sk::engine::testing
