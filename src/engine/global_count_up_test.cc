// global (one session bank) and count_up (stopwatch with an optional cap).
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::EventType;

CreateSessionRequest exam(Millis bank, int candidates = 3) {
  auto r = request(SyncMode::global, candidates);
  r.total_time = bank;
  return r;
}

TEST(Global, OneBankWhoeverIsActive) {
  const auto s = started(exam(60s));
  auto t = step(s, domain::SwitchCommand{}, kT0 + 10s).state;
  EXPECT_EQ(t.total_time, 50s);
  EXPECT_EQ(part(t, 0).time_used, 10s);
  EXPECT_EQ(part(t, 2).total_time, 50s);  // every participant shows the session bank
  t = step(t, domain::SwitchCommand{}, kT0 + 25s).state;
  EXPECT_EQ(t.total_time, 35s);
  EXPECT_EQ(part(t, 1).time_used, 15s);
  EXPECT_EQ(deadline(t), kT0 + 60s);  // switching never moves the session deadline
  const auto v = live_view(t, kT0 + 30s);
  EXPECT_EQ(v.session_remaining, 30s);
  EXPECT_EQ(v.session_elapsed, 30s);
  EXPECT_EQ(v.participant_remaining[0], 30s);
}

TEST(Global, ExpiresTheSessionWhenTheBankRunsOut) {
  const auto s = started(exam(60s));
  const auto t = step(s, domain::TimeoutCommand{}, kT0 + 60s);
  EXPECT_EQ(t.state.status, Status::expired);
  EXPECT_EQ(t.state.total_time, 0ms);
  EXPECT_EQ(t.state.time_used, 60s);
  EXPECT_EQ(types(t), (std::vector{EventType::session_expired}));
  EXPECT_EQ(t.events[0].participant_id, pid(0));
}

TEST(Global, LateSwitchEqualsTheTimeout) {
  const auto s = started(exam(60s));
  auto late = step(s, domain::SwitchCommand{}, kT0 + 61s).state;
  const auto timer = step(s, domain::TimeoutCommand{}, kT0 + 60s).state;
  late.updated_at = timer.updated_at;
  EXPECT_EQ(late, timer);
}

CreateSessionRequest stopwatch(std::optional<Millis> cap, int people = 2) {
  auto r = request(SyncMode::count_up, people);
  r.max_time = cap;
  return r;
}

TEST(CountUp, CountsUpPerParticipantAndForTheSession) {
  const auto s = started(stopwatch(std::nullopt));
  EXPECT_EQ(deadline(s), std::nullopt);
  auto t = step(s, domain::SwitchCommand{}, kT0 + 7s).state;
  t = step(t, domain::SwitchCommand{}, kT0 + 10s).state;
  EXPECT_EQ(part(t, 0).time_used, 7s);
  EXPECT_EQ(part(t, 1).time_used, 3s);
  const auto v = live_view(t, kT0 + 12s);
  EXPECT_EQ(v.session_elapsed, 12s);
  EXPECT_EQ(v.session_remaining, std::nullopt);
  EXPECT_EQ(v.participant_remaining[0], std::nullopt);  // no cap: omitted on the wire
}

TEST(CountUp, ExpiresAtMaxTime) {
  const auto s = started(stopwatch(20s));
  const auto t = step(s, domain::SwitchCommand{}, kT0 + 15s).state;
  EXPECT_EQ(deadline(t), kT0 + 20s);
  EXPECT_EQ(live_view(t, kT0 + 16s).session_remaining, 4s);
  const auto e = step(t, domain::TimeoutCommand{}, kT0 + 20s);
  EXPECT_EQ(e.state.status, Status::expired);
  EXPECT_EQ(part(e.state, 1).time_used, 5s);
  EXPECT_EQ(e.state.time_used, 20s);
}

TEST(CountUp, PausedTimeDoesNotCount) {
  const auto s = started(stopwatch(20s));
  const auto p = step(s, domain::PauseCommand{}, kT0 + 5s).state;
  const auto r = step(p, domain::ResumeCommand{}, kT0 + 100s).state;
  EXPECT_EQ(deadline(r), kT0 + 115s);
}

}  // namespace
}  // namespace sk::engine::testing
