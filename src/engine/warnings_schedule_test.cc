// SPEC §2 "Warnings and scheduled starts": warnings_ms thresholds fire once per owner
// per threshold per turn, at the instant the running clock crosses them (the smallest
// is critical), and a start_at starts a pending session by itself. Both ride the
// deadline machinery: next_wakeup() says when, a TimeoutCommand at that instant does
// it, 1 ms earlier does nothing, and a late request sees it done at its own instant.
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::ErrorCode;
using domain::EventType;

CreateSessionRequest warned(CreateSessionRequest r, std::vector<Millis> thresholds) {
  r.warnings = std::move(thresholds);
  return r;
}

TEST(Warnings, StoredLargestFirst) {
  const auto s = created(warned(chess(2min), {10s, 60s, 30s}));
  EXPECT_EQ(s.warnings, (std::vector<Millis>{60s, 30s, 10s}));
  EXPECT_EQ(s.warnings_passed, 0u);
}

TEST(Warnings, EachThresholdFiresOnceAtItsInstant) {
  const auto s = started(warned(chess(2min), {10s, 60s}));
  EXPECT_EQ(deadline(s), kT0 + 2min);
  EXPECT_EQ(next_wakeup(s), kT0 + 1min);  // the warning comes before the deadline

  const auto early = step(s, domain::TimeoutCommand{}, kT0 + 1min - 1ms);
  EXPECT_FALSE(early.changed);
  EXPECT_TRUE(early.warnings.empty());

  const auto low = step(s, domain::TimeoutCommand{}, kT0 + 1min);
  EXPECT_TRUE(low.changed);
  EXPECT_EQ(low.state.version, s.version + 1);
  ASSERT_EQ(low.warnings.size(), 1u);
  EXPECT_EQ(low.warnings[0],
            (Warning{pid(0), std::nullopt, 60s, 60s, /*critical=*/false, kT0 + 1min}));
  ASSERT_EQ(types(low), (std::vector{EventType::time_warning}));
  EXPECT_EQ(low.events[0].threshold, 60s);
  EXPECT_EQ(low.events[0].time_remaining, 60s);
  EXPECT_EQ(low.events[0].participant_id, pid(0));
  EXPECT_EQ(low.events[0].at, kT0 + 1min);
  // A warning books nothing: the clock runs on untouched.
  EXPECT_EQ(low.state.cycle_started_at, kT0);
  EXPECT_EQ(part(low.state, 0).total_time, 2min);
  EXPECT_EQ(deadline(low.state), kT0 + 2min);
  EXPECT_EQ(next_wakeup(low.state), kT0 + 110s);

  // Once: the timer firing again at the same instant finds nothing.
  EXPECT_FALSE(step(low.state, domain::TimeoutCommand{}, kT0 + 1min).changed);
  EXPECT_FALSE(step(low.state, domain::TimeoutCommand{}, kT0 + 110s - 1ms).changed);

  const auto critical = step(low.state, domain::TimeoutCommand{}, kT0 + 110s);
  ASSERT_EQ(critical.warnings.size(), 1u);
  EXPECT_EQ(critical.warnings[0].threshold, 10s);
  EXPECT_TRUE(critical.warnings[0].critical);  // the smallest threshold
  EXPECT_EQ(next_wakeup(critical.state), kT0 + 2min);
  const auto out = step(critical.state, domain::TimeoutCommand{}, kT0 + 2min);
  EXPECT_TRUE(out.warnings.empty());
  EXPECT_EQ(out.state.status, Status::expired);
}

TEST(Warnings, ALateTimerAppliesEveryWarningAndTheTimeoutInTimeOrder) {
  const auto s = started(warned(chess(2min), {10s, 60s}));
  const auto t = step(s, domain::TimeoutCommand{}, kT0 + 5min);
  ASSERT_EQ(t.warnings.size(), 2u);
  EXPECT_EQ(t.warnings[0].at, kT0 + 1min);
  EXPECT_EQ(t.warnings[1].at, kT0 + 110s);
  EXPECT_EQ(t.warnings[1].time_remaining, 10s);
  EXPECT_EQ(types(t), (std::vector{EventType::time_warning, EventType::time_warning,
                                   EventType::participant_expired, EventType::session_expired}));
}

