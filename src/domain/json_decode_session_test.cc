// decode_session: stored sessions read back exactly (decode_session(encode_session(s))
// == s, whatever live view was attached), forward-compatible with unknown and live
// fields, and every corrupt value refused as ErrorCode::deserialization, never a crash.
#include <array>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "domain/json.h"
#include "domain/json_test_fixtures.h"

namespace sk::domain {
namespace {

using testing::replace;

using namespace sk::domain::testing;

struct RoundTripCase {
  const char* name;
  Session (*make)();
};

class DecodeSessionRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(DecodeSessionRoundTrip, DecodesToTheSameSessionWhateverTheLiveView) {
  const Session s = GetParam().make();
  LiveView busy = live_for(s, kCreatedMs + 1'234);
  busy.deadline_at = from_unix_ms(kCreatedMs + 99'000);
  busy.session_remaining = Millis{5};
  busy.session_elapsed = Millis{6};
  for (const LiveView& live : {LiveView{}, live_for(s, kCreatedMs), busy}) {
    const std::string json = encode_session(s, live);
    const auto decoded = decode_session(json);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message << "\n" << json;
    EXPECT_EQ(*decoded, s);
    EXPECT_EQ(encode_session(*decoded, live), json);
  }
}

Session with_uuid_max_values() {
  Session s = two_player_pending();
  s.version = std::numeric_limits<std::int64_t>::max();
  s.participants[0].participant_index = std::numeric_limits<std::int64_t>::min();
  s.participants[0].time_used = Millis{-5};
  s.participants[1].cycle_count = std::numeric_limits<std::int64_t>::max();
  s.created_at = from_unix_ms(0);
  s.updated_at = from_unix_ms(253'402'300'799'999);
  return s;
}

Session with_escaped_metadata() {
  Session s = two_player_pending();
  s.metadata =
      "{\"q\":\"\\\"\\\\\\n\\u0001\",\"u\":\"\xc3\xa9\xf0\x9f\x98\x80\",\"n\":[-0.0,1e+300,"
      "18446744073709551615,-9223372036854775808]}";
  return s;
}

Session per_group_without_groups() {
  Session s = running_per_group();
  s.groups.clear();
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Sessions, DecodeSessionRoundTrip,
    ::testing::Values(RoundTripCase{"TwoPlayerPending", two_player_pending},
                      RoundTripCase{"RunningPerGroupWithMetadata", running_per_group},
                      RoundTripCase{"CompletedCountUpWithCap", completed_count_up},
                      RoundTripCase{"PausedPerCycle", paused_per_cycle},
                      RoundTripCase{"ExtremeIntegers", with_uuid_max_values},
                      RoundTripCase{"EscapedMetadata", with_escaped_metadata},
                      RoundTripCase{"PerGroupWithEmptyGroups", per_group_without_groups}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(DecodeSession, IgnoresUnknownAndLiveFields) {
  const Session s = running_per_group();
  std::string json = encode_session(s, live_for(s, kCreatedMs));
  json = replace(json, R"({"session_id")",
                 R"({"schema":2,"future":{"x":[1,{"y":null}]},"session_id")");
  json = replace(json, R"("participant_index":2,)", R"("participant_index":2,"rating":1500,)");
  json = replace(json, R"("has_expired":false,"last_participant_id")",
                 R"("has_expired":false,"colour":"red","last_participant_id")");
  const auto decoded = decode_session(json);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, s);
}

// Issue 16: the epoch is stored and returned as `epoch`; a state stored before epochs
// existed has none and decodes to the empty epoch, which is encoded as no field.
TEST(DecodeSession, TheEpochRoundTripsAndAnOldStateHasAnEmptyOne) {
  Session s = two_player_pending();
  s.epoch = first_epoch(from_unix_ms(kCreatedMs));
  const std::string json = encode_stored_session(s);
  EXPECT_NE(json.find(R"("epoch":")" + s.epoch + "\""), std::string::npos) << json;
  const auto decoded = decode_session(json);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, s);

  Session old = s;
  old.epoch.clear();
  const std::string old_json = encode_stored_session(old);
  EXPECT_EQ(old_json.find("epoch"), std::string::npos) << old_json;
  const auto old_decoded = decode_session(old_json);
  ASSERT_TRUE(old_decoded.ok()) << old_decoded.error().message;
  EXPECT_EQ(old_decoded->epoch, "");
  EXPECT_NE(first_epoch(from_unix_ms(kCreatedMs)), first_epoch(from_unix_ms(kCreatedMs + 1)));
}

TEST(DecodeSession, UppercaseIdsAreNormalised) {
  const Session s = two_player_pending();
  std::string json = encode_session(s, LiveView{});
  json = replace(json, kAlice, "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA");
  const auto decoded = decode_session(json);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, s);
}

TEST(DecodeSession, OptionalFieldsMayBeNull) {
  const Session s = two_player_pending();
  std::string json = encode_session(s, LiveView{});
  json = replace(json, R"("increment_ms":0,)", R"("increment_ms":0,"max_time_ms":null,)");
  json = replace(json, R"("time_used_ms":0})", R"("time_used_ms":0,"metadata":null})");
  json = replace(json, R"("participant_index":0,)", R"("participant_index":0,"group_id":null,)");
  const auto decoded = decode_session(json);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, s);
}

struct CorruptCase {
  const char* name;
  std::string json;
  const char* message;  // the detail after "stored state is corrupt: "
};

class DecodeSessionCorrupt : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(DecodeSessionCorrupt, IsDeserializationError) {
  const auto r = decode_session(GetParam().json);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::deserialization);
  EXPECT_EQ(r.error().message, std::string("stored state is corrupt: ") + GetParam().message);
}

