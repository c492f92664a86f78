// per_participant (chess clock): own banks, Fischer increment, exact expiry
// instants, late switches, skip.
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::EventType;

TEST(PerParticipant, StartActivatesFirstInRotationAndSetsDeadline) {
  const auto s = started(chess(60s));
  EXPECT_EQ(s.status, Status::running);
  EXPECT_EQ(s.active_participant_id, pid(0));
  EXPECT_TRUE(part(s, 0).is_active);
  EXPECT_FALSE(part(s, 1).is_active);
  EXPECT_EQ(s.cycle_started_at, kT0);
  EXPECT_EQ(s.session_started_at, kT0);
  EXPECT_EQ(deadline(s), kT0 + 60s);
  EXPECT_EQ(s.version, 2);
}

TEST(PerParticipant, SwitchBooksElapsedAddsIncrementAndHandsOver) {
  auto s = started(chess(60s, 2s));
  const auto t = step(s, domain::SwitchCommand{}, kT0 + 10'250ms);
  EXPECT_EQ(part(t.state, 0).total_time, 60s - 10'250ms + 2s);
  EXPECT_EQ(part(t.state, 0).time_used, 10'250ms);
  EXPECT_EQ(part(t.state, 0).cycle_count, 1);
  EXPECT_EQ(t.state.active_participant_id, pid(1));
  EXPECT_EQ(t.state.cycle_started_at, kT0 + 10'250ms);
  EXPECT_EQ(deadline(t.state), kT0 + 10'250ms + 60s);
  EXPECT_EQ(t.state.version, s.version + 1);
  ASSERT_EQ(t.events.size(), 1u);
  EXPECT_EQ(t.events[0].type, EventType::cycle_switched);
  EXPECT_EQ(t.events[0].participant_id, pid(0));
  EXPECT_EQ(t.events[0].time_elapsed, 10'250ms);
  EXPECT_EQ(t.events[0].time_remaining, 51'750ms);
  EXPECT_EQ(t.events[0].cycle_count, 1);
  EXPECT_TRUE(t.expiries.empty());
}

TEST(PerParticipant, LiveViewCountsDownOnlyTheActiveBank) {
  const auto s = started(chess(60s));
  EXPECT_EQ(remaining(s, 0, kT0 + 1'001ms), 58'999ms);
  EXPECT_EQ(remaining(s, 1, kT0 + 1'001ms), 60s);
  EXPECT_EQ(remaining(s, 0, kT0 + 61s), 0ms);  // past the deadline: clamped, never negative
}

struct ExpiryCase {
  const char* name;
  Millis at;  // when the switch arrives, relative to start
  bool expires;
};

class PerParticipantExpiry : public ::testing::TestWithParam<ExpiryCase> {};

TEST_P(PerParticipantExpiry, SwitchAroundTheDeadline) {
  const auto& c = GetParam();
  const auto s = started(chess(5s, 3s));
  const auto t = step(s, domain::SwitchCommand{}, kT0 + c.at);
  if (c.expires) {
    // The deadline is booked, not the arrival time; no increment for the loser.
    EXPECT_EQ(t.state.status, Status::expired);
    EXPECT_TRUE(part(t.state, 0).has_expired);
    EXPECT_EQ(part(t.state, 0).total_time, 0ms);
    EXPECT_EQ(part(t.state, 0).time_used, 5s);
    EXPECT_EQ(part(t.state, 0).cycle_count, 1);
    EXPECT_EQ(t.state.session_completed_at, kT0 + 5s);
    EXPECT_EQ(t.state.active_participant_id, std::nullopt);
    ASSERT_EQ(t.expiries.size(), 1u);
    EXPECT_EQ(t.expiries[0].participant_id, pid(0));
    EXPECT_EQ(t.expiries[0].at, kT0 + 5s);
    EXPECT_EQ(types(t), (std::vector{EventType::participant_expired, EventType::session_expired}));
  } else {
    EXPECT_EQ(t.state.status, Status::running);
    EXPECT_EQ(part(t.state, 0).total_time, 5s - c.at + 3s);
    EXPECT_EQ(t.state.active_participant_id, pid(1));
  }
}

INSTANTIATE_TEST_SUITE_P(Boundaries, PerParticipantExpiry,
                         ::testing::Values(ExpiryCase{"OneMsBefore", 4'999ms, false},
                                           ExpiryCase{"AtDeadline", 5'000ms, true},
                                           ExpiryCase{"OneMsAfter", 5'001ms, true},
                                           ExpiryCase{"LongAfter", 3'600'000ms, true}),
                         [](const auto& test_param) { return std::string{test_param.param.name}; });

TEST(PerParticipant, LateSwitchEqualsTheTimeout) {
  for (auto action : {TimeoutAction::end_session, TimeoutAction::skip}) {
    auto r = chess(5s, 1s, 3);
    r.action_on_timeout = action;
    const auto s = started(r);
    const auto by_timer = step(s, domain::TimeoutCommand{}, kT0 + 5s).state;
    const auto by_switch = step(s, domain::SwitchCommand{}, kT0 + 5s + 750ms);
    auto switched = by_switch.state;
    // Only the update stamp differs: it is when the change was made.
    switched.updated_at = by_timer.updated_at;
    EXPECT_EQ(switched, by_timer) << domain::to_string(action);
  }
}

TEST(PerParticipant, TimeoutCommandBeforeTheDeadlineChangesNothing) {
  const auto s = started(chess(5s));
  const auto t = step(s, domain::TimeoutCommand{}, kT0 + 4'999ms);
  EXPECT_FALSE(t.changed);
  EXPECT_EQ(t.state, s);
}

TEST(PerParticipant, SkipHandsTheClockToTheNextAtTheDeadline) {
  auto r = chess(5s, 0ms, 3);
  r.action_on_timeout = TimeoutAction::skip;
  const auto s = started(r);
  const auto t = step(s, domain::TimeoutCommand{}, kT0 + 5s);
  EXPECT_EQ(t.state.status, Status::running);
  EXPECT_TRUE(part(t.state, 0).has_expired);
  EXPECT_EQ(t.state.active_participant_id, pid(1));
  EXPECT_EQ(t.state.cycle_started_at, kT0 + 5s);
  EXPECT_EQ(types(t), (std::vector{EventType::participant_expired}));
  // Rotation now skips the expired participant: 1 -> 2 -> 1.
  const auto a = step(t.state, domain::SwitchCommand{}, kT0 + 6s).state;
  EXPECT_EQ(a.active_participant_id, pid(2));
  const auto b = step(a, domain::SwitchCommand{}, kT0 + 7s).state;
  EXPECT_EQ(b.active_participant_id, pid(1));
}

TEST(PerParticipant, SkipUntilNoneRemainExpiresTheSession) {
  auto r = chess(2s, 0ms, 3);
  r.action_on_timeout = TimeoutAction::skip;
  const auto s = started(r);
  // Nobody moves for 6 s: three time-outs fall due, each at its own deadline.
  const auto t = step(s, domain::TimeoutCommand{}, kT0 + 10s);
  EXPECT_EQ(t.state.status, Status::expired);
  ASSERT_EQ(t.expiries.size(), 3u);
  EXPECT_EQ(t.expiries[0].at, kT0 + 2s);
  EXPECT_EQ(t.expiries[1].at, kT0 + 4s);
  EXPECT_EQ(t.expiries[2].at, kT0 + 6s);
  EXPECT_EQ(t.expiries[2].participant_id, pid(2));
  EXPECT_EQ(t.state.session_completed_at, kT0 + 6s);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(part(t.state, i).has_expired);
  EXPECT_EQ(t.state.version, s.version + 1);  // one request, one version step
  EXPECT_EQ(t.events.back().type, EventType::session_expired);
}

TEST(PerParticipant, SkipWithOneLeftSwitchesToItself) {
  auto r = chess(5s, 1s, 2);
  r.action_on_timeout = TimeoutAction::skip;
  const auto s = step(started(r), domain::TimeoutCommand{}, kT0 + 5s).state;
  ASSERT_EQ(s.active_participant_id, pid(1));
  const auto t = step(s, domain::SwitchCommand{}, kT0 + 7s).state;
  EXPECT_EQ(t.active_participant_id, pid(1));
  EXPECT_EQ(part(t, 1).total_time, 5s - 2s + 1s);
  EXPECT_EQ(part(t, 1).cycle_count, 1);
}

TEST(PerParticipant, ExplicitNextParticipant) {
  const auto s = started(chess(60s, 0ms, 4));
  const auto t = step(s, to(pid(3)), kT0 + 1s).state;
  EXPECT_EQ(t.active_participant_id, pid(3));
  // And the rotation continues from there: 3 -> 0.
  EXPECT_EQ(step(t, domain::SwitchCommand{}, kT0 + 2s).state.active_participant_id, pid(0));
}

TEST(PerParticipant, ExplicitNextMustBeKnownAndNotExpired) {
  auto r = chess(5s, 0ms, 3);
  r.action_on_timeout = TimeoutAction::skip;
  const auto s = step(started(r), domain::TimeoutCommand{}, kT0 + 5s).state;
  auto e = fails(s, to(pid(9)), kT0 + 6s);
  EXPECT_EQ(e.code, domain::ErrorCode::validation);
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].field, "next_participant_id");
  e = fails(s, to(pid(0)), kT0 + 6s);
  EXPECT_EQ(e.violations[0].message, "has expired");
}

TEST(PerParticipant, GuardsRejectAStaleOrDoubleTap) {
  const auto s = started(chess(60s));
  domain::SwitchCommand c;
  c.current_participant_id = pid(0);
  c.expected_version = s.version;
  const auto first = step(s, c, kT0 + 1s).state;
  // The same tap again: both guards now fail; the version guard is checked first.
  auto e = fails(first, c, kT0 + 1'050ms);
  EXPECT_EQ(e.code, domain::ErrorCode::conflict);
  EXPECT_EQ(e.conflict->subject, "version");
  EXPECT_EQ(e.conflict->expected, std::to_string(s.version));
  EXPECT_EQ(e.conflict->actual, std::to_string(first.version));
  c.expected_version.reset();
  e = fails(first, c, kT0 + 1'050ms);
  EXPECT_EQ(e.conflict->subject, "participant");
  EXPECT_EQ(e.conflict->expected, pid(0).to_string());
  EXPECT_EQ(e.conflict->actual, pid(1).to_string());
}

TEST(PerParticipant, AnActingParticipantSwitchesOnlyOnItsOwnTurn) {
  const auto s = started(chess(60s));
  domain::SwitchCommand c;
  c.acting_participant_id = pid(1);  // pid(0) is to move
  auto e = fails(s, c, kT0 + 1s);
  EXPECT_EQ(e.code, domain::ErrorCode::forbidden);
  c.acting_participant_id = pid(0);
  const auto first = step(s, c, kT0 + 1s).state;
  EXPECT_EQ(first.active_participant_id, pid(1));
  // The same tap again is now someone else's turn: refused, nothing changes.
  e = fails(first, c, kT0 + 1'050ms);
  EXPECT_EQ(e.code, domain::ErrorCode::forbidden);
}

TEST(PerParticipant, GuardedLateSwitchStillGetsTheTimeout) {
  const auto s = started(chess(5s));
  domain::SwitchCommand c;
  c.current_participant_id = pid(0);
  c.expected_version = s.version;
  const auto t = step(s, c, kT0 + 9s);
  EXPECT_EQ(t.state.status, Status::expired);
  EXPECT_EQ(t.expiries.at(0).participant_id, pid(0));
}

TEST(PerParticipant, IncrementBoundariesZeroAndMaximum) {
  for (Millis inc : {0ms, 1ms, 60'000ms}) {
    const auto s = started(chess(10s, inc));
    const auto t = step(s, domain::SwitchCommand{}, kT0 + 4s).state;
    EXPECT_EQ(part(t, 0).total_time, 6s + inc) << inc.count();
  }
}

TEST(PerParticipant, OwnBanksOverrideTheSessionDefault) {
  auto r = chess(60s);
  r.participants[1].total_time = 30s;
  const auto s = started(r);
  EXPECT_EQ(part(s, 0).total_time, 60s);
  EXPECT_EQ(part(s, 1).total_time, 30s);
}

TEST(PerParticipant, AThousandParticipantsRotateInOrder) {
  auto s = started(chess(60s, 0ms, 1000));
  for (int i = 1; i <= 1000; ++i) {
    s = step(s, domain::SwitchCommand{}, kT0 + Millis{i}).state;
    ASSERT_EQ(s.active_participant_id, pid(i % 1000));
  }
  EXPECT_EQ(s.version, 2 + 1000);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(part(s, i).cycle_count, 1);
}

TEST(PerParticipant, OneParticipantSwitchesToItself) {
  const auto s = started(chess(60s, 5s, 1));
  const auto t = step(s, domain::SwitchCommand{}, kT0 + 10s).state;
  EXPECT_EQ(t.active_participant_id, pid(0));
  EXPECT_EQ(part(t, 0).total_time, 55s);
  EXPECT_EQ(t.cycle_started_at, kT0 + 10s);
}

TEST(PerParticipant, ClockSkewNeverBooksNegativeTime) {
  // Another instance with a clock 30 ms behind handles the next request.
  const auto s = started(chess(60s));
  const auto t = step(s, domain::SwitchCommand{}, kT0 - 30ms).state;
  EXPECT_EQ(part(t, 0).time_used, 0ms);
  EXPECT_EQ(part(t, 0).total_time, 60s);
}

}  // namespace
}  // namespace sk::engine::testing
