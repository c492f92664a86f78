// The strict request decoders (create, switch, add participant, adjust time): every
// violation reported under its exact dotted path, malformed and hostile input refused
// with a typed error. Stored sessions: json_decode_session_test.cc.
#include <string>

#include <gtest/gtest.h>

#include "domain/json.h"
#include "domain/json_test_fixtures.h"

namespace sk::domain {
namespace {

using testing::replace;
using testing::violations_of;

using namespace sk::domain::testing;
using V = std::vector<FieldViolation>;

constexpr const char* kBetweenTimes = "must be between 1000 and 86400000";
constexpr const char* kModeChoices =
    "must be one of per_participant, per_cycle, per_group, global, count_up";

// ============================ create ============================

const std::string kA = kAlice;
const std::string kB = kBob;

// A valid global-mode body; cases splice fields into it.
std::string create_body(std::string_view extra = "", std::string_view participants = "") {
  std::string body = R"({"sync_mode":"global","total_time_ms":600000,"participants":)";
  body += participants.empty()
              ? R"([{"participant_id":")" + kA + R"("},{"participant_id":")" + kB + R"("}])"
              : std::string(participants);
  body += extra;
  body += "}";
  return body;
}

TEST(DecodeCreate, FullBodyDecodesExactly) {
  const std::string body = R"({
    "session_id": "11111111-1111-4111-8111-111111111111",
    "sync_mode": "per_group",
    "participants": [
      {"participant_id": "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA", "participant_index": 3,
       "group_id": "dddddddd-dddd-4ddd-8ddd-dddddddddddd"},
      {"participant_id": "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
       "group_id": "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee", "participant_index": null}
    ],
    "groups": [{"group_id": "dddddddd-dddd-4ddd-8ddd-dddddddddddd", "total_time_ms": 60000},
               {"group_id": "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"}],
    "total_time_ms": 120000,
    "increment_ms": 2000,
    "action_on_timeout": "skip",
    "metadata": { "table" : 7, "names": ["a", "b\u00e9"], "nested": {"ok": true} }
  })";
  const auto r = decode_create_request(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  CreateSessionRequest expected;
  expected.session_id = id(kSessionId);
  expected.sync_mode = SyncMode::per_group;
  expected.participants = {{id(kAlice), 3, std::nullopt, id(kRed)},
                           {id(kBob), std::nullopt, std::nullopt, id(kBlue)}};
  expected.groups = {{id(kRed), Millis{60'000}}, {id(kBlue), std::nullopt}};
  expected.total_time = Millis{120'000};
  expected.increment = Millis{2'000};
  expected.action_on_timeout = TimeoutAction::skip;
  expected.metadata = "{\"table\":7,\"names\":[\"a\",\"b\xc3\xa9\"],\"nested\":{\"ok\":true}}";
  EXPECT_EQ(*r, expected);
}

TEST(DecodeCreate, DefaultsAndNullMeansAbsent) {
  const auto r = decode_create_request(create_body(
      R"(,"session_id":null,"increment_ms":null,"max_time_ms":null,"time_per_cycle_ms":null,)"
      R"("groups":null,"action_on_timeout":null,"metadata":null)"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->session_id.has_value());
  EXPECT_EQ(r->increment, Millis{0});
  EXPECT_FALSE(r->max_time.has_value());
  EXPECT_FALSE(r->time_per_cycle.has_value());
  EXPECT_TRUE(r->groups.empty());
  EXPECT_FALSE(r->action_on_timeout.has_value());
  EXPECT_FALSE(r->metadata.has_value());
  EXPECT_EQ(r->participants.size(), 2u);
}

TEST(DecodeCreate, NegativeZeroIsTheIntegerZero) {
  const auto r = decode_create_request(create_body(R"(,"increment_ms":-0)"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->increment, Millis{0});
}

TEST(DecodeCreate, EmptyMetadataObjectIsKept) {
  const auto r = decode_create_request(create_body(R"(,"metadata": { } )"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->metadata, "{}");
}

struct CreateCase {
  const char* name;
  std::string body;
  V expected;
};

class DecodeCreateViolations : public ::testing::TestWithParam<CreateCase> {};

TEST_P(DecodeCreateViolations, ReportsExactly) {
  EXPECT_EQ(violations_of(decode_create_request(GetParam().body)), GetParam().expected);
}

std::string one_participant(std::string_view fields) {
  return R"([{"participant_id":")" + kA + R"("},{"participant_id":")" + kB + "\"" +
         std::string(fields) + "}]";
}

const CreateCase kCreateCases[] = {
    {"TopLevelArray", "[1,2]", {{"", "must be a JSON object"}}},
    {"TopLevelString", R"("hello")", {{"", "must be a JSON object"}}},
    {"TopLevelNull", "null", {{"", "must be a JSON object"}}},
    {"EmptyObject", "{}", {{"sync_mode", "is required"}, {"participants", "is required"}}},
    {"MissingSyncMode",
     replace(create_body(), R"("sync_mode":"global",)", ""),
     {{"sync_mode", "is required"}}},
    {"NullSyncMode", replace(create_body(), R"("global")", "null"), {{"sync_mode", "is required"}}},
    {"UnknownSyncMode",
     replace(create_body(), R"("global")", R"("chess")"),
     {{"sync_mode", kModeChoices}}},
    {"SyncModeWrongCase",
     replace(create_body(), R"("global")", R"("GLOBAL")"),
     {{"sync_mode", kModeChoices}}},
    {"SyncModeNotString",
     replace(create_body(), R"("global")", "3"),
     {{"sync_mode", "must be a string"}}},
    {"UnknownAction",
     create_body(R"(,"action_on_timeout":"explode")"),
     {{"action_on_timeout", "must be one of end_session, skip, auto_advance"}}},
    {"ActionNotAllowed",
     create_body(R"(,"action_on_timeout":"skip")"),
     {{"action_on_timeout", "skip is not allowed in global mode"}}},
    {"MissingParticipants",
     R"({"sync_mode":"global","total_time_ms":600000})",
     {{"participants", "is required"}}},
    {"ParticipantsNotArray",
     create_body("", R"({"participant_id":")" + kA + "\"}"),
     {{"participants", "must be an array"}}},
    {"ParticipantsEmpty",
     create_body("", "[]"),
     {{"participants", "must have between 1 and 1000 participants"}}},
    {"ParticipantNotObject",
     create_body("", R"([{"participant_id":")" + kA + R"("},7])"),
     {{"participants.1", "must be an object"}}},
    {"ParticipantMissingId",
     create_body("", R"([{"participant_index":1}])"),
     {{"participants.0.participant_id", "is required"}}},
    {"ParticipantIdNull",
     create_body("", R"([{"participant_id":null}])"),
     {{"participants.0.participant_id", "is required"}}},
    {"ParticipantIdNoDashes",
     create_body("", R"([{"participant_id":"aaaaaaaaaaaa4aaa8aaaaaaaaaaaaaaa"}])"),
     {{"participants.0.participant_id", "must be a UUID"}}},
    {"ParticipantIdBraces",
     create_body("", R"([{"participant_id":"{aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa}"}])"),
     {{"participants.0.participant_id", "must be a UUID"}}},
    {"ParticipantId35Chars",
     create_body("", R"([{"participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa"}])"),
     {{"participants.0.participant_id", "must be a UUID"}}},
    {"ParticipantId37Chars",
     create_body("", R"([{"participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaaa"}])"),
     {{"participants.0.participant_id", "must be a UUID"}}},
    {"ParticipantIdNonHex",
     create_body("", R"([{"participant_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaz"}])"),
     {{"participants.0.participant_id", "must be a UUID"}}},
    {"ParticipantIdNumber",
     create_body("", R"([{"participant_id":12345}])"),
     {{"participants.0.participant_id", "must be a UUID"}}},
    {"DuplicateParticipantIdAcrossCase",
     create_body("", R"([{"participant_id":")" + kA +
                         R"("},{"participant_id":"AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA"}])"),
     {{"participants.1.participant_id", "duplicate participant_id"}}},
    {"ParticipantIndexString",
     create_body("", one_participant(R"(,"participant_index":"1")")),
     {{"participants.1.participant_index", "must be an integer"}}},
    {"ParticipantIndexNegative",
     create_body("", one_participant(R"(,"participant_index":-1)")),
     {{"participants.1.participant_index", "must be between 0 and 1000000"}}},
    {"ParticipantTotalOutOfRangeInGlobal",
     create_body("", one_participant(R"(,"total_time_ms":999)")),
     {{"participants.1.total_time_ms", "must be between 1000 and 86400000"}}},
    {"ParticipantGroupNotUuid",
     create_body("", one_participant(R"(,"group_id":"red")")),
     {{"participants.1.group_id", "must be a UUID"}}},
    {"ParticipantUnknownKey",
     create_body("", one_participant(R"(,"colour":"red")")),
     {{"participants.1.colour", "unknown field"}}},
    {"ParticipantDuplicateKey",
     create_body("", R"([{"participant_id":")" + kA + R"(","participant_id":")" + kB + R"("}])"),
     {{"participants.0.participant_id", "duplicate field"}}},

    // Integer edge values on total_time_ms.
    {"Total999", replace(create_body(), "600000", "999"), {{"total_time_ms", kBetweenTimes}}},
    {"Total1000", replace(create_body(), "600000", "1000"), {}},
    {"Total86400000", replace(create_body(), "600000", "86400000"), {}},
    {"Total86400001",
     replace(create_body(), "600000", "86400001"),
     {{"total_time_ms", kBetweenTimes}}},
    {"TotalInt64Max",
     replace(create_body(), "600000", "9223372036854775807"),
     {{"total_time_ms", kBetweenTimes}}},
    {"TotalInt64Min",
     replace(create_body(), "600000", "-9223372036854775808"),
     {{"total_time_ms", kBetweenTimes}}},
    {"TotalAboveInt64",
     replace(create_body(), "600000", "9223372036854775808"),
     {{"total_time_ms", "must be an integer"}}},
    {"TotalExponent",
     replace(create_body(), "600000", "1e3"),
     {{"total_time_ms", "must be an integer"}}},
    {"TotalDecimalPoint",
     replace(create_body(), "600000", "1000.0"),
     {{"total_time_ms", "must be an integer"}}},
    {"TotalFraction",
     replace(create_body(), "600000", "1000.5"),
     {{"total_time_ms", "must be an integer"}}},
    {"TotalNegativeZero",
     replace(create_body(), "600000", "-0"),
     {{"total_time_ms", kBetweenTimes}}},
    {"TotalString",
     replace(create_body(), "600000", R"("600000")"),
     {{"total_time_ms", "must be an integer"}}},
    {"TotalBoolean",
     replace(create_body(), "600000", "true"),
     {{"total_time_ms", "must be an integer"}}},
    {"TotalArray",
     replace(create_body(), "600000", "[600000]"),
     {{"total_time_ms", "must be an integer"}}},
    {"TotalNullInGlobal",
     replace(create_body(), "600000", "null"),
     {{"total_time_ms", "is required in global mode"}}},

    {"IncrementNotAllowed",
     create_body(R"(,"increment_ms":1000)"),
     {{"increment_ms", "only allowed in per_participant and per_group modes"}}},
    {"MaxTimeDouble",
     create_body(R"(,"max_time_ms":5.0)"),
     {{"max_time_ms", "must be an integer"}}},
    {"SessionIdNotUuid", create_body(R"(,"session_id":"abc")"), {{"session_id", "must be a UUID"}}},

    // Duplicate and unknown keys.
    {"DuplicateTopLevelKey",
     create_body(R"(,"total_time_ms":600000)"),
     {{"total_time_ms", "duplicate field"}}},
    {"DuplicateKeyViaEscape",
     create_body(R"(,"total_time\u005fms":600000)"),
     {{"total_time_ms", "duplicate field"}}},
    {"UnknownTopLevelKey", create_body(R"(,"colour":"red")"), {{"colour", "unknown field"}}},
    {"LiveFieldIsUnknownInRequests",
     create_body(R"(,"server_time_ms":1)"),
     {{"server_time_ms", "unknown field"}}},

    // Groups.
    {"GroupsNotArray", create_body(R"(,"groups":{})"), {{"groups", "must be an array"}}},
    {"GroupsInGlobal",
     create_body(R"(,"groups":[{"group_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd"}])"),
     {{"groups", "only allowed in per_group mode"}}},
    {"GroupMissingIdAndUnknownKey",
     replace(create_body(R"(,"groups":[{"name":"red"}])"), "global", "per_group"),
     {{"groups.0.name", "unknown field"},
      {"groups.0.group_id", "is required"},
      {"participants.0.group_id", "is required in per_group mode"},
      {"participants.1.group_id", "is required in per_group mode"}}},

    // Metadata.
    {"MetadataArray", create_body(R"(,"metadata":[1])"), {{"metadata", "must be a JSON object"}}},
    {"MetadataString", create_body(R"(,"metadata":"{}")"), {{"metadata", "must be a JSON object"}}},
    {"MetadataNumber", create_body(R"(,"metadata":5)"), {{"metadata", "must be a JSON object"}}},
    {"MetadataDuplicateKey",
     create_body(R"(,"metadata":{"a":1,"b":2,"a":3})"),
     {{"metadata.a", "duplicate field"}}},
    {"MetadataNestedDuplicateKey",
     create_body(R"(,"metadata":{"x":[{"ok":1},{"b":1,"b":2}]})"),
     {{"metadata.x.1.b", "duplicate field"}}},
    {"MetadataTooLarge",
     create_body(R"(,"metadata":{"k":")" + std::string(10233, 'x') + R"("})"),
     {{"metadata", "must be at most 10240 bytes"}}},
    {"MetadataMeasuredCompact",
     create_body(R"(,"metadata":{  "k"  :  ")" + std::string(10232, 'x') + R"("  })"),
     {}},

    // A value that could not be read is reported once, not again by validation.
    {"BadBankTypeIsNotAlsoMissing",
     R"({"sync_mode":"per_participant","participants":[{"participant_id":")" + kA +
         R"(","total_time_ms":"5m"}]})",
     {{"participants.0.total_time_ms", "must be an integer"}}},
    {"NonObjectParticipantInPerGroup",
     R"({"sync_mode":"per_group","total_time_ms":60000,"participants":[null]})",
     {{"participants.0", "must be an object"}}},
    {"TwoBadIdsAreNotDuplicates",
     create_body("", R"([{"participant_id":"x"},{"participant_id":"y"}])"),
     {{"participants.0.participant_id", "must be a UUID"},
      {"participants.1.participant_id", "must be a UUID"}}},
    {"UnknownModeStillChecksBounds",
     R"({"sync_mode":"chess","total_time_ms":5,"increment_ms":-1,"participants":[{"participant_id":")" +
         kA + R"(","participant_index":-2}]})",
     {{"sync_mode", kModeChoices},
      {"total_time_ms", kBetweenTimes},
      {"increment_ms", "must be between 0 and 60000"},
      {"participants.0.participant_index", "must be between 0 and 1000000"}}},

    // Everything at once: decoding defects first, then the bounds validation found.
    {"AllViolationsAtOnce",
     R"({"sync_mode":"per_participant","sync_mode":"global","total_time_ms":999,)"
     R"("increment_ms":1.5,"max_time_ms":60000,"action_on_timeout":"skip","metadata":[],)"
     R"("extra":1,"participants":[{"participant_id":"nope","participant_index":-1},)"
     R"({"participant_id":")" +
         kA + R"(","total_time_ms":"x","group_id":")" + kB + R"("}]})",
     {{"sync_mode", "duplicate field"},
      {"extra", "unknown field"},
      {"participants.0.participant_id", "must be a UUID"},
      {"participants.1.total_time_ms", "must be an integer"},
      {"increment_ms", "must be an integer"},
      {"metadata", "must be a JSON object"},
      {"total_time_ms", kBetweenTimes},
      {"max_time_ms", "only allowed in count_up mode"},
      {"participants.0.participant_index", "must be between 0 and 1000000"},
      {"participants.1.group_id", "only allowed in per_group mode"}}},
};

