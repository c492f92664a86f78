// Adding and removing participants, and arbiter time adjustments.
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::ErrorCode;
using domain::EventType;

domain::AddParticipantCommand add(int n, std::optional<std::int64_t> index = std::nullopt) {
  domain::AddParticipantCommand c;
  c.participant.participant_id = pid(n);
  c.participant.participant_index = index;
  return c;
}

TEST(AddParticipant, JoinsTheRotationAtItsIndex) {
  const auto s = started(chess(60s, 0ms, 3));   // indexes 0, 1, 2
  const auto t = step(s, add(7, 1), kT0 + 1s);  // ties go after the existing index 1
  ASSERT_EQ(t.state.participants.size(), 4u);
  EXPECT_EQ(t.state.participants[2].participant_id, pid(7));
  EXPECT_EQ(part(t.state, 7).total_time, 60s);  // the session default bank
  EXPECT_EQ(t.state.cycle_started_at, kT0);     // the running clock is untouched
  EXPECT_EQ(types(t), (std::vector{EventType::participant_added}));
  auto u = step(t.state, domain::SwitchCommand{}, kT0 + 2s).state;
  u = step(u, domain::SwitchCommand{}, kT0 + 3s).state;
  EXPECT_EQ(u.active_participant_id, pid(7));
}

TEST(AddParticipant, DefaultIndexIsAfterTheLast) {
  const auto t = step(created(chess(60s, 0ms, 2)), add(9), kT0).state;
  EXPECT_EQ(t.participants.back().participant_id, pid(9));
  EXPECT_EQ(t.participants.back().participant_index, 2);
}

TEST(AddParticipant, RejectsDuplicatesAndModeViolations) {
  const auto s = created(chess(60s));
  auto e = fails(s, add(1), kT0);
  EXPECT_EQ(e.code, ErrorCode::validation);
  EXPECT_EQ(e.violations.at(0).field, "participant_id");

  auto g = add(5);
  g.participant.group_id = gid(1);
  e = fails(s, g, kT0);
  EXPECT_EQ(e.violations.at(0).field, "group_id");
}

TEST(AddParticipant, AtMostAThousand) {
  const auto s = created(chess(60s, 0ms, 1000));
  const auto e = fails(s, add(1001), kT0);
  EXPECT_EQ(e.violations.at(0).field, "participants");
}

TEST(AddParticipant, PerGroupCreatesANewTeamWithTheDefaultBank) {
  auto r = request(SyncMode::per_group, 2);
  r.total_time = 30s;
  r.participants[0].group_id = gid(0);
  r.participants[1].group_id = gid(1);
  const auto s = created(r);
  auto c = add(5);
  c.participant.group_id = gid(2);
  const auto t = step(s, c, kT0).state;
  ASSERT_EQ(t.groups.size(), 3u);
  EXPECT_EQ(t.groups[2].total_time, 30s);
  EXPECT_EQ(part(t, 5).total_time, 30s);
  // Without a group in per_group mode: rejected.
  const auto e = fails(s, add(6), kT0);
  EXPECT_EQ(e.violations.at(0).field, "group_id");
}

TEST(RemoveParticipant, ActiveParticipantBooksItsTimeAndPassesTheTurn) {
  const auto s = started(chess(60s, 5s, 3));
  const auto t = step(s, domain::RemoveParticipantCommand{pid(0)}, kT0 + 4s);
  EXPECT_EQ(t.state.participants.size(), 2u);
  EXPECT_EQ(t.state.active_participant_id, pid(1));
  EXPECT_EQ(t.state.cycle_started_at, kT0 + 4s);
  EXPECT_EQ(t.state.time_used, 4s);
  ASSERT_EQ(t.events.size(), 1u);
  EXPECT_EQ(t.events[0].type, EventType::participant_removed);
  EXPECT_EQ(t.events[0].time_elapsed, 4s);
  EXPECT_EQ(t.events[0].time_remaining, 56s);  // no increment
}

TEST(RemoveParticipant, WhilePausedTheSuccessorWaits) {
  const auto p = step(started(chess(60s, 0ms, 3)), domain::PauseCommand{}, kT0 + 4s).state;
  const auto t = step(p, domain::RemoveParticipantCommand{pid(0)}, kT0 + 9s).state;
  EXPECT_EQ(t.status, Status::paused);
  EXPECT_EQ(t.active_participant_id, pid(1));
  EXPECT_EQ(t.cycle_started_at, std::nullopt);
  const auto r = step(t, domain::ResumeCommand{}, kT0 + 20s).state;
  EXPECT_EQ(deadline(r), kT0 + 80s);
}

TEST(RemoveParticipant, InactiveParticipantLeavesTheClockAlone) {
  const auto s = started(chess(60s, 0ms, 3));
  const auto t = step(s, domain::RemoveParticipantCommand{pid(1)}, kT0 + 4s).state;
  EXPECT_EQ(t.active_participant_id, pid(0));
  EXPECT_EQ(t.cycle_started_at, kT0);
  EXPECT_EQ(step(t, domain::SwitchCommand{}, kT0 + 5s).state.active_participant_id, pid(2));
}

TEST(RemoveParticipant, RejectsUnknownAndTheLastOne) {
  auto e = fails(created(chess(60s)), domain::RemoveParticipantCommand{pid(9)}, kT0);
  EXPECT_EQ(e.violations.at(0).field, "participant_id");
  e = fails(created(chess(60s, 0ms, 1)), domain::RemoveParticipantCommand{pid(0)}, kT0);
  EXPECT_EQ(e.code, ErrorCode::validation);
  // The last one still in play (the other has expired under skip).
  auto r = chess(5s);
  r.action_on_timeout = TimeoutAction::skip;
  const auto s = step(started(r), domain::TimeoutCommand{}, kT0 + 5s).state;
  e = fails(s, domain::RemoveParticipantCommand{pid(1)}, kT0 + 6s);
  EXPECT_EQ(e.code, ErrorCode::validation);
}

