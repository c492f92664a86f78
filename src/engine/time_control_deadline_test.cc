// Deadlines of the time controls (SPEC §2: "deadline_at accounts for all of them"):
// deadline() is the cycle start plus everything the owner can still run (main bank,
// the delay, every byo-yomi period, the Canadian period), the server detects the
// time-out exactly there (a TimeoutCommand 1 ms earlier changes nothing), and the
// time-out carries the control's audit events (period_used, then the expiry).
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::Event;
using domain::EventType;

struct DeadlineCase {
  const char* name;
  domain::TimeControl control;
  Millis bank;
  Millis first_turn;                  // player 0's first move; then player 1 answers in 1 s
  Millis at_start;                    // deadline - start, before any move
  Millis next_turn;                   // deadline - start of player 0's second turn
  std::vector<EventType> on_timeout;  // the events of its time-out in that turn
};

void PrintTo(const DeadlineCase& c, std::ostream* os) { *os << c.name; }

class Deadlines : public ::testing::TestWithParam<DeadlineCase> {};

TEST_P(Deadlines, DeadlineIsTheFlagAndTheServerDetectsItThere) {
  const auto& c = GetParam();
  Game g(controlled(c.control, c.bank));
  EXPECT_EQ(deadline(g.s), kT0 + c.at_start);
  EXPECT_EQ(next_wakeup(g.s), deadline(g.s));  // no warnings_ms: the deadline is the wake-up
  g.move(c.first_turn);
  g.move(1s);
  const auto due = g.now + c.next_turn;
  ASSERT_EQ(deadline(g.s), due);

  const auto before = step(g.s, domain::TimeoutCommand{}, due - 1ms);
  EXPECT_FALSE(before.changed);
  EXPECT_EQ(before.state, g.s);
  EXPECT_TRUE(before.events.empty());

  const auto t = step(g.s, domain::TimeoutCommand{}, due);
  EXPECT_EQ(types(t), c.on_timeout);
  EXPECT_EQ(t.state.status, Status::expired);
  ASSERT_EQ(t.expiries.size(), 1u);
  EXPECT_EQ(t.expiries[0].participant_id, pid(0));
  EXPECT_EQ(t.expiries[0].at, due);
  for (const auto& e : t.events) {
    EXPECT_LE(e.at, due);
    EXPECT_GE(e.at, g.now);
  }
  EXPECT_EQ(part(t.state, 0).total_time, 0s);
  // Every period is gone too (the delay starts afresh: the turn is over).
  EXPECT_EQ(part(t.state, 0).clock.periods_left, 0);
  EXPECT_EQ(part(t.state, 0).clock.period_left, 0s);
  EXPECT_EQ(part(t.state, 0).time_used, c.first_turn + c.next_turn);
}

const std::vector<EventType> kExpiry{EventType::participant_expired, EventType::session_expired};

std::vector<EventType> periods_then_expiry(int periods) {
  std::vector<EventType> v(std::size_t(periods), EventType::period_used);
  v.insert(v.end(), kExpiry.begin(), kExpiry.end());
  return v;
}

INSTANTIATE_TEST_SUITE_P(
    EveryControl, Deadlines,
    ::testing::Values(
        DeadlineCase{"Fischer", controls::fischer(2s), 30s, 10s, 30s, 22s, kExpiry},
        DeadlineCase{"Bronstein", controls::bronstein(5s), 30s, 10s, 30s, 25s, kExpiry},
        // The delay runs before the bank: delay + bank.
        DeadlineCase{"SimpleDelay", controls::simple_delay(5s), 30s, 10s, 35s, 30s, kExpiry},
        // Main bank plus every remaining period.
        DeadlineCase{"Byoyomi", controls::byoyomi(3, 10s), 30s, 10s, 60s, 50s,
                     periods_then_expiry(3)},
        DeadlineCase{"ByoyomiInOvertime", controls::byoyomi(3, 10s), 30s, 35s, 60s, 30s,
                     periods_then_expiry(3)},
        // 45 s: main time, one period used up, 5 s into the second: 2 left.
        DeadlineCase{"ByoyomiAfterAPeriodWasUsed", controls::byoyomi(3, 10s), 30s, 45s, 60s, 20s,
                     periods_then_expiry(2)},
        DeadlineCase{"Canadian", controls::canadian(5, 20s), 30s, 10s, 50s, 40s, kExpiry},
        DeadlineCase{"CanadianInOvertime", controls::canadian(5, 20s), 30s, 38s, 50s, 12s, kExpiry},
        DeadlineCase{"Hourglass", controls::hourglass(), 30s, 10s, 30s, 21s, kExpiry},
        DeadlineCase{
            "StagesFlagBeforeTheMoveCount",
            controls::with_stages(controls::fischer(1s),
                                  {controls::stage(40, 30s), controls::stage(std::nullopt, 10min)}),
            5min, 10s, 30s, 21s, kExpiry},
        DeadlineCase{"DelayStageDelay",
                     controls::with_stages(controls::simple_delay(1s),
                                           {controls::stage(1, 30s),
                                            controls::stage(std::nullopt, 0s, std::nullopt, 8s)}),
                     5min, 10s, 31s, 29s, kExpiry}),
    [](const auto& test_param) { return std::string{test_param.param.name}; });