INSTANTIATE_TEST_SUITE_P(Cases, DecodeCreateViolations, ::testing::ValuesIn(kCreateCases),
                         [](const auto& p) { return std::string(p.param.name); });

// ---- malformed JSON ----

struct MalformedCase {
  const char* name;
  std::string body;
};

class DecodeMalformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(DecodeMalformed, IsValidationErrorWithoutViolations) {
  const auto check = [&](const auto& r, const char* decoder) {
    ASSERT_FALSE(r.ok()) << decoder;
    EXPECT_EQ(r.error().code, ErrorCode::validation) << decoder;
    EXPECT_TRUE(r.error().message.starts_with("malformed JSON: ")) << r.error().message;
    EXPECT_TRUE(r.error().violations.empty()) << decoder;
  };
  const std::string& body = GetParam().body;
  check(decode_create_request(body), "create");
  check(decode_add_participant_request(body), "add");
  check(decode_adjust_time_request(body, id(kAlice)), "adjust");
  check(decode_switch_request(body), "switch");
  const auto stored = decode_session(body);
  ASSERT_FALSE(stored.ok());
  EXPECT_EQ(stored.error().code, ErrorCode::deserialization);
}

std::string deep_nesting(std::size_t levels) {
  return R"({"metadata":)" + std::string(levels, '[') + std::string(levels, ']') + "}";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DecodeMalformed,
    ::testing::Values(MalformedCase{"Truncated", create_body().substr(0, 40)},
                      MalformedCase{"TruncatedInString", R"({"sync_mode":"glob)"},
                      MalformedCase{"TrailingGarbage", create_body() + " x"},
                      MalformedCase{"TwoDocuments", "{}{}"},
                      MalformedCase{"TrailingComma", R"({"sync_mode":"global",})"},
                      MalformedCase{"NaN", R"({"total_time_ms":NaN})"},
                      MalformedCase{"Infinity", R"({"total_time_ms":Infinity})"},
                      MalformedCase{"SingleQuotes", R"({'sync_mode':'global'})"},
                      MalformedCase{"Comment", R"({"sync_mode":"global" /* c */})"},
                      MalformedCase{"LeadingZero", R"({"total_time_ms":01000})"},
                      MalformedCase{"HugeNumber", R"({"total_time_ms":100000000000000000000000})"},
                      MalformedCase{"NumberOverflowsDouble", R"({"total_time_ms":1e400})"},
                      MalformedCase{"DeepNesting10000", deep_nesting(10'000)},
                      MalformedCase{"InvalidUtf8", "{\"sync_mode\":\"glob\xff\xfe\"}"},
                      MalformedCase{"OverlongUtf8", "{\"sync_mode\":\"\xc0\xaf\"}"},
                      MalformedCase{"LoneSurrogateEscape", R"({"sync_mode":"\ud800"})"},
                      MalformedCase{"RawControlCharInString",
                                    std::string("{\"sync_mode\":\"a\nb\"}")},
                      MalformedCase{"BareWord", "hello"}, MalformedCase{"UnclosedObject", "{"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(DecodeCreate, EmptyBodyIsMalformed) {
  for (const char* body : {"", "   ", "\n\t"}) {
    const auto r = decode_create_request(body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::validation);
    EXPECT_EQ(r.error().message, "malformed JSON: the body is empty");
  }
}

TEST(DecodeCreate, ModerateNestingInMetadataIsFine) {
  const auto r = decode_create_request(
      create_body(R"(,"metadata":{"a":)" + std::string(500, '[') + std::string(500, ']') + "}"));
  ASSERT_TRUE(r.ok()) << r.error().message;
}

TEST(DecodeCreate, OversizedInputIsPayloadTooLarge) {
  const std::string body = create_body();
  const auto too_big = decode_create_request(body, body.size() - 1);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::payload_too_large);
  EXPECT_EQ(too_big.error().message,
            "request body exceeds " + std::to_string(body.size() - 1) + " bytes");
  EXPECT_TRUE(decode_create_request(body, body.size()).ok());
  // The size check comes first: even garbage is "too large" rather than malformed.
  EXPECT_EQ(decode_create_request(std::string(100, '!'), 99).error().code,
            ErrorCode::payload_too_large);
  EXPECT_EQ(decode_switch_request(std::string(100, ' '), 99).error().code,
            ErrorCode::payload_too_large);
  EXPECT_EQ(decode_add_participant_request(std::string(100, ' '), 99).error().code,
            ErrorCode::payload_too_large);
  EXPECT_EQ(decode_adjust_time_request(std::string(100, ' '), id(kAlice), 99).error().code,
            ErrorCode::payload_too_large);
}

TEST(DecodeCreate, DefaultLimitIsOneMegabyte) {
  std::string body =
      create_body(R"(,"metadata":{"k":")" + std::string(limits::kMaxBodyBytes, 'x') + R"("})");
  EXPECT_EQ(decode_create_request(body).error().code, ErrorCode::payload_too_large);
}

TEST(DecodeCreate, ViolationsAreCappedAtOneHundred) {
  std::string extra;
  for (int i = 0; i < 500; ++i) extra += ",\"unknown_" + std::to_string(i) + "\":1";
  const V v = violations_of(decode_create_request(create_body(extra)));
  ASSERT_EQ(v.size(), 100u);
  EXPECT_EQ(v.front(), (FieldViolation{"unknown_0", "unknown field"}));
  EXPECT_EQ(v.back(), (FieldViolation{"unknown_99", "unknown field"}));
}

TEST(DecodeCreate, MetadataWithManyKeysAndALateDuplicate) {
  std::string metadata = "{";
  for (int i = 0; i < 300; ++i) metadata += "\"k" + std::to_string(i) + "\":" + "0,";
  metadata += "\"k7\":1}";
  const V v = violations_of(decode_create_request(create_body(",\"metadata\":" + metadata)));
  EXPECT_EQ(v, (V{{"metadata.k7", "duplicate field"}}));
}

TEST(DecodeCreate, LongPathsAreCut) {
  const std::string key(300, 'k');
  const V v = violations_of(
      decode_create_request(create_body(R"(,"metadata":{")" + key + R"(":{"a":1,"a":2}})")));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "metadata." + std::string(200 - 9, 'k') + "...");
}

// ============================ switch ============================

TEST(DecodeSwitch, EmptyOrBlankOrEmptyObjectIsAPlainSwitch) {
  for (const char* body : {"", " ", "\r\n\t ", "{}", " { } "}) {
    const auto r = decode_switch_request(body);
    ASSERT_TRUE(r.ok()) << "body: '" << body << "'";
    EXPECT_FALSE(r->next_participant_id || r->current_participant_id || r->expected_version);
  }
}

TEST(DecodeSwitch, AllFields) {
  const auto r =
      decode_switch_request(R"({"next_participant_id":"BBBBBBBB-BBBB-4BBB-8BBB-BBBBBBBBBBBB",)"
                            R"("current_participant_id":")" +
                            kA + R"(","expected_version":42})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->next_participant_id, id(kBob));
  EXPECT_EQ(r->current_participant_id, id(kAlice));
  EXPECT_EQ(r->expected_version, 42);
}

