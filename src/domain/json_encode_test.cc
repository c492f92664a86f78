// The JSON writer: exact golden output (field order, null versus absent per SPEC §2),
// live values, metadata passed through verbatim, and RFC 8259 string escaping.
#include <gtest/gtest.h>

#include "domain/json.h"
#include "domain/json_test_fixtures.h"

namespace sk::domain {
namespace {

using namespace sk::domain::testing;

TEST(EncodeSession, TwoPlayerPendingGolden) {
  const Session s = two_player_pending();
  const std::string expected =
      R"({"session_id":"11111111-1111-4111-8111-111111111111","sync_mode":"per_participant",)"
      R"("status":"pending","version":1,"participants":[)"
      R"({"participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","participant_index":0,)"
      R"("total_time_ms":300000,"time_used_ms":0,"time_remaining_ms":300000,"cycle_count":0,)"
      R"("is_active":false,"has_expired":false},)"
      R"({"participant_id":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb","participant_index":1,)"
      R"("total_time_ms":300000,"time_used_ms":0,"time_remaining_ms":300000,"cycle_count":0,)"
      R"("is_active":false,"has_expired":false}],)"
      R"("active_participant_id":null,"total_time_ms":300000,"time_per_cycle_ms":null,)"
      R"("increment_ms":0,"action_on_timeout":"end_session","cycle_started_at":null,)"
      R"("session_started_at":null,"session_completed_at":null,)"
      R"("created_at":"2026-11-22T21:25:46.123Z","updated_at":"2026-11-22T21:25:46.123Z",)"
      R"("deadline_at":null,"server_time_ms":1795382746200,"time_used_ms":0})";
  EXPECT_EQ(encode_session(s, live_for(s, kCreatedMs + 77)), expected);
}

TEST(EncodeSession, OmitsAbsentOptionalsAndKeepsNullablesAsNull) {
  const Session s = two_player_pending();
  const std::string json = encode_session(s, live_for(s, kCreatedMs));
  for (const char* absent :
       {"\"max_time_ms\"", "\"metadata\"", "\"groups\"", "\"group_id\"",
        "\"expired_participant_id\"", "\"time_elapsed_ms\"", "\"last_participant_id\""}) {
    EXPECT_EQ(json.find(absent), std::string::npos) << absent;
  }
  for (const char* null_field :
       {"\"active_participant_id\":null", "\"time_per_cycle_ms\":null", "\"cycle_started_at\":null",
        "\"session_started_at\":null", "\"session_completed_at\":null", "\"deadline_at\":null"}) {
    EXPECT_NE(json.find(null_field), std::string::npos) << null_field;
  }
}

TEST(EncodeSession, PerGroupGolden) {
  const Session s = running_per_group();
  LiveView live = live_for(s, kCreatedMs + 31'000);
  live.deadline_at = from_unix_ms(kCreatedMs + 30'000 + 595'000);
  live.participant_remaining = {Millis{594'000}, Millis{580'000}, Millis{594'000}};
  live.group_remaining = {Millis{594'000}, Millis{580'000}};
  const std::string expected =
      R"({"session_id":"11111111-1111-4111-8111-111111111111","sync_mode":"per_group",)"
      R"("status":"running","version":7,"participants":[)"
      R"({"participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","participant_index":0,)"
      R"("group_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","total_time_ms":595000,)"
      R"("time_used_ms":5000,"time_remaining_ms":594000,"cycle_count":1,"is_active":false,)"
      R"("has_expired":false},)"
      R"({"participant_id":"cccccccc-cccc-4ccc-8ccc-cccccccccccc","participant_index":1,)"
      R"("group_id":"eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee","total_time_ms":580000,)"
      R"("time_used_ms":20000,"time_remaining_ms":580000,"cycle_count":1,"is_active":false,)"
      R"("has_expired":false},)"
      R"({"participant_id":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb","participant_index":2,)"
      R"("group_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","total_time_ms":595000,)"
      R"("time_used_ms":0,"time_remaining_ms":594000,"cycle_count":0,"is_active":true,)"
      R"("has_expired":false}],)"
      R"("groups":[)"
      R"({"group_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","total_time_ms":595000,)"
      R"("time_used_ms":5000,"time_remaining_ms":594000,"cycle_count":1,"has_expired":false,)"
      R"("last_participant_id":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"},)"
      R"({"group_id":"eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee","total_time_ms":580000,)"
      R"("time_used_ms":20000,"time_remaining_ms":580000,"cycle_count":1,"has_expired":false,)"
      R"("last_participant_id":"cccccccc-cccc-4ccc-8ccc-cccccccccccc"}],)"
      R"("active_participant_id":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb","total_time_ms":600000,)"
      R"("time_per_cycle_ms":null,"increment_ms":2000,"action_on_timeout":"skip",)"
      R"("cycle_started_at":"2026-11-22T21:26:16.123Z",)"
      R"("session_started_at":"2026-11-22T21:25:51.123Z","session_completed_at":null,)"
      R"("created_at":"2026-11-22T21:25:46.123Z","updated_at":"2026-11-22T21:26:16.123Z",)"
      R"("deadline_at":"2026-11-22T21:36:11.123Z","server_time_ms":1795382777123,)"
      R"("time_used_ms":25000,)"
      R"("metadata":{"table":"7","tags":["a","b"],"nested":{"x":1.5,"y":null}}})";
  EXPECT_EQ(encode_session(s, live), expected);
}