std::string stored() { return encode_session(two_player_pending(), LiveView{}); }
std::string stored_groups() { return encode_session(running_per_group(), LiveView{}); }

INSTANTIATE_TEST_SUITE_P(
    Cases, DecodeSessionCorrupt,
    ::testing::Values(
        CorruptCase{"Empty", "", "malformed JSON: the body is empty"},
        CorruptCase{"TruncatedInString", stored().substr(0, stored().size() / 2),
                    "malformed JSON: unterminated string"},
        CorruptCase{"TruncatedAfterValue", stored().substr(0, stored().size() - 1),
                    "malformed JSON: invalid JSON structure"},
        CorruptCase{"TopLevelArray", "[]", "must be a JSON object"},
        CorruptCase{"EmptyObject", "{}", "session_id: is required"},
        CorruptCase{"InvalidUtf8", "{\"session_id\":\"\xff\"}", "malformed JSON: invalid UTF-8"},
        CorruptCase{"VersionString", replace(stored(), R"("version":1)", R"("version":"1")"),
                    "version: must be an integer"},
        CorruptCase{"VersionZero", replace(stored(), R"("version":1)", R"("version":0)"),
                    "version: must be at least 1"},
        CorruptCase{"MissingCreatedAt",
                    replace(stored(), R"("created_at":"2026-11-22T21:25:46.123Z",)", ""),
                    "created_at: is required"},
        CorruptCase{
            "NullCreatedAt",
            replace(stored(), R"("created_at":"2026-11-22T21:25:46.123Z")", R"("created_at":null)"),
            "created_at: is required"},
        CorruptCase{"MissingNullableCycleStart",
                    replace(stored(), R"("cycle_started_at":null,)", ""),
                    "cycle_started_at: is required"},
        CorruptCase{"MissingActiveParticipant",
                    replace(stored(), R"("active_participant_id":null,)", ""),
                    "active_participant_id: is required"},
        CorruptCase{"MissingTimePerCycle", replace(stored(), R"("time_per_cycle_ms":null,)", ""),
                    "time_per_cycle_ms: is required"},
        CorruptCase{"ActiveIdNotAParticipant",
                    replace(stored(), R"("active_participant_id":null)",
                            R"("active_participant_id":"cccccccc-cccc-4ccc-8ccc-cccccccccccc")"),
                    "active_participant_id: is not a participant"},
        CorruptCase{"UnknownStatus", replace(stored(), R"("pending")", R"("sleeping")"),
                    "status: has an unknown value"},
        CorruptCase{"UnknownSyncMode", replace(stored(), R"("per_participant")", R"("chess")"),
                    "sync_mode: has an unknown value"},
        CorruptCase{"UnknownAction", replace(stored(), R"("end_session")", R"("explode")"),
                    "action_on_timeout: has an unknown value"},
        CorruptCase{"ParticipantFlagNotBoolean",
                    replace(stored(), R"("is_active":false)", R"("is_active":"no")"),
                    "participants.0.is_active: must be a boolean"},
        CorruptCase{"ParticipantMissingCycleCount", replace(stored(), R"("cycle_count":0,)", ""),
                    "participants.0.cycle_count: is required"},
        CorruptCase{"ParticipantNotObject",
                    replace(stored(), R"("participants":[)", R"("participants":[5,)"),
                    "participants.0: must be an object"},
        CorruptCase{
            "NoParticipants",
            R"({"session_id":"11111111-1111-4111-8111-111111111111","sync_mode":"global",)"
            R"("status":"pending","version":1,"participants":[],)"
            R"("active_participant_id":null,"total_time_ms":1000,"time_per_cycle_ms":null,)"
            R"("increment_ms":0,"action_on_timeout":"end_session","cycle_started_at":null,)"
            R"("session_started_at":null,"session_completed_at":null,)"
            R"("created_at":"2026-11-22T21:25:46.123Z","updated_at":"2026-11-22T21:25:46.123Z",)"
            R"("time_used_ms":0})",
            "participants: must have between 1 and 1000 participants"},
        CorruptCase{"DuplicateParticipantIds", replace(stored(), kBob, kAlice),
                    "participants: has a duplicate participant_id"},
        CorruptCase{"DuplicateTopLevelKey",
                    replace(stored(), R"("version":1,)", R"("version":1,"version":1,)"),
                    "version: duplicate field"},
        CorruptCase{"DuplicateUnknownKey",
                    replace(stored(), R"("version":1,)", R"("version":1,"x":1,"x":2,)"),
                    "x: duplicate field"},
        CorruptCase{"DuplicateParticipantKey",
                    replace(stored(), R"("participant_index":0,)",
                            R"("participant_index":0,"participant_index":0,)"),
                    "participants.0.participant_index: duplicate field"},
        CorruptCase{"BadTimestamp",
                    replace(stored(), R"("updated_at":"2026-11-22T21:25:46.123Z")",
                            R"("updated_at":"2026-02-30T00:00:00.000Z")"),
                    "updated_at: must be an ISO-8601 UTC timestamp with milliseconds"},
        CorruptCase{"TimestampAsNumber",
                    replace(stored(), R"("updated_at":"2026-11-22T21:25:46.123Z")",
                            R"("updated_at":1795382746123)"),
                    "updated_at: must be an ISO-8601 UTC timestamp with milliseconds"},
        CorruptCase{
            "MetadataNotObject",
            replace(stored(), R"("time_used_ms":0})", R"("time_used_ms":0,"metadata":"x"})"),
            "metadata: must be a JSON object"},
        CorruptCase{"TotalDouble",
                    replace(stored(), R"("total_time_ms":300000,"time_per)",
                            R"("total_time_ms":300000.0,"time_per)"),
                    "total_time_ms: must be an integer"},
        CorruptCase{
            "GroupIdNotInGroups",
            replace(
                stored_groups(),
                R"("group_id":"eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee","total_time_ms":580000,"time_used_ms":20000,"cycle_count":1,"is_active")",
                R"("group_id":"cccccccc-cccc-4ccc-8ccc-cccccccccccc","total_time_ms":580000,"time_used_ms":20000,"cycle_count":1,"is_active")"),
            "participants.1.group_id: is not in groups"},
        CorruptCase{"GroupsOutsidePerGroup",
                    replace(stored_groups(), R"("per_group")", R"("global")"),
                    "groups: only allowed in per_group mode"},
        CorruptCase{"GroupMissingHasExpired",
                    replace(stored_groups(), R"("has_expired":false,"last_participant_id")",
                            R"("last_participant_id")"),
                    "groups.0.has_expired: is required"},
        CorruptCase{
            "DuplicateGroupIds",
            replace(
                stored_groups(),
                R"({"group_id":"eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee","total_time_ms":580000,"time_used_ms":20000,"cycle_count":1,"has_expired")",
                R"({"group_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","total_time_ms":580000,"time_used_ms":20000,"cycle_count":1,"has_expired")"),
            "groups: has a duplicate group_id"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(DecodeSession, RandomTruncationsNeverSucceedOrCrash) {
  const std::string json = encode_session(running_per_group(), LiveView{});
  for (std::size_t n = 0; n < json.size(); ++n) {
    const auto r = decode_session(std::string_view(json).substr(0, n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, ErrorCode::deserialization);
  }
}

TEST(DecodeSession, ThousandParticipantsRoundTrip) {
  Session s = two_player_pending();
  s.participants.clear();
  for (std::size_t i = 0; i < 1000; ++i) {
    Participant p;
    std::array<std::uint8_t, 16> bytes{};
    bytes[0] = 0x42;
    bytes[14] = static_cast<std::uint8_t>(i >> 8);
    bytes[15] = static_cast<std::uint8_t>(i & 0xff);
    p.participant_id = Uuid{bytes};
    p.participant_index = static_cast<std::int64_t>(i);
    p.total_time = Millis{60'000};
    s.participants.push_back(p);
  }
  const auto decoded = decode_session(encode_session(s, live_for(s, kCreatedMs)));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, s);
  s.participants.push_back(s.participants.back());
  s.participants.back().participant_id = id(kCarol);
  const auto too_many = decode_session(encode_session(s, LiveView{}));
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::deserialization);
}

}  // namespace
}  // namespace sk::domain