TEST(Warnings, ASwitchAfterAThresholdReportsItFirst) {
  const auto s = started(warned(chess(2min), {60s}));
  const auto t = step(s, domain::SwitchCommand{}, kT0 + 70s);
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_EQ(t.warnings[0].at, kT0 + 1min);
  EXPECT_TRUE(t.warnings[0].critical);  // the only one is the smallest
  EXPECT_EQ(types(t), (std::vector{EventType::time_warning, EventType::cycle_switched}));
  // The new turn (player 1, 2 min) has its own warning.
  EXPECT_EQ(next_wakeup(t.state), kT0 + 70s + 1min);
}

TEST(Warnings, ThresholdsAtOrAboveTheTimeLeftAtTurnStartDoNotFire) {
  const auto exactly = started(warned(chess(60s), {60s, 10s}));
  EXPECT_EQ(exactly.warnings_passed, 1u);  // 60 s left: the 60 s threshold is not crossed
  EXPECT_EQ(next_wakeup(exactly), kT0 + 50s);
  const auto t = step(exactly, domain::TimeoutCommand{}, kT0 + 60s);
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_EQ(t.warnings[0].threshold, 10s);

  const auto below = started(warned(chess(5s), {60s, 10s}));
  EXPECT_EQ(next_wakeup(below), deadline(below));
  EXPECT_TRUE(step(below, domain::TimeoutCommand{}, kT0 + 5s).warnings.empty());
}

TEST(Warnings, ANewTurnWithAGrownBankFiresAgain) {
  Game g(warned(chess(65s, 10s), {60s}));
  EXPECT_EQ(g.move(10s).warnings.size(), 1u);  // crossed at 5 s; the move gives back 10 s
  EXPECT_EQ(part(g.s, 0).total_time, 65s);
  EXPECT_EQ(g.move(10s).warnings.at(0).participant_id, pid(1));  // once per owner
  const auto& again = g.move(10s);
  ASSERT_EQ(again.warnings.size(), 1u);
  EXPECT_EQ(again.warnings[0].participant_id, pid(0));
  EXPECT_EQ(again.warnings[0].at, g.now - 5s);

  // Without the increment the next turn starts below 60 s: nothing more.
  Game h(warned(chess(65s), {60s}));
  h.move(10s);
  h.move(1s);
  EXPECT_TRUE(h.move(10s).warnings.empty());
}

TEST(Warnings, APauseDoesNotStartANewTurn) {
  Game g(warned(chess(2min), {60s, 10s}));
  g.act(70s, domain::PauseCommand{});
  EXPECT_EQ(g.last.warnings.size(), 1u);
  EXPECT_EQ(next_wakeup(g.s), std::nullopt);  // nothing runs while paused
  g.act(1h, domain::ResumeCommand{});
  EXPECT_TRUE(g.last.warnings.empty());
  EXPECT_EQ(next_wakeup(g.s), g.now + 40s);  // 50 s left: the 10 s threshold next
}

TEST(Warnings, AnAdjustmentBelowAThresholdWarnsAtOnce) {
  Game g(warned(chess(2min), {60s}));
  g.act(10s, domain::AdjustTimeCommand{pid(0), -70s, std::nullopt});
  ASSERT_EQ(g.last.warnings.size(), 1u);
  EXPECT_EQ(g.last.warnings[0].at, g.now);
  EXPECT_EQ(g.last.warnings[0].time_remaining, 40s);
}

TEST(Warnings, ATeamWarnsOncePerTurnAcrossAHandOver) {
  auto r = warned(controlled_teams(controls::fischer(0s), 2min), {60s});
  r.time_control.reset();
  Game g(r);
  g.act(70s, to(pid(2)));  // hand-over within team A after the threshold
  ASSERT_EQ(g.last.warnings.size(), 1u);
  EXPECT_EQ(g.last.warnings[0].group_id, gid(0));
  EXPECT_EQ(g.last.warnings[0].participant_id, pid(0));
  EXPECT_EQ(next_wakeup(g.s), deadline(g.s));
  EXPECT_TRUE(g.move(5s).warnings.empty());
}

