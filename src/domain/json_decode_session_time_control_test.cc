// Issue 17 in the stored state: time_control, warnings_ms, warnings_passed, start_at
// and each owner's `clock` read back exactly (decode_session(encode_stored_session(s))
// == s for every control), older states without them decode with the defaults, and
// every corrupt value is ErrorCode::deserialization naming the field.
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "domain/json.h"
#include "domain/json_test_fixtures.h"

namespace sk::domain {
namespace {

using namespace sk::domain::testing;

Session with_control(Session s, TimeControl tc) {
  s.time_control = std::move(tc);
  return s;
}

TimeControl of_type(TimeControlType type) {
  TimeControl tc;
  tc.type = type;
  return tc;
}

Session fischer_plain() {
  TimeControl tc = of_type(TimeControlType::fischer);
  tc.increment = Millis{2'000};
  Session s = with_control(two_player_pending(), tc);
  s.increment = Millis{2'000};
  return s;
}

Session delay_with_stage_delays() {
  TimeControl tc = of_type(TimeControlType::delay);
  tc.delay = Millis{10'000};
  tc.lag_compensation = true;
  tc.stages = {
      Stage{.moves = 60, .add = Millis{7'200'000}, .increment = std::nullopt, .delay = Millis{0}},
      Stage{.moves = 20, .add = Millis{0}, .increment = std::nullopt, .delay = std::nullopt},
      Stage{.moves = std::nullopt,
            .add = Millis{900'000},
            .increment = std::nullopt,
            .delay = Millis{60'000}}};
  Session s = with_control(two_player_pending(), tc);
  s.participants[0].clock = owner_clock(7'000, false, 0, 0, 0, 1, 64, 1'234, 1'000);
  return s;
}

Session canadian_in_overtime() {
  TimeControl tc = of_type(TimeControlType::canadian);
  tc.moves = 25;
  tc.period = Millis{600'000};
  Session s = with_control(two_player_pending(), tc);
  s.participants[1].clock = owner_clock(12'000, true, 0, 433'000, 11, 0, 80, 0, 0);
  return s;
}

Session hourglass_paused() {
  Session s = with_control(paused_per_cycle(), of_type(TimeControlType::hourglass));
  s.sync_mode = SyncMode::per_participant;
  s.time_per_cycle.reset();
  s.action_on_timeout = TimeoutAction::end_session;
  s.participants[0].clock.turn_used = Millis{18'000};
  return s;
}

// per_group with byo-yomi: the team clocks carry the periods; the members' own clocks
// (unused by the rules) still read back as stored.
Session byoyomi_teams() {
  TimeControl tc = of_type(TimeControlType::byoyomi);
  tc.periods = 3;
  tc.period = Millis{20'000};
  tc.increment = Millis{1'000};
  Session s = with_control(running_per_group(), tc);
  s.groups[0].clock = owner_clock(0, true, 2, 20'000, 0, 0, 90, 0, 0);
  s.groups[1].clock = owner_clock(3'500, false, 3, 20'000, 0, 0, 89, 0, 0);
  s.participants[2].clock = owner_clock(1, true, 1, 1, 1, 1, 1, 1, 1);
  return s;
}

Session extreme_clock_values() {
  Session s = byoyomi_running();
  s.participants[0].clock =
      owner_clock(std::numeric_limits<std::int64_t>::min(), true,
                  std::numeric_limits<std::int64_t>::max(), -1, -2, -3, -4, -5, -6);
  s.warnings = {Millis{86'400'000}, Millis{60'000}, Millis{10'000}, Millis{1'000}};
  s.warnings_passed = 4;
  return s;
}

struct RoundTripCase {
  const char* name;
  Session (*make)();
};

class StoredTimeControlRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(StoredTimeControlRoundTrip, DecodesToTheSameSessionAndTheSameText) {
  const Session s = GetParam().make();
  const std::string json = encode_stored_session(s);
  const auto decoded = decode_session(json);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message << "\n" << json;
  EXPECT_EQ(*decoded, s) << json;
  EXPECT_EQ(encode_stored_session(*decoded), json);
}

INSTANTIATE_TEST_SUITE_P(
    Controls, StoredTimeControlRoundTrip,
    ::testing::Values(RoundTripCase{"FischerPlain", fischer_plain},
                      RoundTripCase{"ByoyomiInOvertimeWithLagAndWarnings", byoyomi_running},
                      RoundTripCase{"FischerStagesPerGroup", staged_per_group},
                      RoundTripCase{"BronsteinScheduled", bronstein_scheduled},
                      RoundTripCase{"DelayWithStageDelays", delay_with_stage_delays},
                      RoundTripCase{"CanadianInOvertime", canadian_in_overtime},
                      RoundTripCase{"HourglassPaused", hourglass_paused},
                      RoundTripCase{"ByoyomiTeams", byoyomi_teams},
                      RoundTripCase{"ExtremeClockValues", extreme_clock_values}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(StoredTimeControl, TheClockAndTheSettingsAreWrittenInFull) {
  const std::string json = encode_stored_session(byoyomi_running());
  EXPECT_NE(json.find(R"("is_active":true,"has_expired":false,"clock":{"turn_used_ms":4000,)"
                      R"("in_overtime":true,"periods_left":3,"period_left_ms":26000,)"
                      R"("moves_left":0,"stage_index":0,"moves":61,"lag_quota_ms":800,)"
                      R"("lag_gain_ms":1000}})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("action_on_timeout":"end_session","time_control":{"type":"byoyomi",)"
                      R"("periods":5,"period_ms":30000,"increment_ms":0,"lag_compensation":true},)"
                      R"("warnings_ms":[60000,10000],"warnings_passed":1,"cycle_started_at")"),
            std::string::npos)
      << json;
  // No live field: the clock is the booked state.
  for (const char* live : {"period_remaining_ms", "periods_left\":3,\"period_rem", "deadline_at"}) {
    EXPECT_EQ(json.find(live), std::string::npos) << live;
  }
  const std::string teams = encode_stored_session(staged_per_group());
  EXPECT_NE(teams.find(R"("last_participant_id":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",)"
                       R"("clock":{"turn_used_ms":1000,"in_overtime":false,"periods_left":0,)"
                       R"("period_left_ms":0,"moves_left":0,"stage_index":0,"moves":37,)"
                       R"("lag_quota_ms":2500,"lag_gain_ms":1000}})"),
            std::string::npos)
      << teams;
}

TEST(StoredTimeControl, ScheduledStartAndWarningsWithoutAControl) {
  Session s = two_player_pending();
  s.sync_mode = SyncMode::global;
  s.warnings = {Millis{60'000}};
  s.start_at = from_unix_ms(kCreatedMs + 86'400'000);
  const std::string json = encode_stored_session(s);
  EXPECT_NE(json.find(R"("warnings_ms":[60000],"start_at":"2026-11-23T21:25:46.123Z",)"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("clock"), std::string::npos) << json;
  EXPECT_EQ(json.find("warnings_passed"), std::string::npos) << json;
  const auto decoded = decode_session(json);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, s);
}

// A state stored before issue 17: exactly what the store holds today.
TEST(StoredTimeControl, AnOlderStateDecodesWithTheDefaults) {
  const std::string older =
      R"({"session_id":"11111111-1111-4111-8111-111111111111","sync_mode":"per_participant",)"
      R"("status":"running","version":3,"participants":[)"
      R"({"participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","participant_index":0,)"
      R"("total_time_ms":290000,"time_used_ms":10000,"cycle_count":1,)"
      R"("is_active":false,"has_expired":false},)"
      R"({"participant_id":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb","participant_index":1,)"
      R"("total_time_ms":300000,"time_used_ms":0,"cycle_count":0,)"
      R"("is_active":true,"has_expired":false}],)"
      R"("active_participant_id":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb","total_time_ms":300000,)"
      R"("time_per_cycle_ms":null,"increment_ms":2000,"action_on_timeout":"end_session",)"
      R"("cycle_started_at":"2026-11-22T21:25:56.123Z",)"
      R"("session_started_at":"2026-11-22T21:25:46.123Z","session_completed_at":null,)"
      R"("created_at":"2026-11-22T21:25:46.123Z","updated_at":"2026-11-22T21:25:56.123Z",)"
      R"("time_used_ms":10000})";
  const auto decoded = decode_session(older);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_FALSE(decoded->time_control);
  EXPECT_TRUE(decoded->warnings.empty());
  EXPECT_EQ(decoded->warnings_passed, 0u);
  EXPECT_FALSE(decoded->start_at);
  EXPECT_EQ(decoded->increment, Millis{2'000});
  for (const auto& p : decoded->participants) EXPECT_EQ(p.clock, OwnerClock{});
  EXPECT_EQ(encode_stored_session(*decoded), older);
}

TEST(StoredTimeControl, OwnersWithoutAClockGetTheDefaultOne) {
  Session s = byoyomi_running();
  std::string json = encode_stored_session(s);
  const std::string clock = R"(,"clock":{"turn_used_ms":0,"in_overtime":false,"periods_left":5,)"
                            R"("period_left_ms":30000,"moves_left":0,"stage_index":0,"moves":60,)"
                            R"("lag_quota_ms":3000,"lag_gain_ms":1000})";
  json = replace(json, clock, "");
  const auto decoded = decode_session(json);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  s.participants[1].clock = OwnerClock{};
  EXPECT_EQ(*decoded, s);
}

// The encoder writes only what it reads back: anything else in a stored control (a
// field of another type, an unknown key) and a clock next to no control are ignored,
// so the decoded session encodes to text that decodes to it again.
TEST(StoredTimeControl, WhatTheEncoderNeverWritesIsIgnored) {
  std::string json = encode_stored_session(fischer_plain());
  json = replace(json, R"("time_control":{"type":"fischer",)",
                 R"("time_control":{"delay_ms":5000,"periods":0,"future":[1],"type":"fischer",)");
  auto decoded = decode_session(json);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, fischer_plain());

  std::string byoyomi = encode_stored_session(byoyomi_running());
  byoyomi = replace(byoyomi, R"("lag_compensation":true)",
                    R"("lag_compensation":true,"stages":[{"add_ms":1000}])");
  decoded = decode_session(byoyomi);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, byoyomi_running());

  std::string plain = encode_stored_session(two_player_pending());
  plain = replace(plain, R"("has_expired":false})",
                  R"("has_expired":false,"clock":{"turn_used_ms":"anything"}})");
  decoded = decode_session(plain);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, two_player_pending());
}

TEST(StoredTimeControl, AResponseDecodesWithoutTheClocks) {
  // Copies stored before issue 16 were responses: their control reads back, the live
  // fields are ignored, and the clocks (which a response does not carry) are default.
  Session s = byoyomi_running();
  LiveView live = live_for(s, kCreatedMs);
  live.participant_clocks = {OwnerLive{.clock = s.participants[0].clock, .delay_remaining = {}},
                             OwnerLive{.clock = s.participants[1].clock, .delay_remaining = {}}};
  const auto decoded = decode_session(encode_session(s, live));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  for (auto& p : s.participants) p.clock = OwnerClock{};
  s.warnings_passed = 0;  // not in a response either
  EXPECT_EQ(*decoded, s);
}

struct CorruptCase {
  const char* name;
  std::string json;
  const char* message;  // after "stored state is corrupt: "
};

class StoredTimeControlCorrupt : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(StoredTimeControlCorrupt, IsDeserializationError) {
  const auto r = decode_session(GetParam().json);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::deserialization);
  EXPECT_EQ(r.error().message, std::string("stored state is corrupt: ") + GetParam().message);
}

std::string byo() { return encode_stored_session(byoyomi_running()); }
std::string staged() { return encode_stored_session(staged_per_group()); }

INSTANTIATE_TEST_SUITE_P(
    Cases, StoredTimeControlCorrupt,
    ::testing::Values(
        CorruptCase{"ControlNotObject",
                    replace(byo(), R"("time_control":{"type":"byoyomi",)",
                            R"("time_control":"byoyomi","x":{)"),
                    "time_control: must be an object"},
        CorruptCase{"ControlUnknownType", replace(byo(), R"("byoyomi")", R"("shogi")"),
                    "time_control.type: has an unknown value"},
        CorruptCase{"ControlWithoutType", replace(byo(), R"("type":"byoyomi",)", ""),
                    "time_control.type: is required"},
        CorruptCase{"ControlMissingAFieldOfItsType", replace(byo(), R"("periods":5,)", ""),
                    "time_control.periods: is required"},
        CorruptCase{"ControlFieldNotInteger",
                    replace(byo(), R"("period_ms":30000)", R"("period_ms":"30s")"),
                    "time_control.period_ms: must be an integer"},
        CorruptCase{"LagCompensationNotBoolean",
                    replace(byo(), R"("lag_compensation":true)", R"("lag_compensation":1)"),
                    "time_control.lag_compensation: must be a boolean"},
        CorruptCase{
            "StageNotObject",
            replace(staged(), R"("stages":[{"moves":40,"add_ms":5400000},)", R"("stages":[40,)"),
            "time_control.stages.0: must be an object"},
        CorruptCase{"StageWithoutAddition",
                    replace(staged(), R"({"add_ms":1800000,"increment_ms":30000})",
                            R"({"increment_ms":30000})"),
                    "time_control.stages.1.add_ms: is required"},
        CorruptCase{"ClockNotObject",
                    replace(byo(), R"("clock":{"turn_used_ms":4000,)",
                            R"("clock":4000,"x":{"turn_used_ms":4000,)"),
                    "participants.0.clock: must be an object"},
        CorruptCase{"ClockFieldMissing", replace(byo(), R"("moves":61,)", ""),
                    "participants.0.clock.moves: is required"},
        CorruptCase{"ClockFieldNotInteger",
                    replace(byo(), R"("periods_left":3)", R"("periods_left":3.0)"),
                    "participants.0.clock.periods_left: must be an integer"},
        CorruptCase{"ClockFlagNotBoolean",
                    replace(byo(), R"("in_overtime":true)", R"("in_overtime":"yes")"),
                    "participants.0.clock.in_overtime: must be a boolean"},
        CorruptCase{"ClockDuplicateKey",
                    replace(byo(), R"("lag_gain_ms":1000})", R"("lag_gain_ms":1000,"moves":1})"),
                    "participants.0.clock.moves: duplicate field"},
        CorruptCase{"GroupClockFieldMissing", replace(staged(), R"("moves":37,)", ""),
                    "groups.0.clock.moves: is required"},
        CorruptCase{"WarningsNotArray",
                    replace(byo(), R"("warnings_ms":[60000,10000])", R"("warnings_ms":60000)"),
                    "warnings_ms: must be an array"},
        CorruptCase{
            "WarningNotInteger",
            replace(byo(), R"("warnings_ms":[60000,10000])", R"("warnings_ms":[60000,"10s"])"),
            "warnings_ms.1: must be an integer"},
        CorruptCase{"WarningsPassedNegative",
                    replace(byo(), R"("warnings_passed":1)", R"("warnings_passed":-1)"),
                    "warnings_passed: must not be negative"},
        CorruptCase{"WarningsPassedBeyondTheWarnings",
                    replace(byo(), R"("warnings_passed":1)", R"("warnings_passed":3)"),
                    "warnings_passed: must be at most the number of warnings_ms"},
        CorruptCase{"StartAtMalformed",
                    replace(encode_stored_session(bronstein_scheduled()),
                            R"("start_at":"2026-11-22T22:25:46.123Z")", R"("start_at":"later")"),
                    "start_at: must be an ISO-8601 UTC timestamp with milliseconds"}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace sk::domain