TEST(EncodeSession, GroupsOnlyInPerGroupMode) {
  Session s = running_per_group();
  s.sync_mode = SyncMode::global;
  const std::string json = encode_session(s, live_for(s, kCreatedMs));
  EXPECT_EQ(json.find("\"groups\""), std::string::npos);
}

TEST(EncodeSession, CountUpWithCapHasMaxTimeAndSessionLiveValues) {
  const Session s = completed_count_up();
  LiveView live = live_for(s, kCreatedMs + 100'000);
  live.participant_remaining = {std::nullopt, std::nullopt};
  live.session_remaining = Millis{3'510'000};
  live.session_elapsed = Millis{90'000};
  const std::string json = encode_session(s, live);
  EXPECT_NE(json.find(R"("increment_ms":0,"max_time_ms":3600000,"action_on_timeout":)"),
            std::string::npos);
  EXPECT_NE(json.find(R"("session_completed_at":"2026-11-22T21:27:17.123Z")"), std::string::npos);
  EXPECT_NE(json.find(R"("time_used_ms":90000,"time_remaining_ms":3510000,)"
                      R"("time_elapsed_ms":90000})"),
            std::string::npos)
      << json;
  // count_up without cap: no participant has a time_remaining_ms.
  EXPECT_NE(json.find(R"("time_used_ms":45000,"cycle_count":3,"is_active":false,)"
                      R"("has_expired":true})"),
            std::string::npos)
      << json;
}

TEST(EncodeSession, PerCycleWritesTimePerCycle) {
  const Session s = paused_per_cycle();
  const std::string json = encode_session(s, live_for(s, kCreatedMs));
  EXPECT_NE(json.find(R"("active_participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",)"
                      R"("total_time_ms":0,"time_per_cycle_ms":30000,"increment_ms":0,)"
                      R"("action_on_timeout":"auto_advance")"),
            std::string::npos)
      << json;
}

TEST(EncodeSession, ShortLiveViewOmitsLiveValuesInsteadOfReadingPastIt) {
  const Session s = running_per_group();
  const std::string json = encode_session(s, LiveView{});
  EXPECT_EQ(json.find("time_remaining_ms"), std::string::npos);
  EXPECT_NE(json.find(R"("server_time_ms":0,)"), std::string::npos);
}

TEST(EncodeSession, MetadataIsWrittenVerbatim) {
  Session s = two_player_pending();
  s.metadata = R"({"emoji":"😀","quote":"\"","list":[1,-2.5e+30,true,null],"o":{}})";
  const std::string json = encode_session(s, live_for(s, kCreatedMs));
  const std::string tail =
      R"(,"metadata":{"emoji":"😀","quote":"\"","list":[1,-2.5e+30,true,null],"o":{}}})";
  ASSERT_GE(json.size(), tail.size());
  EXPECT_EQ(json.substr(json.size() - tail.size()), tail);
}

