// create(): the initial state of each mode.
#include <gtest/gtest.h>

#include "engine/test_support.h"

namespace sk::engine::testing {
namespace {

TEST(Create, PendingAtVersionOneWithStamps) {
  auto r = chess(90s, 3s);
  r.metadata = R"({"event":"club night"})";
  const auto t = must(create(r, kSession, kT0));
  const auto& s = t.state;
  EXPECT_EQ(s.session_id, kSession);
  EXPECT_EQ(s.status, Status::pending);
  EXPECT_EQ(s.version, 1);
  EXPECT_EQ(s.created_at, kT0);
  EXPECT_EQ(s.updated_at, kT0);
  EXPECT_EQ(s.active_participant_id, std::nullopt);
  EXPECT_EQ(s.cycle_started_at, std::nullopt);
  EXPECT_EQ(s.session_started_at, std::nullopt);
  EXPECT_EQ(s.increment, 3s);
  EXPECT_EQ(s.metadata, r.metadata);
  EXPECT_EQ(s.action_on_timeout, TimeoutAction::end_session);
  EXPECT_EQ(deadline(s), std::nullopt);
  ASSERT_EQ(t.events.size(), 1u);
  EXPECT_EQ(t.events[0].type, domain::EventType::session_created);
  for (const auto& p : s.participants) {
    EXPECT_EQ(p.total_time, 90s);
    EXPECT_EQ(p.time_used, 0ms);
    EXPECT_FALSE(p.is_active);
  }
}

TEST(Create, RotationIsAscendingIndexTiesByListOrder) {
  auto r = chess(60s, 0ms, 4);
  r.participants[0].participant_index = 2;
  r.participants[1].participant_index = 1;
  r.participants[2].participant_index = 2;
  r.participants[3].participant_index = 0;
  const auto s = created(r);
  std::vector<Uuid> order;
  for (const auto& p : s.participants) order.push_back(p.participant_id);
  EXPECT_EQ(order, (std::vector{pid(3), pid(1), pid(0), pid(2)}));
  EXPECT_EQ(started(r).active_participant_id, pid(3));
}

TEST(Create, DefaultTimeoutActionPerMode) {
  auto c = request(SyncMode::per_cycle, 2);
  c.time_per_cycle = 5s;
  EXPECT_EQ(created(c).action_on_timeout, TimeoutAction::auto_advance);
  EXPECT_EQ(created(c).participants[1].total_time, 5s);
  auto g = request(SyncMode::global, 2);
  g.total_time = 5s;
  EXPECT_EQ(created(g).action_on_timeout, TimeoutAction::end_session);
  EXPECT_EQ(created(g).participants[1].total_time, 5s);
  EXPECT_EQ(created(request(SyncMode::count_up, 2)).participants[0].total_time, 0ms);
}

// The original's clients send participants[].total_time_ms and total_time_ms in every
// mode (SPEC §2): accepted, and ignored where the mode has no such bank.
TEST(Create, BanksAModeDoesNotHaveAreIgnored) {
  const auto with_banks = [](SyncMode mode) {
    auto r = request(mode, 2);
    r.total_time = 600s;
    for (auto& p : r.participants) p.total_time = 300s;
    return r;
  };
  auto c = with_banks(SyncMode::per_cycle);
  c.time_per_cycle = 30s;
  const auto per_cycle = created(c);
  EXPECT_EQ(per_cycle.total_time, 0ms) << "per_cycle has no session bank";
  for (const auto& p : per_cycle.participants) EXPECT_EQ(p.total_time, 30s);

  const auto global = created(with_banks(SyncMode::global));
  EXPECT_EQ(global.total_time, 600s);
  for (const auto& p : global.participants) EXPECT_EQ(p.total_time, 600s) << "the session bank";

  const auto count_up = created(with_banks(SyncMode::count_up));
  EXPECT_EQ(count_up.total_time, 0ms) << "count_up has no bank (max_time_ms caps it)";
  for (const auto& p : count_up.participants) EXPECT_EQ(p.total_time, 0ms);
  EXPECT_EQ(deadline(started(with_banks(SyncMode::count_up))), std::nullopt);
}

TEST(Create, InvalidRequestIsAValidationErrorWithEveryViolation) {
  auto r = chess(500ms, 70s);  // bank below 1000 ms, increment above 60000 ms
  const auto result = create(r, kSession, kT0);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, domain::ErrorCode::validation);
  EXPECT_EQ(result.error().violations.size(), 2u);
}

TEST(Create, OneAndAThousandParticipants) {
  EXPECT_EQ(created(chess(60s, 0ms, 1)).participants.size(), 1u);
  EXPECT_EQ(created(chess(60s, 0ms, 1000)).participants.size(), 1000u);
  EXPECT_FALSE(create(chess(60s, 0ms, 1001), kSession, kT0).ok());
  EXPECT_FALSE(create(chess(60s, 0ms, 0), kSession, kT0).ok());
}

}  // namespace
}  // namespace sk::engine::testing