TEST(RemoveParticipant, PerGroupRemovesAnEmptyTeamAndKeepsRoundRobin) {
  auto r = request(SyncMode::per_group, 5);  // A = {0, 2, 4}, B = {1, 3}
  r.total_time = 60s;
  for (int i = 0; i < 5; ++i) r.participants[static_cast<std::size_t>(i)].group_id = gid(i % 2);
  auto s = started(r);                                   // 0 plays for A
  s = step(s, domain::SwitchCommand{}, kT0 + 1s).state;  // 1 for B
  s = step(s, domain::RemoveParticipantCommand{pid(0)}, kT0 + 2s).state;
  s = step(s, domain::SwitchCommand{}, kT0 + 3s).state;
  EXPECT_EQ(s.active_participant_id, pid(2));  // A's next member after the removed 0
  s = step(s, domain::RemoveParticipantCommand{pid(1)}, kT0 + 4s).state;
  s = step(s, domain::RemoveParticipantCommand{pid(3)}, kT0 + 5s).state;
  EXPECT_EQ(s.groups.size(), 1u);
}

TEST(AdjustTime, AddsAndRemovesTimeFromTheRightBank) {
  const auto s = started(chess(60s));
  const auto t = step(s, domain::AdjustTimeCommand{pid(1), 15s, "arbiter bonus"}, kT0 + 3s);
  EXPECT_EQ(part(t.state, 1).total_time, 75s);
  EXPECT_EQ(types(t), (std::vector{EventType::time_adjusted}));
  EXPECT_EQ(t.events[0].delta, 15s);
  EXPECT_EQ(t.events[0].reason, "arbiter bonus");
  EXPECT_EQ(t.events[0].time_remaining, 75s);
  // The running participant: live time is what counts.
  const auto u = step(t.state, domain::AdjustTimeCommand{pid(0), -7s, std::nullopt}, kT0 + 3s);
  EXPECT_EQ(u.events[0].time_remaining, 50s);
  EXPECT_EQ(deadline(u.state), kT0 + 53s);
}

TEST(AdjustTime, CannotTakeABankBelowZero) {
  const auto s = started(chess(60s));
  const auto e = fails(s, domain::AdjustTimeCommand{pid(0), -51s, std::nullopt}, kT0 + 10s);
  EXPECT_EQ(e.code, ErrorCode::validation);
  EXPECT_EQ(e.violations.at(0).field, "delta_ms");
  // Exactly to zero while running: the clock runs out now.
  const auto t = step(s, domain::AdjustTimeCommand{pid(0), -50s, std::nullopt}, kT0 + 10s);
  EXPECT_EQ(t.state.status, Status::expired);
  EXPECT_EQ(t.expiries.at(0).at, kT0 + 10s);
}

TEST(AdjustTime, PerModeBanks) {
  auto g = request(SyncMode::global, 2);
  g.total_time = 60s;
  const auto gs = step(started(g), domain::AdjustTimeCommand{pid(1), 10s, std::nullopt}, kT0).state;
  EXPECT_EQ(gs.total_time, 70s);
  EXPECT_EQ(part(gs, 0).total_time, 70s);

  auto c = request(SyncMode::per_cycle, 2);
  c.time_per_cycle = 10s;
  const auto cs = started(c);
  EXPECT_EQ(step(cs, domain::AdjustTimeCommand{pid(0), 5s, std::nullopt}, kT0)
                .state.participants[0]
                .total_time,
            15s);
  EXPECT_EQ(fails(cs, domain::AdjustTimeCommand{pid(1), 5s, std::nullopt}, kT0).code,
            ErrorCode::validation);

  auto u = request(SyncMode::count_up, 2);
  EXPECT_EQ(fails(started(u), domain::AdjustTimeCommand{pid(0), 5s, std::nullopt}, kT0)
                .violations.at(0)
                .field,
            "delta_ms");

  auto pg = request(SyncMode::per_group, 2);
  pg.total_time = 60s;
  pg.participants[0].group_id = gid(0);
  pg.participants[1].group_id = gid(0);
  const auto ps =
      step(started(pg), domain::AdjustTimeCommand{pid(1), -20s, std::nullopt}, kT0 + 5s).state;
  EXPECT_EQ(ps.groups[0].total_time, 40s);
  EXPECT_EQ(deadline(ps), kT0 + 40s);
}

TEST(AdjustTime, ExpiredAndUnknownParticipantsAreRejected) {
  auto r = chess(5s, 0ms, 3);
  r.action_on_timeout = TimeoutAction::skip;
  const auto s = step(started(r), domain::TimeoutCommand{}, kT0 + 5s).state;
  EXPECT_EQ(fails(s, domain::AdjustTimeCommand{pid(0), 5s, std::nullopt}, kT0 + 6s)
                .violations.at(0)
                .message,
            "has expired");
  EXPECT_EQ(fails(s, domain::AdjustTimeCommand{pid(8), 5s, std::nullopt}, kT0 + 6s)
                .violations.at(0)
                .field,
            "participant_id");
}

TEST(AdjustTime, BankHasACeiling) {
  const auto s = created(chess(24h));
  domain::AdjustTimeCommand c{pid(0), 24h, std::nullopt};
  auto t = step(s, c, kT0).state;
  for (int i = 0; i < 5; ++i) t = step(t, c, kT0).state;  // 7 days
  EXPECT_EQ(fails(t, c, kT0).violations.at(0).field, "delta_ms");
}

}  // namespace
}  // namespace sk::engine::testing