TEST(DecodeSwitch, NullsAreAbsent) {
  const auto r = decode_switch_request(
      R"({"next_participant_id":null,"current_participant_id":null,"expected_version":null})");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->next_participant_id || r->current_participant_id || r->expected_version);
}

struct RequestCase {
  const char* name;
  std::string body;
  V expected;
};

class DecodeSwitchViolations : public ::testing::TestWithParam<RequestCase> {};

TEST_P(DecodeSwitchViolations, ReportsExactly) {
  EXPECT_EQ(violations_of(decode_switch_request(GetParam().body)), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DecodeSwitchViolations,
    ::testing::Values(RequestCase{"VersionZero",
                                  R"({"expected_version":0})",
                                  {{"expected_version", "must be at least 1"}}},
                      RequestCase{"VersionNegative",
                                  R"({"expected_version":-4})",
                                  {{"expected_version", "must be at least 1"}}},
                      RequestCase{"VersionDouble",
                                  R"({"expected_version":1.0})",
                                  {{"expected_version", "must be an integer"}}},
                      RequestCase{"VersionString",
                                  R"({"expected_version":"3"})",
                                  {{"expected_version", "must be an integer"}}},
                      RequestCase{"NextNotUuid",
                                  R"({"next_participant_id":"bob"})",
                                  {{"next_participant_id", "must be a UUID"}}},
                      RequestCase{"CurrentNotString",
                                  R"({"current_participant_id":true})",
                                  {{"current_participant_id", "must be a UUID"}}},
                      RequestCase{
                          "UnknownField", R"({"force":true})", {{"force", "unknown field"}}},
                      RequestCase{"DuplicateField",
                                  R"({"expected_version":1,"expected_version":2})",
                                  {{"expected_version", "duplicate field"}}},
                      RequestCase{"TopLevelArray", "[]", {{"", "must be a JSON object"}}},
                      RequestCase{"TopLevelNull", "null", {{"", "must be a JSON object"}}},
                      RequestCase{"Everything",
                                  R"({"next_participant_id":1,"expected_version":0,"x":0})",
                                  {{"x", "unknown field"},
                                   {"next_participant_id", "must be a UUID"},
                                   {"expected_version", "must be at least 1"}}}),
    [](const auto& p) { return std::string(p.param.name); });

// ============================ add participant ============================

TEST(DecodeAddParticipant, AllFields) {
  const auto r =
      decode_add_participant_request(R"({"participant_id":")" + kA +
                                     R"(","participant_index":4,"total_time_ms":60000,)"
                                     R"("group_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->participant, (NewParticipant{id(kAlice), 4, Millis{60'000}, id(kRed)}));
}

TEST(DecodeAddParticipant, OnlyTheId) {
  const auto r = decode_add_participant_request(R"({"participant_id":")" + kB + R"("})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->participant, (NewParticipant{id(kBob), std::nullopt, std::nullopt, std::nullopt}));
}

class DecodeAddParticipantViolations : public ::testing::TestWithParam<RequestCase> {};

TEST_P(DecodeAddParticipantViolations, ReportsExactly) {
  EXPECT_EQ(violations_of(decode_add_participant_request(GetParam().body)), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DecodeAddParticipantViolations,
    ::testing::Values(
        RequestCase{"MissingId", R"({"participant_index":1})", {{"participant_id", "is required"}}},
        RequestCase{"IndexNegative",
                    R"({"participant_id":")" + kA + R"(","participant_index":-1})",
                    {{"participant_index", "must be between 0 and 1000000"}}},
        RequestCase{"BankTooSmall",
                    R"({"participant_id":")" + kA + R"(","total_time_ms":999})",
                    {{"total_time_ms", kBetweenTimes}}},
        RequestCase{"BankDouble",
                    R"({"participant_id":")" + kA + R"(","total_time_ms":1e4})",
                    {{"total_time_ms", "must be an integer"}}},
        RequestCase{"UnknownField",
                    R"({"participant_id":")" + kA + R"(","name":"x"})",
                    {{"name", "unknown field"}}},
        RequestCase{"DuplicateId",
                    R"({"participant_id":")" + kA + R"(","participant_id":")" + kA + R"("})",
                    {{"participant_id", "duplicate field"}}},
        RequestCase{"TopLevelArray", "[]", {{"", "must be a JSON object"}}},
        RequestCase{"AllAtOnce",
                    R"({"participant_index":2000000,"group_id":"g","total_time_ms":1})",
                    {{"participant_id", "is required"},
                     {"group_id", "must be a UUID"},
                     {"participant_index", "must be between 0 and 1000000"},
                     {"total_time_ms", kBetweenTimes}}}),
    [](const auto& p) { return std::string(p.param.name); });

// ============================ adjust time ============================

TEST(DecodeAdjustTime, DeltaAndReason) {
  const auto r =
      decode_adjust_time_request(R"({"delta_ms":-30000,"reason":"penalty \"late\""})", id(kBob));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->participant_id, id(kBob));
  EXPECT_EQ(r->delta, Millis{-30'000});
  EXPECT_EQ(r->reason, "penalty \"late\"");
}

TEST(DecodeAdjustTime, BoundsAreInclusive) {
  for (const std::int64_t delta : {-86'400'000LL, -1LL, 1LL, 86'400'000LL}) {
    const auto r = decode_adjust_time_request(R"({"delta_ms":)" + std::to_string(delta) +
                                                  R"(,"reason":")" + std::string(500, 'r') + "\"}",
                                              id(kAlice));
    ASSERT_TRUE(r.ok()) << delta;
    EXPECT_EQ(r->delta, Millis{delta});
    EXPECT_EQ(r->reason->size(), 500u);
  }
}

class DecodeAdjustTimeViolations : public ::testing::TestWithParam<RequestCase> {};

TEST_P(DecodeAdjustTimeViolations, ReportsExactly) {
  EXPECT_EQ(violations_of(decode_adjust_time_request(GetParam().body, id(kAlice))),
            GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DecodeAdjustTimeViolations,
    ::testing::Values(
        RequestCase{"MissingDelta", R"({"reason":"x"})", {{"delta_ms", "is required"}}},
        RequestCase{"NullDelta", R"({"delta_ms":null})", {{"delta_ms", "is required"}}},
        RequestCase{"ZeroDelta", R"({"delta_ms":0})", {{"delta_ms", "must not be zero"}}},
        RequestCase{"DeltaTooPositive",
                    R"({"delta_ms":86400001})",
                    {{"delta_ms", "must be between -86400000 and 86400000"}}},
        RequestCase{"DeltaTooNegative",
                    R"({"delta_ms":-86400001})",
                    {{"delta_ms", "must be between -86400000 and 86400000"}}},
        RequestCase{"DeltaInt64Min",
                    R"({"delta_ms":-9223372036854775808})",
                    {{"delta_ms", "must be between -86400000 and 86400000"}}},
        RequestCase{"DeltaDouble", R"({"delta_ms":1000.0})", {{"delta_ms", "must be an integer"}}},
        RequestCase{"DeltaString", R"({"delta_ms":"1000"})", {{"delta_ms", "must be an integer"}}},
        RequestCase{"ReasonTooLong",
                    R"({"delta_ms":1000,"reason":")" + std::string(501, 'r') + "\"}",
                    {{"reason", "must be at most 500 bytes"}}},
        RequestCase{
            "ReasonNotString", R"({"delta_ms":1000,"reason":5})", {{"reason", "must be a string"}}},
        RequestCase{"UnknownField",
                    R"({"delta_ms":1000,"participant_id":"x"})",
                    {{"participant_id", "unknown field"}}},
        RequestCase{"EmptyObject", "{}", {{"delta_ms", "is required"}}}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(DecodeAdjustTime, EmptyBodyIsMalformed) {
  const auto r = decode_adjust_time_request("", id(kAlice));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "malformed JSON: the body is empty");
}

}  // namespace
}  // namespace sk::domain
