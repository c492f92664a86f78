// decode_event: every audit event reads back exactly (decode_event(encode_event(e))
// == e), unknown keys are tolerated, and every corrupt event is refused as
// ErrorCode::deserialization naming the bad field, never a crash.
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "domain/json.h"
#include "domain/json_test_fixtures.h"

namespace sk::domain {
namespace {

using namespace sk::domain::testing;

Event full_event() {
  Event e;
  e.type = EventType::participant_expired;
  e.at = from_unix_ms(kCreatedMs);
  e.participant_id = id(kAlice);
  e.group_id = id(kRed);
  e.time_remaining = Millis{0};
  e.time_elapsed = Millis{300'000};
  e.cycle_count = 4;
  e.delta = Millis{-1'500};
  e.reason = "penalty \"late\"\n\u00e9";
  e.action = TimeoutAction::skip;
  return e;
}

TEST(DecodeEvent, RoundTripsEveryEventType) {
  for (int t = 0; t <= static_cast<int>(EventType::store_rolled_back); ++t) {
    Event e;
    e.type = static_cast<EventType>(t);
    e.at = from_unix_ms(kCreatedMs + t);
    const auto decoded = decode_event(encode_event(e));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, e) << to_string(e.type);
  }
}

TEST(DecodeEvent, RoundTripsEveryOptionalField) {
  const Event e = full_event();
  const std::string json = encode_event(e);
  const auto decoded = decode_event(json);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message << "\n" << json;
  EXPECT_EQ(*decoded, e);
  EXPECT_EQ(encode_event(*decoded), json);
}

TEST(DecodeEvent, AStoreRollbackKeepsTheVersionsExpectedAndFound) {
  Event e;
  e.type = EventType::store_rolled_back;
  e.at = from_unix_ms(kCreatedMs);
  e.expected_version = 32;
  e.found_version = 12;
  const std::string json = encode_event(e);
  EXPECT_NE(json.find(R"("type":"store_rolled_back")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("expected_version":32,"found_version":12)"), std::string::npos) << json;
  const auto decoded = decode_event(json);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, e);
}

// Issue 17: the events a time control produces, each with the owner and the amounts.
TEST(DecodeEvent, TimeControlEventsRoundTripWithTheirAmounts) {
  const auto event = [](EventType type) {
    Event e;
    e.type = type;
    e.at = from_unix_ms(kCreatedMs);
    e.participant_id = id(kAlice);
    return e;
  };
  Event period = event(EventType::period_used);
  period.delta = Millis{30'000};
  period.periods_left = 2;
  Event stage = event(EventType::stage_reached);
  stage.group_id = id(kRed);
  stage.delta = Millis{1'800'000};
  stage.stage_index = 1;
  stage.time_remaining = Millis{1'912'000};
  Event lag = event(EventType::lag_credited);
  lag.delta = Millis{150};
  lag.lag_quota = Millis{850};
  Event warning = event(EventType::time_warning);
  warning.threshold = Millis{10'000};
  warning.time_remaining = Millis{9'998};
  Event zeros = event(EventType::period_used);
  zeros.periods_left = 0;
  zeros.stage_index = 0;
  zeros.lag_quota = Millis{0};
  zeros.threshold = Millis{0};

  EXPECT_EQ(encode_event(period),
            R"({"type":"period_used","at":"2026-11-22T21:25:46.123Z",)"
            R"("participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","delta_ms":30000,)"
            R"("periods_left":2})");
  EXPECT_EQ(encode_event(zeros),
            R"({"type":"period_used","at":"2026-11-22T21:25:46.123Z",)"
            R"("participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","periods_left":0,)"
            R"("stage_index":0,"lag_quota_ms":0,"threshold_ms":0})");
  for (const Event& e : {period, stage, lag, warning, zeros}) {
    const std::string json = encode_event(e);
    const auto decoded = decode_event(json);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message << "\n" << json;
    EXPECT_EQ(*decoded, e) << json;
    EXPECT_EQ(encode_event(*decoded), json);
  }
  for (const char* bad :
       {R"({"type":"period_used","at":"2026-11-22T21:25:46.123Z","periods_left":"2"})",
        R"({"type":"stage_reached","at":"2026-11-22T21:25:46.123Z","stage_index":1.0})",
        R"({"type":"lag_credited","at":"2026-11-22T21:25:46.123Z","lag_quota_ms":true})",
        R"({"type":"time_warning","at":"2026-11-22T21:25:46.123Z","threshold_ms":[1]})"}) {
    const auto decoded = decode_event(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::deserialization);
  }
}

TEST(DecodeEvent, RoundTripsExtremeValues) {
  Event e;
  e.type = EventType::time_adjusted;
  e.at = from_unix_ms(0);
  e.delta = Millis{std::numeric_limits<std::int64_t>::min()};
  e.time_remaining = Millis{std::numeric_limits<std::int64_t>::max()};
  e.cycle_count = 0;
  e.reason = "";
  const auto decoded = decode_event(encode_event(e));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, e);
}

TEST(DecodeEvent, IgnoresUnknownKeysAndTreatsNullAsAbsent) {
  const auto decoded = decode_event(
      R"({"type":"session_paused","at":"2026-11-22T21:25:46.123Z","future":[1,{"x":2}],)"
      R"("participant_id":null})");
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->type, EventType::session_paused);
  EXPECT_EQ(decoded->at, from_unix_ms(kCreatedMs));
  EXPECT_FALSE(decoded->participant_id);
}

struct BadCase {
  const char* json;
  const char* mentions;  // the message names this
};

TEST(DecodeEvent, RefusesCorruptEventsAsDeserialization) {
  const std::vector<BadCase> cases{
      {"", "malformed JSON"},
      {"{", "malformed JSON"},
      {"[]", "object"},
      {R"({"at":"2026-11-22T21:25:46.123Z"})", "type"},
      {R"({"type":"session_started"})", "at"},
      {R"({"type":"nope","at":"2026-11-22T21:25:46.123Z"})", "type"},
      {R"({"type":7,"at":"2026-11-22T21:25:46.123Z"})", "type"},
      {R"({"type":"session_started","at":"2026-11-22"})", "at"},
      {R"({"type":"session_started","at":"2026-11-22T21:25:46.123Z","type":"session_paused"})",
       "type"},
      {R"({"type":"cycle_switched","at":"2026-11-22T21:25:46.123Z","participant_id":"x"})",
       "participant_id"},
      {R"({"type":"cycle_switched","at":"2026-11-22T21:25:46.123Z","time_elapsed_ms":1.5})",
       "time_elapsed_ms"},
      {R"({"type":"cycle_switched","at":"2026-11-22T21:25:46.123Z","cycle_count":"1"})",
       "cycle_count"},
      {R"({"type":"time_adjusted","at":"2026-11-22T21:25:46.123Z","reason":3})", "reason"},
      {R"({"type":"session_expired","at":"2026-11-22T21:25:46.123Z","action":"explode"})",
       "action"},
  };
  for (const auto& c : cases) {
    const auto decoded = decode_event(c.json);
    ASSERT_FALSE(decoded.ok()) << c.json;
    EXPECT_EQ(decoded.error().code, ErrorCode::deserialization) << c.json;
    EXPECT_NE(decoded.error().message.find(c.mentions), std::string::npos)
        << c.json << " -> " << decoded.error().message;
  }
}

TEST(DecodeEvent, RefusesOversizedInput) {
  const std::string huge =
      R"({"type":"session_started","at":"2026-11-22T21:25:46.123Z","reason":")" +
      std::string(2 * 1024 * 1024, 'x') + "\"}";
  const auto decoded = decode_event(huge);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::deserialization);
}

}  // namespace
}  // namespace sk::domain