// The threshold is against everything left before the flag: periods and delay too.
TEST(Warnings, CountTheWholeTimeToFlag) {
  const auto byoyomi = started(warned(controlled(controls::byoyomi(3, 10s), 30s), {10s}));
  EXPECT_EQ(next_wakeup(byoyomi), kT0 + 50s);  // in the second period, one more left
  const auto delay = started(warned(controlled(controls::simple_delay(5s), 30s), {10s}));
  EXPECT_EQ(next_wakeup(delay), kT0 + 25s);
  const auto t = step(byoyomi, domain::TimeoutCommand{}, kT0 + 50s);
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_EQ(t.warnings[0].time_remaining, 10s);
}

TEST(Warnings, EveryModeWithAClock) {
  auto global = request(SyncMode::global, 2);
  global.total_time = 30s;
  EXPECT_EQ(next_wakeup(started(warned(global, {10s}))), kT0 + 20s);
  auto cycle = request(SyncMode::per_cycle, 2);
  cycle.time_per_cycle = 30s;
  EXPECT_EQ(next_wakeup(started(warned(cycle, {10s}))), kT0 + 20s);
  auto up = request(SyncMode::count_up, 2);
  EXPECT_EQ(next_wakeup(started(warned(up, {10s}))), std::nullopt);  // nothing runs out
}

// start_at: pending until then; deadline_at holds it.
CreateSessionRequest scheduled(TimePoint at, Millis bank = 60s) {
  auto r = chess(bank);
  r.start_at = at;
  return r;
}

const TimePoint kStart = kT0 + 1h;

TEST(ScheduledStart, ThePendingSessionsDeadlineIsItsStart) {
  const auto s = created(scheduled(kStart));
  EXPECT_EQ(s.start_at, kStart);
  EXPECT_EQ(s.status, Status::pending);
  EXPECT_EQ(deadline(s), kStart);
  EXPECT_EQ(next_wakeup(s), kStart);
  EXPECT_EQ(live_view(s, kT0 + 1s).deadline_at, kStart);
}

TEST(ScheduledStart, StartsItselfAtThatInstantExactlyOnce) {
  const auto s = created(scheduled(kStart));
  const auto early = step(s, domain::TimeoutCommand{}, kStart - 1ms);
  EXPECT_FALSE(early.changed);
  EXPECT_EQ(early.state, s);

  const auto t = step(s, domain::TimeoutCommand{}, kStart);
  EXPECT_TRUE(t.changed);
  EXPECT_EQ(t.state.version, s.version + 1);
  EXPECT_EQ(t.state.status, Status::running);
  EXPECT_EQ(t.state.start_at, std::nullopt);
  EXPECT_EQ(t.state.session_started_at, kStart);
  EXPECT_EQ(t.state.cycle_started_at, kStart);
  EXPECT_EQ(t.state.active_participant_id, pid(0));
  ASSERT_EQ(types(t), (std::vector{EventType::session_started}));
  EXPECT_EQ(t.events[0].at, kStart);
  EXPECT_EQ(deadline(t.state), kStart + 60s);
  EXPECT_FALSE(step(t.state, domain::TimeoutCommand{}, kStart).changed);
}

TEST(ScheduledStart, ALateTimerStartsItAtItsInstant) {
  const auto s = created(scheduled(kStart));
  const auto t = step(s, domain::TimeoutCommand{}, kStart + 2s);
  EXPECT_EQ(t.state.session_started_at, kStart);
  EXPECT_EQ(remaining(t.state, 0, kStart + 2s), 58s);
  // Later than the first bank: started, then timed out at kStart + 60 s.
  const auto out = step(s, domain::TimeoutCommand{}, kStart + 5min);
  EXPECT_EQ(types(out), (std::vector{EventType::session_started, EventType::participant_expired,
                                     EventType::session_expired}));
  EXPECT_EQ(out.state.session_completed_at, kStart + 60s);
}

