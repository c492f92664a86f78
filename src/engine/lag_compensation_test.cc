// Lag compensation (SPEC §2, the Lichess quota model), as a pure rule (the gain
// formula, credit and refill) and on whole sessions: a switch's client_lag is
// credited up to the owner's quota, which starts at 3 × gain, refills by gain a move
// and never exceeds 7 × gain; the credit is audited (lag_credited with the quota
// left); a cheating client gains no more than the quota allows; a late switch gets
// nothing, because the time-out has already answered it.
#include <tuple>

#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::EventType;

// Lichess' gain: min(1000, 150 + 4 × (B₀ + 40 × increment) / 1000) ms.
struct GainCase {
  const char* name;
  Millis bank;
  Millis increment;
  Millis gain;
};

void PrintTo(const GainCase& c, std::ostream* os) { *os << c.name; }

class LagGain : public ::testing::TestWithParam<GainCase> {};

TEST_P(LagGain, Formula) {
  const auto& c = GetParam();
  EXPECT_EQ(rules::lag_gain(c.bank, c.increment), c.gain);
}

INSTANTIATE_TEST_SUITE_P(Lichess, LagGain,
                         ::testing::Values(GainCase{"Bullet1Plus0", 1min, 0s, 390ms},
                                           GainCase{"Blitz3Plus2", 3min, 2s,
                                                    1000ms},  // 150 + 1040, capped
                                           GainCase{"Blitz3Plus0", 3min, 0s, 870ms},
                                           GainCase{"Bullet2Plus1", 2min, 1s, 790ms},
                                           GainCase{"HalfMinute", 30s, 0s, 270ms},
                                           GainCase{"Classical", 90min, 30s, 1000ms}),
                         [](const auto& test_param) { return std::string{test_param.param.name}; });

TEST(LagQuota, CreditIsCappedByQuotaAndByTheTimeUsed) {
  const auto tc = controls::with_lag(controls::fischer(0s));
  auto c = rules::initial_clock(tc, 1min);  // gain 390, quota 1170
  // Claims 5 s on a 10 s move: 1170 credited, quota 1170 + 390 - 1170.
  EXPECT_EQ(rules::credit_lag(tc, c, 5s, 10s), 1170ms);
  EXPECT_EQ(c.lag_quota, 390ms);
  // The bank never grows from it: a 200 ms move is credited at most 200 ms.
  EXPECT_EQ(rules::credit_lag(tc, c, 5s, 200ms), 200ms);
  EXPECT_EQ(c.lag_quota, 580ms);
  // An honest client refills the quota up to 7 × gain and no further.
  for (int i = 0; i < 10; ++i) rules::credit_lag(tc, c, 0ms, 1s);
  EXPECT_EQ(c.lag_quota, 7 * 390ms);
  EXPECT_EQ(rules::credit_lag(tc, c, 100ms, 1s), 100ms);
  EXPECT_EQ(c.lag_quota, 7 * 390ms);  // 2730 + 390 - 100, capped
}

TEST(LagQuota, NothingWithoutLagCompensation) {
  const auto tc = controls::fischer(0s);
  auto c = rules::initial_clock(tc, 1min);
  EXPECT_EQ(rules::credit_lag(tc, c, 5s, 10s), 0ms);
  EXPECT_EQ(c, domain::OwnerClock{});
}

TEST(LagCompensation, QuotaStartsAtThreeGains) {
  // 1+0 gives 390 ms, 3+2 gives 1000 ms (capped).
  const auto bullet = created(controlled(controls::with_lag(controls::fischer(0s)), 1min));
  EXPECT_EQ(part(bullet, 0).clock.lag_gain, 390ms);
  EXPECT_EQ(part(bullet, 0).clock.lag_quota, 1170ms);
  const auto blitz = created(controlled(controls::with_lag(controls::fischer(2s)), 3min));
  EXPECT_EQ(part(blitz, 1).clock.lag_gain, 1000ms);
  EXPECT_EQ(part(blitz, 1).clock.lag_quota, 3000ms);
  // A team bank has its own quota.
  const auto teams = created(controlled_teams(controls::with_lag(controls::fischer(0s)), 1min));
  EXPECT_EQ(teams.groups[0].clock.lag_quota, 1170ms);
  EXPECT_EQ(teams.groups[1].clock.lag_gain, 390ms);
}

