// The status machine of SPEC §2: every command in every status, and the booking
// done by pause, resume, complete and cancel.
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

using domain::Command;
using domain::ErrorCode;
using domain::EventType;

Session in_status(Status status) {
  auto r = chess(60s, 0ms, 3);
  r.action_on_timeout = TimeoutAction::end_session;
  const auto pending = created(r);
  if (status == Status::pending) return pending;
  const auto running = step(pending, domain::StartCommand{}, kT0).state;
  switch (status) {
    case Status::running: return running;
    case Status::paused: return step(running, domain::PauseCommand{}, kT0 + 1s).state;
    case Status::expired: return step(running, domain::TimeoutCommand{}, kT0 + 60s).state;
    case Status::completed: return step(running, domain::CompleteCommand{}, kT0 + 1s).state;
    case Status::cancelled: return step(running, domain::CancelCommand{}, kT0 + 1s).state;
    default: return pending;
  }
}

struct NamedCommand {
  const char* name;
  Command command;
  std::set<Status> allowed;
};

std::vector<NamedCommand> all_commands() {
  const std::set<Status> live{Status::pending, Status::running, Status::paused};
  domain::AddParticipantCommand add;
  add.participant.participant_id = pid(50);
  domain::AdjustTimeCommand adjust;
  adjust.participant_id = pid(1);
  adjust.delta = 5s;
  return {
      {"start", domain::StartCommand{}, {Status::pending}},
      {"switch", domain::SwitchCommand{}, {Status::running}},
      {"pause", domain::PauseCommand{}, {Status::running}},
      {"resume", domain::ResumeCommand{}, {Status::paused}},
      {"complete",
       domain::CompleteCommand{},
       {Status::pending, Status::running, Status::paused, Status::completed}},
      {"cancel", domain::CancelCommand{}, live},
      {"add", add, live},
      {"remove", domain::RemoveParticipantCommand{pid(2)}, live},
      {"adjust", adjust, live},
  };
}

TEST(Transitions, EveryCommandInEveryStatus) {
  const Status statuses[] = {Status::pending, Status::running,   Status::paused,
                             Status::expired, Status::completed, Status::cancelled};
  for (Status st : statuses) {
    const auto s = in_status(st);
    ASSERT_EQ(s.status, st);
    for (const auto& c : all_commands()) {
      SCOPED_TRACE(std::string{c.name} + " in " + std::string{domain::to_string(st)});
      auto r = apply(s, c.command, kT0 + 2s);
      if (c.allowed.contains(st)) {
        ASSERT_TRUE(r.ok()) << r.error().message;
      } else {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::invalid_transition);
        EXPECT_EQ(r.error().current_status, st);
        EXPECT_NE(r.error().message.find(domain::to_string(st)), std::string::npos)
            << r.error().message;
      }
    }
  }
}

TEST(Transitions, TerminalStatesStayTerminalEvenForTheTimer) {
  for (Status st : {Status::expired, Status::completed, Status::cancelled}) {
    const auto s = in_status(st);
    const auto t = step(s, domain::TimeoutCommand{}, kT0 + 24h);
    EXPECT_FALSE(t.changed);
    EXPECT_EQ(t.state, s);
  }
}