TEST(ScheduledStart, WarningsOfTheFirstTurnFollow) {
  const auto s = created(warned(scheduled(kStart), {10s}));
  const auto t = step(s, domain::TimeoutCommand{}, kStart);
  EXPECT_EQ(next_wakeup(t.state), kStart + 50s);
}

TEST(ScheduledStart, AManualStartBeforeItStartsAtOnceAndClearsIt) {
  const auto s = created(scheduled(kStart));
  const auto t = step(s, domain::StartCommand{}, kT0 + 5s);
  EXPECT_EQ(t.state.session_started_at, kT0 + 5s);
  EXPECT_EQ(t.state.start_at, std::nullopt);
  EXPECT_EQ(deadline(t.state), kT0 + 5s + 60s);
  // A start call after the instant finds the session started by its schedule.
  const auto e = fails(s, domain::StartCommand{}, kStart + 1s);
  EXPECT_EQ(e.code, ErrorCode::invalid_transition);
  EXPECT_EQ(e.current_status, Status::running);
}

TEST(ScheduledStart, CancelAndCompleteRemoveTheSchedule) {
  const auto s = created(scheduled(kStart));
  for (const domain::Command& end :
       {domain::Command{domain::CancelCommand{}}, domain::Command{domain::CompleteCommand{}}}) {
    const auto t = step(s, end, kT0 + 1s);
    EXPECT_EQ(t.state.start_at, std::nullopt);
    EXPECT_EQ(deadline(t.state), std::nullopt);
    EXPECT_EQ(next_wakeup(t.state), std::nullopt);
    EXPECT_FALSE(step(t.state, domain::TimeoutCommand{}, kStart).changed);
  }
}

TEST(ScheduledStart, OtherCommandsKeepIt) {
  const auto s = created(scheduled(kStart));
  domain::AddParticipantCommand add;
  add.participant.participant_id = pid(5);
  const auto t = step(s, add, kT0 + 1s);
  EXPECT_EQ(t.state.start_at, kStart);
  const auto u = step(t.state, domain::AdjustTimeCommand{pid(0), 5s, std::nullopt}, kT0 + 2s);
  EXPECT_EQ(u.state.start_at, kStart);
  EXPECT_EQ(deadline(u.state), kStart);
}

struct StartAtCase {
  const char* name;
  Millis ahead;         // start_at - now
  const char* message;  // nullptr: accepted
};

void PrintTo(const StartAtCase& c, std::ostream* os) { *os << c.name; }

class StartAtBounds : public ::testing::TestWithParam<StartAtCase> {};

TEST_P(StartAtBounds, InTheFutureAtMost30DaysAhead) {
  const auto& c = GetParam();
  const auto r = create(scheduled(kT0 + c.ahead), kSession, kT0);
  if (!c.message) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->state.start_at, kT0 + c.ahead);
    return;
  }
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::validation);
  ASSERT_EQ(r.error().violations.size(), 1u);
  EXPECT_EQ(r.error().violations[0].field, "start_at");
  EXPECT_EQ(r.error().violations[0].message, c.message);
}

constexpr Millis k30Days = 30 * 24h;

INSTANTIATE_TEST_SUITE_P(Create, StartAtBounds,
                         ::testing::Values(StartAtCase{"Past", -1s, "must be in the future"},
                                           StartAtCase{"Now", 0ms, "must be in the future"},
                                           StartAtCase{"OneMsAhead", 1ms, nullptr},
                                           StartAtCase{"Exactly30Days", k30Days, nullptr},
                                           StartAtCase{"30DaysAndOneMs", k30Days + 1ms,
                                                       "must be at most 30 days ahead"}),
                         [](const auto& test_param) { return std::string{test_param.param.name}; });

}  // namespace
}  // namespace sk::engine::testing