TEST(LagCompensation, AClaimIsCreditedUpToTheQuotaAndAudited) {
  Game g(controlled(controls::with_lag(controls::fischer(0s)), 1min));
  const auto& t = g.move(10s, 5s);  // claims 5 s: 1170 ms credited
  EXPECT_EQ(part(t.state, 0).total_time, 1min - 10s + 1170ms);
  EXPECT_EQ(part(t.state, 0).time_used, 10s - 1170ms);
  EXPECT_EQ(part(t.state, 0).clock.lag_quota, 390ms);  // 1170 + 390 - 1170
  ASSERT_EQ(types(t), (std::vector{EventType::lag_credited, EventType::cycle_switched}));
  EXPECT_EQ(t.events[0].participant_id, pid(0));
  EXPECT_EQ(t.events[0].delta, 1170ms);
  EXPECT_EQ(t.events[0].lag_quota, 390ms);
  EXPECT_EQ(t.events[0].at, g.now);
  EXPECT_EQ(t.events[1].time_elapsed, 10s - 1170ms);  // what the move was charged
}

TEST(LagCompensation, TheBankNeverGrowsFromIt) {
  Game g(controlled(controls::with_lag(controls::fischer(0s)), 1min));
  const auto& t = g.move(300ms, 5s);
  EXPECT_EQ(part(t.state, 0).total_time, 1min);
  EXPECT_EQ(t.events[0].delta, 300ms);
  EXPECT_EQ(part(t.state, 0).clock.lag_quota, 1170ms + 390ms - 300ms);
}

TEST(LagCompensation, AnHonestClientsQuotaFillsToSevenGains) {
  Game g(controlled(controls::with_lag(controls::fischer(0s)), 1min));
  for (int i = 0; i < 10; ++i) {
    const auto& t = g.move(1s, 0ms);
    EXPECT_EQ(types(t), (std::vector{EventType::cycle_switched}));  // nothing credited
  }
  EXPECT_EQ(part(g.s, 0).clock.lag_quota, 7 * 390ms);
  EXPECT_EQ(part(g.s, 1).clock.lag_quota, 7 * 390ms);
}

TEST(LagCompensation, AClientAlwaysClaiming5sGainsNoMoreThanItsQuota) {
  for (const auto& [name, tc, bank] :
       std::vector<std::tuple<const char*, domain::TimeControl, Millis>>{
           {"1+0", controls::with_lag(controls::fischer(0s)), 1min},
           {"3+2", controls::with_lag(controls::fischer(2s)), 3min},
           {"bronstein", controls::with_lag(controls::bronstein(2s)), 5min},
           {"byoyomi", controls::with_lag(controls::byoyomi(3, 10s)), 30s},
           {"hourglass", controls::with_lag(controls::hourglass()), 5min},
       }) {
    SCOPED_TRACE(name);
    Game g(controlled(tc, bank));
    const Millis gain = part(g.s, 0).clock.lag_gain;
    Millis credited{0};
    Millis claimed_turns{0};  // the cheater's turns as they ran
    Millis charged{0};        // what its moves were charged
    int moves = 0;
    for (int i = 0; i < 400 && g.s.status == Status::running; ++i) {
      const bool cheater = g.s.active_participant_id == pid(0);  // player 1 claims nothing
      // Each turn at least as long as the quota, so that every claim takes all of it.
      const Millis turn = cheater ? (moves == 0 ? 3 * gain : gain) + Millis{(i * 37) % 500} : 100ms;
      const auto& t = g.move(turn, cheater ? 5s : 0s);
      for (const auto& e : t.events) {
        if (e.type == EventType::lag_credited) {
          EXPECT_EQ(e.participant_id, pid(0));
          credited += *e.delta;
          EXPECT_LE(*e.lag_quota, 7 * gain);
        }
        if (cheater && e.type == EventType::cycle_switched) charged += *e.time_elapsed;
      }
      if (cheater && t.expiries.empty()) {
        claimed_turns += turn;
        ++moves;
      }
      // The quota model at every instant: never above 7 × gain, and everything credited
      // so far is at most the initial quota plus one gain a move, minus what is left.
      EXPECT_LE(part(g.s, 0).clock.lag_quota, 7 * gain);
      EXPECT_GE(part(g.s, 0).clock.lag_quota, 0ms);
      EXPECT_LE(credited, 3 * gain + moves * gain - part(g.s, 0).clock.lag_quota);
    }
    ASSERT_GT(moves, 100);
    // Claiming 5 s on each move, it got 3 gains once and then one gain a move.
    EXPECT_EQ(credited, 3 * gain + (moves - 1) * gain);
    EXPECT_EQ(charged, claimed_turns - credited);
  }
}