TEST(Transitions, PauseAndResumeBookToTheMillisecond) {
  const auto s = started(chess(60s, 2s));
  const auto p = step(s, domain::PauseCommand{}, kT0 + 12'345ms);
  EXPECT_EQ(p.state.status, Status::paused);
  EXPECT_EQ(part(p.state, 0).total_time, 47'655ms);  // no increment on pause
  EXPECT_EQ(part(p.state, 0).cycle_count, 0);        // and no cycle
  EXPECT_EQ(p.state.cycle_started_at, std::nullopt);
  EXPECT_EQ(p.state.active_participant_id, pid(0));
  EXPECT_EQ(deadline(p.state), std::nullopt);
  EXPECT_EQ(types(p), (std::vector{EventType::session_paused}));
  EXPECT_EQ(p.events[0].time_elapsed, 12'345ms);
  // A paused clock does not move, however long.
  EXPECT_EQ(remaining(p.state, 0, kT0 + 10h), 47'655ms);

  const auto r = step(p.state, domain::ResumeCommand{}, kT0 + 10h);
  EXPECT_EQ(r.state.status, Status::running);
  EXPECT_EQ(r.state.active_participant_id, pid(0));  // the same participant restarts
  EXPECT_EQ(r.state.cycle_started_at, kT0 + 10h);
  EXPECT_EQ(deadline(r.state), kT0 + 10h + 47'655ms);
  EXPECT_EQ(types(r), (std::vector{EventType::session_resumed}));
  EXPECT_EQ(remaining(r.state, 0, kT0 + 10h + 1ms), 47'654ms);
}

TEST(Transitions, PauseJustBeforeTheDeadlineLeavesOneMillisecond) {
  const auto s = started(chess(5s));
  const auto p = step(s, domain::PauseCommand{}, kT0 + 4'999ms).state;
  EXPECT_EQ(part(p, 0).total_time, 1ms);
  const auto r = step(p, domain::ResumeCommand{}, kT0 + 9s).state;
  EXPECT_EQ(deadline(r), kT0 + 9'001ms);
}

TEST(Transitions, PauseAfterTheDeadlineIsTooLate) {
  const auto s = started(chess(5s));
  const auto e = fails(s, domain::PauseCommand{}, kT0 + 5s);
  EXPECT_EQ(e.code, ErrorCode::invalid_transition);
  EXPECT_EQ(e.current_status, Status::expired);
}

TEST(Transitions, CompleteAndCancelBookElapsedFirst) {
  const auto s = started(chess(60s));
  const auto c = step(s, domain::CompleteCommand{}, kT0 + 8s);
  EXPECT_EQ(c.state.status, Status::completed);
  EXPECT_EQ(part(c.state, 0).time_used, 8s);
  EXPECT_EQ(part(c.state, 0).total_time, 52s);
  EXPECT_EQ(c.state.session_completed_at, kT0 + 8s);
  EXPECT_EQ(c.state.active_participant_id, std::nullopt);
  EXPECT_EQ(c.state.cycle_started_at, std::nullopt);
  EXPECT_EQ(types(c), (std::vector{EventType::session_completed}));
  const auto x = step(s, domain::CancelCommand{}, kT0 + 9s);
  EXPECT_EQ(x.state.status, Status::cancelled);
  EXPECT_EQ(part(x.state, 0).time_used, 9s);
  EXPECT_EQ(types(x), (std::vector{EventType::session_cancelled}));
}

TEST(Transitions, CompleteIsIdempotent) {
  const auto s = in_status(Status::completed);
  const auto t = step(s, domain::CompleteCommand{}, kT0 + 5s);
  EXPECT_FALSE(t.changed);
  EXPECT_EQ(t.state, s);
  EXPECT_TRUE(t.events.empty());
}

TEST(Transitions, CompleteAPendingSession) {
  const auto t = step(in_status(Status::pending), domain::CompleteCommand{}, kT0 + 5s);
  EXPECT_EQ(t.state.status, Status::completed);
  EXPECT_EQ(t.events.at(0).participant_id, std::nullopt);
}

TEST(Transitions, EveryChangeIsExactlyOneVersionStep) {
  auto s = created(chess(60s));
  EXPECT_EQ(s.version, 1);
  EXPECT_EQ(s.created_at, kT0);
  const std::vector<Command> script{domain::StartCommand{},  domain::SwitchCommand{},
                                    domain::PauseCommand{},  domain::ResumeCommand{},
                                    domain::SwitchCommand{}, domain::CompleteCommand{}};
  std::int64_t version = 1;
  TimePoint now = kT0;
  for (const auto& c : script) {
    now += 1s;
    s = step(s, c, now).state;
    EXPECT_EQ(s.version, ++version);
    EXPECT_EQ(s.updated_at, now);
  }
}

TEST(Transitions, ResumingAnEmptyBankExpiresAtOnce) {
  // An arbiter took the bank to exactly zero while paused.
  const auto p = step(started(chess(60s)), domain::PauseCommand{}, kT0 + 10s).state;
  const auto z = step(p, domain::AdjustTimeCommand{pid(0), -50s, "penalty"}, kT0 + 11s).state;
  EXPECT_EQ(part(z, 0).total_time, 0ms);
  const auto r = step(z, domain::ResumeCommand{}, kT0 + 12s);
  EXPECT_EQ(r.state.status, Status::expired);
  EXPECT_EQ(r.state.version, z.version + 1);
  EXPECT_EQ(types(r), (std::vector{EventType::session_resumed, EventType::participant_expired,
                                   EventType::session_expired}));
}

TEST(Transitions, StartSetsSessionStartedEvent) {
  const auto t = step(created(chess(60s)), domain::StartCommand{}, kT0 + 3s);
  EXPECT_EQ(types(t), (std::vector{EventType::session_started}));
  EXPECT_EQ(t.events[0].participant_id, pid(0));
  EXPECT_EQ(t.events[0].time_remaining, 60s);
}

}  // namespace
}  // namespace sk::engine::testing
