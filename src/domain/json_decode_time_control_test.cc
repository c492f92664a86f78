// Issue 17 on the request side: `time_control` (each type, its fields, its bounds, its
// stages), `warnings_ms` and `start_at` in a create body, `client_lag_ms` in a switch
// body. Every refusal asserted with its exact field path and message (tc-wire.md);
// a body with only today's fields decodes exactly as before.
#include <string>

#include <gtest/gtest.h>

#include "domain/json.h"
#include "domain/json_test_fixtures.h"
#include "domain/validation.h"

namespace sk::domain {
namespace {

using testing::replace;
using testing::violations_of;

using namespace sk::domain::testing;
using V = std::vector<FieldViolation>;

constexpr const char* kBetweenTimes = "must be between 1000 and 86400000";
constexpr const char* kTypeChoices =
    "must be one of fischer, bronstein, delay, byoyomi, canadian, hourglass";

const std::string kA = kAlice;
const std::string kB = kBob;
const std::string kC = kCarol;

std::string two_players() {
  return R"([{"participant_id":")" + kA + R"("},{"participant_id":")" + kB + R"("}])";
}

// A valid per_participant body of two players, five minutes each, with `extra`
// spliced in (",\"time_control\":{...}").
std::string body(std::string_view extra, std::string_view mode = "per_participant",
                 std::string_view participants = "") {
  std::string b = R"({"sync_mode":")" + std::string(mode) + R"(","total_time_ms":300000,)";
  b += R"("participants":)" + (participants.empty() ? two_players() : std::string(participants));
  b += extra;
  b += "}";
  return b;
}

std::string with_control(std::string_view control) {
  return body(R"(,"time_control":)" + std::string(control));
}

TimeControl control(TimeControlType type) {
  TimeControl tc;
  tc.type = type;
  return tc;
}

Stage stage(std::optional<std::int64_t> moves, std::int64_t add_ms,
            std::optional<std::int64_t> increment_ms = std::nullopt,
            std::optional<std::int64_t> delay_ms = std::nullopt) {
  Stage s;
  s.moves = moves;
  s.add = Millis{add_ms};
  if (increment_ms) s.increment = Millis{*increment_ms};
  if (delay_ms) s.delay = Millis{*delay_ms};
  return s;
}

// ============================ valid controls ============================

struct ValidCase {
  const char* name;
  std::string control;  // the time_control object
  TimeControl expected;
};

class DecodeTimeControl : public ::testing::TestWithParam<ValidCase> {};

TEST_P(DecodeTimeControl, DecodesExactly) {
  const auto r = decode_create_request(with_control(GetParam().control));
  ASSERT_TRUE(r.ok()) << r.error().message << ": "
                      << (r.error().violations.empty() ? "" : r.error().violations[0].field);
  ASSERT_TRUE(r->time_control.has_value());
  EXPECT_EQ(*r->time_control, GetParam().expected);
  EXPECT_TRUE(validate_create(*r).empty()) << "the decoder returned an invalid request";
}

TimeControl fischer(std::int64_t increment_ms) {
  TimeControl tc = control(TimeControlType::fischer);
  tc.increment = Millis{increment_ms};
  return tc;
}

TimeControl with_delay(TimeControlType type, std::int64_t delay_ms) {
  TimeControl tc = control(type);
  tc.delay = Millis{delay_ms};
  return tc;
}

TimeControl byoyomi(std::int64_t periods, std::int64_t period_ms, std::int64_t increment_ms = 0) {
  TimeControl tc = control(TimeControlType::byoyomi);
  tc.periods = periods;
  tc.period = Millis{period_ms};
  tc.increment = Millis{increment_ms};
  return tc;
}

TimeControl canadian(std::int64_t moves, std::int64_t period_ms) {
  TimeControl tc = control(TimeControlType::canadian);
  tc.moves = moves;
  tc.period = Millis{period_ms};
  return tc;
}

template <typename F>
TimeControl changed(TimeControl tc, F f) {
  f(tc);
  return tc;
}

INSTANTIATE_TEST_SUITE_P(
    Types, DecodeTimeControl,
    ::testing::Values(
        ValidCase{"FischerAlone", R"({"type":"fischer"})", fischer(0)},
        ValidCase{"FischerIncrement", R"({"type":"fischer","increment_ms":2000})", fischer(2000)},
        ValidCase{"FischerIncrementBounds", R"({"type":"fischer","increment_ms":60000})",
                  fischer(60'000)},
        ValidCase{"Bronstein5s", R"({"type":"bronstein","delay_ms":5000})",
                  with_delay(TimeControlType::bronstein, 5000)},
        ValidCase{"DelayBounds", R"({"delay_ms":1,"type":"delay"})",
                  with_delay(TimeControlType::delay, 1)},
        ValidCase{"DelayMax", R"({"type":"delay","delay_ms":60000})",
                  with_delay(TimeControlType::delay, 60'000)},
        ValidCase{"Byoyomi5x30s", R"({"type":"byoyomi","periods":5,"period_ms":30000})",
                  byoyomi(5, 30'000)},
        ValidCase{"ByoyomiBoundsAndIncrement",
                  R"({"type":"byoyomi","periods":100,"period_ms":86400000,"increment_ms":1000})",
                  byoyomi(100, 86'400'000, 1000)},
        ValidCase{"ByoyomiOnePeriodOfOneSecond",
                  R"({"type":"byoyomi","periods":1,"period_ms":1000})", byoyomi(1, 1000)},
        ValidCase{"Canadian25In10Min", R"({"type":"canadian","moves":25,"period_ms":600000})",
                  canadian(25, 600'000)},
        ValidCase{"CanadianBounds", R"({"type":"canadian","moves":1000,"period_ms":1000})",
                  canadian(1000, 1000)},
        ValidCase{"Hourglass", R"({"type":"hourglass"})", control(TimeControlType::hourglass)},
        ValidCase{"LagCompensationOnEveryType", R"({"type":"hourglass","lag_compensation":true})",
                  changed(control(TimeControlType::hourglass),
                          [](auto& tc) { tc.lag_compensation = true; })},
        ValidCase{
            "LagCompensationFalseAndNullsAreAbsent",
            R"({"type":"fischer","lag_compensation":false,"increment_ms":null,"stages":null})",
            fischer(0)},
        ValidCase{"Fide90For40Then30Plus30s",
                  R"({"type":"fischer","increment_ms":30000,"stages":[)"
                  R"({"moves":40,"add_ms":5400000},{"add_ms":1800000}]})",
                  changed(fischer(30'000),
                          [](auto& tc) {
                            tc.stages = {stage(40, 5'400'000), stage(std::nullopt, 1'800'000)};
                          })},
        ValidCase{"FischerStagesWithOwnIncrementsAndZeroAddition",
                  R"({"type":"fischer","stages":[{"moves":1000,"add_ms":86400000,)"
                  R"("increment_ms":0},{"moves":1,"add_ms":0,"increment_ms":60000},)"
                  R"({"add_ms":60000,"increment_ms":null}]})",
                  changed(fischer(0),
                          [](auto& tc) {
                            tc.stages = {stage(1000, 86'400'000, 0), stage(1, 0, 60'000),
                                         stage(std::nullopt, 60'000)};
                          })},
        ValidCase{
            "BronsteinStagesWithDelays",
            R"({"type":"bronstein","delay_ms":5000,"lag_compensation":true,"stages":[)"
            R"({"moves":40,"add_ms":5400000,"delay_ms":0},{"add_ms":1800000,"delay_ms":60000}]})",
            changed(with_delay(TimeControlType::bronstein, 5000),
                    [](auto& tc) {
                      tc.lag_compensation = true;
                      tc.stages = {stage(40, 5'400'000, std::nullopt, 0),
                                   stage(std::nullopt, 1'800'000, std::nullopt, 60'000)};
                    })},
        ValidCase{"TenStages",
                  R"({"type":"delay","delay_ms":2000,"stages":[)"
                  R"({"moves":1,"add_ms":1000},{"moves":1,"add_ms":0},{"moves":1,"add_ms":0},)"
                  R"({"moves":1,"add_ms":0},{"moves":1,"add_ms":0},{"moves":1,"add_ms":0},)"
                  R"({"moves":1,"add_ms":0},{"moves":1,"add_ms":0},{"moves":1,"add_ms":0},)"
                  R"({"add_ms":0}]})",
                  changed(with_delay(TimeControlType::delay, 2000),
                          [](auto& tc) {
                            tc.stages.push_back(stage(1, 1000));
                            for (int i = 0; i < 8; ++i) tc.stages.push_back(stage(1, 0));
                            tc.stages.push_back(stage(std::nullopt, 0));
                          })}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(DecodeCreateTimeControl, ABodyWithOnlyIncrementDecodesAsToday) {
  const auto r = decode_create_request(body(R"(,"increment_ms":2000)"));
  ASSERT_TRUE(r.ok());
  CreateSessionRequest expected;
  expected.sync_mode = SyncMode::per_participant;
  expected.participants = {{id(kAlice), std::nullopt, std::nullopt, std::nullopt},
                           {id(kBob), std::nullopt, std::nullopt, std::nullopt}};
  expected.total_time = Millis{300'000};
  expected.increment = Millis{2'000};
  EXPECT_EQ(*r, expected);
  EXPECT_FALSE(r->time_control);
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_FALSE(r->start_at);
}

TEST(DecodeCreateTimeControl, AFischerIncrementIsMirroredOnTheRequest) {
  const auto r = decode_create_request(with_control(R"({"type":"fischer","increment_ms":3000})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->increment, Millis{3'000});
  // Said twice, the same: accepted.
  const auto same = decode_create_request(
      body(R"(,"increment_ms":3000,"time_control":{"type":"fischer","increment_ms":3000})"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->increment, Millis{3'000});
  // A zero top-level increment is no conflict either.
  const auto zero = decode_create_request(
      body(R"(,"increment_ms":0,"time_control":{"type":"fischer","increment_ms":3000})"));
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->increment, Millis{3'000});
}

TEST(DecodeCreateTimeControl, OtherTypesLeaveTheIncrementAlone) {
  const auto r = decode_create_request(
      with_control(R"({"type":"byoyomi","periods":3,"period_ms":30000,"increment_ms":1000})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->increment, Millis{0});
  EXPECT_EQ(r->time_control->increment, Millis{1'000});
}

TEST(DecodeCreateTimeControl, StagesGiveTheBankSoTotalTimeIsNotRequired) {
  const std::string b = R"({"sync_mode":"per_participant","participants":)" + two_players() +
                        R"(,"time_control":{"type":"fischer","increment_ms":30000,)"
                        R"("stages":[{"moves":40,"add_ms":5400000},{"add_ms":1800000}]}})";
  const auto r = decode_create_request(b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->total_time);
  // Still range-checked when sent.
  EXPECT_EQ(violations_of(decode_create_request(
                replace(b, R"("participants":)", R"("total_time_ms":5,"participants":)"))),
            (V{{"total_time_ms", kBetweenTimes}}));
}

TEST(DecodeCreateTimeControl, PerGroupTakesEveryControlButHourglass) {
  const std::string teams = R"([{"participant_id":")" + kA + R"(","group_id":")" + kRed +
                            R"("},{"participant_id":")" + kB + R"(","group_id":")" + kBlue +
                            R"("}])";
  const auto r = decode_create_request(body(
      R"(,"time_control":{"type":"canadian","moves":25,"period_ms":600000})", "per_group", teams));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->time_control, canadian(25, 600'000));
}

TEST(DecodeCreateTimeControl, WarningsAreKeptAsSentAndStartAtIsATimestamp) {
  const auto r = decode_create_request(
      body(R"(,"warnings_ms":[10000,60000,1000,86400000],"start_at":"2026-11-23T09:00:00.000Z")",
           "global"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->warnings, (std::vector<Millis>{Millis{10'000}, Millis{60'000}, Millis{1'000},
                                              Millis{86'400'000}}));
  EXPECT_EQ(r->start_at, *parse_iso8601("2026-11-23T09:00:00.000Z"));
  const auto none = decode_create_request(body(R"(,"warnings_ms":[],"start_at":null)"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->warnings.empty());
  EXPECT_FALSE(none->start_at);
}

// ============================ refusals ============================

struct RefusalCase {
  const char* name;
  std::string body;
  V expected;
};

class DecodeTimeControlRefusals : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(DecodeTimeControlRefusals, ReportsExactly) {
  EXPECT_EQ(violations_of(decode_create_request(GetParam().body)), GetParam().expected);
}

std::string three_players() {
  return R"([{"participant_id":")" + kA + R"("},{"participant_id":")" + kB +
         R"("},{"participant_id":")" + kC + R"("}])";
}

const RefusalCase kRefusals[] = {
    // The object and its type.
    {"NotAnObject", with_control(R"("fischer")"), {{"time_control", "must be an object"}}},
    {"ArrayIsNotAnObject", with_control("[]"), {{"time_control", "must be an object"}}},
    {"TypeMissing",
     with_control(R"({"increment_ms":1000})"),
     {{"time_control.type", "is required"}}},
    {"TypeNull", with_control(R"({"type":null})"), {{"time_control.type", "is required"}}},
    {"TypeUnknown",
     with_control(R"({"type":"armageddon"})"),
     {{"time_control.type", kTypeChoices}}},
    {"TypeWrongCase", with_control(R"({"type":"Fischer"})"), {{"time_control.type", kTypeChoices}}},
    {"TypeNotString", with_control(R"({"type":1})"), {{"time_control.type", "must be a string"}}},
    {"NoTypeStillNamesBadValues",
     with_control(R"({"delay_ms":"5s","lag_compensation":1,"stages":{}})"),
     {{"time_control.type", "is required"},
      {"time_control.delay_ms", "must be an integer"},
      {"time_control.stages", "must be an array"},
      {"time_control.lag_compensation", "must be a boolean"}}},
    {"UnknownKey",
     with_control(R"({"type":"fischer","bonus_ms":5})"),
     {{"time_control.bonus_ms", "unknown field"}}},
    {"DuplicateKey",
     with_control(R"({"type":"fischer","type":"delay"})"),
     {{"time_control.type", "duplicate field"}}},

    // Fields of another type, refused by name.
    {"DelayOnFischer",
     with_control(R"({"type":"fischer","delay_ms":5000})"),
     {{"time_control.delay_ms", "is not a field of a fischer time control"}}},
    {"ZeroDelayOnFischerIsStillNotItsField",
     with_control(R"({"type":"fischer","delay_ms":0})"),
     {{"time_control.delay_ms", "is not a field of a fischer time control"}}},
    {"IncrementOnBronstein",
     with_control(R"({"type":"bronstein","delay_ms":5000,"increment_ms":1000})"),
     {{"time_control.increment_ms", "is not a field of a bronstein time control"}}},
    {"PeriodsOnDelay",
     with_control(R"({"type":"delay","delay_ms":5000,"periods":3})"),
     {{"time_control.periods", "is not a field of a delay time control"}}},
    {"StagesOnByoyomi",
     with_control(R"({"type":"byoyomi","periods":3,"period_ms":30000,"stages":[{"add_ms":1000}]})"),
     {{"time_control.stages", "is not a field of a byoyomi time control"}}},
    {"MovesOnByoyomi",
     with_control(R"({"type":"byoyomi","periods":3,"period_ms":30000,"moves":10})"),
     {{"time_control.moves", "is not a field of a byoyomi time control"}}},
    {"PeriodsAndIncrementOnCanadian",
     with_control(
         R"({"type":"canadian","moves":25,"period_ms":600000,"periods":2,"increment_ms":0})"),
     {{"time_control.increment_ms", "is not a field of a canadian time control"},
      {"time_control.periods", "is not a field of a canadian time control"}}},
    {"EverythingOnHourglass",
     with_control(R"({"type":"hourglass","increment_ms":1,"delay_ms":1,"periods":1,)"
                  R"("period_ms":1000,"moves":1,"stages":[]})"),
     {{"time_control.increment_ms", "is not a field of a hourglass time control"},
      {"time_control.delay_ms", "is not a field of a hourglass time control"},
      {"time_control.periods", "is not a field of a hourglass time control"},
      {"time_control.period_ms", "is not a field of a hourglass time control"},
      {"time_control.moves", "is not a field of a hourglass time control"},
      {"time_control.stages", "is not a field of a hourglass time control"}}},

    // Required fields and their types.
    {"BronsteinWithoutDelay",
     with_control(R"({"type":"bronstein"})"),
     {{"time_control.delay_ms", "is required"}}},
    {"DelayWithNullDelay",
     with_control(R"({"type":"delay","delay_ms":null})"),
     {{"time_control.delay_ms", "is required"}}},
    {"ByoyomiWithoutPeriodsOrTime",
     with_control(R"({"type":"byoyomi"})"),
     {{"time_control.periods", "is required"}, {"time_control.period_ms", "is required"}}},
    {"CanadianWithoutMoves",
     with_control(R"({"type":"canadian","period_ms":600000})"),
     {{"time_control.moves", "is required"}}},
    {"DelayNotInteger",
     with_control(R"({"type":"delay","delay_ms":5000.0})"),
     {{"time_control.delay_ms", "must be an integer"}}},
    {"LagCompensationNotBoolean",
     with_control(R"({"type":"fischer","lag_compensation":"yes"})"),
     {{"time_control.lag_compensation", "must be a boolean"}}},

    // Bounds.
    {"FischerIncrementAboveMax",
     with_control(R"({"type":"fischer","increment_ms":60001})"),
     {{"time_control.increment_ms", "must be between 0 and 60000"}}},
    {"FischerIncrementNegative",
     with_control(R"({"type":"fischer","increment_ms":-1})"),
     {{"time_control.increment_ms", "must be between 0 and 60000"}}},
    {"DelayZero",
     with_control(R"({"type":"bronstein","delay_ms":0})"),
     {{"time_control.delay_ms", "must be between 1 and 60000"}}},
    {"DelayAboveMax",
     with_control(R"({"type":"delay","delay_ms":60001})"),
     {{"time_control.delay_ms", "must be between 1 and 60000"}}},
    {"ZeroPeriods",
     with_control(R"({"type":"byoyomi","periods":0,"period_ms":30000})"),
     {{"time_control.periods", "needs at least one period"}}},
    {"NegativePeriods",
     with_control(R"({"type":"byoyomi","periods":-3,"period_ms":30000})"),
     {{"time_control.periods", "needs at least one period"}}},
    {"PeriodsAboveMax",
     with_control(R"({"type":"byoyomi","periods":101,"period_ms":30000})"),
     {{"time_control.periods", "must be between 1 and 100"}}},
    {"ByoyomiPeriodTooShort",
     with_control(R"({"type":"byoyomi","periods":3,"period_ms":999})"),
     {{"time_control.period_ms", kBetweenTimes}}},
    {"ByoyomiIncrementAboveMax",
     with_control(R"({"type":"byoyomi","periods":3,"period_ms":30000,"increment_ms":60001})"),
     {{"time_control.increment_ms", "must be between 0 and 60000"}}},
    {"CanadianPeriodTooLong",
     with_control(R"({"type":"canadian","moves":25,"period_ms":86400001})"),
     {{"time_control.period_ms", kBetweenTimes}}},
    {"CanadianZeroMoves",
     with_control(R"({"type":"canadian","moves":0,"period_ms":600000})"),
     {{"time_control.moves", "must be between 1 and 1000"}}},
    {"CanadianTooManyMoves",
     with_control(R"({"type":"canadian","moves":1001,"period_ms":600000})"),
     {{"time_control.moves", "must be between 1 and 1000"}}},

    // Stages.
    {"StagesEmpty",
     with_control(R"({"type":"fischer","stages":[]})"),
     {{"time_control.stages", "must have between 1 and 10 stages"}}},
    {"ElevenStages",
     with_control(R"({"type":"fischer","stages":[{"moves":1,"add_ms":1000},{"moves":1,"add_ms":0},)"
                  R"({"moves":1,"add_ms":0},{"moves":1,"add_ms":0},{"moves":1,"add_ms":0},)"
                  R"({"moves":1,"add_ms":0},{"moves":1,"add_ms":0},{"moves":1,"add_ms":0},)"
                  R"({"moves":1,"add_ms":0},{"moves":1,"add_ms":0},{"add_ms":0}]})"),
     {{"time_control.stages", "must have between 1 and 10 stages"}}},
    {"StageNotObject",
     with_control(R"({"type":"fischer","stages":[{"moves":40,"add_ms":60000},7]})"),
     {{"time_control.stages.1", "must be an object"}}},
    {"StageUnknownKey",
     with_control(R"({"type":"fischer","stages":[{"add_ms":60000,"bonus_ms":1}]})"),
     {{"time_control.stages.0.bonus_ms", "unknown field"}}},
    {"StageWithoutAddition",
     with_control(
         R"({"type":"fischer","stages":[{"moves":40,"add_ms":60000},{"increment_ms":0}]})"),
     {{"time_control.stages.1.add_ms", "is required"}}},
    {"StageAdditionNotInteger",
     with_control(R"({"type":"fischer","stages":[{"add_ms":"90m"}]})"),
     {{"time_control.stages.0.add_ms", "must be an integer"}}},
    {"LastStageHasNoMoves",
     with_control(
         R"({"type":"fischer","stages":[{"moves":40,"add_ms":60000},{"moves":20,"add_ms":0}]})"),
     {{"time_control.stages.1.moves", "the last stage has no moves"}}},
    {"OnlyStageHasNoMoves",
     with_control(R"({"type":"fischer","stages":[{"moves":40,"add_ms":60000}]})"),
     {{"time_control.stages.0.moves", "the last stage has no moves"}}},
    {"EarlierStageNeedsMoves",
     with_control(R"({"type":"fischer","stages":[{"add_ms":60000},{"add_ms":60000}]})"),
     {{"time_control.stages.0.moves", "is required"}}},
    {"StageMovesNotInteger",
     with_control(R"({"type":"fischer","stages":[{"moves":"40","add_ms":60000},{"add_ms":0}]})"),
     {{"time_control.stages.0.moves", "must be an integer"}}},
    {"StageMovesZero",
     with_control(R"({"type":"fischer","stages":[{"moves":0,"add_ms":60000},{"add_ms":0}]})"),
     {{"time_control.stages.0.moves", "must be between 1 and 1000"}}},
    {"StageMovesAboveMax",
     with_control(R"({"type":"fischer","stages":[{"moves":1001,"add_ms":60000},{"add_ms":0}]})"),
     {{"time_control.stages.0.moves", "must be between 1 and 1000"}}},
    {"FirstStageAdditionIsTheBank",
     with_control(R"({"type":"fischer","stages":[{"moves":40,"add_ms":999},{"add_ms":0}]})"),
     {{"time_control.stages.0.add_ms", kBetweenTimes}}},
    {"FirstStageAdditionZero",
     with_control(R"({"type":"fischer","stages":[{"add_ms":0}]})"),
     {{"time_control.stages.0.add_ms", kBetweenTimes}}},
    {"LaterStageAdditionNegative",
     with_control(R"({"type":"fischer","stages":[{"moves":40,"add_ms":60000},{"add_ms":-1}]})"),
     {{"time_control.stages.1.add_ms", "must be between 0 and 86400000"}}},
    {"LaterStageAdditionAboveADay",
     with_control(
         R"({"type":"fischer","stages":[{"moves":40,"add_ms":60000},{"add_ms":86400001}]})"),
     {{"time_control.stages.1.add_ms", "must be between 0 and 86400000"}}},
    {"DelayWithIncrementInOneStage",
     with_control(R"({"type":"bronstein","delay_ms":5000,"stages":[{"add_ms":60000,)"
                  R"("increment_ms":1000,"delay_ms":5000}]})"),
     {{"time_control.stages.0.delay_ms", "cannot be combined with increment_ms in one stage"}}},
    {"DelayWithIncrementInAFischerStage",
     with_control(
         R"({"type":"fischer","stages":[{"add_ms":60000,"increment_ms":0,"delay_ms":0}]})"),
     {{"time_control.stages.0.delay_ms", "cannot be combined with increment_ms in one stage"}}},
    {"StageIncrementOnDelay",
     with_control(
         R"({"type":"delay","delay_ms":5000,"stages":[{"add_ms":60000,"increment_ms":1000}]})"),
     {{"time_control.stages.0.increment_ms", "only allowed in a fischer time control"}}},
    {"StageDelayOnFischer",
     with_control(R"({"type":"fischer","stages":[{"add_ms":60000,"delay_ms":1000}]})"),
     {{"time_control.stages.0.delay_ms", "only allowed in a bronstein or delay time control"}}},
    {"StageIncrementAboveMax",
     with_control(R"({"type":"fischer","stages":[{"add_ms":60000,"increment_ms":60001}]})"),
     {{"time_control.stages.0.increment_ms", "must be between 0 and 60000"}}},
    {"StageDelayNegative",
     with_control(
         R"({"type":"bronstein","delay_ms":5000,"stages":[{"add_ms":60000,"delay_ms":-1}]})"),
     {{"time_control.stages.0.delay_ms", "must be between 0 and 60000"}}},

    // Combinations with the session.
    {"ControlInGlobal",
     body(R"(,"time_control":{"type":"fischer"})", "global"),
     {{"time_control", "needs a mode with banks: per_participant or per_group"}}},
    {"ControlInPerCycle",
     replace(body(R"(,"time_control":{"type":"delay","delay_ms":2000})", "per_cycle"),
             R"("total_time_ms":300000)", R"("time_per_cycle_ms":30000)"),
     {{"time_control", "needs a mode with banks: per_participant or per_group"}}},
    {"ControlInCountUpIsOneComplaint",
     body(R"(,"time_control":{"type":"byoyomi","periods":0,"period_ms":30000})", "count_up"),
     {{"time_control", "needs a mode with banks: per_participant or per_group"}}},
    {"ControlInCountUpStillNamesForeignFields",
     body(R"(,"time_control":{"type":"byoyomi","periods":2,"period_ms":30000,"delay_ms":1})",
          "count_up"),
     {{"time_control.delay_ms", "is not a field of a byoyomi time control"},
      {"time_control", "needs a mode with banks: per_participant or per_group"}}},
    {"HourglassWithThreePlayers",
     body(R"(,"time_control":{"type":"hourglass"})", "per_participant", three_players()),
     {{"time_control.type", "hourglass needs per_participant with exactly 2 participants"}}},
    {"HourglassWithOnePlayer",
     body(R"(,"time_control":{"type":"hourglass"})", "per_participant",
          R"([{"participant_id":")" + kA + R"("}])"),
     {{"time_control.type", "hourglass needs per_participant with exactly 2 participants"}}},
    {"HourglassInPerGroup",
     body(R"(,"time_control":{"type":"hourglass"})", "per_group",
          R"([{"participant_id":")" + kA + R"(","group_id":")" + kRed +
              R"("},{"participant_id":")" + kB + R"(","group_id":")" + kBlue + R"("}])"),
     {{"time_control.type", "hourglass needs per_participant with exactly 2 participants"}}},
    {"IncrementConflictsWithFischer",
     body(R"(,"increment_ms":1000,"time_control":{"type":"fischer","increment_ms":2000})"),
     {{"increment_ms", "conflicts with time_control; set the increment inside it"}}},
    {"IncrementConflictsWithFischerWithoutOne",
     body(R"(,"increment_ms":1000,"time_control":{"type":"fischer"})"),
     {{"increment_ms", "conflicts with time_control; set the increment inside it"}}},
    {"IncrementConflictsWithBronstein",
     body(R"(,"increment_ms":2000,"time_control":{"type":"bronstein","delay_ms":2000})"),
     {{"increment_ms", "conflicts with time_control; set the increment inside it"}}},
    {"IncrementConflictsWithByoyomiEvenIfEqual",
     body(R"(,"increment_ms":1000,"time_control":{"type":"byoyomi","periods":3,)"
          R"("period_ms":30000,"increment_ms":1000})"),
     {{"increment_ms", "conflicts with time_control; set the increment inside it"}}},

    // warnings_ms and start_at.
    {"WarningsNotArray", body(R"(,"warnings_ms":60000)"), {{"warnings_ms", "must be an array"}}},
    {"WarningNotInteger",
     body(R"(,"warnings_ms":[60000,"10s",1000.0])"),
     {{"warnings_ms.1", "must be an integer"}, {"warnings_ms.2", "must be an integer"}}},
    {"FiveWarnings",
     body(R"(,"warnings_ms":[50000,40000,30000,20000,10000])"),
     {{"warnings_ms", "at most 4 thresholds"}}},
    {"WarningTooSmall", body(R"(,"warnings_ms":[999])"), {{"warnings_ms.0", kBetweenTimes}}},
    {"WarningAboveADay",
     body(R"(,"warnings_ms":[60000,86400001])"),
     {{"warnings_ms.1", kBetweenTimes}}},
    {"WarningRepeated",
     body(R"(,"warnings_ms":[60000,10000,60000])"),
     {{"warnings_ms.2", "duplicate threshold"}}},
    {"StartAtNotIso",
     body(R"(,"start_at":"2026-11-23 09:00")"),
     {{"start_at", "must be an ISO-8601 UTC timestamp with milliseconds"}}},
    {"StartAtNumber",
     body(R"(,"start_at":1795382746123)"),
     {{"start_at", "must be an ISO-8601 UTC timestamp with milliseconds"}}},

    // Every mistake at once, each named once: decoding first, then the rules.
    {"AllAtOnce",
     body(R"(,"increment_ms":5000,"warnings_ms":[1,"x"],"start_at":"soon",)"
          R"("time_control":{"type":"bronstein","increment_ms":1,"stages":[{"moves":5,"add_ms":1},)"
          R"({"moves":5,"increment_ms":1,"delay_ms":1}]})",
          "per_participant", three_players()),
     {{"time_control.increment_ms", "is not a field of a bronstein time control"},
      {"time_control.delay_ms", "is required"},
      {"time_control.stages.1.add_ms", "is required"},
      {"warnings_ms.1", "must be an integer"},
      {"start_at", "must be an ISO-8601 UTC timestamp with milliseconds"},
      {"increment_ms", "conflicts with time_control; set the increment inside it"},
      {"time_control.stages.0.add_ms", kBetweenTimes},
      {"time_control.stages.1.moves", "the last stage has no moves"},
      {"time_control.stages.1.delay_ms", "cannot be combined with increment_ms in one stage"},
      {"warnings_ms.0", kBetweenTimes}}},
};

INSTANTIATE_TEST_SUITE_P(Cases, DecodeTimeControlRefusals, ::testing::ValuesIn(kRefusals),
                         [](const auto& p) { return std::string(p.param.name); });

// ============================ switch ============================

TEST(DecodeSwitchLag, ClientLagIsOptionalAndInclusive) {
  for (const std::int64_t lag : {0LL, 1LL, 5'000LL, 60'000LL}) {
    const auto r = decode_switch_request(R"({"client_lag_ms":)" + std::to_string(lag) + "}");
    ASSERT_TRUE(r.ok()) << lag;
    EXPECT_EQ(r->client_lag, Millis{lag});
  }
  const auto none = decode_switch_request(R"({"client_lag_ms":null,"expected_version":3})");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->client_lag);
  EXPECT_EQ(none->expected_version, 3);
  EXPECT_FALSE(decode_switch_request("")->client_lag);
}

TEST(DecodeSwitchLag, RefusesOutOfRangeAndNonIntegers) {
  const std::vector<std::pair<std::string, V>> cases{
      {R"({"client_lag_ms":-1})", {{"client_lag_ms", "must be between 0 and 60000"}}},
      {R"({"client_lag_ms":60001})", {{"client_lag_ms", "must be between 0 and 60000"}}},
      {R"({"client_lag_ms":"50"})", {{"client_lag_ms", "must be an integer"}}},
      {R"({"client_lag_ms":12.5})", {{"client_lag_ms", "must be an integer"}}},
      {R"({"client_lag_ms":1,"client_lag_ms":2})", {{"client_lag_ms", "duplicate field"}}},
  };
  for (const auto& [json, expected] : cases) {
    EXPECT_EQ(violations_of(decode_switch_request(json)), expected) << json;
  }
}

}  // namespace
}  // namespace sk::domain