TEST(LagCompensation, NoCreditOnALateSwitch) {
  Game g(controlled(controls::with_lag(controls::fischer(0s)), 10s));
  const auto quota = part(g.s, 0).clock.lag_quota;
  domain::SwitchCommand sw;
  sw.client_lag = 5s;  // would have been in time with the lag
  const auto t = step(g.s, sw, kT0 + 10s + 500ms);
  EXPECT_EQ(t.state.status, Status::expired);
  EXPECT_EQ(types(t), (std::vector{EventType::participant_expired, EventType::session_expired}));
  EXPECT_EQ(part(t.state, 0).clock.lag_quota, quota);
  EXPECT_EQ(part(t.state, 0).time_used, 10s);
  // 1 ms before the deadline the move is in time and the claim is credited.
  const auto in_time = step(g.s, sw, kT0 + 10s - 1ms);
  EXPECT_EQ(in_time.state.status, Status::running);
  EXPECT_EQ(in_time.events.at(0).type, EventType::lag_credited);
  EXPECT_EQ(in_time.events.at(0).delta, quota);
}

TEST(LagCompensation, IgnoredWithoutLagCompensation) {
  Game g(controlled(controls::fischer(0s), 1min));
  const auto& t = g.move(10s, 5s);
  EXPECT_EQ(part(t.state, 0).total_time, 50s);
  EXPECT_EQ(types(t), (std::vector{EventType::cycle_switched}));
  EXPECT_EQ(part(t.state, 0).clock, domain::OwnerClock{.moves = 1});
  // Nor on a session without any time control.
  Game plain(chess(1min));
  EXPECT_EQ(part(plain.move(10s, 5s).state, 0).total_time, 50s);
}

TEST(LagCompensation, AHandOverWithinTheTeamIsNoMoveAndGetsNoCredit) {
  Game g(controlled_teams(controls::with_lag(controls::fischer(0s)), 1min));
  domain::SwitchCommand hand_over = to(pid(2));
  hand_over.client_lag = 5s;
  const auto& t = g.act(3s, hand_over);
  EXPECT_EQ(types(t), (std::vector{EventType::cycle_switched}));
  EXPECT_EQ(t.state.find_group(gid(0))->clock.lag_quota, 1170ms);
  EXPECT_EQ(bank_of(t.state, 0), 57s);
  // The team's move then refills the team's quota, and is credited from it.
  const auto& u = g.move(2s, 5s);
  EXPECT_EQ(u.events.at(0).delta, 1170ms);
  EXPECT_EQ(u.events.at(0).group_id, gid(0));
  EXPECT_EQ(bank_of(u.state, 0), 55s + 1170ms);
  EXPECT_EQ(u.state.find_group(gid(0))->clock.lag_quota, 390ms);
}

}  // namespace
}  // namespace sk::engine::testing