TEST(EncodeSession, AppendKeepsExistingText) {
  const Session s = two_player_pending();
  std::string out = R"({"data":)";
  append_session_json(out, s, live_for(s, kCreatedMs));
  out.push_back('}');
  EXPECT_EQ(out, R"({"data":)" + encode_session(s, live_for(s, kCreatedMs)) + "}");
}

TEST(EncodeStoredSession, HasNoLiveValuesAndDecodesBack) {
  const Session s = running_per_group();
  const std::string stored = encode_stored_session(s);
  EXPECT_EQ(stored.find("deadline_at"), std::string::npos) << stored;
  EXPECT_EQ(stored.find("server_time_ms"), std::string::npos) << stored;
  EXPECT_EQ(stored.find("time_remaining_ms"), std::string::npos) << stored;
  const auto back = decode_session(stored);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, s);
}

// Copies stored before issue 16 carry the live fields deadline_at null and
// server_time_ms 0: still read, as during a rolling upgrade.
TEST(EncodeStoredSession, TheOlderFormWithLiveFieldsStillDecodes) {
  const Session s = running_per_group();
  const std::string older = encode_session(s, LiveView{});
  ASSERT_NE(older.find(R"("deadline_at":null,"server_time_ms":0)"), std::string::npos) << older;
  const auto back = decode_session(older);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, s);
  EXPECT_LT(encode_stored_session(s).size(), older.size());
}

TEST(EncodeEvent, EveryFieldWhenPresentNoneWhenAbsent) {
  Event full;
  full.type = EventType::participant_expired;
  full.at = from_unix_ms(kCreatedMs);
  full.participant_id = id(kAlice);
  full.group_id = id(kRed);
  full.time_remaining = Millis{0};
  full.time_elapsed = Millis{1500};
  full.cycle_count = 3;
  full.delta = Millis{-250};
  full.reason = "penalty \"late\"";
  full.action = TimeoutAction::skip;
  EXPECT_EQ(encode_event(full),
            R"({"type":"participant_expired","at":"2026-11-22T21:25:46.123Z",)"
            R"("participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",)"
            R"("group_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","time_remaining_ms":0,)"
            R"("time_elapsed_ms":1500,"cycle_count":3,"delta_ms":-250,)"
            R"("reason":"penalty \"late\"","action":"skip"})");
  Event bare;
  bare.type = EventType::session_deleted;
  bare.at = from_unix_ms(kCreatedMs);
  EXPECT_EQ(encode_event(bare), R"({"type":"session_deleted","at":"2026-11-22T21:25:46.123Z"})");
}