TEST(Deadlines, ByoyomiTimeoutReportsEveryPeriodWithItsInstant) {
  const auto s = started(controlled(controls::byoyomi(3, 10s), 30s));
  const auto t = step(s, domain::TimeoutCommand{}, kT0 + 60s);
  ASSERT_EQ(types(t), periods_then_expiry(3));
  for (std::size_t i = 0; i < 3; ++i) {
    const Event& e = t.events[i];
    EXPECT_EQ(e.at, kT0 + 30s + (static_cast<std::int64_t>(i) + 1) * 10s);
    EXPECT_EQ(e.periods_left, 2 - static_cast<std::int64_t>(i));
    EXPECT_EQ(e.delta, 10s);
    EXPECT_EQ(e.participant_id, pid(0));
    EXPECT_EQ(e.time_remaining, 0s);
  }
  EXPECT_EQ(t.events[3].time_elapsed, 60s);
  EXPECT_EQ(t.events[3].at, kT0 + 60s);
}

TEST(Deadlines, AfterResumeTheDeadlineCountsWhatIsLeft) {
  struct Case {
    const char* name;
    domain::TimeControl control;
    Millis run;   // before the pause
    Millis left;  // deadline - resume
  };
  for (const auto& c : std::vector<Case>{
           {"delay: 2 s of delay and the bank", controls::simple_delay(5s), 3s, 2s + 30s},
           {"delay: the bank, past the delay", controls::simple_delay(5s), 8s, 27s},
           {"bronstein: the bank", controls::bronstein(5s), 3s, 27s},
           {"byoyomi: 4 s of the period and one more", controls::byoyomi(3, 10s), 46s, 14s},
           {"canadian: the period", controls::canadian(5, 20s), 35s, 15s},
       }) {
    SCOPED_TRACE(c.name);
    Game g(controlled(c.control, 30s));
    g.act(c.run, domain::PauseCommand{});
    g.act(1h, domain::ResumeCommand{});
    EXPECT_EQ(deadline(g.s), g.now + c.left);
    EXPECT_EQ(to_flag(g.s, 0, g.now), c.left);
    EXPECT_FALSE(step(g.s, domain::TimeoutCommand{}, g.now + c.left - 1ms).changed);
    EXPECT_EQ(step(g.s, domain::TimeoutCommand{}, g.now + c.left).state.status, Status::expired);
  }
}

TEST(Deadlines, ResumingInOvertimeRunsThePeriodsLeft) {
  // Paused with the main bank gone and only the byo-yomi periods left; the arbiter
  // cannot take those, so resume runs them: no early time-out.
  Game g(controlled(controls::byoyomi(2, 10s), 30s));
  g.act(31s, domain::PauseCommand{});
  EXPECT_EQ(fails(g.s, domain::AdjustTimeCommand{pid(0), -1ms, std::nullopt}, g.now).code,
            domain::ErrorCode::validation);
  g.act(5s, domain::ResumeCommand{});
  EXPECT_EQ(deadline(g.s), g.now + 9s + 10s);
}

TEST(Deadlines, StageReachedIsAuditedWithTheStageAndTheTimeAdded) {
  const auto tc = controls::with_stages(
      controls::fischer(30s), {controls::stage(2, 90min), controls::stage(std::nullopt, 30min)});
  Game g(controlled(tc, 1min));
  g.move(1min);
  g.move(1s);
  const auto& t = g.move(2min);
  ASSERT_EQ(types(t), (std::vector{EventType::stage_reached, EventType::cycle_switched}));
  const Event& e = t.events[0];
  EXPECT_EQ(e.participant_id, pid(0));
  EXPECT_EQ(e.stage_index, 1);
  EXPECT_EQ(e.delta, 30min);
  EXPECT_EQ(e.time_remaining, 90min - 3min + 1min + 30min);
  EXPECT_EQ(e.at, g.now);
  EXPECT_EQ(deadline(g.s), g.now + 90min + 30s - 1s);  // player 1 is still in stage 0
}

}  // namespace
}  // namespace sk::engine::testing
