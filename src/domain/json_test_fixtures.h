// Test-only: small sessions shared by the codec and validation tests
// (json_encode_test.cc, json_decode_test.cc, validation_test.cc). Built by hand, field
// by field, so the tests do not depend on the engine.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "domain/errors.h"
#include "domain/live_view.h"
#include "domain/result.h"
#include "domain/session.h"

namespace sk::domain {
// Readable failure output for violation lists.
inline void PrintTo(const FieldViolation& v, std::ostream* os) {
  *os << "{\"" << v.field << "\", \"" << v.message << "\"}";
}
}  // namespace sk::domain

namespace sk::domain::testing {

inline Uuid id(const char* text) { return *Uuid::parse(text); }

inline constexpr const char* kSessionId = "11111111-1111-4111-8111-111111111111";
inline constexpr const char* kAlice = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
inline constexpr const char* kBob = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
inline constexpr const char* kCarol = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
inline constexpr const char* kRed = "dddddddd-dddd-4ddd-8ddd-dddddddddddd";
inline constexpr const char* kBlue = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee";
// 2026-11-22T21:25:46.123Z
inline constexpr std::int64_t kCreatedMs = 1'795'382'746'123;

// A pending chess clock with two players, five minutes each.
inline Session two_player_pending() {
  Session s;
  s.session_id = id(kSessionId);
  s.sync_mode = SyncMode::per_participant;
  s.status = Status::pending;
  s.version = 1;
  Participant a;
  a.participant_id = id(kAlice);
  a.participant_index = 0;
  a.total_time = Millis{300'000};
  Participant b = a;
  b.participant_id = id(kBob);
  b.participant_index = 1;
  s.participants = {a, b};
  s.total_time = Millis{300'000};
  s.created_at = from_unix_ms(kCreatedMs);
  s.updated_at = from_unix_ms(kCreatedMs);
  return s;
}

inline LiveView live_for(const Session& s, std::int64_t server_ms) {
  LiveView live;
  live.server_time = from_unix_ms(server_ms);
  for (const auto& p : s.participants) live.participant_remaining.emplace_back(p.total_time);
  for (const auto& g : s.groups) live.group_remaining.push_back(g.total_time);
  return live;
}

// A running team clock: red (alice, bob) against blue (carol), with every optional
// field set.
inline Session running_per_group() {
  Session s;
  s.session_id = id(kSessionId);
  s.sync_mode = SyncMode::per_group;
  s.status = Status::running;
  s.version = 7;
  Participant a;
  a.participant_id = id(kAlice);
  a.participant_index = 0;
  a.group_id = id(kRed);
  a.total_time = Millis{595'000};
  a.time_used = Millis{5'000};
  a.cycle_count = 1;
  Participant b;
  b.participant_id = id(kBob);
  b.participant_index = 2;
  b.group_id = id(kRed);
  b.total_time = Millis{595'000};
  b.is_active = true;
  Participant c;
  c.participant_id = id(kCarol);
  c.participant_index = 1;
  c.group_id = id(kBlue);
  c.total_time = Millis{580'000};
  c.time_used = Millis{20'000};
  c.cycle_count = 1;
  s.participants = {a, c, b};
  Group red;
  red.group_id = id(kRed);
  red.total_time = Millis{595'000};
  red.time_used = Millis{5'000};
  red.cycle_count = 1;
  red.last_participant_id = id(kBob);
  Group blue;
  blue.group_id = id(kBlue);
  blue.total_time = Millis{580'000};
  blue.time_used = Millis{20'000};
  blue.cycle_count = 1;
  blue.has_expired = false;
  blue.last_participant_id = id(kCarol);
  s.groups = {red, blue};
  s.active_participant_id = id(kBob);
  s.total_time = Millis{600'000};
  s.increment = Millis{2'000};
  s.action_on_timeout = TimeoutAction::skip;
  s.cycle_started_at = from_unix_ms(kCreatedMs + 30'000);
  s.session_started_at = from_unix_ms(kCreatedMs + 5'000);
  s.created_at = from_unix_ms(kCreatedMs);
  s.updated_at = from_unix_ms(kCreatedMs + 30'000);
  s.time_used = Millis{25'000};
  s.metadata = R"({"table":"7","tags":["a","b"],"nested":{"x":1.5,"y":null}})";
  return s;
}

// A completed stopwatch with a cap.
inline Session completed_count_up() {
  Session s = two_player_pending();
  s.sync_mode = SyncMode::count_up;
  s.status = Status::completed;
  s.version = 12;
  for (auto& p : s.participants) {
    p.total_time = Millis{0};
    p.time_used = Millis{45'000};
    p.cycle_count = 3;
  }
  s.participants[1].has_expired = true;
  s.total_time = Millis{0};
  s.max_time = Millis{3'600'000};
  s.session_started_at = from_unix_ms(kCreatedMs + 1'000);
  s.session_completed_at = from_unix_ms(kCreatedMs + 91'000);
  s.updated_at = from_unix_ms(kCreatedMs + 91'000);
  s.time_used = Millis{90'000};
  return s;
}

// A paused per_cycle session (time_per_cycle set, auto_advance).
inline Session paused_per_cycle() {
  Session s = two_player_pending();
  s.sync_mode = SyncMode::per_cycle;
  s.status = Status::paused;
  s.version = 4;
  s.participants[0].total_time = Millis{12'000};
  s.participants[0].time_used = Millis{18'000};
  s.participants[0].cycle_count = 2;
  s.participants[1].total_time = Millis{30'000};
  s.total_time = Millis{0};
  s.time_per_cycle = Millis{30'000};
  s.action_on_timeout = TimeoutAction::auto_advance;
  s.active_participant_id = id(kAlice);
  s.participants[0].is_active = true;
  s.session_started_at = from_unix_ms(kCreatedMs + 1'000);
  s.time_used = Millis{18'000};
  return s;
}

// ---- time controls (issue 17) ----

inline OwnerClock owner_clock(std::int64_t turn_used_ms, bool in_overtime,
                              std::int64_t periods_left, std::int64_t period_left_ms,
                              std::int64_t moves_left, std::int64_t stage_index, std::int64_t moves,
                              std::int64_t lag_quota_ms, std::int64_t lag_gain_ms) {
  return OwnerClock{.turn_used = Millis{turn_used_ms},
                    .in_overtime = in_overtime,
                    .periods_left = periods_left,
                    .period_left = Millis{period_left_ms},
                    .moves_left = moves_left,
                    .stage_index = stage_index,
                    .moves = moves,
                    .lag_quota = Millis{lag_quota_ms},
                    .lag_gain = Millis{lag_gain_ms}};
}

// Go, 60 min + 5 x 30 s byo-yomi with lag compensation: alice, to move, is in
// overtime with 3 periods left; bob is still in main time. Two warnings, one passed.
inline Session byoyomi_running() {
  Session s = two_player_pending();
  s.status = Status::running;
  s.version = 9;
  TimeControl tc;
  tc.type = TimeControlType::byoyomi;
  tc.periods = 5;
  tc.period = Millis{30'000};
  tc.lag_compensation = true;
  s.time_control = tc;
  s.warnings = {Millis{60'000}, Millis{10'000}};
  s.warnings_passed = 1;
  s.participants[0].total_time = Millis{0};
  s.participants[0].time_used = Millis{3'660'000};
  s.participants[0].is_active = true;
  s.participants[0].clock = owner_clock(4'000, true, 3, 26'000, 0, 0, 61, 800, 1000);
  s.participants[1].total_time = Millis{120'000};
  s.participants[1].time_used = Millis{3'480'000};
  s.participants[1].cycle_count = 60;
  s.participants[1].clock = owner_clock(0, false, 5, 30'000, 0, 0, 60, 3000, 1000);
  s.active_participant_id = id(kAlice);
  s.total_time = Millis{3'600'000};
  s.cycle_started_at = from_unix_ms(kCreatedMs + 7'200'000);
  s.session_started_at = from_unix_ms(kCreatedMs + 1'000);
  s.updated_at = from_unix_ms(kCreatedMs + 7'200'000);
  s.time_used = Millis{7'140'000};
  return s;
}

// The team clock of running_per_group() under 90 min / 40 moves then 30 min, 30 s a
// move (fischer stages), with lag compensation: red is 3 moves from the second stage.
inline Session staged_per_group() {
  Session s = running_per_group();
  TimeControl tc;
  tc.type = TimeControlType::fischer;
  tc.increment = Millis{2'000};
  tc.lag_compensation = true;
  tc.stages = {
      Stage{
          .moves = 40, .add = Millis{5'400'000}, .increment = std::nullopt, .delay = std::nullopt},
      Stage{.moves = std::nullopt,
            .add = Millis{1'800'000},
            .increment = Millis{30'000},
            .delay = std::nullopt}};
  s.time_control = tc;
  s.groups[0].clock = owner_clock(1'000, false, 0, 0, 0, 0, 37, 2'500, 1'000);
  s.groups[1].clock = owner_clock(0, false, 0, 0, 0, 1, 41, 7'000, 1'000);
  return s;
}

// A scheduled Bronstein game not started yet.
inline Session bronstein_scheduled() {
  Session s = two_player_pending();
  TimeControl tc;
  tc.type = TimeControlType::bronstein;
  tc.delay = Millis{5'000};
  s.time_control = tc;
  s.warnings = {Millis{30'000}};
  s.start_at = from_unix_ms(kCreatedMs + 3'600'000);
  for (auto& p : s.participants) p.clock = owner_clock(0, false, 0, 0, 0, 0, 0, 0, 0);
  return s;
}

// Replaces the first occurrence of `from` (the test fails if there is none).
inline std::string replace(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "not found: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The field violations of a refused decode (the test fails unless it is a validation
// error); none when it succeeded.
template <typename T>
std::vector<FieldViolation> violations_of(const Result<T>& r) {
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, ErrorCode::validation) << r.error().message;
  return r.error().violations;
}

}  // namespace sk::domain::testing