TEST(EncodeSwitchResult, GoldenWithExpiredParticipant) {
  Session s = two_player_pending();
  s.status = Status::running;
  s.version = 3;
  s.active_participant_id = id(kBob);
  s.participants[1].is_active = true;
  s.participants[0].has_expired = true;
  s.participants[0].total_time = Millis{0};
  s.participants[0].time_used = Millis{300'000};
  s.participants[0].cycle_count = 1;
  s.cycle_started_at = from_unix_ms(kCreatedMs + 300'000);
  LiveView live = live_for(s, kCreatedMs + 300'010);
  live.participant_remaining = {Millis{0}, Millis{299'990}};
  live.deadline_at = from_unix_ms(kCreatedMs + 600'000);
  const std::string expected =
      R"({"session_id":"11111111-1111-4111-8111-111111111111",)"
      R"("active_participant_id":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",)"
      R"("cycle_started_at":"2026-11-22T21:30:46.123Z","participants":[)"
      R"({"participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","participant_index":0,)"
      R"("total_time_ms":0,"time_used_ms":300000,"time_remaining_ms":0,"cycle_count":1,)"
      R"("is_active":false,"has_expired":true},)"
      R"({"participant_id":"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb","participant_index":1,)"
      R"("total_time_ms":300000,"time_used_ms":0,"time_remaining_ms":299990,"cycle_count":0,)"
      R"("is_active":true,"has_expired":false}],)"
      R"("status":"running","version":3,"deadline_at":"2026-11-22T21:35:46.123Z",)"
      R"("server_time_ms":1795383046133,)"
      R"("expired_participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"})";
  EXPECT_EQ(encode_switch_result(s, live, id(kAlice)), expected);
}

TEST(EncodeSwitchResult, NullsWithoutExpiredParticipant) {
  const Session s = two_player_pending();
  const std::string json = encode_switch_result(s, live_for(s, kCreatedMs), std::nullopt);
  EXPECT_EQ(json.find("expired_participant_id"), std::string::npos);
  const std::string head =
      R"({"session_id":"11111111-1111-4111-8111-111111111111",)"
      R"("active_participant_id":null,"cycle_started_at":null,"participants":[{)";
  EXPECT_EQ(json.substr(0, head.size()), head);
  const std::string tail =
      R"(,"status":"pending","version":1,"deadline_at":null,"server_time_ms":1795382746123})";
  EXPECT_EQ(json.substr(json.size() - tail.size()), tail);
}

struct EscapeCase {
  const char* name;
  std::string input;
  std::string expected;
};

class JsonStringEscape : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(JsonStringEscape, WritesExactLiteral) {
  std::string out;
  append_json_string(out, GetParam().input);
  EXPECT_EQ(out, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonStringEscape,
    ::testing::Values(EscapeCase{"Empty", "", R"("")"},
                      EscapeCase{"Plain", "hello world", R"("hello world")"},
                      EscapeCase{"Quote", "say \"hi\"", R"("say \"hi\"")"},
                      EscapeCase{"Backslash", "a\\b", R"("a\\b")"},
                      EscapeCase{"SlashUnescaped", "a/b", R"("a/b")"},
                      EscapeCase{"ShortEscapes", "\b\f\n\r\t", R"("\b\f\n\r\t")"},
                      EscapeCase{"Nul", std::string("a\0b", 3), R"("a\u0000b")"},
                      EscapeCase{"OtherControls", "\x01\x1f\x0b", R"("\u0001\u001f\u000b")"},
                      EscapeCase{"DelPassesThrough", "\x7f", "\"\x7f\""},
                      EscapeCase{"TwoByteUtf8", "caf\xc3\xa9", "\"caf\xc3\xa9\""},
                      EscapeCase{"ThreeByteUtf8", "\xe2\x82\xac 5", "\"\xe2\x82\xac 5\""},
                      EscapeCase{"FourByteUtf8", "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""},
                      EscapeCase{"LoneContinuationByte", "a\x80z", R"("a\ufffdz")"},
                      EscapeCase{"InvalidByteFF", "\xff", R"("\ufffd")"},
                      EscapeCase{"TruncatedSequence", "\xe2\x82", R"("\ufffd\ufffd")"},
                      EscapeCase{"OverlongSlash", "\xc0\xaf", R"("\ufffd\ufffd")"},
                      EscapeCase{"Surrogate", "\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},
                      EscapeCase{"AboveUnicode", "\xf4\x90\x80\x80",
                                 R"("\ufffd\ufffd\ufffd\ufffd")"},
                      EscapeCase{"MixedRun", "x\"\n\xc3\xa9\\y", "\"x\\\"\\n\xc3\xa9\\\\y\""}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace sk::domain
